// `npm run directory:generate -- --people N --out <file> [--seed S] [--columns 52|56]`
// Writes a synthetic national directory in the exact ANS format, with the shapes of real
// extracts (see generator.ts): 1,465,000 people make about 2,400,000 lines and 830 MB, the size
// of the file data.gouv.fr publishes. When <file> is a folder, the file is named like the ANS
// extract, with today's date.
import { createWriteStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { extractFileName, generateDirectory } from '../src/server/directory/generator.js';

const USAGE =
  'Usage : npm run directory:generate -- --people N --out <fichier ou dossier> [--seed S] [--columns 52|56]';
let values: { people?: string; out?: string; seed?: string; columns?: string };
try {
  ({ values } = parseArgs({
    options: {
      people: { type: 'string' },
      out: { type: 'string' },
      seed: { type: 'string' },
      columns: { type: 'string', default: '56' },
    },
  }));
} catch (err) {
  console.error(`${(err as Error).message}\n${USAGE}`);
  process.exit(2);
}
const people = Number(values.people);
if (!Number.isInteger(people) || people < 7 || !values.out) {
  console.error(`${USAGE}\n(--people : au moins 7, les personnes de démonstration comprises)`);
  process.exit(2);
}
const columns = values.columns === '52' ? 52 : 56;
let out = path.resolve(values.out);
if ((await fs.stat(out).catch(() => undefined))?.isDirectory())
  out = path.join(out, extractFileName(new Date()));
const started = Date.now();
await pipeline(
  generateDirectory({ people, seed: values.seed ? Number(values.seed) : undefined, columns }),
  createWriteStream(out),
);
const { size } = await fs.stat(out);
console.log(
  `${people.toLocaleString('fr-FR')} personnes écrites dans ${out} (${(size / 1e6).toFixed(0)} Mo) en ${((Date.now() - started) / 1000).toFixed(1)} s`,
);
