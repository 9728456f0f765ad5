// The directory as the rest of the application sees it: an interface with one adapter here,
// the local copy of the ANS extract in PostgreSQL. A deployment could add a second adapter on
// the Annuaire Santé FHIR API (Practitioner?name:family=…, PractitionerRole, Organization
// address-postalcode) behind the same interface.
import crypto from 'node:crypto';
import { type RawBuilder, sql } from 'kysely';
import type pg from 'pg';
import { Temporal } from 'temporal-polyfill';
import type { Db } from '../context.js';
import { DOCTOR, IDENTIFIER_TYPES } from './codes.js';
import { compactKey, nameTokens, type PostalFilter, postalFilter } from './normalize.js';
import { type Cursor, compareToCursor, encodeCursor, type Probe, planProbes } from './query-plan.js';

export interface DirectoryPlace {
  name: string;
  address: string;
  postalCode: string;
  commune: string;
  mode: string;
}

export interface DirectoryPerson {
  /** "8" + RPPS or "0" + ADELI: Pro Santé Connect's SubjectNameID for this person. */
  nationalId: string;
  identifierType: 'RPPS' | 'ADELI' | 'autre';
  identifier: string;
  rpps: string | null;
  /** Madame / Monsieur */
  civility: string;
  /** Docteur / Professeur, empty for many professions */
  practiceCivility: string;
  familyName: string;
  givenName: string;
  /** The main profession: the first of `professions` (a doctor's is 10). */
  profession: { code: string; label: string };
  /** Every profession of the person, in code order (most hold one). */
  professions: { code: string; label: string }[];
  specialty: { code: string; label: string } | null;
  places: DirectoryPlace[];
}

export interface DirectoryQuery {
  name: string;
  /** 5 digits, or a department (2 digits, 3 overseas, 2A/2B). */
  postalCode?: string;
  profession?: string;
  limit: number;
  cursor?: Cursor;
}

export interface DirectoryPage {
  items: DirectoryPerson[];
  nextCursor: string | null;
  /** Family names close to the query, offered when nothing matched ("Vouliez-vous dire …"). */
  suggestions: string[];
}

export interface DirectoryStatus {
  /** The extract's date, else the import's, as YYYY-MM-DD (Paris). */
  date: string | null;
  /** 'import' when the extract's date is unknown and `date` is the import's. */
  dateSource: 'extraction' | 'import' | null;
  importedAt: Date | null;
  people: number;
}

export interface Directory {
  search(query: DirectoryQuery): Promise<DirectoryPage>;
  findByNationalId(nationalId: string): Promise<DirectoryPerson | null>;
  status(): Promise<DirectoryStatus>;
}

export interface PersonRow {
  id: number;
  /** A next page exists (search only). */
  more?: boolean;
  rank: number;
  tier: number;
  sort_key: string;
  national_id: string;
  id_type: string;
  identifier: string;
  civility: string;
  practice_civility: string;
  family_name: string;
  given_name: string;
  profession_code: string;
  profession: string;
  professions: string[];
  profession_labels: string[];
  specialty_code: string;
  specialty: string;
  places: DirectoryPlace[];
}

function toPerson(row: Omit<PersonRow, 'rank' | 'tier' | 'sort_key'>): DirectoryPerson {
  const type = IDENTIFIER_TYPES[row.id_type] ?? 'autre';
  return {
    nationalId: row.national_id,
    identifierType: type,
    identifier: row.identifier,
    rpps: type === 'RPPS' ? row.identifier : null,
    civility: row.civility,
    practiceCivility: row.practice_civility,
    familyName: row.family_name,
    givenName: row.given_name,
    profession: { code: row.profession_code, label: row.profession },
    professions: row.professions.map((code, i) => ({ code, label: row.profession_labels[i] ?? '' })),
    specialty: row.specialty_code ? { code: row.specialty_code, label: row.specialty } : null,
    places: row.places,
  };
}

const PLACES_JSON = sql`coalesce((
  select json_agg(json_build_object('name', pl.name, 'address', pl.address, 'postalCode', pl.postal_code,
                                    'commune', pl.commune, 'mode', pl.mode) order by pl.position)
    from directory_place pl where pl.person_id = p.id), '[]'::json)`;

function probeSql(
  probe: Probe,
  postal: PostalFilter | null,
  profession: string | undefined,
  cursor: Cursor | undefined,
  limit: number,
): RawBuilder<unknown> {
  const key = sql.ref(probe.key);
  const conditions = [sql`${key} >= ${probe.from}`, sql`${key} < ${probe.to}`];
  // Name parts are read from their own table (one row per part and place), with its department
  // index under a postal code. A family name with a postal code: the department index of
  // places. Otherwise the person's indexes (a given name and a family prefix make a narrow
  // range), the places being checked per person.
  const table =
    probe.key === 'part_key'
      ? 'directory_name_part'
      : postal !== null && probe.key === 'name_key'
        ? 'directory_place'
        : 'directory_person';
  const byPlace = table !== 'directory_person';
  const idColumn = sql.ref(byPlace ? 'person_id' : 'id');
  if (profession) conditions.push(sql`${profession}::text = any(professions)`);
  if (cursor && compareToCursor(probe, cursor) === 0) {
    conditions.push(sql`(${key}, ${idColumn}) > (${cursor.key}, ${cursor.id})`);
  }
  if (!byPlace) {
    if (postal) {
      const at = (condition: RawBuilder<unknown>) =>
        sql`exists (select 1 from directory_place x where x.person_id = directory_person.id and ${condition})`;
      if (probe.tier === 0) conditions.push(at(sql`x.postal_code = ${postal.postalCode}`));
      else {
        conditions.push(at(sql`x.department = ${postal.department}`));
        if (postal.postalCode) conditions.push(sql`not ${at(sql`x.postal_code = ${postal.postalCode}`)}`);
      }
    }
    return sql`(select id, ${sql.lit(probe.rank)} as rank, ${sql.lit(probe.tier)} as tier, ${key} as sort_key
      from directory_person where ${sql.join(conditions, sql` and `)}
      order by ${key}, id limit ${limit})`;
  }
  if (postal) {
    conditions.push(sql`department = ${postal.department}`);
    if (probe.tier === 0) conditions.push(sql`postal_code = ${postal.postalCode}`);
    else if (postal.postalCode) {
      // A person who also practises at the postal code was already listed in tier 0.
      conditions.push(sql`postal_code <> ${postal.postalCode}`);
      conditions.push(
        sql`not exists (select 1 from directory_place x where x.person_id = ${sql.table(table)}.person_id and x.postal_code = ${postal.postalCode})`,
      );
    }
  }
  // A person has one row per place (and per part): each is listed once.
  return sql`(select distinct on (${key}, person_id) person_id as id, ${sql.lit(probe.rank)} as rank,
      ${sql.lit(probe.tier)} as tier, ${key} as sort_key
      from ${sql.table(table)} where ${sql.join(conditions, sql` and `)}
      order by ${key}, person_id limit ${limit})`;
}

/** The one statement of a search page (null when the query has no word to look for). */
export function searchSql(query: DirectoryQuery): RawBuilder<PersonRow> | null {
  const tokens = nameTokens(query.name);
  const postal = query.postalCode ? postalFilter(query.postalCode) : null;
  const cursor = query.cursor;
  const probes = planProbes(tokens, postal).filter((p) => !cursor || compareToCursor(p, cursor) >= 0);
  if (tokens.length === 0 || probes.length === 0) return null;
  const fetch = query.limit + 1;
  const union = sql.join(
    probes.map((p) => probeSql(p, postal, query.profession, cursor, fetch)),
    sql` union all `,
  );
  return sql<PersonRow>`
    with hits as (
      select distinct on (id) id, rank, tier, sort_key from (${union}) u order by id, rank, tier
    ), page as (
      select * from hits order by rank, tier, sort_key, id limit ${fetch}
    )
    -- one row more than the page says whether there is a next page; only the page is read
    select top.rank, top.tier, top.sort_key, p.id, p.national_id, p.id_type, p.identifier, p.civility,
           p.practice_civility, p.family_name, p.given_name, p.profession_code, p.profession,
           p.professions, p.profession_labels, p.specialty_code, p.specialty, ${PLACES_JSON} as places,
           (select count(*) from page) > ${query.limit} as more
      from (select * from page order by rank, tier, sort_key, id limit ${query.limit}) top
      join directory_person p on p.id = top.id
     order by top.rank, top.tier, top.sort_key, top.id`;
}

const parisDate = (d: Date) =>
  Temporal.Instant.fromEpochMilliseconds(d.getTime())
    .toZonedDateTimeISO('Europe/Paris')
    .toPlainDate()
    .toString();

/**
 * With a pool, a search runs as a named prepared statement: a search page is one statement of
 * a dozen index probes whose planning costs as much as its execution, and its shapes are few
 * (words, postal code, profession, cursor), so each connection plans each shape once.
 */
export function localDirectory(db: Db, options: { pool?: pg.Pool } = {}): Directory {
  const run = async (statement: RawBuilder<PersonRow>): Promise<PersonRow[]> => {
    if (!options.pool) return (await statement.execute(db)).rows;
    const compiled = statement.compile(db);
    const name = `directory_search_${crypto.createHash('sha1').update(compiled.sql).digest('hex').slice(0, 20)}`;
    const result = await options.pool.query<PersonRow>({
      name,
      text: compiled.sql,
      values: compiled.parameters as unknown[],
    });
    return result.rows;
  };
  return {
    async search(query) {
      const statement = searchSql(query);
      const rows: PersonRow[] = statement ? await run(statement) : [];
      const cursor = query.cursor;
      const page = rows;
      const last = page[page.length - 1];
      const nextCursor = last?.more
        ? encodeCursor({
            rank: last.rank as Cursor['rank'],
            tier: last.tier as Cursor['tier'],
            key: last.sort_key,
            id: last.id,
          })
        : null;
      let suggestions: string[] = [];
      const q = compactKey(query.name);
      // Under 4 letters every name is "close": no suggestion is better than a random one.
      if (page.length === 0 && !cursor && q.length >= 4) {
        const found = await sql<{ label: string }>`
          select label from directory_family_name
           where key % ${q} ${query.profession ? sql`and ${query.profession} = any(professions)` : sql``}
           order by similarity(key, ${q}) desc, people desc limit 5`.execute(db);
        suggestions = found.rows.map((r) => r.label);
      }
      return { items: page.map(toPerson), nextCursor, suggestions };
    },

    async findByNationalId(nationalId) {
      const result = await sql<PersonRow>`
        select p.id, p.national_id, p.id_type, p.identifier, p.civility, p.practice_civility, p.family_name,
               p.given_name, p.profession_code, p.profession, p.professions, p.profession_labels, p.specialty_code,
               p.specialty, ${PLACES_JSON} as places
          from directory_person p where p.national_id = ${nationalId}`.execute(db);
      const row = result.rows[0];
      return row ? toPerson(row) : null;
    },

    async status() {
      const result = await sql<{ extract_at: Date | null; finished_at: Date; people: number }>`
        select extract_at, finished_at, people from directory_import
         where status = 'succeeded' order by finished_at desc limit 1`.execute(db);
      const row = result.rows[0];
      if (!row) return { date: null, dateSource: null, importedAt: null, people: 0 };
      return {
        date: parisDate(row.extract_at ?? row.finished_at),
        dateSource: row.extract_at ? 'extraction' : 'import',
        importedAt: row.finished_at,
        people: Number(row.people),
      };
    },
  };
}

// ---- what other features use ---------------------------------------------------------------

export function searchDirectory(db: Db, query: DirectoryQuery): Promise<DirectoryPage> {
  return localDirectory(db).search(query);
}

/** By Pro Santé Connect's SubjectNameID ("8" + RPPS, "0" + ADELI). */
export function findPersonByNationalId(db: Db, subjectNameId: string): Promise<DirectoryPerson | null> {
  return localDirectory(db).findByNationalId(subjectNameId.trim().toUpperCase());
}

export function findPersonByRpps(db: Db, rpps: string): Promise<DirectoryPerson | null> {
  if (!/^\d{11}$/.test(rpps)) return Promise.resolve(null);
  return localDirectory(db).findByNationalId(`8${rpps}`);
}

/** A doctor (profession 10, among others maybe) by RPPS, as a peer delegation requires; null otherwise. */
export async function findDoctorByRpps(db: Db, rpps: string): Promise<DirectoryPerson | null> {
  const person = await findPersonByRpps(db, rpps);
  return person?.professions.some((p) => p.code === DOCTOR) ? person : null;
}

/** The directory's date (YYYY-MM-DD), null before the first import. */
export async function directoryDate(db: Db): Promise<string | null> {
  return (await localDirectory(db).status()).date;
}
