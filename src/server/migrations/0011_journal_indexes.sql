-- Every delegate's access writes a journal entry: keep only the indexes the journal's readers
-- use (a doctor's journal, a person's own actions). Filtering a doctor's journal by dossier or
-- by delegation reads that doctor's entries, already narrowed by journal_on_behalf_of_at.
drop index journal_dossier_at;
drop index journal_delegation;
