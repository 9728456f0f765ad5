// `npm run journal:verify [-- --archives]`: checks every hash chain of the journal (from its
// signed checkpoint when retention archived its beginning); with --archives, also every archive
// file against its checkpoint. Exits 1 and names the first broken entry. Uses the running
// application's embedded database if there is one, and leaves it running.
import type { Database } from '../src/server/context.js';
import { checkpointKey, verifyArchive } from '../src/server/journal/retention.js';
import { verifyJournal } from '../src/server/journal/store.js';
import { loadConfig } from '../src/server/platform/config.js';
import { startRuntime } from '../src/server/platform/runtime.js';

const runtime = await startRuntime<Database>(
  { ...loadConfig(process.env, process.cwd(), { purpose: 'tool' }), logLevel: 'warn' },
  { reuseRunning: true },
);
try {
  const result = await verifyJournal(runtime.db, { signingKey: checkpointKey(runtime.config) });
  if (result.ok) {
    console.log(`Journal intègre : ${result.checked} entrées vérifiées dans ${result.chains} chaîne(s).`);
  } else {
    const b = result.firstBroken;
    console.error(
      `Journal altéré : première entrée rompue id=${b?.id} (chaîne ${b?.chain}, séquence ${b?.seq}) : ${b?.reason}. ` +
        `${result.checked} entrées vérifiées avant elle.`,
    );
    process.exitCode = 1;
  }
  if (process.argv.includes('--archives')) {
    const checkpoints = await runtime.db
      .selectFrom('journal_checkpoints')
      .selectAll()
      .orderBy('chain')
      .orderBy('seq')
      .execute();
    const previous = new Map<string, string>();
    for (const cp of checkpoints) {
      const r = await verifyArchive(runtime.config.journalArchiveDir, cp, previous.get(cp.chain));
      if (!r.ok) {
        console.error(`Archive invalide (chaîne ${cp.chain}, jusqu’à la séquence ${cp.seq}) : ${r.reason}`);
        process.exitCode = 1;
      }
      previous.set(cp.chain, cp.hash);
    }
    console.log(`${checkpoints.length} archive(s) vérifiée(s).`);
  }
} finally {
  await runtime.close();
}
