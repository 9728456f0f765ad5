-- Extensions used by the features: fuzzy names (pg_trgm), accent-free matching (unaccent),
-- exclusion constraints over periods (btree_gist).
create extension if not exists pg_trgm;
create extension if not exists unaccent;
create extension if not exists btree_gist;

create table app_settings (
  key text primary key,
  value text not null,
  updated_at timestamptz not null default now()
);
