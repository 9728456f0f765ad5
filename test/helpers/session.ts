// A signed-in session for HTTP-level tests of features other than sign-in itself (whose own
// tests go through Pro Santé Connect): the row the identity feature writes at sign-in, and the
// cookie and CSRF header a browser would send.
import crypto from 'node:crypto';
import { csrfTokenFor, SESSION_COOKIE, sha256 } from '../../src/server/identity/sessions.js';
import type { TestApp } from './app.js';

export async function sessionFor(t: TestApp, userId: string, options: { returnTo?: string } = {}) {
  const rawId = crypto.randomBytes(32).toString('base64url');
  const now = t.ctx.clock.now();
  await t.ctx.db
    .insertInto('sessions')
    .values({
      id_hash: sha256(rawId),
      user_id: userId,
      method: 'psc',
      id_token: null,
      return_to: options.returnTo ?? null,
      created_at: now,
      last_seen_at: now,
      expires_at: new Date(now.getTime() + 8 * 3600_000),
    })
    .execute();
  return {
    cookie: `${SESSION_COOKIE}=${rawId}`,
    csrf: csrfTokenFor(t.ctx.config.sessionSecret, 'session', rawId),
    /** Headers for a read. */
    get headers() {
      return { cookie: this.cookie };
    },
    /** Headers for a state-changing request. */
    get write() {
      return { cookie: this.cookie, 'x-csrf-token': this.csrf };
    },
  };
}
