// GET /metrics: what Prometheus reads (latency by route pattern, queue, outbox, pool, process)
// and who may read it outside demo mode.
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { enqueue } from '../../src/server/platform/jobs.js';
import { registerScrapeGauge } from '../../src/server/platform/metrics.js';
import { createTestApp } from '../helpers/app.js';

/** The value of one sample line, e.g. `job_queue_jobs{state="ready"}`. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('metrics in demo mode', async () => {
  const t = await createTestApp();
  afterAll(() => t.close());
  const scrape = async () => {
    const res = await t.app.inject('/metrics');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    return res.body;
  };

  it('times requests by route pattern and status class, never by raw URL', async () => {
    const id = '5f0c1d2e-3b4a-4c5d-8e9f-0a1b2c3d4e5f';
    await t.app.inject(`/api/dossiers/${id}?onBehalfOf=DURAND`);
    await t.app.inject('/api/directory/search?name=lefevre');
    await t.app.inject('/nulle-part/invitation/abcdefabcdef.png');
    const text = await scrape();
    expect(
      sample(
        text,
        'http_request_duration_seconds_count{method="GET",route="/api/dossiers/:id",status_class="4xx"}',
      ),
    ).toBe(1);
    expect(
      sample(
        text,
        'http_request_duration_seconds_count{method="GET",route="/api/directory/search",status_class="4xx"}',
      ),
    ).toBe(1);
    expect(text).toContain('route="unmatched"');
    for (const raw of [id, 'DURAND', 'lefevre', 'abcdefabcdef']) expect(text).not.toContain(raw);
  });

  it('reads the job queue, the outbox and the pool at scrape time', async () => {
    const before = await scrape();
    expect(sample(before, 'job_queue_jobs{state="ready"}')).toBe(0);
    await enqueue(t.ctx.db, 'metrics_probe', {});
    await enqueue(t.ctx.db, 'metrics_probe', {}, { runAt: new Date(Date.now() + 3_600_000) });
    await enqueue(t.ctx.db, 'metrics_probe', {}, { maxAttempts: 1 });
    await sql`update graphile_worker._private_jobs set attempts = 1
      where id = (select max(id) from graphile_worker._private_jobs)`.execute(t.ctx.db);
    await sql`insert into mail_outbox (kind, to_address, subject, text_body, html_body, attempts, sent_at, created_at)
      values ('probe', 'a@example.org', 'Objet', 't', 'h', 0, null, now() - interval '90 seconds'),
             ('probe', 'b@example.org', 'Objet', 't', 'h', 3, null, now()),
             ('probe', 'c@example.org', 'Objet', 't', 'h', 1, now(), now())`.execute(t.ctx.db);
    const text = await scrape();
    expect(sample(text, 'job_queue_jobs{state="ready"}')).toBe(1);
    expect(sample(text, 'job_queue_jobs{state="scheduled"}')).toBe(1);
    expect(sample(text, 'job_queue_jobs{state="failed"}')).toBe(1);
    expect(sample(text, 'job_queue_jobs{state="locked"}')).toBe(0);
    expect(sample(text, 'mail_outbox_messages{state="sent"}')).toBe(1);
    expect(sample(text, 'mail_outbox_messages{state="pending"}')).toBe(1);
    expect(sample(text, 'mail_outbox_messages{state="failing"}')).toBe(1);
    expect(sample(text, 'mail_outbox_oldest_unsent_seconds')).toBeGreaterThanOrEqual(89);
    expect(sample(text, 'db_pool_connections{state="max"}')).toBe(10);
    expect(sample(text, 'db_pool_connections{state="total"}')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'db_pool_connections{state="waiting"}')).toBeGreaterThanOrEqual(0);
    // Node's own figures.
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(text).toContain('nodejs_eventloop_lag_seconds');
    expect(text).toContain('nodejs_heap_size_used_bytes');
  });

  it('lets another feature add a gauge read at scrape time', async () => {
    let people = 20_000;
    registerScrapeGauge(t.ctx, {
      name: 'directory_import_people',
      help: 'probe',
      collect: () => [{ value: people }],
    });
    expect(sample(await scrape(), 'directory_import_people')).toBe(20_000);
    people = 20_001;
    expect(sample(await scrape(), 'directory_import_people')).toBe(20_001);
    registerScrapeGauge(t.ctx, {
      name: 'probe_broken',
      help: 'probe',
      collect: () => {
        throw new Error('lost');
      },
    });
    // One unreadable gauge does not take the others down.
    expect(sample(await scrape(), 'directory_import_people')).toBe(20_001);
  });

  it('is not in the OpenAPI document', async () => {
    const doc = (await t.app.inject('/api/openapi.json')).json();
    expect(Object.keys(doc.paths)).not.toContain('/metrics');
  });
});

const production = {
  DEMO: 'false',
  SESSION_SECRET: 'production-secret-production-secret-0000',
  PUBLIC_URL: 'https://delegations.example.org',
  SMTP_URL: 'smtp://127.0.0.1:9',
};

describe('metrics with DEMO off and METRICS_TOKEN', async () => {
  const token = 'metrics-token-0123456789abcdef';
  const t = await createTestApp({ env: { ...production, METRICS_TOKEN: token } });
  afterAll(() => t.close());

  it('answers only with the bearer token, in French otherwise', async () => {
    const none = await t.app.inject('/metrics');
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Bearer realm="metrics"');
    expect(none.json().message).toBe('Jeton d’accès aux métriques absent ou invalide.');
    const wrong = await t.app.inject({ url: '/metrics', headers: { authorization: `Bearer ${token}x` } });
    expect(wrong.statusCode).toBe(401);
    const basic = await t.app.inject({ url: '/metrics', headers: { authorization: `Basic ${token}` } });
    expect(basic.statusCode).toBe(401);
    const ok = await t.app.inject({
      url: '/metrics',
      headers: { authorization: `Bearer ${token}` },
      remoteAddress: '203.0.113.9',
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toContain('http_request_duration_seconds_bucket');
  });
});

describe('metrics with DEMO off and no METRICS_TOKEN', async () => {
  const t = await createTestApp({ env: production });
  afterAll(() => t.close());

  it('answers from loopback only, and not through a proxy', async () => {
    expect((await t.app.inject({ url: '/metrics', remoteAddress: '127.0.0.1' })).statusCode).toBe(200);
    expect((await t.app.inject({ url: '/metrics', remoteAddress: '::1' })).statusCode).toBe(200);
    const remote = await t.app.inject({ url: '/metrics', remoteAddress: '203.0.113.9' });
    expect(remote.statusCode).toBe(403);
    expect(remote.json().message).toMatch(/^Les métriques ne sont accessibles que/);
    const proxied = await t.app.inject({
      url: '/metrics',
      remoteAddress: '127.0.0.1',
      headers: { 'x-forwarded-for': '203.0.113.9' },
    });
    expect(proxied.statusCode).toBe(403);
  });
});
