-- The journal: append-only audit of delegation events and of every dossier access by a
-- delegate. Entries form hash chains so that tampering is evident. A doctor's entries are spread
-- over a few chains ("<doctor id>:<shard>") so that appends do not queue behind one row lock.
create table journal_entries (
  id bigint generated always as identity primary key,
  chain text not null,
  seq bigint not null,
  at timestamptz not null,
  actor_id uuid,
  on_behalf_of_id uuid,
  delegation_id uuid,
  dossier_id uuid,
  action text not null,
  outcome text not null,
  details jsonb not null default '{}'::jsonb,
  prev_hash text not null,
  hash text not null,
  unique (chain, seq)
);
-- The head of each chain: its last sequence number and hash. Appending is one statement that
-- advances the head (row lock) and inserts the entry with the hash computed by PostgreSQL.
create table journal_heads (
  chain text primary key,
  seq bigint not null,
  prev_hash text not null,
  hash text not null
);

create index journal_on_behalf_of_at on journal_entries (on_behalf_of_id, at desc, id desc);
create index journal_actor_at on journal_entries (actor_id, at desc, id desc);
create index journal_dossier_at on journal_entries (dossier_id, at desc) where dossier_id is not null;
create index journal_delegation on journal_entries (delegation_id) where delegation_id is not null;

-- No update or delete path, even for a bug in the application. (Retention purges go through
-- journal_purge, which archives and checkpoints first.)
create function journal_append_only() returns trigger language plpgsql as $$
begin
  if current_setting('journal.purge', true) = 'on' and tg_op = 'DELETE' then
    return old;
  end if;
  raise exception 'journal_entries is append-only' using errcode = 'P0001';
end $$;
create trigger journal_append_only before update or delete on journal_entries
  for each row execute function journal_append_only();
create trigger journal_no_truncate before truncate on journal_entries
  for each statement execute function journal_append_only();
