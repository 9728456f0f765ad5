// A per-session request budget for the directory search, in memory (per application node),
// keyed by the session (@fastify/rate-limit, used by the invitation routes, keys by address).

export interface RateLimiter {
  /** Counts one request for the key; returns the seconds to wait when over the budget. */
  hit(key: string, now?: number): { allowed: true } | { allowed: false; retryAfterSeconds: number };
}

export function createRateLimiter(options: { max: number; windowMs: number; maxKeys?: number }): RateLimiter {
  const windows = new Map<string, { start: number; count: number }>();
  const maxKeys = options.maxKeys ?? 100_000;
  return {
    hit(key, now = Date.now()) {
      let w = windows.get(key);
      if (!w || now - w.start >= options.windowMs) {
        if (!w && windows.size >= maxKeys) {
          // Forget expired windows first; if all are live, the oldest entries go.
          for (const [k, v] of windows) if (now - v.start >= options.windowMs) windows.delete(k);
          for (const k of windows.keys()) {
            if (windows.size < maxKeys) break;
            windows.delete(k);
          }
        }
        w = { start: now, count: 0 };
        windows.delete(key);
        windows.set(key, w);
      }
      w.count++;
      if (w.count <= options.max) return { allowed: true };
      return {
        allowed: false,
        retryAfterSeconds: Math.max(1, Math.ceil((w.start + options.windowMs - now) / 1000)),
      };
    },
  };
}
