-- Strong authentication (issue 14, PGSSI-S 2026): a password alone opens no session. Password
-- sign-in asks for a second factor — a passkey (WebAuthn) or a TOTP authenticator app — and
-- 10 single-use recovery codes are offered at enrolment. Each session keeps how strong it is.

-- Passkeys: several per person. The public key and the signature counter checked at each use.
create table passkeys (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users (id) on delete cascade,
  credential_id text not null unique,
  public_key bytea not null,
  counter bigint not null default 0,
  transports text[] not null default '{}',
  name text not null check (length(name) between 1 and 100),
  created_at timestamptz not null,
  last_used_at timestamptz
);
create index passkeys_user on passkeys (user_id);

-- TOTP (RFC 6238): the secret encrypted at rest (AES-256-GCM, key from MFA_ENCRYPTION_KEY);
-- totp_last_step: the time step of the last accepted code, so that a code is used once.
-- totp_pending_secret: an enrolment started and not yet confirmed with a first code.
alter table users add column totp_secret text;
alter table users add column totp_last_step bigint;
alter table users add column totp_created_at timestamptz;
alter table users add column totp_pending_secret text;
-- How the person last signed in ('psc', 'password+passkey', 'password+totp', 'password+recovery'),
-- shown to the delegating doctor with last_signin_at.
alter table users add column last_signin_method text;

-- Recovery codes: only their sha256 (each has 50 random bits); used once.
create table recovery_codes (
  user_id uuid not null references users (id) on delete cascade,
  code_hash bytea not null,
  created_at timestamptz not null,
  used_at timestamptz,
  primary key (user_id, code_hash)
);

-- The session's strength. A password session waits for its second factor
-- (second_factor null): it can only prove or enrol one. The WebAuthn challenge of a ceremony
-- in progress is kept with the session that started it (single use).
alter table sessions add column second_factor text
  check (second_factor in ('passkey', 'totp', 'recovery'));
alter table sessions add column webauthn_challenge text;
alter table sessions add constraint sessions_second_factor_password_only
  check (method = 'password' or second_factor is null);

-- « Connexion par carte CPx ou e-CPS obligatoire »: the delegation is usable only in a Pro Santé
-- Connect session.
alter table delegations add column psc_required boolean not null default false;
