// `npm run migrate`: applies the migrations (embedded database or DATABASE_URL) and exits.
import { loadConfig } from '../src/server/platform/config.js';
import { startRuntime } from '../src/server/platform/runtime.js';

const runtime = await startRuntime(loadConfig(process.env, process.cwd(), { purpose: 'tool' }));
runtime.logger.info('migrations à jour');
await runtime.close();
