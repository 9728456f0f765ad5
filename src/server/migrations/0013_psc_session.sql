-- Pro Santé Connect as the real service is (issue 12).

-- Every national identifier PSC issues, including the letters-first identities of the ANS EDIT
-- tool on the sandbox (ANS20231122132732): letters, digits and / . _ -, at most 100 characters.
alter table users drop constraint users_subject_name_id_format;
alter table users add constraint users_subject_name_id_format
  check (subject_name_id ~ '^[0-9A-Za-z][0-9A-Za-z/._-]{1,99}$');

-- The places of practice PSC gave at the last sign-in (SubjectRefPro.exercices[].activities[]),
-- the main one first: [{name, postalCode, town, sectorCode, modeCode, roleCode, structureId,
-- professionCode}]. Refreshed at every sign-in, like the names.
alter table users add column psc_places jsonb not null default '[]'::jsonb;
alter table users add constraint users_psc_places_array
  check (jsonb_typeof(psc_places) = 'array' and jsonb_array_length(psc_places) <= 20);

-- What a Pro Santé Connect sign-in proved, kept with its session:
--   psc_sid     PSC's session id (ID token `sid`, else the access token's): a back-channel
--               logout naming it ends every session opened through that PSC session;
--   psc_sub     PSC's `sub` (a federated id): a logout token naming only the person ends all
--               of that person's PSC sessions;
--   acr         the eIDAS level accepted at sign-in (eidas1…), from the ID token or else the
--               access token;
--   auth_level  Palier_Authentification's code (e.g. APPPRIP3).
-- All null for a password sign-in.
alter table sessions add column psc_sid text;
alter table sessions add column psc_sub text;
alter table sessions add column acr text;
alter table sessions add column auth_level text;
alter table sessions add constraint sessions_psc_lengths check (
  length(psc_sid) <= 200 and length(psc_sub) <= 200 and length(acr) <= 40 and length(auth_level) <= 40
);
alter table sessions add constraint sessions_psc_only check (
  method = 'psc' or (psc_sid is null and psc_sub is null and acr is null and auth_level is null)
);
create index sessions_psc_sid on sessions (psc_sid) where psc_sid is not null;
create index sessions_psc_sub on sessions (psc_sub) where psc_sub is not null;
