// Prometheus metrics at GET /metrics: request latency per route pattern, job queue depth, the
// email outbox, the pool, and the Node process. Database figures are read at scrape time with
// one cheap query each, so every node reports the shared queue the same way.
import crypto from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { sql } from 'kysely';
import client from 'prom-client';
import type { AppContext, Feature } from '../app.js';
import { DomainError } from './errors.js';

export interface Metrics {
  registry: client.Registry;
  httpDuration: client.Histogram<'method' | 'route' | 'status_class'>;
}

/** One value of a gauge read at scrape time. */
export interface GaugeValue {
  labels?: Record<string, string>;
  value: number;
}

export interface ScrapeGauge {
  name: string;
  help: string;
  labelNames?: string[];
  /** Called at each scrape; a throw leaves the gauge empty for that scrape (logged as a code only). */
  collect(): Promise<GaugeValue[]> | GaugeValue[];
}

// One registry per application context: tests run several applications in one process, and
// prom-client's global registry refuses a metric name twice.
const registries = new WeakMap<AppContext, Metrics>();

export function metricsOf(ctx: AppContext): Metrics {
  let metrics = registries.get(ctx);
  if (!metrics) {
    const registry = new client.Registry();
    client.collectDefaultMetrics({ register: registry });
    metrics = {
      registry,
      httpDuration: new client.Histogram({
        name: 'http_request_duration_seconds',
        help: 'Durée des requêtes HTTP, par méthode, modèle de route et classe de statut',
        labelNames: ['method', 'route', 'status_class'],
        buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
        registers: [registry],
      }),
    };
    registries.set(ctx, metrics);
  }
  return metrics;
}

/**
 * The hook for other features (e.g. the directory import status): a gauge whose values are
 * read at each scrape. Call it from a feature's routes() or start(); the name must be unique.
 */
export function registerScrapeGauge(ctx: AppContext, gauge: ScrapeGauge): void {
  const { registry } = metricsOf(ctx);
  new client.Gauge({
    name: gauge.name,
    help: gauge.help,
    labelNames: gauge.labelNames ?? [],
    registers: [registry],
    async collect() {
      this.reset();
      let values: GaugeValue[];
      try {
        values = await gauge.collect();
      } catch (err) {
        ctx.logger.warn(
          { metric: gauge.name, err: { code: (err as { code?: string }).code } },
          'métrique illisible',
        );
        return;
      }
      for (const v of values) {
        if (v.labels) this.set(v.labels, v.value);
        else this.set(v.value);
      }
    },
  });
}

function registerDatabaseGauges(ctx: AppContext) {
  const { pool, db } = ctx;
  registerScrapeGauge(ctx, {
    name: 'db_pool_connections',
    help: 'Connexions du pool PostgreSQL de ce processus : total, inactives, requêtes en attente, maximum',
    labelNames: ['state'],
    collect: () => [
      { labels: { state: 'total' }, value: pool.totalCount },
      { labels: { state: 'idle' }, value: pool.idleCount },
      { labels: { state: 'waiting' }, value: pool.waitingCount },
      { labels: { state: 'max' }, value: pool.options.max ?? 10 },
    ],
  });

  registerScrapeGauge(ctx, {
    name: 'job_queue_jobs',
    help: 'Tâches de la file (graphile-worker) : prêtes, planifiées, verrouillées (en cours), en échec définitif',
    labelNames: ['state'],
    async collect() {
      const { rows } = await sql<{ ready: number; scheduled: number; locked: number; failed: number }>`
        select
          count(*) filter (where locked_at is null and attempts < max_attempts and run_at <= now())::int as ready,
          count(*) filter (where locked_at is null and attempts < max_attempts and run_at > now())::int as scheduled,
          count(*) filter (where locked_at is not null)::int as locked,
          count(*) filter (where attempts >= max_attempts)::int as failed
        from graphile_worker._private_jobs`.execute(db);
      const r = rows[0] ?? { ready: 0, scheduled: 0, locked: 0, failed: 0 };
      return (['ready', 'scheduled', 'locked', 'failed'] as const).map((state) => ({
        labels: { state },
        value: r[state],
      }));
    },
  });

  registerScrapeGauge(ctx, {
    name: 'mail_outbox_messages',
    help: 'Courriels de la file d’envoi : envoyés, en attente (pas encore tentés), en échec (tentés, non envoyés)',
    labelNames: ['state'],
    async collect() {
      const { rows } = await sql<{ sent: number; pending: number; failing: number }>`
        select
          count(*) filter (where sent_at is not null)::int as sent,
          count(*) filter (where sent_at is null and attempts = 0)::int as pending,
          count(*) filter (where sent_at is null and attempts > 0)::int as failing
        from mail_outbox`.execute(db);
      const r = rows[0] ?? { sent: 0, pending: 0, failing: 0 };
      return (['sent', 'pending', 'failing'] as const).map((state) => ({
        labels: { state },
        value: r[state],
      }));
    },
  });

  registerScrapeGauge(ctx, {
    name: 'mail_outbox_oldest_unsent_seconds',
    help: 'Âge du plus ancien courriel non envoyé (0 si aucun)',
    async collect() {
      const { rows } = await sql<{ age: number | null }>`
        select extract(epoch from now() - min(created_at))::float8 as age
        from mail_outbox where sent_at is null`.execute(db);
      return [{ value: Math.max(0, rows[0]?.age ?? 0) }];
    },
  });
}

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3})$/;

const digest = (value: string) => crypto.createHash('sha256').update(value).digest();

/**
 * Demo mode: open. Otherwise with METRICS_TOKEN: `Authorization: Bearer <token>` only. Without
 * it: loopback only, and not through a proxy (a reverse proxy on the same host would otherwise
 * make every outside request look local).
 */
export function metricsAccess(
  config: AppContext['config'],
  request: Pick<FastifyRequest, 'headers'> & { socket: { remoteAddress?: string } },
): 'allowed' | 'unauthenticated' | 'forbidden' {
  if (config.demo) return 'allowed';
  if (config.metricsToken) {
    const given = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '')?.[1];
    if (given && crypto.timingSafeEqual(digest(given), digest(config.metricsToken))) return 'allowed';
    return 'unauthenticated';
  }
  const proxied = request.headers['x-forwarded-for'] !== undefined || request.headers.forwarded !== undefined;
  return !proxied && LOOPBACK.test(request.socket.remoteAddress ?? '') ? 'allowed' : 'forbidden';
}

export const metricsFeature: Feature = {
  name: 'metrics',
  routes(app, ctx) {
    const metrics = metricsOf(ctx);
    registerDatabaseGauges(ctx);

    // The route pattern, never the raw URL: a URL may carry a searched name or a token, and
    // one label value per URL would grow without bound.
    app.addHook('onResponse', (request, reply, done) => {
      metrics.httpDuration.observe(
        {
          method: request.method,
          route: request.routeOptions.url ?? 'unmatched',
          status_class: `${Math.floor(reply.statusCode / 100)}xx`,
        },
        reply.elapsedTime / 1000,
      );
      done();
    });

    app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
      const access = metricsAccess(ctx.config, request);
      if (access === 'unauthenticated') {
        reply.header('www-authenticate', 'Bearer realm="metrics"');
        throw new DomainError('unauthenticated', 'Jeton d’accès aux métriques absent ou invalide.', 401);
      }
      if (access === 'forbidden') {
        throw new DomainError(
          'forbidden',
          'Les métriques ne sont accessibles que depuis la machine elle-même (ou avec METRICS_TOKEN).',
          403,
        );
      }
      const body = await metrics.registry.metrics();
      return reply.type(metrics.registry.contentType).header('cache-control', 'no-store').send(body);
    });
  },
};
