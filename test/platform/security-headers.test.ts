// Framing and caching, decided the same way for every kind of answer: no page of the
// application may be framed by anyone (X-Frame-Options and CSP frame-ancestors agree), and an
// API answer is never cached, whatever spelling of its path the router accepted.
import { afterAll, describe, expect, it } from 'vitest';
import { LOCAL_PSC_PATH } from '../../src/server/identity/index.js';
import { createTestApp } from '../helpers/app.js';
import { sessionFor } from '../helpers/session.js';
import { createUser, DEMO } from '../helpers/users.js';

describe('security headers', async () => {
  const t = await createTestApp({ env: { PUBLIC_URL: 'http://localhost:3000' } });
  afterAll(() => t.close());
  const martin = await createUser(t.ctx.db, DEMO.martin);
  const session = await sessionFor(t, martin.id);

  const answers = [
    '/',
    '/mes-delegations',
    '/health',
    '/api/session',
    '/api/me',
    '/api/openapi.json',
    '/api/docs',
    '/api/docs/',
    '/api/nowhere',
    '/nowhere.js',
    '/demo/courriels',
    `${LOCAL_PSC_PATH}/.well-known/wallet-openid-configuration`,
  ];

  it('X-Frame-Options: DENY agrees with CSP frame-ancestors none on every kind of answer', async () => {
    for (const url of answers) {
      const res = await t.app.inject({ url, headers: session.headers });
      expect(res.headers['x-frame-options'], url).toBe('DENY');
      const csp = String(res.headers['content-security-policy'] ?? '');
      expect(csp, url).toMatch(/(^|;)\s*frame-ancestors 'none'\s*(;|$)/);
    }
  });

  it('answers every API route with cache-control: no-store, even under an encoded path', async () => {
    for (const url of ['/api/me', '/ap%69/me', '/%61pi/me', '/api/%6de', '/%61%70%69/session']) {
      const res = await t.app.inject({ url, headers: session.headers });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['cache-control'], url).toBe('no-store');
    }
  });
});
