// The security headers, computed once at start, are exactly those helmet's own middleware sets
// on a real Node response for the same policy, on every kind of answer: a page of the API, an
// unknown address, a refusal before any route runs (CSRF), an error.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import helmet from 'helmet';
import { afterAll, describe, expect, it } from 'vitest';
import { securityOptions } from '../../src/server/platform/http.js';
import { createTestApp } from '../helpers/app.js';

/** What helmet sets on a real http.ServerResponse, for these options. */
async function helmetHeaders(publicUrl: string): Promise<Record<string, string>> {
  const middleware = helmet(securityOptions({ publicUrl }));
  const server = http.createServer((req, res) => middleware(req, res, () => res.end('ok')));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    const headers: Record<string, string> = {};
    for (const [k, v] of res.headers) {
      if (!['date', 'connection', 'keep-alive', 'content-length', 'transfer-encoding'].includes(k))
        headers[k] = v;
    }
    return headers;
  } finally {
    server.close();
  }
}

for (const publicUrl of ['http://localhost:3000', 'https://delegations.example.fr']) {
  describe(`security headers (${publicUrl})`, async () => {
    const t = await createTestApp({ env: { PUBLIC_URL: publicUrl } });
    afterAll(() => t.close());
    const expected = await helmetHeaders(publicUrl);

    it('are helmet’s, on every kind of answer', async () => {
      expect(Object.keys(expected).length).toBeGreaterThan(8);
      expect(expected['content-security-policy']).toContain("frame-ancestors 'none'");
      expect('strict-transport-security' in expected).toBe(publicUrl.startsWith('https:'));
      const answers = await Promise.all([
        t.app.inject('/health'),
        t.app.inject('/api/session'),
        t.app.inject('/api/nowhere'),
        t.app.inject({ method: 'POST', url: '/api/dossiers', payload: {} }),
        t.app.inject('/api/dossiers/not-a-uuid'),
      ]);
      expect(answers.map((a) => a.statusCode)).toEqual([200, 200, 404, 403, 401]);
      for (const answer of answers) {
        for (const [name, value] of Object.entries(expected)) {
          expect([answer.statusCode, name, answer.headers[name]]).toEqual([answer.statusCode, name, value]);
        }
      }
    });
  });
}
