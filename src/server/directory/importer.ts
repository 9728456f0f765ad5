// Imports an extract into PostgreSQL without a search ever seeing a half-imported directory:
// the rows are streamed (parser → COPY) into "…_staging" copies of the directory tables, which
// are indexed with the live tables' own index definitions, then swapped in one short
// transaction together with the import's journal row. Any failure drops the copies and leaves
// the live directory as it was. One import at a time (advisory lock), even across processes.
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { DomainError } from '../platform/errors.js';
import { PROFESSIONS } from './codes.js';
import { IdMap } from './id-set.js';
import { departmentOf, personKeys } from './normalize.js';
import {
  DirectoryFormatError,
  DirectoryParser,
  type Encoding,
  type LineError,
  type ParsedRow,
  type ParserStats,
} from './parser.js';
import { extractDateFromName, type ImportSource } from './source.js';

/** pg_advisory_lock key: "annuaire" */
const IMPORT_LOCK = 0x616e6e75;
const TABLES = ['directory_person', 'directory_place', 'directory_family_name'] as const;
const staging = (table: string) => `${table}_staging`;

const PERSON_COLUMNS = [
  'id',
  'national_id',
  'id_type',
  'identifier',
  'civility_code',
  'civility',
  'practice_civility_code',
  'practice_civility',
  'family_name',
  'given_name',
  'profession_code',
  'profession',
  'specialty_code',
  'specialty',
  'name_key',
  'given_name_key',
];
const PLACE_COLUMNS = [
  'person_id',
  'position',
  'name',
  'address',
  'postal_code',
  'commune',
  'department',
  'mode_code',
  'mode',
  'profession_code',
  'name_key',
];

export interface ImportOptions {
  encoding?: Encoding;
  /** Malformed lines tolerated (skipped and reported); one more fails the import. Default 0. */
  maxErrors?: number;
  /** Accept a directory less than half the size of the current one. */
  force?: boolean;
  log?: (message: string) => void;
}

export interface ImportReport {
  importId: number;
  fileName: string;
  extractAt: Date | null;
  lines: number;
  rows: number;
  people: number;
  places: number;
  rejected: number;
  latin1Lines: number;
  /** The first malformed lines, with their number and reason. */
  errors: LineError[];
  durationMs: number;
}

/** The import was refused or failed; the live directory is unchanged. */
export class DirectoryImportError extends DomainError {
  constructor(
    message: string,
    readonly errors: LineError[] = [],
  ) {
    super('directory_import_failed', message, 422);
  }
}

const COPY_ESCAPE = /[\\\t\n\r]/;
function copyText(value: string): string {
  if (!COPY_ESCAPE.test(value)) return value;
  return value.replace(/[\\\t\n\r]/g, (c) =>
    c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r',
  );
}

interface CurrentPerson {
  id: number;
  row: ParsedRow;
  nameKey: string;
  givenNameKey: string;
  specialtyCode: string;
  specialty: string;
  places: string[];
}

/** Turns parsed rows into COPY text for the person and place tables (one person, many places). */
export class RowAssembler {
  people = 0;
  places = 0;
  private personOut = '';
  private placeOut = '';
  /** Every person seen, for the rare extract where a person's rows are not contiguous. */
  private readonly seen = new IdMap();
  /** Distinct family names (by key) for the fuzzy fallback: first spelling, people, professions. */
  private readonly families = new Map<string, { label: string; people: number; professions: string[] }>();
  private current: CurrentPerson | undefined;

  add(row: ParsedRow): void {
    const p = row.person;
    const current = this.current;
    if (current && current.row.person.nationalId === p.nationalId) {
      if (!current.specialtyCode && p.specialtyCode) {
        current.specialtyCode = p.specialtyCode;
        current.specialty = p.specialty;
      }
      this.place(current.id, row, current.nameKey, current.places);
      return;
    }
    this.flush();
    const id = this.seen.getOrAdd(p.nationalId, this.people + 1);
    const keys = personKeys(p.familyName, p.givenName);
    if (id <= this.people) {
      this.place(id, row, keys.nameKey, undefined);
      return;
    }
    this.people = id;
    const familyKey = keys.nameKey.slice(0, keys.nameKey.indexOf(' '));
    const family = this.families.get(familyKey);
    if (!family) {
      // The label is copied: a slice would keep the whole decoded chunk it came from alive.
      const label = Buffer.from(p.familyName, 'utf8').toString('utf8');
      this.families.set(familyKey, { label, people: 1, professions: [p.professionCode] });
    } else {
      family.people++;
      if (!family.professions.includes(p.professionCode)) family.professions.push(p.professionCode);
    }
    this.current = {
      id,
      row,
      nameKey: keys.nameKey,
      givenNameKey: keys.givenNameKey,
      specialtyCode: p.specialtyCode,
      specialty: p.specialty,
      places: [],
    };
    this.place(id, row, keys.nameKey, this.current.places);
  }

  flush(): void {
    const c = this.current;
    if (!c) return;
    this.current = undefined;
    const p = c.row.person;
    if (c.row.plain) {
      this.personOut += `${c.id}\t${p.nationalId}\t${p.idType}\t${p.identifier}\t${p.civilityCode}\t${p.civility}\t${p.practiceCivilityCode}\t${p.practiceCivility}\t${p.familyName}\t${p.givenName}\t${p.professionCode}\t${p.profession || PROFESSIONS[p.professionCode] || ''}\t${copyText(c.specialtyCode)}\t${copyText(c.specialty)}\t${c.nameKey}\t${c.givenNameKey}\n`;
      return;
    }
    const fields = [
      p.nationalId,
      p.idType,
      p.identifier,
      p.civilityCode,
      p.civility,
      p.practiceCivilityCode,
      p.practiceCivility,
      p.familyName,
      p.givenName,
      p.professionCode,
      p.profession || PROFESSIONS[p.professionCode] || '',
      c.specialtyCode,
      c.specialty,
    ].map(copyText);
    this.personOut += `${c.id}\t${fields.join('\t')}\t${c.nameKey}\t${c.givenNameKey}\n`;
  }

  private place(personId: number, row: ParsedRow, nameKey: string, dedup: string[] | undefined): void {
    const place = row.place;
    if (!place) return;
    if (dedup) {
      // A person has a handful of places: a list beats a Set here.
      const signature = `${place.name}|${place.address}|${place.postalCode}|${place.modeCode}`;
      if (dedup.includes(signature)) return;
      dedup.push(signature);
    }
    this.places++;
    const department = departmentOf(place.postalCode) ?? '\\N';
    const p = row.plain
      ? place
      : {
          name: copyText(place.name),
          address: copyText(place.address),
          postalCode: copyText(place.postalCode),
          commune: copyText(place.commune),
          modeCode: copyText(place.modeCode),
          mode: copyText(place.mode),
        };
    const profession = row.plain ? row.person.professionCode : copyText(row.person.professionCode);
    this.placeOut += `${personId}\t${row.line}\t${p.name}\t${p.address}\t${p.postalCode}\t${p.commune}\t${department}\t${p.modeCode}\t${p.mode}\t${profession}\t${nameKey}\n`;
  }

  /** The family names as COPY input (key, label, people, professions). */
  familyText(): string {
    let out = '';
    for (const [key, f] of this.families) {
      const professions = `{${f.professions.sort().join(',')}}`;
      out += `${key}\t${copyText(f.label)}\t${f.people}\t${copyText(professions)}\n`;
    }
    return out;
  }

  /** The text accumulated since the last call, as COPY input. */
  take(): { person: string; place: string } {
    const out = { person: this.personOut, place: this.placeOut };
    this.personOut = '';
    this.placeOut = '';
    return out;
  }
}

async function write(stream: NodeJS.WritableStream, text: string): Promise<void> {
  if (text && !stream.write(Buffer.from(text, 'utf8'))) await once(stream, 'drain');
}

function lineErrorsMessage(errors: LineError[], total: number, maxErrors: number): string {
  const shown = errors
    .slice(0, 10)
    .map((e) => `  ligne ${e.line} : ${e.reason}`)
    .join('\n');
  const more = total > 10 ? `\n  … et ${total - 10} autre(s)` : '';
  const tolerance = maxErrors > 0 ? ` (tolérance : ${maxErrors})` : '';
  return `Import refusé : ${total} ligne(s) invalide(s)${tolerance}. L’annuaire en service est inchangé.\n${shown}${more}`;
}

/** Recreates the live table's indexes on its staging copy, named "<index>_staging". */
async function indexLike(client: pg.PoolClient, table: string): Promise<string[]> {
  const { rows } = await client.query<{ indexname: string; indexdef: string }>(
    'select indexname, indexdef from pg_indexes where tablename = $1 and schemaname = current_schema()',
    [table],
  );
  for (const { indexname, indexdef } of rows) {
    const def = indexdef
      .replace(`INDEX ${indexname} ON `, `INDEX ${staging(indexname)} ON `)
      .replace(new RegExp(`ON (\\S+\\.)?${table} USING`), `ON $1${staging(table)} USING`);
    await client.query(def);
  }
  return rows.map((r) => r.indexname);
}

/** Statistics targets set on the live table's columns are carried to the staging copy. */
async function statisticsLike(client: pg.PoolClient, table: string): Promise<void> {
  const { rows } = await client.query<{ attname: string; target: number }>(
    `select attname, attstattarget as target from pg_attribute
      where attrelid = $1::regclass and attnum > 0 and not attisdropped
        and attstattarget is not null and attstattarget >= 0`,
    [table],
  );
  for (const { attname, target } of rows) {
    await client.query(
      `alter table ${staging(table)} alter column ${attname} set statistics ${Number(target)}`,
    );
  }
}

/**
 * Statistics for the columns the indexes hold, which are the ones searches filter on; nothing
 * else is sampled. ANALYZE samples 300 rows per unit of the largest statistics target among the
 * columns it is given, so the columns with a raised target (the name keys) get their own pass.
 */
async function analyzeIndexed(client: pg.PoolClient, table: string): Promise<void> {
  const { rows } = await client.query<{ attname: string; target: number | null }>(
    `select distinct a.attname, nullif(a.attstattarget, -1) as target from pg_index i
       join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey)
      where i.indrelid = $1::regclass`,
    [table],
  );
  const byTarget = new Map<number, string[]>();
  for (const r of rows) {
    const target = r.target ?? 0;
    byTarget.set(target, [...(byTarget.get(target) ?? []), client.escapeIdentifier(r.attname)]);
  }
  for (const columns of byTarget.values())
    await client.query(`analyze ${staging(table)} (${columns.join(', ')})`);
}

async function dropStaging(client: pg.PoolClient): Promise<void> {
  await client.query(`drop table if exists ${TABLES.map(staging).join(', ')}`);
}

export async function importDirectory(
  pool: pg.Pool,
  source: Pick<ImportSource, 'fileName' | 'extractName' | 'stream'>,
  options: ImportOptions = {},
): Promise<ImportReport> {
  const started = Date.now();
  const log = options.log ?? (() => {});
  const maxErrors = options.maxErrors ?? 0;
  const extractAt = extractDateFromName(source.extractName);

  const main = await pool.connect();
  const locked = await main.query<{ ok: boolean }>('select pg_try_advisory_lock($1) as ok', [IMPORT_LOCK]);
  if (!locked.rows[0]?.ok) {
    main.release();
    source.stream.destroy();
    throw new DomainError(
      'directory_import_running',
      'Un import de l’annuaire est déjà en cours : réessayez quand il sera terminé.',
      409,
    );
  }
  const { rows: inserted } = await main.query<{ id: number }>(
    `insert into directory_import (file_name, extract_at, status) values ($1, $2, 'running') returning id`,
    [source.fileName, extractAt],
  );
  const importId = Number(inserted[0]?.id);
  let personClient: pg.PoolClient | undefined;
  let placeClient: pg.PoolClient | undefined;
  let stats: ParserStats | undefined;
  const errors: LineError[] = [];
  try {
    await dropStaging(main);
    personClient = await pool.connect();
    placeClient = await pool.connect();
    // Each staging table is created and filled in one transaction, so COPY FREEZE can write
    // its rows already frozen and visible (no later vacuum pass, index-only scans at once).
    for (const [client, table] of [
      [personClient, 'directory_person'],
      [placeClient, 'directory_place'],
    ] as const) {
      await client.query('begin');
      await client.query(`create table ${staging(table)} (like ${table} including defaults)`);
    }
    const personCopy = personClient.query(
      copyFrom(`copy ${staging('directory_person')} (${PERSON_COLUMNS.join(', ')}) from stdin with (freeze)`),
    );
    const placeCopy = placeClient.query(
      copyFrom(`copy ${staging('directory_place')} (${PLACE_COLUMNS.join(', ')}) from stdin with (freeze)`),
    );
    let copyError: Error | undefined;
    for (const copy of [personCopy, placeCopy]) {
      copy.on('error', (err: Error) => {
        copyError ??= err;
      });
    }
    const assembler = new RowAssembler();
    let rejected = 0;
    const parser = new DirectoryParser(
      (row) => assembler.add(row),
      (error) => {
        rejected++;
        if (errors.length < 50) errors.push(error);
      },
      { encoding: options.encoding },
    );
    stats = parser.stats;
    let nextLog = 250_000;
    for await (const chunk of source.stream) {
      parser.push(chunk as Buffer);
      if (rejected > maxErrors)
        throw new DirectoryImportError(lineErrorsMessage(errors, rejected, maxErrors), errors);
      const out = assembler.take();
      if (copyError) throw copyError;
      await Promise.all([write(personCopy, out.person), write(placeCopy, out.place)]);
      if (parser.stats.lines >= nextLog) {
        log(`${parser.stats.lines.toLocaleString('fr-FR')} lignes lues`);
        nextLog += 250_000;
      }
    }
    parser.end();
    assembler.flush();
    if (rejected > maxErrors)
      throw new DirectoryImportError(lineErrorsMessage(errors, rejected, maxErrors), errors);
    const out = assembler.take();
    await Promise.all([write(personCopy, out.person), write(placeCopy, out.place)]);
    personCopy.end();
    placeCopy.end();
    await Promise.all([finished(personCopy), finished(placeCopy)]);
    await Promise.all([personClient.query('commit'), placeClient.query('commit')]);
    log(
      `${parser.stats.rows.toLocaleString('fr-FR')} lignes chargées (${assembler.people.toLocaleString('fr-FR')} personnes) en ${((Date.now() - started) / 1000).toFixed(1)} s ; indexation`,
    );

    if (!options.force) {
      const { rows: previous } = await main.query<{ people: number }>(
        `select people from directory_import where status = 'succeeded' order by finished_at desc limit 1`,
      );
      const before = previous[0]?.people ?? 0;
      if (before > 10_000 && assembler.people < before / 2) {
        throw new DirectoryImportError(
          `Import refusé : le fichier compte ${assembler.people} personnes contre ${before} dans l’annuaire en service (fichier incomplet ?). L’annuaire en service est inchangé ; relancez avec --force pour l’accepter.`,
        );
      }
    }

    const pc = personClient;
    const lc = placeClient;
    const build = async (client: pg.PoolClient, tables: string[], before?: () => Promise<void>) => {
      // Two builds run side by side (one per connection): no parallel workers on top of them.
      await client.query(`set maintenance_work_mem = '256MB'`);
      await client.query('set max_parallel_maintenance_workers = 0');
      // Index builds write their pages whole to the WAL: compressed, that is half the volume.
      // A superuser setting: skipped where the role may not change it.
      await client.query(`set wal_compression = lz4`).catch(() => {});
      await before?.();
      for (const table of tables) {
        const t0 = Date.now();
        await statisticsLike(client, table);
        await indexLike(client, table);
        const t1 = Date.now();
        await analyzeIndexed(client, table);
        log(
          `  ${table} : index ${((t1 - t0) / 1000).toFixed(1)} s, statistiques ${((Date.now() - t1) / 1000).toFixed(1)} s`,
        );
      }
    };
    // Both sides run to their end before a failure is handled: no query may still hold a
    // staging table when the failure path drops them.
    const built = await Promise.allSettled([
      build(pc, ['directory_person', 'directory_family_name'], async () => {
        await pc.query('begin');
        await pc.query(
          `create table ${staging('directory_family_name')} (like directory_family_name including defaults)`,
        );
        const familyCopy = pc.query(
          copyFrom(
            `copy ${staging('directory_family_name')} (key, label, people, professions) from stdin with (freeze)`,
          ),
        );
        familyCopy.end(Buffer.from(assembler.familyText(), 'utf8'));
        await finished(familyCopy);
        await pc.query('commit');
      }),
      build(lc, ['directory_place']),
    ]);
    for (const result of built) if (result.status === 'rejected') throw result.reason;
    log(`index construits en ${((Date.now() - started) / 1000).toFixed(1)} s`);

    // The swap: a few catalog updates under an exclusive lock held for milliseconds.
    await main.query('begin');
    try {
      await main.query(`set local lock_timeout = '15s'`);
      const indexNames: string[] = [];
      for (const table of TABLES) {
        const { rows } = await main.query<{ indexname: string }>(
          'select indexname from pg_indexes where tablename = $1 and schemaname = current_schema()',
          [table],
        );
        indexNames.push(...rows.map((r) => r.indexname));
      }
      await main.query(`lock table ${TABLES.join(', ')} in access exclusive mode`);
      await main.query(`drop table ${TABLES.join(', ')}`);
      for (const table of TABLES) await main.query(`alter table ${staging(table)} rename to ${table}`);
      for (const name of indexNames) await main.query(`alter index ${staging(name)} rename to ${name}`);
      await main.query(
        `update directory_import set status = 'succeeded', finished_at = now(), duration_ms = $2, lines = $3,
                rows = $4, people = $5, places = $6, rejected = $7, latin1_lines = $8
          where id = $1`,
        [
          importId,
          Date.now() - started,
          stats.lines,
          stats.rows,
          assembler.people,
          assembler.places,
          stats.rejected,
          stats.latin1Lines,
        ],
      );
      await main.query('commit');
    } catch (err) {
      await main.query('rollback').catch(() => {});
      throw err;
    }
    return {
      importId,
      fileName: source.fileName,
      extractAt,
      lines: stats.lines,
      rows: stats.rows,
      people: assembler.people,
      places: assembler.places,
      rejected: stats.rejected,
      latin1Lines: stats.latin1Lines,
      errors,
      durationMs: Date.now() - started,
    };
  } catch (err) {
    source.stream.destroy();
    // A connection that failed may be mid-COPY or mid-transaction: it is closed, and the server
    // rolls back whatever it was doing.
    personClient?.release(true);
    placeClient?.release(true);
    personClient = placeClient = undefined;
    const failure =
      err instanceof DomainError
        ? err
        : err instanceof DirectoryFormatError
          ? new DirectoryImportError(`Import refusé : ${err.message} L’annuaire en service est inchangé.`)
          : err;
    const reason = failure instanceof DomainError ? failure.message : 'erreur technique pendant l’import';
    await dropStaging(main).catch(() => {});
    await main
      .query(
        `update directory_import set status = 'failed', finished_at = now(), duration_ms = $2, error = $3,
                lines = $4, rows = $5, rejected = $6 where id = $1`,
        [
          importId,
          Date.now() - started,
          reason.slice(0, 4000),
          stats?.lines ?? 0,
          stats?.rows ?? 0,
          stats?.rejected ?? 0,
        ],
      )
      .catch(() => {});
    throw failure;
  } finally {
    personClient?.release();
    placeClient?.release();
    await main.query('select pg_advisory_unlock($1)', [IMPORT_LOCK]).catch(() => {});
    main.release();
  }
}
