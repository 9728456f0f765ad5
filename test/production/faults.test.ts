// Faults, against the real application process on its own PostgreSQL: the database restarted
// under load, the SMTP server down for a while, the application killed with SIGKILL in the
// middle of writes and email sends.

import { promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database, Db } from '../../src/server/context.js';
import { verifyJournal } from '../../src/server/journal/index.js';
import { createDb, createPool, ensureDatabase } from '../../src/server/platform/database.js';
import {
  type EmbeddedPostgresHandle,
  isAlive,
  startEmbeddedPostgres,
} from '../../src/server/platform/embedded-postgres.js';
import { enqueue, startWorker } from '../../src/server/platform/jobs.js';
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

const PG_SETTINGS = { fsync: 'off', synchronous_commit: 'off' };

interface Outcome {
  at: number;
  ms: number;
  status: number | 'timeout' | 'network';
  code?: string;
  message?: string;
  retryAfter?: string | null;
}

/** Keeps `concurrency` database-backed requests in flight until stopped; records every outcome. */
function loadOn(base: string, cookie: string, concurrency: number) {
  const outcomes: Outcome[] = [];
  let running = true;
  const paths = ['/api/me', '/api/delegations'];
  const loop = async (n: number) => {
    let i = n;
    while (running) {
      const t0 = Date.now();
      try {
        const res = await fetch(`${base}${paths[i++ % paths.length]}`, {
          headers: { cookie },
          signal: AbortSignal.timeout(20_000),
        });
        const body = (await res.json().catch(() => ({}))) as { code?: string; message?: string };
        outcomes.push({
          at: t0,
          ms: Date.now() - t0,
          status: res.status,
          code: body.code,
          message: body.message,
          retryAfter: res.headers.get('retry-after'),
        });
      } catch (err) {
        const timeout = (err as Error).name === 'TimeoutError';
        outcomes.push({ at: t0, ms: Date.now() - t0, status: timeout ? 'timeout' : 'network' });
      }
      // A client that backs off a little, as the web app does; keeps the 2 cores breathing.
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const loops = Array.from({ length: concurrency }, (_, n) => loop(n));
  return {
    outcomes,
    since: (t: number) => outcomes.filter((o) => o.at >= t),
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}

function postmasterPid(dir: string): number {
  return Number(readFileSync(path.join(dir, 'postmaster.pid'), 'utf8').split('\n')[0]);
}

describe('faults', { timeout: 150_000 }, () => {
  let tmp: string;
  let pgDir: string;
  let pg: EmbeddedPostgresHandle;
  let url: string;
  let db: Db;
  let smtp: SmtpCapture;
  let app: RunningServer;
  const today = todayInParis(new Date());

  beforeAll(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'dd-faults-'));
    pgDir = path.join(tmp, 'pg');
    pg = await startEmbeddedPostgres({ dir: pgDir, settings: PG_SETTINGS });
    url = await ensureDatabase(pg.url, 'faults');
    smtp = await startSmtpCapture();
    app = await startNode({ databaseUrl: url, smtpUrl: smtp.url });
    db = createDb<Database>(createPool(url, 4));
  }, 180_000);

  afterAll(async () => {
    await app?.stop();
    await db?.destroy();
    await smtp?.stop();
    await pg?.stop();
    if (tmp) await fs.rm(tmp, { recursive: true, force: true });
  });

  it('PostgreSQL restarted under load (fast shutdown, then crash): 503 with a French message at once, then recovery without restarting the application', async () => {
    await createDoctorWithPassword(db, 1);
    const browser = new Client(app.url);
    await browser.signIn('docteur1@exemple.test');
    const pid = app.child.pid;

    for (const signal of ['SIGINT', 'SIGQUIT'] as const) {
      const load = loadOn(app.url, browser.cookieHeader, 6);
      try {
        await until(
          'requests flowing',
          async () => load.outcomes.filter((o) => o.status === 200).length,
          (n) => n >= 20,
          30_000,
        );
        // SIGINT: fast shutdown (sessions aborted, checkpoint). SIGQUIT: immediate, as in a crash.
        const downAt = Date.now();
        const pgPid = postmasterPid(pgDir);
        if (signal === 'SIGINT') await pg.stop();
        else {
          process.kill(pgPid, 'SIGQUIT');
          await until(
            'postgres gone',
            async () => isAlive(pgPid),
            (alive) => !alive,
            30_000,
            50,
          );
        }
        await until(
          'requests answered 503 while the database is down',
          async () => load.since(downAt).filter((o) => o.status === 503).length,
          (n) => n >= 30,
          30_000,
        );
        const upAt = Date.now();
        pg = await startEmbeddedPostgres({ dir: pgDir, port: pg.port, settings: PG_SETTINGS });
        await until(
          'requests served again',
          async () => load.since(upAt).filter((o) => o.status === 200).length,
          (n) => n >= 30,
          60_000,
        );
        const recoveredAfter = (load.since(upAt).find((o) => o.status === 200)?.at ?? Date.now()) - upAt;
        await load.stop();

        const during = load.since(downAt);
        const statuses = new Set(during.map((o) => o.status));
        // Only "served" or "unavailable, retry": never a 500, a hang or a dropped connection.
        expect([...statuses].sort()).toEqual([200, 503]);
        const unavailable = during.filter((o) => o.status === 503);
        for (const o of unavailable) {
          expect(o.code).toBe('unavailable');
          expect(o.message).toBe(
            'Service momentanément indisponible, veuillez réessayer dans quelques instants.',
          );
          expect(o.retryAfter).toBe('5');
        }
        const slowest = Math.max(...unavailable.map((o) => o.ms));
        const sorted = unavailable.map((o) => o.ms).sort((x, y) => x - y);
        const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
        // Fast: a refused connection answers at once; at worst the pool's 5 s connection timeout.
        expect(median).toBeLessThan(1_000);
        expect(slowest).toBeLessThan(7_000);
        console.log(
          `${signal}: ${unavailable.length} réponses 503 (médiane ${median} ms, max ${slowest} ms), service rétabli ${recoveredAfter} ms après le redémarrage de PostgreSQL`,
        );
      } finally {
        await load.stop();
      }
    }
    // Its worker pool says it is alive again (otherwise another node would free its jobs).
    await until(
      'worker liveness connection back',
      async () =>
        (
          await sql<{ n: number }>`
            select count(*)::int as n from pg_stat_activity where application_name like 'dd-worker pool-%'`.execute(
            db,
          )
        ).rows[0]?.n,
      (n) => n === 1,
      30_000,
    );
    // The same process all along.
    expect(app.child.pid).toBe(pid);
    expect(app.child.exitCode).toBeNull();
    expect((await fetch(`${app.url}/ready`)).status).toBe(200);
  });

  it('a job that ends while PostgreSQL is down is recorded once it returns: the worker and its process survive', async () => {
    // In this process, so that an unhandled rejection (graphile-worker does not await the
    // completion of a job) fails the run instead of killing a child silently.
    const pool = createPool(url, 2);
    let started = () => {};
    const running = new Promise<void>((r) => {
      started = r;
    });
    let finish = () => {};
    const gate = new Promise<void>((r) => {
      finish = r;
    });
    const worker = await startWorker({
      pool,
      tasks: {
        probe_slow: async () => {
          started();
          await gate;
        },
        probe_quick: async () => {},
      },
      pollInterval: 200,
    });
    try {
      await enqueue(db, 'probe_slow', {});
      await running;
      await pg.stop();
      finish(); // the job ends now, its completion cannot be written
      const downUntil = Date.now() + 1500;
      await until(
        'outage',
        async () => Date.now(),
        (t) => t > downUntil,
        5_000,
        100,
      );
      pg = await startEmbeddedPostgres({ dir: pgDir, port: pg.port, settings: PG_SETTINGS });
      const pending = async () =>
        (
          await sql<{ n: number }>`
            select count(*)::int as n from graphile_worker.jobs where task_identifier like 'probe_%'`.execute(
            db,
          )
        ).rows[0]?.n;
      await until('slow job recorded as done', pending, (n) => n === 0, 60_000);
      await enqueue(db, 'probe_quick', {});
      await until('the worker still takes jobs', pending, (n) => n === 0, 30_000);
    } finally {
      finish();
      await worker.stop();
      await pool.end();
    }
    expect(app.child.exitCode).toBeNull();
    await until(
      'app ready again',
      async () => (await fetch(`${app.url}/ready`)).status,
      (s) => s === 200,
      30_000,
    );
  });

  it('SMTP server down for a while: the emails wait in the queue and are delivered once when it returns', async () => {
    await createDoctorWithPassword(db, 2);
    const browser = new Client(app.url);
    await browser.signIn('docteur2@exemple.test');
    const before = new Set((await db.selectFrom('mail_outbox').select('id').execute()).map((r) => r.id));
    await smtp.stop();
    const N = 6;
    for (let i = 0; i < N; i++) {
      const res = await browser.request('POST', '/api/delegations/staff', staffInput(100 + i, today));
      expect(res.status).toBe(201);
    }
    const mine = (await db.selectFrom('mail_outbox').select('id').execute())
      .map((r) => r.id)
      .filter((id) => !before.has(id));
    expect(mine).toHaveLength(N);
    // Each has been tried at least twice and failed, nothing is marked sent.
    await until(
      'sends failing while SMTP is down',
      async () =>
        db
          .selectFrom('mail_outbox')
          .select(['attempts', 'sent_at', 'last_error'])
          .where('id', 'in', mine)
          .execute(),
      (rows) => rows.every((r) => r.attempts >= 2 && r.sent_at === null && r.last_error !== null),
      60_000,
    );
    const receivedBefore = smtp.received.length;
    await smtp.start();
    await until(
      'all sent after SMTP returned',
      async () => db.selectFrom('mail_outbox').select(['sent_at']).where('id', 'in', mine).execute(),
      (rows) => rows.every((r) => r.sent_at !== null),
      90_000,
    );
    await until(
      'queue empty',
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
    const got = smtp.received
      .slice(receivedBefore)
      .map((m) => /^<([0-9a-f-]{36})@/.exec(m.messageId)?.[1] ?? '')
      .sort();
    expect(got).toEqual([...mine].sort());
  });

  it('the application killed with SIGKILL in the middle of writes and sends: no partial write, and the jobs resume after restart', async () => {
    const doctors = [];
    for (let d = 0; d < 6; d++) doctors.push(await createDoctorWithPassword(db, 10 + d));
    const browsers = doctors.map(() => new Client(app.url));
    for (const [i, b] of browsers.entries()) await b.signIn(`docteur${10 + i}@exemple.test`);
    const doctorIds = doctors.map((d) => d.id);

    // Sends hang in the middle of DATA: the worker holds its jobs when the process dies.
    smtp.stall(true);
    const receivedBefore = smtp.received.length;
    const answers: { status: number | 'network'; id?: string }[] = [];
    const inFlight = browsers.flatMap((b, d) =>
      Array.from({ length: 8 }, (_, i) =>
        b.request('POST', '/api/delegations/staff', staffInput(200 + d * 10 + i, today)).then(
          (r) => answers.push({ status: r.status, id: r.body.id as string }),
          () => answers.push({ status: 'network' }),
        ),
      ),
    );
    await until(
      'some created, some sends held',
      async () => ({ created: answers.filter((a) => a.status === 201).length, held: smtp.stalled() }),
      (s) => s.created >= 5 && s.held >= 1,
      60_000,
      20,
    );
    await app.kill();
    await Promise.all(inFlight);
    const lost = answers.filter((a) => a.status === 'network').length;
    expect(answers.every((a) => a.status === 201 || a.status === 'network')).toBe(true);

    // The dead process's jobs are still locked by its worker pool.
    const locked = await sql<{ n: number }>`
      select count(*)::int as n from graphile_worker._private_jobs where locked_by is not null`.execute(db);
    expect(locked.rows[0]?.n).toBeGreaterThanOrEqual(1);

    // Invariants: a delegation exists with its journal entry, invitation and email, or not at all.
    const delegations = await db
      .selectFrom('delegations')
      .select(['id', 'delegate_email'])
      .where('delegator_id', 'in', doctorIds)
      .execute();
    for (const a of answers.filter((x) => x.status === 201)) {
      expect(delegations.map((d) => d.id)).toContain(a.id);
    }
    const ids = delegations.map((d) => d.id);
    const check = await sql<{
      id: string;
      created: number;
      sent: number;
      invitations: number;
      outbox: number;
    }>`
      select d.id,
        (select count(*)::int from journal_entries j where j.delegation_id = d.id and j.action = 'delegation.created') as created,
        (select count(*)::int from journal_entries j where j.delegation_id = d.id and j.action = 'invitation.sent') as sent,
        (select count(*)::int from invitations i where i.delegation_id = d.id) as invitations,
        (select count(*)::int from mail_outbox o where o.to_address = d.delegate_email and o.kind = 'delegation_invitation') as outbox
      from delegations d where d.id = any(${ids}::uuid[])`.execute(db);
    for (const row of check.rows) {
      expect(row).toEqual({ id: row.id, created: 1, sent: 1, invitations: 1, outbox: 1 });
    }
    // No orphan: no email, no journal entry for a delegation that is not there.
    const orphans = await sql<{ n: number }>`
      select count(*)::int as n from journal_entries j
      where j.on_behalf_of_id = any(${doctorIds}::uuid[]) and j.delegation_id is not null
        and not exists (select 1 from delegations d where d.id = j.delegation_id)`.execute(db);
    expect(orphans.rows[0]?.n).toBe(0);
    const emails = delegations.map((d) => d.delegate_email as string);
    const outbox = await db
      .selectFrom('mail_outbox')
      .select(['id', 'to_address'])
      .where('kind', '=', 'delegation_invitation')
      .where('to_address', 'like', 'secretaire2%')
      .execute();
    expect(outbox.map((o) => o.to_address).sort()).toEqual([...emails].sort());
    expect((await verifyJournal(db)).ok).toBe(true);

    // Restart: the jobs of the dead process are freed and every email goes out, once.
    smtp.stall(false);
    app = await startNode({ databaseUrl: url, smtpUrl: smtp.url });
    await until(
      'every email sent after the restart',
      async () =>
        db
          .selectFrom('mail_outbox')
          .select('sent_at')
          .where(
            'id',
            'in',
            outbox.map((o) => o.id),
          )
          .execute(),
      (rows) => rows.every((r) => r.sent_at !== null),
      90_000,
    );
    const got = smtp.received
      .slice(receivedBefore)
      .map((m) => /^<([0-9a-f-]{36})@/.exec(m.messageId)?.[1] ?? '')
      .sort();
    expect(got).toEqual(outbox.map((o) => o.id).sort());
    console.log(
      `SIGKILL : ${answers.filter((a) => a.status === 201).length} créations confirmées, ${lost} coupées, ${delegations.length} en base, ${locked.rows[0]?.n} tâche(s) verrouillée(s) libérée(s) au redémarrage`,
    );
  });
});
