// Prometheus metrics at GET /metrics: request latency per route pattern, job queue depth, the
// email outbox, the pool, and the Node process. Database figures are read at scrape time with
// one cheap query each, so every node reports the shared queue the same way.
import crypto from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { DomainError } from './errors.js';
import type { Feature, PlatformContext } from './feature.js';
import { registerScrapeGauge } from './metrics-registry.js';

export {
  createMetrics,
  type GaugeValue,
  type Metrics,
  registerScrapeGauge,
  type ScrapeGauge,
} from './metrics-registry.js';

/** What the metrics feature needs of the application context. */
export type MetricsContext = Pick<PlatformContext<unknown>, 'config' | 'pool' | 'logger' | 'metrics'>;

function registerDatabaseGauges(ctx: MetricsContext) {
  const { pool } = ctx;
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
      const { rows } = await pool.query<{
        ready: number;
        scheduled: number;
        locked: number;
        failed: number;
      }>(`
        select
          count(*) filter (where locked_at is null and attempts < max_attempts and run_at <= now())::int as ready,
          count(*) filter (where locked_at is null and attempts < max_attempts and run_at > now())::int as scheduled,
          count(*) filter (where locked_at is not null)::int as locked,
          count(*) filter (where attempts >= max_attempts)::int as failed
        from graphile_worker._private_jobs`);
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
      const { rows } = await pool.query<{ sent: number; pending: number; failing: number }>(`
        select
          count(*) filter (where sent_at is not null)::int as sent,
          count(*) filter (where sent_at is null and attempts = 0)::int as pending,
          count(*) filter (where sent_at is null and attempts > 0)::int as failing
        from mail_outbox`);
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
      const { rows } = await pool.query<{ age: number | null }>(`
        select extract(epoch from now() - min(created_at))::float8 as age
        from mail_outbox where sent_at is null`);
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
  config: MetricsContext['config'],
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

export const metricsFeature: Feature<MetricsContext> = {
  name: 'metrics',
  routes(app, ctx) {
    const { metrics } = ctx;
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
