-- Email: an outbox row per message, written in the transaction of the change that causes it;
-- a graphile-worker job (added in the same transaction) sends it. sent_at makes sending
-- idempotent: a second run of the job for the same row sends nothing.
create table mail_outbox (
  id uuid primary key default gen_random_uuid(),
  kind text not null check (kind ~ '^[a-z][a-z0-9_.-]{0,63}$'),
  to_address text not null check (to_address !~ '[\r\n,;<>]' and length(to_address) <= 254),
  subject text not null check (subject !~ '[\r\n]' and length(subject) between 1 and 200),
  text_body text not null,
  html_body text not null,
  created_at timestamptz not null default now(),
  sent_at timestamptz,
  attempts integer not null default 0,
  last_attempt_at timestamptz,
  -- An error code only (never the server's reply, which may quote the address).
  last_error text,
  constraint mail_outbox_size check (octet_length(text_body) + octet_length(html_body) <= 524288)
);
create index mail_outbox_unsent on mail_outbox (created_at) where sent_at is null;

-- Demo mode only: what the local SMTP server received, shown at /demo/courriels. Kept in the
-- database so that the mailbox survives a restart.
create table demo_mailbox (
  id uuid primary key default gen_random_uuid(),
  received_at timestamptz not null default now(),
  message_id text,
  from_address text not null,
  to_addresses text not null,
  subject text not null,
  text_body text,
  html_body text,
  size_bytes integer not null
);
create index demo_mailbox_received on demo_mailbox (received_at desc, id);
