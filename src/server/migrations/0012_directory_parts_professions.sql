-- The directory against real extracts (issue 12):
-- * a person may hold several professions (rows of the same person with another « Code
--   profession »): all of them are kept, in code order, and the profession filter reads the
--   array (from the indexes: INCLUDE);
-- * a compound or particle family name is found by any of its parts ("lopez" for GARCÍA-LÓPEZ,
--   "fontaine" for DE LA FONTAINE): directory_name_part holds one row per part and place of
--   the person, keyed like the other search keys (COLLATE "C", part then given name), with the
--   same two indexes as the places (all of France; one department);
-- * Saint-Barthélemy (97133) and Saint-Martin (97150) are departments 977 and 978, as their
--   INSEE codes, not Guadeloupe's 971;
-- * the import journal says where the directory's date came from, and how many lines were
--   duplicates.
-- Existing rows are carried over; the name parts are filled by the next import.

drop index directory_person_name_key;
drop index directory_person_given_name_key;
alter table directory_person
  add column professions text[] not null default '{}',
  add column profession_labels text[] not null default '{}';
update directory_person set professions = array[profession_code], profession_labels = array[profession];
create index directory_person_name_key on directory_person (name_key, id) include (professions);
create index directory_person_given_name_key on directory_person (given_name_key, id) include (professions);

drop index directory_place_department_name;
alter table directory_place add column professions text[] not null default '{}';
update directory_place pl set professions = p.professions from directory_person p where p.id = pl.person_id;
alter table directory_place drop column profession_code;
update directory_place set department = '977' where postal_code = '97133';
update directory_place set department = '978' where postal_code = '97150';
create index directory_place_department_name on directory_place (department, name_key, person_id)
  include (postal_code, professions) where department is not null;

create table directory_name_part (
  person_id integer not null,
  part_key text collate "C" not null,
  professions text[] not null,
  department text collate "C",
  postal_code text not null default ''
);
create index directory_name_part_key on directory_name_part (part_key, person_id) include (professions);
create index directory_name_part_department on directory_name_part (department, part_key, person_id)
  include (postal_code, professions) where department is not null;

alter table directory_import
  add column extract_date_source text
    check (extract_date_source in ('file_name', 'url', 'last_modified', 'import')),
  add column duplicates integer;
update directory_import
   set extract_date_source = case when extract_at is null then 'import' else 'file_name' end
 where status = 'succeeded';
