-- Patients' dossiers of admission requests ("Grand Âge": EHPAD), owned by the doctor (médecin
-- traitant). What delegations protect. The dossier status (brouillon, complet, envoyé) is derived.
create table dossiers (
  id uuid primary key default gen_random_uuid(),
  owner_id uuid not null references users (id),
  reference text not null unique,
  patient_family_name text not null,
  patient_given_name text not null,
  patient_birth_date date not null,
  patient_sex text not null check (patient_sex in ('F', 'M')),
  administrative jsonb not null default '{}'::jsonb,
  -- Health data: sent to the browser only to those allowed to read the medical part.
  medical jsonb not null default '{}'::jsonb,
  version integer not null default 1,
  created_by uuid not null references users (id),
  updated_by uuid not null references users (id),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index dossiers_by_owner on dossiers (owner_id, updated_at desc);
create sequence dossier_reference_seq;

create table dossier_requests (
  id uuid primary key default gen_random_uuid(),
  dossier_id uuid not null references dossiers (id),
  establishment text not null,
  status text not null check (status in ('envoyee', 'acceptee', 'refusee', 'annulee')),
  sent_by uuid not null references users (id),
  sent_at timestamptz not null,
  updated_at timestamptz not null
);
create index dossier_requests_by_dossier on dossier_requests (dossier_id, sent_at);
