// `npm start`: the application with its database (embedded unless DATABASE_URL is set), its
// job worker and, in demo mode, the demo data. Stops cleanly on SIGINT/SIGTERM.
import type { Runner } from 'graphile-worker';
import { buildApp, collectTasks, startFeatures } from './app.js';
import { createAppRoot, FEATURES } from './composition.js';
import type { Database } from './context.js';
import { systemClock } from './platform/clock.js';
import { ConfigError, loadConfig } from './platform/config.js';
import type { App } from './platform/http.js';
import { startWorker } from './platform/jobs.js';
import { type Runtime, startRuntime } from './platform/runtime.js';
import { ensureWebBuild } from './platform/web-build.js';

async function main() {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }

  const started = Date.now();
  const webBuild = process.env.SKIP_WEB_BUILD === 'true' ? undefined : ensureWebBuild((m) => console.log(m));
  const runtime: Runtime<Database> = await startRuntime<Database>(config);
  const { logger } = runtime;
  let worker: Runner | undefined;
  let app: App | undefined;
  let stopFeatures: (() => Promise<void>) | undefined;
  let stopping = false;

  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'arrêt en cours');
    const force = setTimeout(() => {
      logger.error('arrêt forcé après 25 s');
      process.exit(1);
    }, 25_000);
    try {
      await app?.close();
      await worker?.stop();
      await stopFeatures?.();
      await runtime.close();
    } finally {
      clearTimeout(force);
      logger.info('arrêté');
      process.exit(0);
    }
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));

  // The composition root, built once: everything below receives it.
  const { db, pool } = runtime;
  const ctx = createAppRoot({ config: runtime.config, db, pool, logger, clock: systemClock });
  stopFeatures = await startFeatures(ctx);
  await webBuild;
  app = await buildApp(ctx);
  const { tasks, crontab } = collectTasks(ctx);
  if (Object.keys(tasks).length > 0)
    worker = await startWorker({ pool: runtime.pool, tasks, crontab, logger });
  await app.listen({ port: config.port, host: config.host });
  logger.info(
    {
      url: config.publicUrl,
      demo: config.demo,
      features: FEATURES.map((f) => f.name),
      ms: Date.now() - started,
    },
    'Délégations de droits prêt',
  );
}

main().catch((err) => {
  // A configuration problem found while starting (a data directory another instance runs on):
  // its French message alone, and EX_CONFIG as for the variables.
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(78);
  }
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
