// The job queue (graphile-worker, in PostgreSQL). A job is added with SQL on the caller's own
// transaction connection, so it exists if and only if the change that caused it committed.
import { type Runner, run, type TaskList } from 'graphile-worker';
import { type Kysely, sql } from 'kysely';
import type pg from 'pg';
import { silentLogger } from './database.js';

export interface JobOptions {
  /** A job with the same key replaces a pending one instead of adding a second. */
  jobKey?: string;
  runAt?: Date;
  maxAttempts?: number;
}

// biome-ignore lint/suspicious/noExplicitAny: any transaction or Kysely instance will do.
export async function enqueue(db: Kysely<any>, task: string, payload: object, options: JobOptions = {}) {
  await sql`select graphile_worker.add_job(
    ${task},
    ${JSON.stringify(payload)}::json,
    run_at => ${options.runAt ?? null}::timestamptz,
    max_attempts => ${options.maxAttempts ?? 25}::int,
    job_key => ${options.jobKey ?? null}::text
  )`.execute(db);
}

export interface WorkerOptions {
  pool: pg.Pool;
  tasks: TaskList;
  crontab?: string;
  concurrency?: number;
  pollInterval?: number;
}

export async function startWorker(options: WorkerOptions): Promise<Runner> {
  return run({
    pgPool: options.pool,
    taskList: options.tasks,
    crontab: options.crontab ?? '',
    concurrency: options.concurrency ?? 2,
    pollInterval: options.pollInterval ?? 1000,
    noHandleSignals: true,
    logger: silentLogger(),
  });
}
