-- Delegations: a doctor (delegator) lets a delegate act on his or her dossiers during a period.
-- Status is never stored: it is derived from these timestamps and dates (see delegations/rules.ts).
create table delegations (
  id uuid primary key default gen_random_uuid(),
  delegator_id uuid not null references users (id),
  kind text not null check (kind in ('staff', 'peer')),
  -- Who, as the doctor identified the person: names, email (staff invitation address; peer:
  -- notification address when known), profession (staff) or specialty (peer).
  delegate_family_name text not null,
  delegate_given_name text not null,
  delegate_email text,
  delegate_profession text,
  delegate_places jsonb not null default '[]'::jsonb,
  -- The national identifier (SubjectNameID) the delegation is bound to: a peer's '8' + RPPS from
  -- the directory at creation; a staff member's card identity at finalisation.
  delegate_national_id text,
  rights text[] not null check (cardinality(rights) between 1 and 4),
  starts_on date not null,
  ends_on date,
  invitation_expires_at timestamptz,
  accepted_at timestamptz,
  deleted_at timestamptz,
  version integer not null default 1,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check (ends_on is null or ends_on >= starts_on),
  check (kind = 'staff' or (ends_on is not null and delegate_national_id is not null)),
  check (kind = 'peer' or delegate_email is not null)
);
create index delegations_by_delegator on delegations (delegator_id, created_at) where deleted_at is null;
-- The access decision's lookup: this delegate, for this doctor.
create index delegations_by_delegate on delegations (delegate_national_id, delegator_id);

-- Invitation links: random, single-use, stored only as a SHA-256 hash, valid 7 days. A re-send
-- revokes the previous link. At most one live link per delegation.
create table invitations (
  id uuid primary key default gen_random_uuid(),
  delegation_id uuid not null references delegations (id),
  token_hash bytea not null unique,
  sent_at timestamptz not null,
  expires_at timestamptz not null,
  used_at timestamptz,
  revoked_at timestamptz
);
create unique index invitations_one_live on invitations (delegation_id) where used_at is null and revoked_at is null;

-- What the daily job has already done for a delegation (end reminder, yearly review, expiry
-- written to the journal): the key makes it idempotent across runs, retries and nodes.
create table delegation_notices (
  delegation_id uuid not null references delegations (id),
  kind text not null,
  key text not null,
  done_at timestamptz not null default now(),
  primary key (delegation_id, kind, key)
);
