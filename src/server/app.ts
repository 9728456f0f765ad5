// The HTTP application: health and readiness, the features' routes, the web app. Also starts
// the features' side services and collects their jobs. The features and what they share come
// from the composition root (composition.ts).
import { existsSync } from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { TaskList } from 'graphile-worker';
import { type AppFeature, type AppRoot, FEATURES } from './composition.js';
import { migrationsApplied } from './platform/database.js';
import { type App, createHttp } from './platform/http.js';
import { WEB_DIST } from './platform/web-build.js';

export async function buildApp(ctx: AppRoot, features: AppFeature[] = FEATURES): Promise<App> {
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
  ctx: AppRoot,
  features: AppFeature[] = FEATURES,
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
  ctx: AppRoot,
  features: AppFeature[] = FEATURES,
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
