// Keeps the directory current: when DIRECTORY_IMPORT_URL is set, a daily job downloads the ANS
// extract (the zip, the plain .txt data.gouv.fr publishes, or a .txt.gz) into a temporary file
// under DATA_DIR and imports it through the importer, which swaps the new directory in
// atomically and leaves the previous one answering on any failure. Every attempt that reaches
// the import journal says, in French, why it failed; a file already imported (same ETag /
// Last-Modified, or same extract date) is not imported again. When the file's name carries no
// date, the directory is dated by the download's dated path or Last-Modified, else by its import
// (and says so).
import { randomUUID } from 'node:crypto';
import { createWriteStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { DomainError } from '../platform/errors.js';
import { type ImportReport, importDirectory } from './importer.js';
import { DirectoryFormatError } from './parser.js';
import {
  type ExtractDateSource,
  extractDateFromLastModified,
  extractDateFromName,
  extractDateFromUrl,
  type ImportSource,
  openSource,
} from './source.js';

export const AUTO_IMPORT_TASK = 'directory_import';
/** Whole download + import under one lock, apart from the importer's own: "annd". */
const AUTO_IMPORT_LOCK = 0x616e6e64;
const TEMP_PREFIX = 'directory-import-';
const KEPT = ' L’annuaire en service est inchangé.';

export const DEFAULT_MAX_BYTES = 2 * 1024 ** 3;
/** The national extract is a few hundred megabytes: half an hour allows a slow link. */
export const DEFAULT_TIMEOUT_MS = 30 * 60_000;

export interface AutoImportOptions {
  url: string;
  /** The temporary file goes to DATA_DIR/tmp. */
  dataDir: string;
  maxBytes?: number;
  timeoutMs?: number;
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

export type AutoImportResult =
  | { outcome: 'imported'; report: ImportReport; bytes: number }
  | { outcome: 'unchanged'; reason: string }
  /** Another run (or a manual import) holds the lock: nothing was attempted. */
  | { outcome: 'busy' }
  | { outcome: 'failed'; error: string };

/** A failure whose French message is the one recorded. */
class ImportAttemptError extends Error {}

/** The URL without credentials, query or fragment: what may be stored and logged. */
export function publicSourceUrl(url: string): string {
  const u = new URL(url);
  return `${u.origin}${u.pathname}`;
}

const megabytes = (n: number) => `${Math.round(n / 1024 / 1024).toLocaleString('fr-FR')} Mo`;

/**
 * Content types a server may give the extract (a zip, a .gz, or the text itself: text/plain);
 * a page (HTML, JSON, XML) is an error page or a portal.
 */
function acceptableContentType(value: string | null): boolean {
  if (!value) return true;
  const type = value.split(';')[0]?.trim().toLowerCase() ?? '';
  return !/html|json|xml|^text\/(?!plain$|csv$|tab-separated-values$)/.test(type);
}

interface LastImport {
  id: number;
  extract_at: Date | null;
  source_url: string | null;
  etag: string | null;
  last_modified: string | null;
}

async function lastSucceeded(client: pg.PoolClient): Promise<LastImport | undefined> {
  const { rows } = await client.query<LastImport>(
    `select id, extract_at, source_url, etag, last_modified from directory_import
      where status = 'succeeded' order by finished_at desc limit 1`,
  );
  return rows[0];
}

interface Downloaded {
  file: string;
  bytes: number;
  etag: string | null;
  lastModified: string | null;
  /** The URL the file came from, after redirects. */
  finalUrl: string;
}

type DownloadResult = { unchanged: string } | Downloaded;

async function download(
  url: string,
  file: string,
  last: LastImport | undefined,
  sourceUrl: string,
  maxBytes: number,
  timeoutMs: number,
): Promise<DownloadResult> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const delay =
    timeoutMs < 60_000 ? `${Math.ceil(timeoutMs / 1000)} s` : `${Math.round(timeoutMs / 60_000)} min`;
  const timeoutError = () =>
    new ImportAttemptError(`Téléchargement de l’annuaire abandonné : délai de ${delay} dépassé.`);
  try {
    const sameSource = last?.source_url === sourceUrl;
    const headers: Record<string, string> = {
      // The length announced is then the length received, and a truncated body shows.
      'accept-encoding': 'identity',
      'user-agent': 'delegations-de-droits (directory import)',
    };
    if (sameSource && last?.etag) headers['if-none-match'] = last.etag;
    if (sameSource && last?.last_modified) headers['if-modified-since'] = last.last_modified;

    let response: Response;
    try {
      response = await fetch(url, { headers, redirect: 'follow', signal: controller.signal });
    } catch (err) {
      if (timedOut) throw timeoutError();
      const code = (err as { cause?: { code?: string } }).cause?.code;
      throw new ImportAttemptError(
        `Téléchargement de l’annuaire impossible : le serveur est injoignable${code ? ` (${code})` : ''}.`,
      );
    }
    const body = response.body;
    if (new URL(url).protocol === 'https:' && new URL(response.url).protocol !== 'https:') {
      await body?.cancel().catch(() => {});
      throw new ImportAttemptError(
        'Téléchargement de l’annuaire refusé : le serveur redirige vers une adresse non chiffrée (http).',
      );
    }
    const etag = response.headers.get('etag');
    const lastModified = response.headers.get('last-modified');
    const drop = () => body?.cancel().catch(() => {});
    if (response.status === 304) {
      await drop();
      return { unchanged: 'le fichier n’a pas changé depuis le dernier import (réponse 304)' };
    }
    if (!response.ok || !body) {
      await drop();
      throw new ImportAttemptError(
        `Téléchargement de l’annuaire impossible : le serveur a répondu ${response.status}.`,
      );
    }
    if (
      sameSource &&
      ((etag && etag === last?.etag) || (lastModified && lastModified === last?.last_modified))
    ) {
      await drop();
      return {
        unchanged: `le fichier n’a pas changé depuis le dernier import (${etag && etag === last?.etag ? 'même ETag' : 'même Last-Modified'})`,
      };
    }
    const type = response.headers.get('content-type');
    if (!acceptableContentType(type)) {
      await drop();
      throw new ImportAttemptError(
        `Téléchargement de l’annuaire refusé : le serveur a renvoyé une page (${(type ?? '').split(';')[0]}) au lieu de l’extraction.`,
      );
    }
    const announcedHeader = response.headers.get('content-length');
    const announced = announcedHeader && /^\d+$/.test(announcedHeader) ? Number(announcedHeader) : undefined;
    if (announced !== undefined && announced > maxBytes) {
      await drop();
      throw new ImportAttemptError(
        `Téléchargement de l’annuaire refusé : le fichier annoncé (${megabytes(announced)}) dépasse la taille maximale de ${megabytes(maxBytes)}.`,
      );
    }

    let bytes = 0;
    let tooLarge = false;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        bytes += chunk.length;
        if (bytes > maxBytes) {
          tooLarge = true;
          callback(new Error('too large'));
          return;
        }
        callback(null, chunk);
      },
    });
    try {
      await pipeline(
        Readable.fromWeb(body as import('node:stream/web').ReadableStream),
        counter,
        createWriteStream(file),
      );
    } catch {
      if (tooLarge)
        throw new ImportAttemptError(
          `Téléchargement de l’annuaire abandonné : le fichier dépasse la taille maximale de ${megabytes(maxBytes)}.`,
        );
      if (timedOut) throw timeoutError();
      throw new ImportAttemptError(
        `Téléchargement de l’annuaire interrompu avant la fin (${megabytes(bytes)} reçus${announced !== undefined ? ` sur ${megabytes(announced)}` : ''}).`,
      );
    }
    const encoded = response.headers.get('content-encoding');
    if (announced !== undefined && (!encoded || encoded === 'identity') && bytes !== announced) {
      throw new ImportAttemptError(
        `Téléchargement de l’annuaire incomplet : ${bytes} octets reçus sur ${announced} annoncés.`,
      );
    }
    return { file, bytes, etag, lastModified, finalUrl: response.url || url };
  } finally {
    clearTimeout(timer);
  }
}

/** A URL's last path segment, decoded; '' when it has none. */
function baseName(url: string): string {
  try {
    return decodeURIComponent(path.posix.basename(new URL(url).pathname));
  } catch {
    return '';
  }
}

/**
 * The extract's date when its name has none: the dated folder of the URL it was served from
 * (after redirects: a data.gouv.fr stable link leads to ".../YYYYMMDD-HHMMSS/<file>"), or of
 * the configured URL, else the server's Last-Modified. Undefined: the import's date will do.
 */
export function downloadDate(
  configuredUrl: string,
  finalUrl: string,
  lastModified: string | null,
  now = new Date(),
): { at: Date; source: Exclude<ExtractDateSource, 'file_name' | 'import'> } | undefined {
  const fromUrl = extractDateFromUrl(finalUrl, now) ?? extractDateFromUrl(configuredUrl, now);
  if (fromUrl) return { at: fromUrl, source: 'url' };
  const fromHeader = extractDateFromLastModified(lastModified, now);
  return fromHeader ? { at: fromHeader, source: 'last_modified' } : undefined;
}

/** Records an attempt that failed before the importer started (the importer records its own). */
async function recordFailure(
  client: pg.PoolClient,
  fileName: string,
  sourceUrl: string,
  startedAt: Date,
  error: string,
): Promise<void> {
  await client.query(
    `insert into directory_import (file_name, status, started_at, finished_at, duration_ms, error, source_url)
     values ($1, 'failed', $2, now(), $3, $4, $5)`,
    [fileName, startedAt, Date.now() - startedAt.getTime(), error.slice(0, 4000), sourceUrl],
  );
}

/**
 * One run of the daily job: download, check, import. Never throws for a failure of the download
 * or of the file (it is recorded and returned); throws only if the database itself fails.
 */
export async function runDirectoryAutoImport(
  pool: pg.Pool,
  options: AutoImportOptions,
): Promise<AutoImportResult> {
  const log = options.log ?? (() => {});
  const sourceUrl = publicSourceUrl(options.url);
  const configuredName = baseName(options.url) || new URL(options.url).host;
  const client = await pool.connect();
  let locked = false;
  const tmpDir = path.join(options.dataDir, 'tmp');
  const file = path.join(tmpDir, `${TEMP_PREFIX}${randomUUID()}.download`);
  try {
    locked = Boolean(
      (await client.query<{ ok: boolean }>('select pg_try_advisory_lock($1) as ok', [AUTO_IMPORT_LOCK]))
        .rows[0]?.ok,
    );
    if (!locked) {
      log('import automatique de l’annuaire déjà en cours ailleurs');
      return { outcome: 'busy' };
    }
    const startedAt = new Date();
    await fs.mkdir(tmpDir, { recursive: true });
    // Left by a run killed mid-download: under the lock, no other run is writing one.
    for (const name of await fs.readdir(tmpDir)) {
      if (name.startsWith(TEMP_PREFIX)) await fs.rm(path.join(tmpDir, name), { force: true });
    }
    const last = await lastSucceeded(client);
    const fail = async (error: string): Promise<AutoImportResult> => {
      await recordFailure(client, configuredName, sourceUrl, startedAt, error);
      log('import automatique de l’annuaire en échec', { error });
      return { outcome: 'failed', error };
    };

    let downloaded: DownloadResult;
    try {
      downloaded = await download(
        options.url,
        file,
        last,
        sourceUrl,
        options.maxBytes ?? DEFAULT_MAX_BYTES,
        options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      );
    } catch (err) {
      if (err instanceof ImportAttemptError) return await fail(`${err.message}${KEPT}`);
      throw err;
    }
    if ('unchanged' in downloaded) {
      log('annuaire inchangé : import ignoré', { reason: downloaded.unchanged });
      return { outcome: 'unchanged', reason: downloaded.unchanged };
    }
    // The configured file's name; a stable link without one (data.gouv.fr's /datasets/r/<id>)
    // is named by the file it redirects to.
    const finalName = baseName(downloaded.finalUrl);
    const remoteName = configuredName.includes('.') || !finalName ? configuredName : finalName;
    let source: ImportSource;
    try {
      source = await openSource(file, remoteName);
    } catch (err) {
      if (err instanceof DirectoryFormatError) return await fail(`Import refusé : ${err.message}${KEPT}`);
      throw err;
    }
    if (!extractDateFromName(source.extractName)) {
      source.extractDate = downloadDate(options.url, downloaded.finalUrl, downloaded.lastModified);
    }
    const extractAt = extractDateFromName(source.extractName) ?? source.extractDate?.at ?? null;
    if (extractAt && last?.extract_at && extractAt.getTime() === new Date(last.extract_at).getTime()) {
      source.stream.destroy();
      // Its validators are remembered, so that tomorrow's request can be conditional.
      await client.query(
        'update directory_import set source_url = $2, etag = $3, last_modified = $4 where id = $1',
        [last.id, sourceUrl, downloaded.etag, downloaded.lastModified],
      );
      const reason = `l’extraction ${source.extractName} du ${extractAt.toLocaleString('fr-FR', { timeZone: 'Europe/Paris' })} est déjà celle de l’annuaire en service`;
      log('annuaire inchangé : import ignoré', { reason });
      return { outcome: 'unchanged', reason };
    }

    let report: ImportReport;
    try {
      report = await importDirectory(pool, source);
    } catch (err) {
      if (err instanceof DomainError && err.code === 'directory_import_running') {
        log('import de l’annuaire déjà en cours : import automatique reporté');
        return { outcome: 'busy' };
      }
      // The importer has recorded the failure and kept the previous directory.
      const error = err instanceof DomainError ? err.message : 'Import interrompu par une erreur technique.';
      log('import automatique de l’annuaire en échec', { error });
      return { outcome: 'failed', error };
    }
    await client.query(
      'update directory_import set source_url = $2, etag = $3, last_modified = $4, bytes = $5 where id = $1',
      [report.importId, sourceUrl, downloaded.etag, downloaded.lastModified, downloaded.bytes],
    );
    log('annuaire importé automatiquement', {
      people: report.people,
      bytes: downloaded.bytes,
      ms: Date.now() - startedAt.getTime(),
    });
    return { outcome: 'imported', report, bytes: downloaded.bytes };
  } finally {
    await fs.rm(file, { force: true }).catch(() => {});
    if (locked) await client.query('select pg_advisory_unlock($1)', [AUTO_IMPORT_LOCK]).catch(() => {});
    client.release();
  }
}

export interface DirectoryImportStatus {
  /** The live directory's extract date (YYYY-MM-DD, Paris), null before any import. */
  date: string | null;
  /**
   * Where `date` comes from: the extract's name, the download's dated URL or Last-Modified, or
   * the import itself when the extract's date is unknown ("date d'import").
   */
  dateSource: ExtractDateSource | null;
  /** The same, in French, for the operator reading /ready. */
  dateNote: string | null;
  /** The live extract's timestamp (its file name's), else its import's. */
  extractAt: Date | null;
  importedAt: Date | null;
  people: number;
  /** The last finished attempt, successful or not. */
  lastImport: { at: Date; ok: boolean; error: string | null } | null;
}

/** For /ready and the metrics: one indexed read of the import journal. */
export async function directoryImportStatus(pool: pg.Pool): Promise<DirectoryImportStatus> {
  const { rows } = await pool.query<{
    kind: 'live' | 'last';
    status: string;
    extract_at: Date | null;
    extract_date_source: ExtractDateSource | null;
    finished_at: Date;
    people: number | null;
    error: string | null;
  }>(
    `(select 'live' as kind, status, extract_at, extract_date_source, finished_at, people, error
        from directory_import where status = 'succeeded' order by finished_at desc limit 1)
     union all
     (select 'last', status, extract_at, extract_date_source, finished_at, people, error
        from directory_import where status <> 'running' order by finished_at desc limit 1)`,
  );
  const live = rows.find((r) => r.kind === 'live');
  const last = rows.find((r) => r.kind === 'last');
  const dateSource: ExtractDateSource | null = live
    ? live.extract_at
      ? (live.extract_date_source ?? 'file_name')
      : 'import'
    : null;
  return {
    date: live ? parisDate(live.extract_at ?? live.finished_at) : null,
    dateSource,
    dateNote: dateSource ? DATE_NOTES[dateSource] : null,
    extractAt: live ? (live.extract_at ?? live.finished_at) : null,
    importedAt: live?.finished_at ?? null,
    people: Number(live?.people ?? 0),
    lastImport: last ? { at: last.finished_at, ok: last.status === 'succeeded', error: last.error } : null,
  };
}

const DATE_NOTES: Record<ExtractDateSource, string> = {
  file_name: 'date de l’extraction (nom du fichier)',
  url: 'date de l’extraction (adresse datée du fichier téléchargé)',
  last_modified: 'date de l’extraction (date de modification donnée par le serveur, Last-Modified)',
  import: 'date d’import : la date de l’extraction est inconnue',
};

function parisDate(d: Date): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(d);
}
