// The contract between the platform and the features. A feature owns its routes, rules,
// queries and jobs; the composition root (../composition.ts) builds once, from the
// configuration, everything the features share and hands it to them in a context.
import type { TaskList } from 'graphile-worker';
import type { Kysely } from 'kysely';
import type pg from 'pg';
import type pino from 'pino';
import type { Clock } from './clock.js';
import type { Config } from './config.js';
import type { App } from './http.js';
import type { Metrics } from './metrics-registry.js';

/**
 * What the platform gives every feature. `DB` is the database type, composed above the platform
 * from every feature's tables (../context.ts): the platform itself knows no feature's table.
 */
export interface PlatformContext<DB> {
  config: Config & { sessionSecret: string };
  db: Kysely<DB>;
  pool: pg.Pool;
  clock: Clock;
  logger: pino.Logger;
  /** This application's Prometheus registry (one per application: tests run several). */
  metrics: Metrics;
}

/**
 * A feature. `C` is the context it needs: the platform's, plus the services of the composition
 * root it uses (e.g. the mailer), so that what a feature depends on is written in its type.
 */
export interface Feature<C> {
  name: string;
  /** Starts what the feature runs beside HTTP (e.g. the demo SMTP server); returns its stop. */
  start?(ctx: C): Promise<(() => Promise<void>) | undefined>;
  /** Demo mode only, after migrations, before listening: idempotent (a restart must stay fast). */
  demoSeed?(ctx: C): Promise<void>;
  routes?(app: App, ctx: C): Promise<void> | void;
  tasks?(ctx: C): TaskList;
  /** graphile-worker crontab lines (a function when they depend on the configuration) */
  crontab?: string | ((ctx: C) => string | undefined);
  /**
   * Details added to GET /ready under the feature's name. They inform (e.g. a failed nightly
   * import) but never make the node unready: only the database and the migrations do.
   */
  readiness?(ctx: C): Promise<Record<string, unknown>>;
}
