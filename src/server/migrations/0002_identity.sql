-- Identity: accounts keyed on the national identifier (SubjectNameID), server-side sessions,
-- pending Pro Santé Connect sign-ins, password sign-in throttling, email confirmations.

create table users (
  id uuid primary key default gen_random_uuid(),
  subject_name_id text not null unique,
  family_name text not null,
  given_name text not null,
  card_type text,
  -- From Pro Santé Connect (SubjectRefPro.exercices[0].codeProfession); '10' is a doctor.
  profession_code text,
  -- Stated at first sign-in by a non-doctor: secretaire, assistant, infirmier, autre.
  declared_profession text,
  declared_profession_other text,
  specialty_code text,
  specialty_label text,
  postal_code text,
  -- The address Pro Santé Connect gave, offered at first sign-in; never used to send.
  claims_email text,
  -- The notification address the user gave; also the password sign-in identifier.
  email text,
  email_verified_at timestamptz,
  password_hash text,
  charter_version text,
  charter_accepted_at timestamptz,
  first_signin_completed_at timestamptz,
  failed_password_attempts integer not null default 0,
  locked_until timestamptz,
  last_signin_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint users_subject_name_id_format check (subject_name_id ~ '^[0-9][0-9A-Za-z/._-]{1,99}$'),
  constraint users_email_length check (email is null or length(email) <= 254)
);

-- The email is also the password sign-in identifier: one account per address.
create unique index users_email_unique on users (lower(email)) where email is not null;

create table sessions (
  -- sha256 of the cookie value: a database leak does not give usable session ids.
  id_hash bytea primary key,
  user_id uuid not null references users (id) on delete cascade,
  -- The ID token, kept for the provider's logout (id_token_hint).
  id_token text,
  -- 'psc' or 'password'
  method text not null,
  -- Where to go once first sign-in is complete (a same-origin path, e.g. an invitation).
  return_to text,
  created_at timestamptz not null,
  last_seen_at timestamptz not null,
  expires_at timestamptz not null
);
create index sessions_user on sessions (user_id);
create index sessions_expires on sessions (expires_at);

-- A sign-in started with Pro Santé Connect: single use, bound to the browser that started it.
create table psc_transactions (
  state text primary key,
  browser_hash bytea not null,
  nonce text not null,
  code_verifier text not null,
  return_to text,
  created_at timestamptz not null,
  expires_at timestamptz not null
);
create index psc_transactions_expires on psc_transactions (expires_at);

-- Failed password sign-ins for identifiers that match no account, so that an unknown
-- identifier and a wrong password are answered the same, delays and lockout included.
create table password_throttle (
  identifier_hash bytea primary key,
  failed_attempts integer not null default 0,
  locked_until timestamptz,
  updated_at timestamptz not null
);

create table email_confirmations (
  token_hash bytea primary key,
  user_id uuid not null references users (id) on delete cascade,
  email text not null,
  created_at timestamptz not null,
  expires_at timestamptz not null,
  used_at timestamptz
);
create index email_confirmations_user on email_confirmations (user_id);
