// Two application processes on one PostgreSQL, started at the same time on an empty database,
// as production runs them (DATABASE_URL, DEMO=false, one SESSION_SECRET, a real SMTP server):
// they migrate once between them, share sessions, send each email once and schedule the daily
// job once per day.

import crypto from 'node:crypto';
import { promises as fs } from 'node:fs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Database, Db } from '../../src/server/context.js';
import { DAILY_TASK } from '../../src/server/delegations/daily.js';
import {
  createDb,
  createPool,
  ensureDatabase,
  MIGRATIONS_DIR,
  migrate,
} from '../../src/server/platform/database.js';
import { todayInParis } from '../../src/server/platform/paris-time.js';
import type { RunningServer } from '../helpers/server.js';
import {
  Client,
  createDoctorWithPassword,
  type SmtpCapture,
  staffInput,
  startNode,
  startSmtpCapture,
  until,
} from './support.js';

async function emptyDatabase(): Promise<string> {
  return ensureDatabase(inject('pgServerUrl'), `n_${crypto.randomBytes(6).toString('hex')}`);
}

/** The JSON log lines of a node whose message is `msg`. */
function logLines(node: RunningServer, msg: string): Record<string, unknown>[] {
  return node
    .logs()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => {
      try {
        return JSON.parse(l) as Record<string, unknown>;
      } catch {
        return {};
      }
    })
    .filter((l) => l.msg === msg);
}

const sentBy = (node: RunningServer) => logLines(node, 'courriel envoyé').map((l) => String(l.outboxId));

describe('migrate() called concurrently', { timeout: 120_000 }, () => {
  it('four pools migrating one empty database at once apply each migration exactly once (3 rounds)', async () => {
    const files = (await fs.readdir(MIGRATIONS_DIR)).filter((f) => /^\d{4}_[\w-]+\.sql$/.test(f));
    for (let round = 0; round < 3; round++) {
      const url = await emptyDatabase();
      const pools = Array.from({ length: 4 }, () => createPool(url, 2));
      const dbs = pools.map((p) => createDb<Database>(p));
      try {
        const applied = await Promise.all(dbs.map((db, i) => migrate(db, pools[i] as never)));
        // Each migration applied by exactly one of the four.
        expect(applied.flat().sort()).toEqual(files.map((f) => f.replace(/\.sql$/, '')).sort());
        const rows = await sql<{ name: string; n: number }>`
          select name, count(*)::int as n from kysely_migration group by name`.execute(dbs[0] as Db);
        expect(rows.rows).toHaveLength(files.length);
        const worker = await sql<{ n: number; d: number }>`
          select count(*)::int as n, count(distinct id)::int as d from graphile_worker.migrations`.execute(
          dbs[0] as Db,
        );
        expect(worker.rows[0]?.n).toBe(worker.rows[0]?.d);
        expect(worker.rows[0]?.n).toBeGreaterThan(10);
      } finally {
        await Promise.all(dbs.map((db) => db.destroy()));
      }
    }
  });
});

describe('two nodes on one PostgreSQL', { timeout: 150_000 }, () => {
  let smtp: SmtpCapture;
  let url: string;
  let db: Db;
  let a: RunningServer;
  let b: RunningServer;
  let doctor: Awaited<ReturnType<typeof createDoctorWithPassword>>;

  beforeAll(async () => {
    smtp = await startSmtpCapture();
    url = await emptyDatabase();
    // Started at the same time, on a database without a single table.
    [a, b] = await Promise.all([
      startNode({ databaseUrl: url, smtpUrl: smtp.url }),
      startNode({ databaseUrl: url, smtpUrl: smtp.url }),
    ]);
    db = createDb<Database>(createPool(url, 4));
    doctor = await createDoctorWithPassword(db);
  }, 180_000);

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await db?.destroy();
    await smtp?.stop();
  });

  it('both become ready and every migration is applied once, by one node or the other', async () => {
    const files = (await fs.readdir(MIGRATIONS_DIR))
      .filter((f) => /^\d{4}_[\w-]+\.sql$/.test(f))
      .map((f) => f.replace(/\.sql$/, ''))
      .sort();
    const rows = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db);
    expect(rows.rows.map((r) => r.name)).toEqual(files);
    const byA = logLines(a, 'migrations appliquées').flatMap((l) => l.applied as string[]);
    const byB = logLines(b, 'migrations appliquées').flatMap((l) => l.applied as string[]);
    expect([...byA, ...byB].sort()).toEqual(files);
    const worker = await sql<{ n: number; d: number }>`
      select count(*)::int as n, count(distinct id)::int as d from graphile_worker.migrations`.execute(db);
    expect(worker.rows[0]?.n).toBe(worker.rows[0]?.d);
    for (const node of [a, b]) expect((await fetch(`${node.url}/ready`)).status).toBe(200);
  });

  it('a session opened on node A works on node B, CSRF token included, and a sign-out on B ends it on A', async () => {
    const browser = new Client(a.url);
    await browser.signIn('docteur1@exemple.test');
    const me = await browser.request('GET', '/api/me', undefined, b.url);
    expect(me.status).toBe(200);
    expect(me.body.id).toBe(doctor.id);
    // The token node A gave is accepted by node B (one SESSION_SECRET).
    const today = todayInParis(new Date());
    const created = await browser.request('POST', '/api/delegations/staff', staffInput(0, today), b.url);
    expect(created.status).toBe(201);
    const sid = browser.cookies.get('sid') as string;
    const out = await browser.request('POST', '/api/auth/logout', {}, b.url);
    expect(out.status).toBeLessThan(400);
    browser.cookies.set('sid', sid); // a stolen copy of the cookie is worthless on A too
    expect((await browser.request('GET', '/api/me', undefined, a.url)).status).toBe(401);
  });

  it('N emails queued through both nodes are each delivered exactly once though both run workers', async () => {
    const browser = new Client(a.url);
    await browser.signIn('docteur1@exemple.test');
    const today = todayInParis(new Date());
    const N = 24;
    const results = await Promise.all(
      Array.from({ length: N }, (_, i) =>
        browser.request('POST', '/api/delegations/staff', staffInput(i + 1, today), i % 2 ? b.url : a.url),
      ),
    );
    // On failure, say what each refused request answered (a rare failure seen once in CI).
    expect(
      results.map((r) => r.status),
      JSON.stringify(results.filter((r) => r.status !== 201)),
    ).toEqual(Array(N).fill(201));

    const outbox = await db.selectFrom('mail_outbox').select(['id']).execute();
    // And the one of the previous test.
    expect(
      outbox.length,
      JSON.stringify(await db.selectFrom('mail_outbox').select(['kind', 'to_address']).execute()),
    ).toBe(N + 1);
    await until(
      'every email sent',
      async () =>
        (
          await sql<{ n: number }>`select count(*)::int as n from mail_outbox where sent_at is null`.execute(
            db,
          )
        ).rows[0]?.n,
      (n) => n === 0,
      90_000,
    );
    // The queue is empty: no job left that could send one again.
    await until(
      'mail jobs done',
      async () =>
        (
          await sql<{
            n: number;
          }>`select count(*)::int as n from graphile_worker.jobs where task_identifier = 'mail_send'`.execute(
            db,
          )
        ).rows[0]?.n,
      (n) => n === 0,
    );
    const ids = outbox.map((r) => r.id).sort();
    const received = smtp.received.map((m) => /^<([0-9a-f-]{36})@/.exec(m.messageId)?.[1]).sort();
    expect(received).toEqual(ids);
    // Each node says which it sent: together all of them, none twice.
    const fromA = sentBy(a);
    const fromB = sentBy(b);
    expect([...fromA, ...fromB].sort()).toEqual(ids);
    console.log(`courriels envoyés : nœud A ${fromA.length}, nœud B ${fromB.length}`);
  });

  it('the daily job is scheduled once per day across both nodes, backfill included', async () => {
    await Promise.all([a.stop(), b.stop()]);
    const known = await sql<{ identifier: string }>`
      select identifier from graphile_worker._private_known_crontabs`.execute(db);
    expect(known.rows.map((r) => r.identifier)).toContain(DAILY_TASK);
    // The nodes were down three days: on return each backfills the last two (?fill=2d), both
    // at once. Every job the scheduler adds is recorded by a trigger.
    await sql`update graphile_worker._private_known_crontabs
      set known_since = now() - interval '10 days', last_execution = now() - interval '3 days'
      where identifier = ${DAILY_TASK}`.execute(db);
    await sql`create table cron_jobs_seen (task text, ts text, at timestamptz default clock_timestamp())`.execute(
      db,
    );
    await sql
      .raw(`create function note_cron_job() returns trigger language plpgsql as $$
        begin
          insert into cron_jobs_seen (task, ts)
            select t.identifier, new.payload->'_cron'->>'ts'
            from graphile_worker._private_tasks t where t.id = new.task_id;
          return new;
        end $$;
      create trigger note_cron_job after insert on graphile_worker._private_jobs
        for each row execute function note_cron_job();`)
      .execute(db);

    [a, b] = await Promise.all([
      startNode({ databaseUrl: url, smtpUrl: smtp.url }),
      startNode({ databaseUrl: url, smtpUrl: smtp.url }),
    ]);
    // Each node logs when its scheduler has finished its backfill.
    await until(
      'both schedulers started',
      async () => [a, b].map((n) => logLines(n, 'planificateur prêt').length),
      (c) => c.every((n) => n >= 1),
      60_000,
    );
    const seen = await sql<{ task: string; ts: string }>`
      select task, ts from cron_jobs_seen where task = ${DAILY_TASK} order by ts`.execute(db);
    // 05:30 UTC happened exactly twice in the last 48 hours.
    expect(seen.rows).toHaveLength(2);
    expect(new Set(seen.rows.map((r) => r.ts)).size).toBe(2);
    for (const r of seen.rows) expect(r.ts).toMatch(/T05:30:00\.000Z$/);
    // And they ran (the daily function itself is idempotent under concurrent runs as well:
    // test/delegations/service.test.ts, "two nodes").
    await until(
      'daily jobs done',
      async () =>
        (
          await sql<{
            n: number;
          }>`select count(*)::int as n from graphile_worker.jobs where task_identifier = ${DAILY_TASK}`.execute(
            db,
          )
        ).rows[0]?.n,
      (n) => n === 0,
      60_000,
    );
  });
});
