// `npm start`'s entry point as a process: first start, restart on the same data, clean stop
// with no PostgreSQL left behind, and recovery after kill -9 of the application and its database.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { isAlive as alive } from '../../src/server/platform/embedded-postgres.js';
import { startServer } from '../helpers/server.js';

async function postmasterPid(dataDir: string): Promise<number | undefined> {
  const text = await fs.readFile(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8').catch(() => undefined);
  return text ? Number(text.split('\n')[0]) : undefined;
}

async function withDatabase<T>(dataDir: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const lock = await fs.readFile(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8');
  const port = Number(lock.split('\n')[3]);
  const password = (await fs.readFile(path.join(dataDir, '.pg-password'), 'utf8')).trim();
  const client = new pg.Client({
    host: '127.0.0.1',
    port,
    user: 'postgres',
    password,
    database: 'delegations',
  });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

describe('application lifecycle', () => {
  it('starts fresh, restarts on its data, stops cleanly, survives kill -9', {
    timeout: 240_000,
  }, async () => {
    let t0 = Date.now();
    const first = await startServer({ readyTimeoutMs: 90_000 });
    const firstStart = Date.now() - t0;
    expect(firstStart).toBeLessThan(90_000);
    await withDatabase(first.dataDir, (c) =>
      c.query(`insert into app_settings (key, value) values ('lifecycle-probe', 'kept')`),
    );
    const pid1 = await postmasterPid(first.dataDir);
    expect(pid1 && alive(pid1)).toBe(true);

    // SIGINT: the application drains, stops its database and exits 0, leaving no postgres.
    expect(await first.stop()).toBe(0);
    expect(alive(pid1 as number)).toBe(false);
    expect(await postmasterPid(first.dataDir)).toBeUndefined();

    // Second start on the same data: ready within 10 s, data kept.
    t0 = Date.now();
    const second = await startServer({ dataDir: first.dataDir, readyTimeoutMs: 10_000 });
    expect(Date.now() - t0).toBeLessThan(10_000);
    const kept = await withDatabase(second.dataDir, (c) =>
      c.query(`select value from app_settings where key = 'lifecycle-probe'`),
    );
    expect(kept.rows[0]?.value).toBe('kept');

    // kill -9 of the application and of its database: the next start recovers the stale lock.
    const pid2 = (await postmasterPid(second.dataDir)) as number;
    await second.kill();
    process.kill(pid2, 'SIGKILL');
    await expect.poll(() => alive(pid2)).toBe(false);
    const third = await startServer({ dataDir: first.dataDir, readyTimeoutMs: 60_000 });
    const after = await withDatabase(third.dataDir, (c) =>
      c.query(`select value from app_settings where key = 'lifecycle-probe'`),
    );
    expect(after.rows[0]?.value).toBe('kept');

    // kill -9 of the application alone: the guardian's pipe closes and the database stops.
    const pid3 = (await postmasterPid(third.dataDir)) as number;
    await third.kill();
    await expect.poll(() => alive(pid3), { timeout: 30_000, interval: 200 }).toBe(false);
    const fourth = await startServer({ dataDir: first.dataDir, readyTimeoutMs: 60_000 });

    // kill -9 of the application and of the guardian too: an orphan postmaster keeps running;
    // the next start finds it on its data directory and stops it before starting afresh.
    const pid4 = (await postmasterPid(fourth.dataDir)) as number;
    const stat = await fs.readFile(`/proc/${pid4}/stat`, 'utf8');
    const guardian = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    process.kill(guardian, 'SIGKILL');
    await fourth.kill();
    expect(alive(pid4)).toBe(true);
    const fifth = await startServer({ dataDir: first.dataDir, readyTimeoutMs: 60_000 });
    expect(alive(pid4)).toBe(false);
    expect(await fifth.stop()).toBe(0);
    await fs.rm(first.dataDir, { recursive: true, force: true });
  });
});
