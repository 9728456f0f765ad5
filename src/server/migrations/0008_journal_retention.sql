-- Journal retention: entries older than the retention period are archived to a file and purged.
-- A checkpoint, signed with a key the database does not hold, records for each chain the last
-- purged entry (sequence and hash) and the archive file's SHA-256, so the chain stays verifiable
-- from the checkpoint on, and the archive can be verified up to it.
create table journal_checkpoints (
  id bigint generated always as identity primary key,
  chain text not null,
  seq bigint not null,
  hash text not null,
  entries integer not null,
  first_seq bigint not null,
  archive_file text not null,
  archive_sha256 text not null,
  created_at timestamptz not null,
  signature text not null,
  unique (chain, seq)
);
create index journal_checkpoints_chain on journal_checkpoints (chain, seq desc);

create trigger journal_checkpoints_append_only before update or delete on journal_checkpoints
  for each row execute function journal_append_only();
