-- Group practices (cabinets): members, invitations of colleagues, rights templates, and
-- delegations proposed to the colleagues of a cabinet (each colleague decides for his or her own
-- dossiers: a proposal grants nothing until that colleague accepts it).
create table cabinets (
  id uuid primary key default gen_random_uuid(),
  name text not null check (char_length(name) between 1 and 120),
  address text not null check (char_length(address) between 1 and 300),
  finess text check (finess ~ '^[0-9]{2}[0-9]{7}$|^2[AB][0-9]{7}$'),
  siret text check (siret ~ '^[0-9]{14}$'),
  created_by uuid not null references users (id),
  created_at timestamptz not null default now()
);

-- A membership; leaving sets left_at (the history stays). One current membership per doctor and cabinet.
create table cabinet_members (
  id uuid primary key default gen_random_uuid(),
  cabinet_id uuid not null references cabinets (id),
  user_id uuid not null references users (id),
  joined_at timestamptz not null,
  left_at timestamptz
);
create unique index cabinet_members_current on cabinet_members (cabinet_id, user_id) where left_at is null;
create index cabinet_members_by_user on cabinet_members (user_id) where left_at is null;

-- A colleague invited from the national directory (by national identifier: he or she may not
-- have signed in yet); answered once.
create table cabinet_invitations (
  id uuid primary key default gen_random_uuid(),
  cabinet_id uuid not null references cabinets (id),
  invited_national_id text not null,
  invited_family_name text not null,
  invited_given_name text not null,
  invited_by uuid not null references users (id),
  created_at timestamptz not null,
  answered_at timestamptz,
  outcome text check (outcome in ('accepted', 'declined', 'cancelled'))
);
create unique index cabinet_invitations_one_open on cabinet_invitations (cabinet_id, invited_national_id)
  where answered_at is null;
create index cabinet_invitations_by_invited on cabinet_invitations (invited_national_id) where answered_at is null;

-- « Modèles de droits » of a cabinet.
create table rights_templates (
  id uuid primary key default gen_random_uuid(),
  cabinet_id uuid not null references cabinets (id),
  name text not null check (char_length(name) between 1 and 80),
  rights text[] not null check (cardinality(rights) between 1 and 4),
  created_by uuid not null references users (id),
  created_at timestamptz not null,
  deleted_at timestamptz
);
create index rights_templates_by_cabinet on rights_templates (cabinet_id) where deleted_at is null;

-- The same staff delegation proposed by a member to a colleague of the cabinet.
create table delegation_proposals (
  id uuid primary key default gen_random_uuid(),
  cabinet_id uuid not null references cabinets (id),
  origin_delegation_id uuid not null references delegations (id),
  proposer_id uuid not null references users (id),
  colleague_id uuid not null references users (id),
  rights text[] not null check (cardinality(rights) between 1 and 4),
  starts_on date not null,
  ends_on date,
  created_at timestamptz not null,
  answered_at timestamptz,
  outcome text check (outcome in ('accepted', 'refused', 'withdrawn')),
  -- The colleague's own delegation, once accepted.
  delegation_id uuid references delegations (id),
  unique (origin_delegation_id, colleague_id)
);
create index delegation_proposals_open on delegation_proposals (colleague_id) where answered_at is null;

-- A delegation accepted by a colleague while the staff member's invitation is still pending
-- joins that invitation: finalising it finalises this one too (same identity check).
alter table delegations add column invitation_origin_id uuid references delegations (id);
create index delegations_by_invitation_origin on delegations (invitation_origin_id)
  where invitation_origin_id is not null;
