// Rate limits shared by every node: the counters live in PostgreSQL (table rate_limits), one
// row per limit and caller, counted by one atomic statement, in fixed windows on the database's
// clock. N nodes allow what one node allows. Used through @fastify/rate-limit (its store and
// its 429) or directly (hitRateLimit) by a route that counts after its own checks.
import crypto from 'node:crypto';
import rateLimit, { type RateLimitPluginOptions } from '@fastify/rate-limit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type RawBuilder, sql } from 'kysely';
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

// Insert the first hit, or count one more in the running window, or start a new window: one
// statement, so that concurrent requests (from any node) each get their own count.
const ON_HIT = `
  on conflict (key) do update set
    hits = case when r.resets_at <= now() then 1 else r.hits + 1 end,
    resets_at = case when r.resets_at <= now() then excluded.resets_at else r.resets_at end
  returning hits, greatest(0, ceil(extract(epoch from r.resets_at - now()) * 1000))::float8 as resets_in_ms`;
const HIT = `
  insert into rate_limits as r (key, hits, resets_at)
  values ($1, 1, now() + make_interval(secs => $2::float8 / 1000)) ${ON_HIT}`;

/**
 * The same count as a part of another statement (a CTE of the dossier read): `key` and
 * `windowMs` are values or SQL expressions. Returns one row (hits, resets_in_ms).
 */
export function rateLimitUpsert(key: unknown, windowMs: unknown): RawBuilder<RateLimitRow> {
  return sql<RateLimitRow>`insert into rate_limits as r (key, hits, resets_at)
    values (${key}, 1, now() + make_interval(secs => ${windowMs}::float8 / 1000)) ${sql.raw(ON_HIT)}`;
}

export interface RateLimitRow {
  hits: number;
  resets_in_ms: number;
}

/** The key of a caller's counter: only a hash of the limit and the caller is stored. */
export function rateLimitKey(limit: string, caller: string): string {
  return crypto.createHash('sha256').update(`${limit}\u0000${caller}`).digest('base64url');
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
 * Counts one request of `caller` against the limit `limit` (a window of `windowMs`). Only a
 * hash of both is stored: no address, session or account identifier sits in the table.
 */
export async function hitRateLimit(
  pool: pg.Pool,
  limit: string,
  caller: string,
  windowMs: number,
): Promise<RateLimitCount> {
  const { rows } = await pool.query<RateLimitRow>(HIT, [rateLimitKey(limit, caller), windowMs]);
  purgeNowAndThen(pool);
  const row = rows[0] as RateLimitRow;
  return { hits: row.hits, resetsInMs: row.resets_in_ms };
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
 * What @fastify/rate-limit answers for a count made elsewhere (rateLimitUpsert): the same
 * headers, and over `max` the same French 429 with Retry-After.
 */
export function answerCount(reply: FastifyReply, max: number, count: RateLimitRow): void {
  const resetSeconds = Math.ceil(count.resets_in_ms / 1000);
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
    incr(key: string, callback: StoreCallback, timeWindow: number): void {
      hitRateLimit(pool, this.limit, key, timeWindow).then(
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
