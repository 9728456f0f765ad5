// `npm run bench`: every benchmark in turn. Each prints its figures and ratios against a
// baseline measured in the same run.
import { spawnSync } from 'node:child_process';

const BENCHES = ['bench/floor.ts', 'bench/directory.ts', 'bench/access.ts', 'bench/load.ts'];
let failed = 0;
for (const file of BENCHES) {
  console.log(`\n=== ${file} ===`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', file], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
