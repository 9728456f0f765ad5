// `npm run lint` (clones): jscpd over src/, then two rules of the house.
// 1. No clone of 6+ lines between src/server, src/shared and src/web: a thing both sides need
//    belongs in src/shared, once.
// 2. Inside each of them, no more clones than CEILING (a ratchet: lower it when clones go).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// Before this rule: 3 clones across areas, 7 inside src/server, 6 inside src/web.
const CEILING = { server: 6, shared: 0, web: 5 };

const out = mkdtempSync(path.join(os.tmpdir(), 'jscpd-'));
try {
  execFileSync(
    process.execPath,
    [
      path.join('node_modules', 'jscpd', 'bin', 'jscpd'),
      '--min-lines',
      '6',
      '--min-tokens',
      '50',
      '--format',
      'typescript,tsx',
      '--reporters',
      'json',
      '--output',
      out,
      '--silent',
      'src',
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const report = JSON.parse(readFileSync(path.join(out, 'jscpd-report.json'), 'utf8'));
  const area = (file) => file.split(path.sep).join('/').split('/')[1];
  const counts = { server: 0, shared: 0, web: 0 };
  const across = [];
  for (const d of report.duplicates) {
    const a = area(d.firstFile.name);
    const b = area(d.secondFile.name);
    const where = `${d.firstFile.name}:${d.firstFile.start}-${d.firstFile.end} ~ ${d.secondFile.name}:${d.secondFile.start}-${d.secondFile.end}`;
    if (a !== b) across.push(where);
    else counts[a] = (counts[a] ?? 0) + 1;
  }
  let failed = false;
  for (const line of across) {
    console.error(`clone between src/${line.split('/')[1]} and another area: ${line}`);
    failed = true;
  }
  for (const [name, count] of Object.entries(counts)) {
    const ceiling = CEILING[name] ?? 0;
    if (count > ceiling) {
      console.error(`src/${name}: ${count} clones, more than the ceiling of ${ceiling} (run npx jscpd src)`);
      failed = true;
    }
  }
  console.log(
    `clones: across areas ${across.length}; inside ${JSON.stringify(counts)}; ceiling ${JSON.stringify(CEILING)}`,
  );
  process.exit(failed ? 1 : 0);
} finally {
  rmSync(out, { recursive: true, force: true });
}
