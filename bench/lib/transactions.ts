// PostgreSQL transactions per request: pg_stat_database's commits and rollbacks of the bench
// database before and after a run, less what the database does meanwhile on its own (the job
// queue's polling, the autovacuum), measured over as long a quiet period just before. A backend
// publishes its counters at most once a second while busy and within 10 s once idle: every
// reading is taken after 11 s of quiet.
import { sql } from 'kysely';
import type { Db } from '../../src/server/context.js';

const QUIET_MS = 11_000;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function transactions(db: Db): Promise<number> {
  const { rows } = await sql<{ n: number }>`select (xact_commit + xact_rollback)::int as n
      from pg_stat_database where datname = current_database()`.execute(db);
  // The reading itself is one transaction, counted by the next reading.
  return (rows[0]?.n ?? 0) - 1;
}

/** Runs `load` (which returns how many requests it sent) and gives transactions per request. */
export async function transactionsPerRequest(db: Db, load: () => Promise<number>): Promise<number> {
  await pause(QUIET_MS);
  const c0 = await transactions(db);
  let t = Date.now();
  await pause(QUIET_MS);
  const c1 = await transactions(db);
  const idlePerMs = (c1 - c0) / (Date.now() - t);
  t = Date.now();
  const requests = await load();
  await pause(QUIET_MS);
  const c2 = await transactions(db);
  return (c2 - c1 - idlePerMs * (Date.now() - t)) / Math.max(1, requests);
}
