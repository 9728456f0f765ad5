// Where an import reads from: the extract itself or the zip the ANS publishes (streamed out of
// the archive, never extracted to disk), and the extract's date from its name.
import { createReadStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { Temporal } from 'temporal-polyfill';
import yauzl from 'yauzl';
import { DirectoryFormatError } from './parser.js';

export interface ImportSource {
  /** What the import journal records: the file's name (and the member's, for a zip). */
  fileName: string;
  /** The extract's name, which carries its date. */
  extractName: string;
  stream: Readable;
}

export const EXTRACT_MEMBER = /(?:^|\/)PS_LibreAcces_Personne_activite[^/]*\.txt$/i;
const EXTRACT_STAMP = /PS_LibreAcces_Personne_activite_(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})/i;

/** "…_202504150830.txt" is 15 April 2025, 08:30 Paris time; null when the name has no date. */
export function extractDateFromName(name: string): Date | null {
  const m = EXTRACT_STAMP.exec(name);
  if (!m) return null;
  const [, y, mo, d, h, mi] = m.map(Number) as number[];
  try {
    const local = Temporal.PlainDateTime.from(
      { year: y as number, month: mo as number, day: d as number, hour: h as number, minute: mi as number },
      { overflow: 'reject' },
    );
    return new Date(local.toZonedDateTime('Europe/Paris').epochMilliseconds);
  } catch {
    return null;
  }
}

async function isZip(file: string): Promise<boolean> {
  const handle = await fs.open(file, 'r');
  try {
    const { bytesRead, buffer } = await handle.read(Buffer.alloc(4), 0, 4, 0);
    return bytesRead === 4 && buffer.readUInt32LE(0) === 0x04034b50;
  } finally {
    await handle.close();
  }
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

/** Opens the extract, or the extract inside a zip (recognised by its content, not its name). */
export async function openSource(file: string): Promise<ImportSource> {
  const stat = await fs.stat(file).catch(() => undefined);
  if (!stat?.isFile()) throw new DirectoryFormatError(`Fichier introuvable : ${path.basename(file)}`);
  const name = path.basename(file);
  if (await isZip(file)) {
    const { member, stream } = await openZipMember(file);
    return { fileName: `${name} › ${member}`, extractName: member, stream };
  }
  return { fileName: name, extractName: name, stream: createReadStream(file, { highWaterMark: 256 * 1024 }) };
}
