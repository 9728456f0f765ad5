// `npm run migrate`: applies the migrations (embedded database or DATABASE_URL) and exits. With
// the application running on the same DATA_DIR, it uses that application's database and leaves
// it running; otherwise it starts the embedded database and stops it after.
import { loadConfig } from '../src/server/platform/config.js';
import { startRuntime } from '../src/server/platform/runtime.js';

const runtime = await startRuntime(loadConfig(process.env, process.cwd(), { purpose: 'tool' }), {
  reuseRunning: true,
});
runtime.logger.info('migrations à jour');
await runtime.close();
