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
import {
  emitPerson,
  PART_COLUMNS,
  PERSON_COLUMNS,
  PersonBuilder,
  PLACE_COLUMNS,
  RowAssembler,
  readCompactRow,
  UnorderedFileError,
} from './assembler.js';
import {
  DirectoryFormatError,
  DirectoryParser,
  type Encoding,
  type LineError,
  type ParserStats,
} from './parser.js';
import { type ExtractDateSource, extractDateFromName, type ImportSource } from './source.js';
import type { DirectoryPersonTable, DirectoryPlaceTable } from './tables.js';

/** pg_advisory_lock key: "annuaire" */
const IMPORT_LOCK = 0x616e6e75;
const TABLES = [
  'directory_person',
  'directory_place',
  'directory_name_part',
  'directory_family_name',
] as const;
const staging = (table: string) => `${table}_staging`;
const FEED_BYTES = 64 * 1024;

export interface ImportOptions {
  encoding?: Encoding;
  /** Malformed lines tolerated (skipped and reported); one more fails the import. Default 0. */
  maxErrors?: number;
  /** Accept a directory less than half the size of the current one. */
  force?: boolean;
  /** Rows of persons met earlier in the file that may be set aside for merging (memory bound). */
  maxScatteredRows?: number;
  log?: (message: string) => void;
}

export interface ImportReport {
  importId: number;
  fileName: string;
  /** The extract's date; null when unknown (the directory is then dated by its import). */
  extractAt: Date | null;
  /** Where that date came from: the file's name, the URL's dated path, Last-Modified, or none. */
  extractDateSource: ExtractDateSource;
  lines: number;
  rows: number;
  people: number;
  places: number;
  rejected: number;
  /** Lines that added nothing to the directory (the same line twice, for the same person). */
  duplicates: number;
  /** Persons whose rows were not contiguous in the file (merged). */
  scattered: number;
  latin1Lines: number;
  /** The first malformed lines, with their number and reason. */
  errors: LineError[];
  durationMs: number;
  /**
   * Where the time went, in ms (wall clock): `parse` (the parser and the row assembler, in this
   * process), `copyWait` (waiting for PostgreSQL to take the COPY streams), `load` (the whole
   * streaming phase: parse + copyWait + reading the file), `merge` (scattered persons), then
   * per table `index:<table>` and `analyze:<table>` (two tables at a time, one per connection),
   * `build` (the wall time of both), `swap`.
   */
  phases: Record<string, number>;
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

/** One of the person's stored rows, as the merge of a scattered person reads it back. */
type StoredPerson = Omit<DirectoryPersonTable, 'profession_code' | 'profession'>;
type StoredPlace = Omit<DirectoryPlaceTable, 'professions' | 'name_key'>;

async function copyInto(
  client: pg.PoolClient,
  table: string,
  columns: string[],
  text: string,
): Promise<void> {
  if (!text) return;
  const copy = client.query(copyFrom(`copy ${table} (${columns.join(', ')}) from stdin`));
  copy.end(Buffer.from(text, 'utf8'));
  await finished(copy);
}

/**
 * Persons whose rows were not contiguous in the file: what was written for them is read back,
 * merged with their later rows (professions, places once each) and written again. They are a
 * handful in a real extract; the tables have no index yet (each read is one sequential scan),
 * and the pages touched are vacuumed so that index-only scans stay index-only.
 */
const VACUUM_PASSES = 8;

async function mergeScattered(client: pg.PoolClient, assembler: RowAssembler): Promise<void> {
  const ids = [...assembler.late.keys()];
  if (ids.length === 0) return;
  // Each table is scanned once: the rows found are then deleted by their physical address
  // (ctid, a TID scan), the staging tables having no index yet and no other writer.
  const { rows: people } = await client.query<StoredPerson & { ctid: string }>(
    `select ctid, id, national_id, id_type, identifier, civility_code, civility, practice_civility_code,
            practice_civility, family_name, given_name, specialty_code, specialty, name_key, given_name_key,
            professions, profession_labels
       from ${staging('directory_person')} where id = any($1::int[])`,
    [ids],
  );
  const { rows: places } = await client.query<StoredPlace & { ctid: string }>(
    `select ctid, person_id, position, name, address, postal_code, commune, department, mode_code, mode
       from ${staging('directory_place')} where person_id = any($1::int[]) order by person_id, position`,
    [ids],
  );
  const placesOf = new Map<number, StoredPlace[]>();
  for (const pl of places) {
    const list = placesOf.get(pl.person_id);
    if (list) list.push(pl);
    else placesOf.set(pl.person_id, [pl]);
  }
  let person = '';
  let place = '';
  let part = '';
  let placesAfter = 0;
  for (const stored of people) {
    const b = new PersonBuilder(
      stored.id,
      {
        nationalId: stored.national_id,
        idType: stored.id_type,
        identifier: stored.identifier,
        civilityCode: stored.civility_code,
        civility: stored.civility,
        practiceCivilityCode: stored.practice_civility_code,
        practiceCivility: stored.practice_civility,
        familyName: stored.family_name,
        givenName: stored.given_name,
        professionCode: stored.professions[0] ?? '',
        profession: stored.profession_labels[0] ?? '',
        specialtyCode: stored.specialty_code,
        specialty: stored.specialty,
      },
      false,
      stored.name_key,
      stored.given_name_key,
    );
    stored.professions.forEach((code, i) => {
      b.addProfession(code, stored.profession_labels[i] ?? '', '', '');
    });
    b.specialtyCode = stored.specialty_code;
    b.specialty = stored.specialty;
    for (const pl of placesOf.get(stored.id) ?? []) {
      b.addPlace({
        place: {
          name: pl.name,
          address: pl.address,
          postalCode: pl.postal_code,
          commune: pl.commune,
          department: pl.department,
          modeCode: pl.mode_code,
          mode: pl.mode,
        },
        line: pl.position,
        plain: false,
      });
    }
    for (const text of assembler.late.get(stored.id) ?? []) {
      const row = readCompactRow(text);
      const profession = b.addProfession(row.code, row.label, row.specialtyCode, row.specialty);
      const added = row.place ? b.addPlace({ place: row.place, line: row.line, plain: false }) : false;
      if (!profession && !added) assembler.duplicates++;
    }
    const out = emitPerson(b);
    person += out.person;
    place += out.place;
    part += out.part;
    placesAfter += b.places.length;
  }
  assembler.adjustPlaces(placesAfter - places.length);
  await client.query('begin');
  try {
    await client.query(`delete from ${staging('directory_person')} where ctid = any($1::tid[])`, [
      people.map((p) => p.ctid),
    ]);
    await client.query(`delete from ${staging('directory_place')} where ctid = any($1::tid[])`, [
      places.map((p) => p.ctid),
    ]);
    await client.query(`delete from ${staging('directory_name_part')} where person_id = any($1::int[])`, [
      ids,
    ]);
    await copyInto(client, staging('directory_person'), PERSON_COLUMNS, person);
    await copyInto(client, staging('directory_place'), PLACE_COLUMNS, place);
    await copyInto(client, staging('directory_name_part'), PART_COLUMNS, part);
    await client.query('commit');
  } catch (err) {
    await client.query('rollback').catch(() => {});
    throw err;
  }
  await vacuumUntilAllVisible(
    client,
    ['directory_person', 'directory_place', 'directory_name_part'].map(staging),
  );
}

/**
 * Vacuums until every page of the tables is all-visible (index-only scans read no table page).
 * It takes two passes: the first removes the rows deleted, the second (which finds their pages
 * clean) marks those pages all-visible, as PostgreSQL 18 does not in the pass that cleaned them.
 * A snapshot older than the merge, held meanwhile by another session of the database (an
 * autovacuum ANALYZE, a long report), keeps those rows: the passes are then repeated after a
 * short wait, a bounded number of times (autovacuum finishes the work later otherwise).
 */
async function vacuumUntilAllVisible(client: pg.PoolClient, tables: string[]): Promise<void> {
  let pending = tables;
  for (let pass = 0; pass < VACUUM_PASSES && pending.length > 0; pass++) {
    if (pass >= 2) await new Promise((resolve) => setTimeout(resolve, 50 * pass));
    await client.query(`vacuum ${pending.join(', ')}`);
    if (pass === 0) continue;
    const { rows } = await client.query<{ name: string }>(
      `select relname as name from pg_class
        where oid = any($1::regclass[]) and relallvisible < relpages`,
      [pending],
    );
    pending = rows.map((r) => r.name);
  }
}

export async function importDirectory(
  pool: pg.Pool,
  source: Pick<ImportSource, 'fileName' | 'extractName' | 'stream' | 'extractDate'>,
  options: ImportOptions = {},
): Promise<ImportReport> {
  const started = Date.now();
  const log = options.log ?? (() => {});
  const maxErrors = options.maxErrors ?? 0;
  const fromName = extractDateFromName(source.extractName);
  const extractAt = fromName ?? source.extractDate?.at ?? null;
  const extractDateSource: ExtractDateSource = fromName
    ? 'file_name'
    : (source.extractDate?.source ?? 'import');

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
    `insert into directory_import (file_name, extract_at, extract_date_source, status)
     values ($1, $2, $3, 'running') returning id`,
    [source.fileName, extractAt, extractDateSource],
  );
  const importId = Number(inserted[0]?.id);
  const clients: pg.PoolClient[] = [];
  const phases: Record<string, number> = { parse: 0, copyWait: 0 };
  const timed = async <T>(phase: string, work: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    try {
      return await work();
    } finally {
      phases[phase] = Math.round((phases[phase] ?? 0) + performance.now() - t0);
    }
  };
  let stats: ParserStats | undefined;
  const errors: LineError[] = [];
  try {
    await dropStaging(main);
    // One connection per table loaded: the three COPY streams run side by side. Each staging
    // table is created and filled in one transaction, so COPY FREEZE can write its rows already
    // frozen and visible (no later vacuum pass, index-only scans at once).
    const loads = [
      ['directory_person', PERSON_COLUMNS],
      ['directory_place', PLACE_COLUMNS],
      ['directory_name_part', PART_COLUMNS],
    ] as const;
    for (const _ of loads) clients.push(await pool.connect());
    const copies = [];
    for (const [i, [table, columns]] of loads.entries()) {
      const client = clients[i] as pg.PoolClient;
      await client.query('begin');
      await client.query(`create table ${staging(table)} (like ${table} including defaults)`);
      copies.push(
        client.query(copyFrom(`copy ${staging(table)} (${columns.join(', ')}) from stdin with (freeze)`)),
      );
    }
    const [personCopy, placeCopy, partCopy] = copies as [
      ReturnType<typeof copyFrom>,
      ReturnType<typeof copyFrom>,
      ReturnType<typeof copyFrom>,
    ];
    let copyError: Error | undefined;
    for (const copy of copies) {
      copy.on('error', (err: Error) => {
        copyError ??= err;
      });
    }
    const assembler = new RowAssembler(options.maxScatteredRows);
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
    let parseMs = 0;
    let copyWaitMs = 0;
    const loadStarted = performance.now();
    const send = async () => {
      const t0 = performance.now();
      const out = assembler.take();
      if (copyError) throw copyError;
      const t1 = performance.now();
      parseMs += t1 - t0;
      await Promise.all([
        write(personCopy, out.person),
        write(placeCopy, out.place),
        write(partCopy, out.part),
      ]);
      copyWaitMs += performance.now() - t1;
    };
    let nextLog = 250_000;
    for await (const chunk of source.stream) {
      // Fed in slices of 64 KB: the text decoded from a slice and the COPY text made of it stay
      // small enough for V8's young generation, which frees them at once (larger strings go to
      // the old generation and make the heap, hence the RSS, grow until a full collection).
      for (let at = 0; at < (chunk as Buffer).length; at += FEED_BYTES) {
        const t0 = performance.now();
        parser.push((chunk as Buffer).subarray(at, at + FEED_BYTES));
        parseMs += performance.now() - t0;
        if (rejected > maxErrors)
          throw new DirectoryImportError(lineErrorsMessage(errors, rejected, maxErrors), errors);
        await send();
      }
      if (parser.stats.lines >= nextLog) {
        log(`${parser.stats.lines.toLocaleString('fr-FR')} lignes lues`);
        nextLog += 250_000;
      }
    }
    parser.end();
    assembler.flush();
    if (rejected > maxErrors)
      throw new DirectoryImportError(lineErrorsMessage(errors, rejected, maxErrors), errors);
    await send();
    for (const copy of copies) copy.end();
    await Promise.all(copies.map((copy) => finished(copy)));
    await Promise.all(clients.map((client) => client.query('commit')));
    phases.parse = Math.round(parseMs);
    phases.copyWait = Math.round(copyWaitMs);
    phases.load = Math.round(performance.now() - loadStarted);
    if (assembler.late.size > 0) {
      await timed('merge', () => mergeScattered(main, assembler));
      log(`${assembler.late.size.toLocaleString('fr-FR')} personne(s) aux lignes dispersées regroupée(s)`);
    }
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

    const [pc, lc] = clients as [pg.PoolClient, pg.PoolClient];
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
        await timed(`index:${table}`, async () => {
          await statisticsLike(client, table);
          await indexLike(client, table);
        });
        const t1 = Date.now();
        await timed(`analyze:${table}`, () => analyzeIndexed(client, table));
        log(
          `  ${table} : index ${((t1 - t0) / 1000).toFixed(1)} s, statistiques ${((Date.now() - t1) / 1000).toFixed(1)} s`,
        );
      }
    };
    // Both sides run to their end before a failure is handled: no query may still hold a
    // staging table when the failure path drops them.
    const buildStarted = performance.now();
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
      build(lc, ['directory_place', 'directory_name_part']),
    ]);
    phases.build = Math.round(performance.now() - buildStarted);
    for (const result of built) if (result.status === 'rejected') throw result.reason;
    log(`index construits en ${((Date.now() - started) / 1000).toFixed(1)} s`);

    // The swap: a few catalog updates under an exclusive lock held for milliseconds.
    const swapStarted = performance.now();
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
                rows = $4, people = $5, places = $6, rejected = $7, latin1_lines = $8, duplicates = $9
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
          assembler.duplicates,
        ],
      );
      await main.query('commit');
    } catch (err) {
      await main.query('rollback').catch(() => {});
      throw err;
    }
    phases.swap = Math.round(performance.now() - swapStarted);
    return {
      importId,
      fileName: source.fileName,
      extractAt,
      extractDateSource,
      lines: stats.lines,
      rows: stats.rows,
      people: assembler.people,
      places: assembler.places,
      rejected: stats.rejected,
      duplicates: assembler.duplicates,
      scattered: assembler.late.size,
      latin1Lines: stats.latin1Lines,
      errors,
      durationMs: Date.now() - started,
      phases,
    };
  } catch (err) {
    source.stream.destroy();
    // A connection that failed may be mid-COPY or mid-transaction: it is closed, and the server
    // rolls back whatever it was doing.
    for (const client of clients.splice(0)) client.release(true);
    const failure =
      err instanceof DomainError
        ? err
        : err instanceof DirectoryFormatError || err instanceof UnorderedFileError
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
    for (const client of clients) client.release();
    await main.query('select pg_advisory_unlock($1)', [IMPORT_LOCK]).catch(() => {});
    main.release();
  }
}
