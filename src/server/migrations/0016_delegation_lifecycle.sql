-- The life of a delegation (issue 16): a delegate may give it up (renounced_at, final); anyone
-- with an account may ask a doctor for one (delegation_requests); each person may turn off the
-- optional notifications (notification_opt_outs). Statuses stay derived, never stored.
alter table delegations add column renounced_at timestamptz;
-- The request this delegation answered, when it was created by accepting one.
alter table delegations add column request_id uuid;

create table delegation_requests (
  id uuid primary key default gen_random_uuid(),
  requester_id uuid not null references users (id),
  -- 'peer': a doctor asks a colleague; 'staff': a staff member with an account asks a doctor.
  kind text not null check (kind in ('staff', 'peer')),
  doctor_id uuid not null references users (id),
  rights text[] not null check (cardinality(rights) between 1 and 4),
  starts_on date not null,
  ends_on date,
  message text not null default '' check (char_length(message) <= 500),
  created_at timestamptz not null,
  expires_at timestamptz not null,
  decided_at timestamptz,
  decision text check (decision in ('accepted', 'refused')),
  refusal_reason text check (char_length(refusal_reason) <= 500),
  delegation_id uuid references delegations (id),
  check ((decided_at is null) = (decision is null)),
  check (decision is distinct from 'accepted' or delegation_id is not null),
  check (requester_id <> doctor_id)
);
create index delegation_requests_by_doctor on delegation_requests (doctor_id, created_at);
create index delegation_requests_by_requester on delegation_requests (requester_id, created_at);
-- One delegation per request, even if two acceptances raced past the application's lock.
create unique index delegations_one_per_request on delegations (request_id) where request_id is not null;

create table notification_opt_outs (
  user_id uuid not null references users (id),
  kind text not null,
  primary key (user_id, kind)
);

-- Access reviews (« Revue des délégations »): every ACCESS_REVIEW_MONTHS a doctor with active
-- delegations decides, for each, to keep, modify or delete it; complete when every line is decided.
create table access_reviews (
  id uuid primary key default gen_random_uuid(),
  delegator_id uuid not null references users (id),
  started_at timestamptz not null,
  completed_at timestamptz
);
create unique index access_reviews_one_open on access_reviews (delegator_id) where completed_at is null;
create table access_review_items (
  review_id uuid not null references access_reviews (id),
  delegation_id uuid not null references delegations (id),
  decision text check (decision in ('kept', 'modified', 'deleted')),
  decided_at timestamptz,
  primary key (review_id, delegation_id)
);
