// Where an import reads from: the extract itself (the plain .txt data.gouv.fr publishes, any
// name), gzipped (.txt.gz), or inside the zip the ANS publishes (streamed out of the archive,
// never extracted to disk); and the extract's date, from its name or, failing that, from where
// it was downloaded.
import { createReadStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { Temporal } from 'temporal-polyfill';
import yauzl from 'yauzl';
import { DirectoryFormatError } from './parser.js';

/**
 * Where the date of the directory comes from: the extract's name ("…_202504150830.txt"), the
 * dated path it was downloaded from (data.gouv.fr: ".../20250415-083000/..."), the server's
 * Last-Modified, or nothing (the directory is then dated by its import, and says so).
 */
export type ExtractDateSource = 'file_name' | 'url' | 'last_modified' | 'import';

export interface ImportSource {
  /** What the import journal records: the file's name (and the member's, for a zip). */
  fileName: string;
  /** The extract's name, which may carry its date. */
  extractName: string;
  stream: Readable;
  /** The extract's date when its name has none (from the download), with where it came from. */
  extractDate?: { at: Date; source: Exclude<ExtractDateSource, 'file_name' | 'import'> };
}

export const EXTRACT_MEMBER = /(?:^|\/)PS[_-]LibreAcces[_-]Personne[_-]activite[^/]*\.txt$/i;
const EXTRACT_STAMP = /PS[_-]LibreAcces[_-]Personne[_-]activite[_-](\d{4})(\d{2})(\d{2})(\d{2})(\d{2})/i;

function parisDateTime(y: number, mo: number, d: number, h: number, mi: number, s = 0): Date | null {
  try {
    const local = Temporal.PlainDateTime.from(
      { year: y, month: mo, day: d, hour: h, minute: mi, second: s },
      { overflow: 'reject' },
    );
    return new Date(local.toZonedDateTime('Europe/Paris').epochMilliseconds);
  } catch {
    return null;
  }
}

/** "…_202504150830.txt" is 15 April 2025, 08:30 Paris time; null when the name has no date. */
export function extractDateFromName(name: string): Date | null {
  const m = EXTRACT_STAMP.exec(name);
  if (!m) return null;
  const [, y, mo, d, h, mi] = m.map(Number) as number[];
  return parisDateTime(y as number, mo as number, d as number, h as number, mi as number);
}

/**
 * The date in a URL's path, when a folder of it is a date: data.gouv.fr stores each upload
 * under ".../YYYYMMDD-HHMMSS/<file>" (UTC); "…/2025-04-15/…" and "…/20250415/…" are read as
 * that day at midnight, Paris time. The file name itself is not read here (see
 * extractDateFromName). Null when no folder is a valid date, or the date is in the future.
 */
export function extractDateFromUrl(url: string, now = new Date()): Date | null {
  let folders: string[];
  try {
    folders = new URL(url).pathname.split('/').slice(0, -1).map(decodeURIComponent);
  } catch {
    return null;
  }
  for (const folder of folders.reverse()) {
    let at: Date | null = null;
    const stamp = /^(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})$/.exec(folder);
    if (stamp) {
      const [, y, mo, d, h, mi, s] = stamp.map(Number) as number[];
      const utc = new Date(
        Date.UTC(y as number, (mo as number) - 1, d as number, h as number, mi as number, s as number),
      );
      const valid =
        utc.getUTCFullYear() === y &&
        utc.getUTCMonth() === (mo as number) - 1 &&
        utc.getUTCDate() === d &&
        (h as number) < 24 &&
        (mi as number) < 60 &&
        (s as number) < 60;
      at = valid ? utc : null;
    } else {
      const day = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(folder);
      if (day) at = parisDateTime(Number(day[1]), Number(day[2]), Number(day[3]), 0, 0);
    }
    if (at && at.getFullYear() >= 2000 && at.getTime() <= now.getTime() + 86_400_000) return at;
  }
  return null;
}

/** An HTTP Last-Modified date; null when absent, unreadable or in the future. */
export function extractDateFromLastModified(value: string | null, now = new Date()): Date | null {
  if (!value) return null;
  const at = new Date(value);
  if (Number.isNaN(at.getTime()) || at.getFullYear() < 2000 || at.getTime() > now.getTime() + 86_400_000)
    return null;
  return at;
}

type Kind = 'zip' | 'gzip' | 'text' | 'other';

/** What the file is, from its first bytes (never from its name). */
async function kindOf(file: string): Promise<Kind> {
  const handle = await fs.open(file, 'r');
  try {
    const { bytesRead, buffer } = await handle.read(Buffer.alloc(64 * 1024), 0, 64 * 1024, 0);
    const head = buffer.subarray(0, bytesRead);
    if (bytesRead >= 4 && head.readUInt32LE(0) === 0x04034b50) return 'zip';
    if (bytesRead >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
    // An empty file is the parser's to refuse, with its own message.
    if (
      head
        .toString('latin1')
        .replace(/^\uFEFF|^\xEF\xBB\xBF/, '')
        .trim() === ''
    )
      return 'text';
    return looksLikeExtract(head) ? 'text' : 'other';
  } finally {
    await handle.close();
  }
}

/** The first line of a text file with columns separated by "|" (no NUL byte, not a page). */
export function looksLikeExtract(head: Buffer): boolean {
  const end = head.indexOf(0x0a);
  const first = head.subarray(0, end < 0 ? head.length : end);
  return (
    first.length > 0 && !first.includes(0) && first.includes(0x7c) && !/^\s*</.test(first.toString('latin1'))
  );
}

const NOT_AN_EXTRACT =
  'Le fichier n’est ni une archive zip, ni un fichier .gz, ni l’extraction en texte (colonnes séparées par « | ») : rien n’a été importé.';

function gunzipped(file: string, name: string): Readable {
  const out = new PassThrough({ highWaterMark: 256 * 1024 });
  const input = createReadStream(file, { highWaterMark: 256 * 1024 });
  const gunzip = createGunzip({ chunkSize: 256 * 1024 });
  // As for a zip member: the error is kept on the stream for its reader, explained, rather than
  // thrown at the process when no one is reading at that moment.
  out.on('error', () => {});
  const fail = () =>
    out.destroy(
      new DirectoryFormatError(`Le fichier ${name} est endommagé : il ne peut pas être décompressé (gzip).`),
    );
  input.on('error', fail);
  gunzip.on('error', fail);
  out.once('close', () => {
    input.destroy();
    gunzip.destroy();
  });
  input.pipe(gunzip).pipe(out);
  return out;
}

function openZipMember(file: string): Promise<{ member: string; stream: Readable }> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true, autoClose: false }, (err, zip) => {
      if (err || !zip) {
        reject(new DirectoryFormatError('L’archive zip est illisible ou endommagée.'));
        return;
      }
      zip.on('error', () => reject(new DirectoryFormatError('L’archive zip est illisible ou endommagée.')));
      zip.on('entry', (entry: yauzl.Entry) => {
        if (!EXTRACT_MEMBER.test(entry.fileName)) {
          zip.readEntry();
          return;
        }
        zip.openReadStream(entry, (streamErr, stream) => {
          if (streamErr || !stream) {
            zip.close();
            reject(new DirectoryFormatError('L’archive zip est illisible ou endommagée.'));
            return;
          }
          stream.once('close', () => zip.close());
          // A damaged member fails inside yauzl's pipes as soon as they buffer, possibly before
          // anyone reads: the error is kept on the stream (a reader gets it, explained) rather
          // than thrown at the process for want of a listener.
          const member = new PassThrough({ highWaterMark: 256 * 1024 });
          member.on('error', () => {});
          stream.on('error', () => {
            member.destroy(
              new DirectoryFormatError(
                `Le fichier ${path.posix.basename(entry.fileName)} de l’archive zip est endommagé : il ne peut pas être décompressé.`,
              ),
            );
          });
          member.once('close', () => stream.destroy());
          stream.pipe(member);
          resolve({ member: path.posix.basename(entry.fileName), stream: member });
        });
      });
      zip.on('end', () => {
        zip.close();
        reject(
          new DirectoryFormatError(
            'L’archive ne contient aucun fichier PS_LibreAcces_Personne_activite_*.txt : rien n’a été importé.',
          ),
        );
      });
      zip.readEntry();
    });
  });
}

/**
 * Opens the extract: a zip (its PS_LibreAcces_Personne_activite member), a gzipped file, or the
 * text itself, recognised by content, not by name. `name` is the name to record and to read a
 * date from when the file on disk has another one (a download's temporary file).
 */
export async function openSource(file: string, name = path.basename(file)): Promise<ImportSource> {
  const stat = await fs.stat(file).catch(() => undefined);
  if (!stat?.isFile()) throw new DirectoryFormatError(`Fichier introuvable : ${path.basename(file)}`);
  const kind = await kindOf(file);
  if (kind === 'zip') {
    const { member, stream } = await openZipMember(file);
    return { fileName: `${name} › ${member}`, extractName: member, stream };
  }
  if (kind === 'gzip') {
    return { fileName: name, extractName: name.replace(/\.gz$/i, ''), stream: gunzipped(file, name) };
  }
  if (kind === 'other') throw new DirectoryFormatError(NOT_AN_EXTRACT);
  return { fileName: name, extractName: name, stream: createReadStream(file, { highWaterMark: 256 * 1024 }) };
}
