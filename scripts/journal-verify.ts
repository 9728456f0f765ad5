// `npm run journal:verify`: checks every hash chain of the journal; exits 1 and names the first
// broken entry when an entry was altered, removed or inserted outside the application.
import { verifyJournal } from '../src/server/journal/store.js';
import { loadConfig } from '../src/server/platform/config.js';
import { startRuntime } from '../src/server/platform/runtime.js';

const runtime = await startRuntime({ ...loadConfig(process.env), logLevel: 'warn' });
try {
  const result = await verifyJournal(runtime.db);
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
} finally {
  await runtime.close();
}
