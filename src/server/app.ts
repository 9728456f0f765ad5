// Wires the features onto the HTTP platform. Each feature owns its routes, rules, queries and
// jobs; this file only lists them.
import { existsSync } from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { TaskList } from 'graphile-worker';
import type pg from 'pg';
import type pino from 'pino';
import { accessFeature } from './access/index.js';
import { delegationsFeature } from './delegations/index.js';
import { directoryFeature } from './directory/index.js';
import { dossiersFeature } from './dossiers/index.js';
import { identityFeature } from './identity/index.js';
import { journalFeature } from './journal/index.js';
import { mailFeature } from './mail/index.js';
import type { Clock } from './platform/clock.js';
import type { Config } from './platform/config.js';
import { type Db, migrationsApplied } from './platform/database.js';
import { type App, createHttp } from './platform/http.js';
import { metricsFeature } from './platform/metrics.js';
import { WEB_DIST } from './platform/web-build.js';

/** What every feature receives: configuration and the shared infrastructure. */
export interface AppContext {
  config: Config & { sessionSecret: string };
  db: Db;
  pool: pg.Pool;
  clock: Clock;
  logger: pino.Logger;
}

export interface Feature {
  name: string;
  /** Starts what the feature runs beside HTTP (e.g. the demo SMTP server); returns its stop. */
  start?(ctx: AppContext): Promise<(() => Promise<void>) | undefined>;
  /** Demo mode only, after migrations, before listening: idempotent (a restart must stay fast). */
  demoSeed?(ctx: AppContext): Promise<void>;
  routes?(app: App, ctx: AppContext): Promise<void> | void;
  tasks?(ctx: AppContext): TaskList;
  /** graphile-worker crontab lines (a function when they depend on the configuration) */
  crontab?: string | ((ctx: AppContext) => string | undefined);
  /**
   * Details added to GET /ready under the feature's name. They inform (e.g. a failed nightly
   * import) but never make the node unready: only the database and the migrations do.
   */
  readiness?(ctx: AppContext): Promise<Record<string, unknown>>;
}

/** The features, in the order their routes are registered (access before the dossiers: its hook). */
export const FEATURES: Feature[] = [
  identityFeature,
  directoryFeature,
  mailFeature,
  delegationsFeature,
  accessFeature,
  dossiersFeature,
  journalFeature,
  metricsFeature,
];

export async function buildApp(ctx: AppContext, features: Feature[] = FEATURES): Promise<App> {
  const app = await createHttp(ctx.config, ctx.logger);

  app.get('/health', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/ready', { schema: { hide: true } }, async (_request, reply) => {
    try {
      const applied = await migrationsApplied(ctx.db);
      if (!applied) return reply.status(503).send({ status: 'migrations pending' });
      const details = await Promise.all(
        features.map(async (f) =>
          f.readiness
            ? [f.name, await f.readiness(ctx).catch(() => ({ error: 'détails indisponibles' }))]
            : [],
        ),
      );
      return { status: 'ready', ...Object.fromEntries(details.filter((d) => d.length)) };
    } catch {
      return reply.status(503).send({ status: 'database unreachable' });
    }
  });

  for (const feature of features) await feature.routes?.(app, ctx);

  const hasWeb = existsSync(path.join(WEB_DIST, 'index.html'));
  if (hasWeb) {
    await app.register(fastifyStatic, { root: WEB_DIST, wildcard: false, index: false });
  }
  app.setNotFoundHandler((request, reply) => {
    const isPage =
      request.method === 'GET' &&
      !request.url.startsWith('/api/') &&
      !path.extname(request.url.split('?')[0] ?? '');
    if (isPage && hasWeb) return reply.type('text/html').sendFile('index.html');
    return reply
      .status(404)
      .send({ code: 'not_found', message: 'Ressource introuvable.', requestId: request.id });
  });
  return app;
}

/** Starts the features' side services and, in demo mode, their demo data; returns one stop. */
export async function startFeatures(
  ctx: AppContext,
  features: Feature[] = FEATURES,
): Promise<() => Promise<void>> {
  const stops: (() => Promise<void>)[] = [];
  for (const feature of features) {
    const stop = await feature.start?.(ctx);
    if (stop) stops.push(stop);
  }
  if (ctx.config.demo) for (const feature of features) await feature.demoSeed?.(ctx);
  return async () => {
    for (const stop of stops.reverse()) await stop().catch(() => {});
  };
}

export function collectTasks(
  ctx: AppContext,
  features: Feature[] = FEATURES,
): { tasks: TaskList; crontab: string } {
  const tasks: TaskList = {};
  const crontab: string[] = [];
  for (const feature of features) {
    Object.assign(tasks, feature.tasks?.(ctx));
    const lines = typeof feature.crontab === 'function' ? feature.crontab(ctx) : feature.crontab;
    if (lines) crontab.push(lines);
  }
  return { tasks, crontab: crontab.join('\n') };
}
