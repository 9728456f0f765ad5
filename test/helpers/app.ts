// Builds the application on a fresh test database, for requests injected without a socket,
// through the same composition root as `npm start` (src/server/composition.ts).
import { buildApp, startFeatures } from '../../src/server/app.js';
import { type AppFeature, type AppRoot, createAppRoot, FEATURES } from '../../src/server/composition.js';
import { type Clock, systemClock } from '../../src/server/platform/clock.js';
import { loadConfig } from '../../src/server/platform/config.js';
import type { App } from '../../src/server/platform/http.js';
import { createLogger } from '../../src/server/platform/runtime.js';
import { createTestDatabase, type TestDatabase } from './db.js';

export interface TestApp {
  app: App;
  ctx: AppRoot;
  database: TestDatabase;
  close(): Promise<void>;
}

export async function createTestApp(
  options: {
    env?: Record<string, string>;
    clock?: Clock;
    features?: AppFeature[];
    /** Also run the features' start hooks (demo SMTP…) and, in demo mode, their demo seeds. */
    startFeatures?: boolean;
    /** Instead of the configured logger (e.g. one that keeps the lines for a test to read). */
    logger?: AppRoot['logger'];
  } = {},
): Promise<TestApp> {
  const database = await createTestDatabase();
  const config = loadConfig({ DEMO: 'true', LOG_LEVEL: 'silent', ...options.env });
  const ctx = createAppRoot({
    config: { ...config, sessionSecret: config.sessionSecret ?? 'test-secret-test-secret-test-secret-0000' },
    db: database.db,
    pool: database.pool,
    clock: options.clock ?? systemClock,
    logger: options.logger ?? createLogger(config),
  });
  const features = options.features ?? FEATURES;
  const stopFeatures = options.startFeatures ? await startFeatures(ctx, features) : async () => {};
  const app = await buildApp(ctx, features);
  await app.ready();
  return {
    app,
    ctx,
    database,
    async close() {
      await app.close();
      await stopFeatures();
      await database.close();
    },
  };
}
