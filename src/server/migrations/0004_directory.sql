-- The national directory (ANS Annuaire Santé extract). The three directory_* tables are
-- replaced as a whole by each import: it loads copies of them ("…_staging", created LIKE these
-- and indexed from these tables' own index definitions) and swaps them in one transaction. So
-- the indexes below are the single definition used by every import.
--
-- Search keys (see src/server/directory/normalize.ts) hold only [a-z0-9] and one space between
-- family and given names; COLLATE "C" makes a prefix an index range and puts an exact family
-- name ("martin ") before longer ones ("martinez ").

create table directory_person (
  id integer not null,
  national_id text collate "C" not null,
  id_type text not null,
  identifier text not null,
  civility_code text not null default '',
  civility text not null default '',
  practice_civility_code text not null default '',
  practice_civility text not null default '',
  family_name text not null,
  given_name text not null default '',
  profession_code text not null,
  profession text not null default '',
  specialty_code text not null default '',
  specialty text not null default '',
  name_key text collate "C" not null,
  given_name_key text collate "C" not null
);
create unique index directory_person_national_id on directory_person (national_id);
create unique index directory_person_id on directory_person (id);
-- INCLUDE: the profession filter is read from the index (index-only scans: the import writes
-- its rows frozen and all-visible).
create index directory_person_name_key on directory_person (name_key, id) include (profession_code);
create index directory_person_given_name_key on directory_person (given_name_key, id) include (profession_code);

create table directory_place (
  person_id integer not null,
  position integer not null,
  name text not null default '',
  address text not null default '',
  postal_code text not null default '',
  commune text not null default '',
  department text collate "C",
  mode_code text not null default '',
  mode text not null default '',
  -- copied from the person so that a search within a department reads this table's indexes only
  profession_code text not null,
  name_key text collate "C" not null
);
-- A person's places; INCLUDE answers "does this person practise there?" from the index alone.
create index directory_place_person on directory_place (person_id, position) include (postal_code, department);
-- A family name within a department: the postal code is filtered from the index (same code
-- first). Given-name-first searches with a postal code go through the person's places instead.
create index directory_place_department_name on directory_place (department, name_key, person_id)
  include (postal_code, profession_code) where department is not null;

-- Distinct family names, for "Vouliez-vous dire …" (trigram similarity on a few hundred
-- thousand names rather than on every person).
create table directory_family_name (
  key text collate "C" not null,
  label text not null,
  people integer not null,
  professions text[] not null
);
create index directory_family_name_trgm on directory_family_name using gin (key gin_trgm_ops);

-- One row per import attempt, successful or not (the directory's date is the last success's).
create table directory_import (
  id bigint generated always as identity primary key,
  file_name text not null,
  extract_at timestamptz,
  status text not null check (status in ('running', 'succeeded', 'failed')),
  started_at timestamptz not null default now(),
  finished_at timestamptz,
  duration_ms integer,
  lines integer,
  rows integer,
  people integer,
  places integer,
  rejected integer,
  latin1_lines integer,
  error text
);
create index directory_import_succeeded on directory_import (finished_at desc) where status = 'succeeded';
