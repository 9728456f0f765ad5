// The job queue (graphile-worker, in PostgreSQL). A job is added with SQL on the caller's own
// transaction connection, so it exists if and only if the change that caused it committed.
import { EventEmitter } from 'node:events';
import { type Runner, run, type TaskList, type WorkerEvents } from 'graphile-worker';
import { type QueryExecutorProvider, sql } from 'kysely';
import pg from 'pg';
import type pino from 'pino';
import { silentLogger } from './database.js';
import { isDatabaseUnavailable } from './http.js';

export interface JobOptions {
  /** A job with the same key replaces a pending one instead of adding a second. */
  jobKey?: string;
  runAt?: Date;
  maxAttempts?: number;
}

/** `db`: any Kysely instance or transaction (the job is added on its connection). */
export async function enqueue(
  db: QueryExecutorProvider,
  task: string,
  payload: object,
  options: JobOptions = {},
) {
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
  logger?: pino.Logger;
}

/**
 * A node killed with SIGKILL (or a crash) leaves the jobs it was running locked by its worker
 * pool, and graphile-worker (without its Pro edition) frees such locks only after 4 hours, a
 * fixed delay. So each node keeps one connection named after its pool while it runs: a lock
 * whose pool has no such connection belongs to a dead process (the kernel closes a killed
 * process's sockets and PostgreSQL ends its sessions at once; tcp_keepalives catch a lost host)
 * and any node frees it. The grace period covers a pool that has locked a job before its
 * connection is up. Tasks must stay idempotent: a node cut from the database for longer than
 * the grace period may see its job run again elsewhere.
 */
export const DEAD_WORKER_GRACE_SECONDS = 15;
const SWEEP_EVERY_MS = 15_000;
const LIVENESS_PREFIX = 'dd-worker ';

/** Frees the jobs locked by worker pools that no live node holds a connection for. */
export async function releaseDeadWorkersLocks(db: QueryExecutorProvider | pg.Pool): Promise<number> {
  const text = `
    with dead as (
      select distinct locked_by as id from (
        select locked_by, locked_at from graphile_worker._private_jobs where locked_by is not null
        union all
        select locked_by, locked_at from graphile_worker._private_job_queues where locked_by is not null
      ) l
      where l.locked_at < now() - make_interval(secs => ${DEAD_WORKER_GRACE_SECONDS})
        and not exists (select 1 from pg_stat_activity a where a.application_name = '${LIVENESS_PREFIX}' || l.locked_by)
    )
    select graphile_worker.force_unlock_workers(array_agg(id)) as done, count(*)::int as n from dead having count(*) > 0`;
  const rows =
    db instanceof pg.Pool
      ? (await db.query<{ n: number }>(text)).rows
      : (await sql.raw<{ n: number }>(text).execute(db)).rows;
  return rows[0]?.n ?? 0;
}

/** The connection that says "this worker pool is alive" for as long as this process runs. */
function keepAlive(pool: pg.Pool, poolId: string, logger: pino.Logger | undefined) {
  let client: pg.Client | undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const retryLater = () => {
    if (stopped || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      void connect();
    }, 1000);
  };
  const connect = async () => {
    if (stopped) return;
    const c = new pg.Client({ ...pool.options, application_name: `${LIVENESS_PREFIX}${poolId}` });
    c.on('error', () => {});
    c.on('end', () => {
      if (client !== c) return;
      client = undefined;
      retryLater(); // the database restarted: say so again as soon as it is back
    });
    try {
      await c.connect();
      // A host that vanishes without closing its sockets is noticed within about a minute.
      await c.query(
        'set tcp_keepalives_idle = 30; set tcp_keepalives_interval = 10; set tcp_keepalives_count = 3',
      );
      if (stopped) await c.end();
      else client = c;
    } catch {
      await c.end().catch(() => {});
      retryLater();
    }
  };
  void connect();
  const sweep = async () => {
    try {
      const n = await releaseDeadWorkersLocks(pool);
      if (n > 0) logger?.warn({ workerPools: n }, 'tâches libérées : processus arrêté brutalement');
    } catch {
      // Database unreachable: the next sweep will do.
    }
  };
  void sweep();
  const interval = setInterval(() => void sweep(), SWEEP_EVERY_MS);
  interval.unref();
  return async () => {
    stopped = true;
    clearInterval(interval);
    clearTimeout(timer);
    await client?.end().catch(() => {});
  };
}

/** How long the worker waits for the database to come back before giving up (then the process exits). */
const WORKER_PATIENCE_MS = 10 * 60_000;

/**
 * The worker's own connections, apart from the requests' pool. graphile-worker does not await
 * the write that marks a job done or failed: a database restarting at that moment (connection
 * refused, or an idle connection found dead) is an unhandled rejection that ends the whole
 * process, and the job stays locked for 4 hours. Here a connection the database cannot give
 * yet is waited for, with backoff, and a single statement (graphile-worker's own, outside a
 * transaction, not LISTEN) cut by a lost connection is run again on a new one. Requests keep
 * failing fast with 503 on their own pool. After WORKER_PATIENCE_MS the error goes through and
 * the process exits, for its supervisor to restart it.
 */
function patientPool(from: pg.Pool, max: number): pg.Pool {
  const pool = new pg.Pool({ ...from.options, max });
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  const original = pool.connect.bind(pool);
  const retrying = async <T>(fn: () => Promise<T>): Promise<T> => {
    const giveUpAt = Date.now() + WORKER_PATIENCE_MS;
    for (let delay = 250; ; delay = Math.min(delay * 2, 5_000)) {
      try {
        return await fn();
      } catch (err) {
        if (!isDatabaseUnavailable(err) || Date.now() > giveUpAt) throw err;
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  };
  const patient = async (): Promise<pg.PoolClient> => {
    const client = await retrying(() => original());
    const query = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>;
    let inTransaction = false;
    client.query = (async (...args: unknown[]) => {
      if (typeof args[args.length - 1] === 'function') return query(...args);
      const first = args[0] as string | { text?: string };
      const text = (typeof first === 'string' ? first : (first?.text ?? '')).trimStart().toLowerCase();
      if (text.startsWith('begin')) inTransaction = true;
      try {
        return await query(...args);
      } catch (err) {
        if (inTransaction || /^(un)?listen\b/.test(text) || !isDatabaseUnavailable(err)) throw err;
        return retrying(async () => {
          const fresh = await original();
          let broken: unknown;
          try {
            return await fresh.query(...(args as [string]));
          } catch (e) {
            broken = e;
            throw e;
          } finally {
            fresh.release(broken instanceof Error ? broken : undefined);
          }
        });
      } finally {
        if (text.startsWith('commit') || text.startsWith('rollback')) inTransaction = false;
      }
    }) as typeof client.query;
    return client;
  };
  // graphile-worker uses the promise form only; the callback form is left as it was.
  pool.connect = ((callback?: never) => (callback ? original(callback) : patient())) as typeof pool.connect;
  return pool;
}

export async function startWorker(options: WorkerOptions): Promise<Runner> {
  const concurrency = options.concurrency ?? 2;
  // Its jobs, LISTEN, the scheduler and the completions.
  const workerPool = patientPool(options.pool, concurrency + 4);
  const events: WorkerEvents = new EventEmitter();
  let poolId: string | undefined;
  events.on('pool:create', ({ workerPool }) => {
    poolId = workerPool.id;
  });
  events.on('cron:started', () => options.logger?.info('planificateur prêt'));
  const runner = await run({
    pgPool: workerPool,
    taskList: options.tasks,
    crontab: options.crontab ?? '',
    concurrency,
    pollInterval: options.pollInterval ?? 1000,
    noHandleSignals: true,
    logger: silentLogger(),
    events,
  });
  const stopKeepAlive = poolId ? keepAlive(options.pool, poolId, options.logger) : async () => {};
  const release = async () => {
    await stopKeepAlive();
    await workerPool.end().catch(() => {});
  };
  return {
    ...runner,
    async stop(reason?: string) {
      // Jobs are released by the graceful stop first; then this pool may look dead.
      try {
        await runner.stop(reason);
      } finally {
        await release();
      }
    },
    async kill(reason?: string) {
      try {
        await runner.kill(reason);
      } finally {
        await release();
      }
    },
  };
}
