// The release of jobs locked by a dead node (platform/jobs.ts): only the locks of a worker pool
// with no live connection, and only once the grace period has passed; a live node's long job
// is left alone.
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueue, releaseDeadWorkersLocks } from '../../src/server/platform/jobs.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

describe('releaseDeadWorkersLocks', () => {
  let t: TestDatabase;
  let live: pg.Client;

  beforeAll(async () => {
    t = await createTestDatabase();
    live = new pg.Client({ connectionString: t.url, application_name: 'dd-worker pool-alive' });
    await live.connect();
  });
  afterAll(async () => {
    await live.end();
    await t.close();
  });

  async function lockedJob(by: string, secondsAgo: number): Promise<string> {
    await enqueue(t.db, 'some_task', { by });
    const row = await sql<{ id: string }>`
      update graphile_worker._private_jobs set locked_by = ${by},
        locked_at = now() - make_interval(secs => ${secondsAgo}), attempts = 1
      where id = (select max(id) from graphile_worker._private_jobs) returning id::text`.execute(t.db);
    return row.rows[0]?.id as string;
  }

  it('frees the old locks of a dead pool, not those of a live pool nor fresh ones', async () => {
    const dead = await lockedJob('pool-dead', 600);
    const fresh = await lockedJob('pool-starting', 2);
    const alive = await lockedJob('pool-alive', 3 * 3600); // a live node's long job
    expect(await releaseDeadWorkersLocks(t.db)).toBe(1);
    const rows = await sql<{ id: string; locked_by: string | null }>`
      select id::text, locked_by from graphile_worker._private_jobs`.execute(t.db);
    const by = Object.fromEntries(rows.rows.map((r) => [r.id, r.locked_by]));
    expect(by[dead]).toBeNull();
    expect(by[fresh]).toBe('pool-starting');
    expect(by[alive]).toBe('pool-alive');
    expect(await releaseDeadWorkersLocks(t.pool)).toBe(0);
  });
});
