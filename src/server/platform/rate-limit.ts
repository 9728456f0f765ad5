// Rate limits shared by every node: the counters live in PostgreSQL (table rate_limits), one
// row per limit and caller, counted by atomic statements, in fixed windows on the database's
// clock. N nodes allow what one node allows. Used through @fastify/rate-limit (its store and
// its 429) or directly by a route that counts after its own checks (hitRateLimit: one statement
// per request; SharedCounter: a node reserves a block of the count and answers from it, one by
// one near the limit).
import crypto from 'node:crypto';
import rateLimit, { type RateLimitPluginOptions } from '@fastify/rate-limit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type pg from 'pg';
import type { Config } from './config.js';
import { DomainError } from './errors.js';
import type { App } from './http.js';

export interface RateLimitCount {
  /** Requests counted in the current window, this one included. */
  hits: number;
  /** Milliseconds until the window ends. */
  resetsInMs: number;
}

// Add `hits` to each counter: insert it, or add to the running window, or start a new window.
// One statement, so that concurrent requests (from any node) each get their own count.
const ADD_HITS = `
  insert into rate_limits as r (key, hits, resets_at)
  select key, hits, now() + make_interval(secs => window_ms / 1000)
    from unnest($1::text[], $2::int[], $3::float8[]) as t(key, hits, window_ms)
  on conflict (key) do update set
    hits = case when r.resets_at <= now() then excluded.hits else r.hits + excluded.hits end,
    resets_at = case when r.resets_at <= now() then excluded.resets_at else r.resets_at end
  returning key, hits, greatest(0, ceil(extract(epoch from r.resets_at - now()) * 1000))::float8 as resets_in_ms`;

interface CountedRow {
  key: string;
  hits: number;
  resets_in_ms: number;
}

async function addHits(
  pool: pg.Pool,
  adds: readonly { key: string; hits: number; windowMs: number }[],
): Promise<CountedRow[]> {
  const { rows } = await pool.query<CountedRow>(ADD_HITS, [
    adds.map((a) => a.key),
    adds.map((a) => a.hits),
    adds.map((a) => a.windowMs),
  ]);
  purgeNowAndThen(pool);
  return rows;
}

/** The key of a caller's counter: only a hash of the limit and the caller is stored. */
export function rateLimitKey(limit: string, caller: string): string {
  return crypto.hash('sha256', `${limit}\u0000${caller}`, 'base64url');
}

const PURGE_EVERY_MS = 60_000;
const lastPurge = new WeakMap<pg.Pool, number>();

/** Ended windows go, at most once a minute per node, in the background. */
export function purgeNowAndThen(pool: pg.Pool): void {
  const now = Date.now();
  if (now - (lastPurge.get(pool) ?? 0) < PURGE_EVERY_MS) return;
  lastPurge.set(pool, now);
  pool.query(`delete from rate_limits where resets_at < now() - interval '1 minute'`).catch(() => {});
}

/**
 * Counts one request of `caller` against the limit `limit` (a window of `windowMs`), exactly:
 * one statement. Only a hash of both is stored: no address, session or account identifier sits
 * in the table.
 */
export async function hitRateLimit(
  pool: pg.Pool,
  limit: string,
  caller: string,
  windowMs: number,
): Promise<RateLimitCount> {
  const [row] = await addHits(pool, [{ key: rateLimitKey(limit, caller), hits: 1, windowMs }]);
  return { hits: (row as CountedRow).hits, resetsInMs: (row as CountedRow).resets_in_ms };
}

/** Positions of a caller's count this node has reserved in the current window, not yet used. */
interface Lease {
  next: number;
  last: number;
  /** The database's count after this node's last reservation (every node's hits and leases). */
  known: number;
  /** When the window ends, on this node's clock (Date.now()). */
  resetsAt: number;
}

/**
 * A node's counting of shared limits for the routes every request takes (the dossier read),
 * without a write per request: the node reserves a block of the caller's count in one statement
 * (hits += block) and answers the next hits from it in memory. Every hit ever allowed has its own
 * position ≤ max in the database's count, so no number of nodes lets a caller past `max`; a
 * block reserved and not used before the window ends is lost (the caller may get up to
 * block − 1 fewer per node, never more).
 *
 * - a caller's first hit on this node reserves 1 (the count learnt from the database);
 * - then a block of up to max / 50, smaller as the count nears `max` (remaining / 100): near the
 *   limit every hit is one statement again, as with hitRateLimit();
 * - limits under 50 always count one by one;
 * - hits arriving while a reservation is under way wait for its block (none is lost to a race).
 *
 * Only counts are kept here (never a right, a session or a decision).
 */
export class SharedCounter {
  private readonly leases = new Map<string, Lease>();
  /** A reservation under way per caller: hits arriving meanwhile wait for its block. */
  private readonly reserving = new Map<string, Promise<unknown>>();

  constructor(private readonly pool: pg.Pool) {}

  async hit(key: string, max: number, windowMs: number): Promise<RateLimitCount> {
    for (;;) {
      const now = Date.now();
      const lease = this.leases.get(key);
      if (lease && lease.resetsAt > now && lease.next <= lease.last) {
        return { hits: lease.next++, resetsInMs: lease.resetsAt - now };
      }
      const underway = this.reserving.get(key);
      if (!underway) break;
      await underway;
    }
    const reservation = this.reserve(key, max, windowMs);
    this.reserving.set(
      key,
      reservation.catch(() => {}),
    );
    try {
      return await reservation;
    } finally {
      this.reserving.delete(key);
    }
  }

  private async reserve(key: string, max: number, windowMs: number): Promise<RateLimitCount> {
    const now = Date.now();
    const lease = this.leases.get(key);
    const fresh = !lease || lease.resetsAt <= now;
    const block = fresh
      ? 1
      : Math.max(1, Math.min(Math.floor(max / 50), Math.floor((max - lease.known) / 100)));
    const [row] = await addHits(this.pool, [{ key, hits: block, windowMs }]);
    const counted = row as CountedRow;
    const first = counted.hits - block + 1;
    this.sweep(now);
    this.leases.set(key, {
      next: first + 1,
      last: Math.min(counted.hits, max),
      known: counted.hits,
      resetsAt: Date.now() + counted.resets_in_ms,
    });
    return { hits: first, resetsInMs: counted.resets_in_ms };
  }

  private lastSweep = 0;

  /** Leases of ended windows go, at most once a minute. */
  private sweep(now: number): void {
    if (now - this.lastSweep < 60_000) return;
    this.lastSweep = now;
    for (const [key, lease] of this.leases) if (lease.resetsAt <= now) this.leases.delete(key);
  }
}

const counters = new WeakMap<pg.Pool, SharedCounter>();

/** The node's counter on this database (one per pool). */
export function sharedCounter(pool: pg.Pool): SharedCounter {
  let c = counters.get(pool);
  if (!c) {
    c = new SharedCounter(pool);
    counters.set(pool, c);
  }
  return c;
}

/** The one answer to a request over its limit: 429, code `rate_limited`, in French. */
export function rateLimited(retryAfterSeconds: number, message?: string): DomainError {
  return new DomainError(
    'rate_limited',
    message ?? `Trop de requêtes : veuillez patienter ${retryAfterSeconds} seconde(s) avant de réessayer.`,
    429,
  );
}

/**
 * What @fastify/rate-limit answers for a count made elsewhere (SharedCounter): the same
 * headers, and over `max` the same French 429 with Retry-After.
 */
export function answerCount(reply: FastifyReply, max: number, count: RateLimitCount): void {
  const resetSeconds = Math.ceil(count.resetsInMs / 1000);
  reply.header('x-ratelimit-limit', max);
  reply.header('x-ratelimit-remaining', Math.max(0, max - count.hits));
  reply.header('x-ratelimit-reset', resetSeconds);
  if (count.hits > max) {
    reply.header('retry-after', resetSeconds);
    throw rateLimited(Math.max(1, resetSeconds));
  }
}

/** A limit as configured in the code, times RATE_LIMIT_FACTOR (benchmarks raise it). */
export function scaledMax(config: Pick<Config, 'rateLimitFactor'>, max: number): number {
  return max * config.rateLimitFactor;
}

type StoreCallback = (error: Error | null, result?: { current: number; ttl: number }) => void;

/** A @fastify/rate-limit store on rate_limits: one limit per route (or per registration). */
function postgresStore(pool: pg.Pool, name: string) {
  return class PostgresRateLimitStore {
    readonly limit: string;
    constructor(options: { routeInfo?: { method?: unknown; url?: unknown }; groupId?: string } = {}) {
      const route = options.routeInfo;
      this.limit =
        options.groupId !== undefined
          ? `${name}:${options.groupId}`
          : route
            ? `${name}:${String(route.method)} ${String(route.url)}`
            : name;
    }
    incr(key: string, callback: StoreCallback, timeWindow: number, max: number): void {
      sharedCounter(pool)
        .hit(rateLimitKey(this.limit, key), max, timeWindow)
        .then(
          (count) => callback(null, { current: count.hits, ttl: count.resetsInMs }),
          (err: Error) => callback(err),
        );
    }
    child(options: object) {
      return new PostgresRateLimitStore(options);
    }
  };
}

/**
 * Options for registering @fastify/rate-limit in a feature's scope: counters in PostgreSQL
 * under `name`, the French 429. Without `max`, only routes with `config.rateLimit` are limited;
 * with it, every route of the scope shares one budget per caller.
 */
export function rateLimitOptions(
  ctx: { pool: pg.Pool; config: Pick<Config, 'rateLimitFactor'> },
  name: string,
  scopeWide?: Pick<RateLimitPluginOptions, 'max' | 'timeWindow' | 'keyGenerator'> & { max: number },
): RateLimitPluginOptions {
  return {
    store: postgresStore(ctx.pool, name) as unknown as RateLimitPluginOptions['store'],
    errorResponseBuilder: (_request, context) => rateLimited(Math.max(1, Math.ceil(context.ttl / 1000))),
    ...(scopeWide
      ? { global: true, ...scopeWide, max: scaledMax(ctx.config, scopeWide.max) }
      : { global: false }),
  };
}

/**
 * Registers a feature's routes in a scope where all of them share one budget per caller: `max`
 * requests per `windowMs` (times RATE_LIMIT_FACTOR), counted in PostgreSQL under `name`.
 */
export async function rateLimitedRoutes(
  app: App,
  ctx: { pool: pg.Pool; config: Pick<Config, 'rateLimitFactor'> },
  limit: { name: string; max: number; windowMs: number; caller: (request: FastifyRequest) => string },
  routes: (scope: App) => void | Promise<void>,
): Promise<void> {
  await app.register(async (scope) => {
    await scope.register(
      rateLimit,
      rateLimitOptions(ctx, limit.name, {
        max: limit.max,
        timeWindow: limit.windowMs,
        keyGenerator: limit.caller,
      }),
    );
    await routes(scope as unknown as App);
  });
}
