-- « Changements récents » (issue 16): what others did to one's delegations in the last 30 days,
-- read by delegation from the journal. The journal holds every dossier access too, so a
-- delegation used every day has thousands of entries: this partial index keeps only the life
-- events of a delegation. Its list of actions is NEWS_ACTIONS (src/server/journal/queries.ts),
-- both sides together: the two must stay equal.
create index journal_delegation_news on journal_entries (delegation_id, at desc)
  where action in ('invitation.accepted', 'invitation.refused_identity', 'delegation.created',
                   'delegation.modified', 'delegation.deleted', 'delegation.expired',
                   'delegation.renounced', 'delegation.suspended', 'delegation.reactivated');
