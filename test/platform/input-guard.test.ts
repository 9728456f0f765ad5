// What the HTTP platform refuses for every API route before the route's own validation: strings
// PostgreSQL cannot store, malformed and overlong URLs; always in French, never quoting the URL.
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { AppFeature } from '../../src/server/composition.js';
import { createTestApp } from '../helpers/app.js';

let reached = 0;
const probe: AppFeature = {
  name: 'probe',
  routes(app) {
    app.post(
      '/api/probe/:id',
      {
        schema: {
          params: z.object({ id: z.string() }),
          querystring: z.object({ q: z.string().optional() }),
          body: z.object({ text: z.string().optional() }).passthrough(),
        },
      },
      async () => {
        reached++;
        return { ok: true };
      },
    );
  },
};

describe('input refused by the HTTP platform', async () => {
  const t = await createTestApp({ features: [probe] });
  afterAll(() => t.close());
  const post = (url: string, payload: string) =>
    t.app.inject({ method: 'POST', url, payload, headers: { 'content-type': 'application/json' } });

  it('refuses NUL and lone surrogates anywhere in the body, the query or the path', async () => {
    const cases: [string, string, string][] = [
      ['/api/probe/1', '{"text":"a\\u0000b"}', 'body.text'],
      ['/api/probe/1', '{"text":"a\\ud800b"}', 'body.text'],
      ['/api/probe/1', '{"text":"\\udc00"}', 'body.text'],
      ['/api/probe/1', '{"deep":[{"x":"\\u0000"}]}', 'body.deep.0.x'],
      ['/api/probe/1', '{"\\u0000":"key"}', 'body'],
      ['/api/probe/1?q=a%00b', '{}', 'querystring.q'],
      ['/api/probe/a%00b', '{}', 'params.id'],
    ];
    for (const [url, payload, path] of cases) {
      const res = await post(url, payload);
      expect(res.statusCode, url + payload).toBe(400);
      expect(res.json()).toMatchObject({
        code: 'invalid_input',
        message: 'Certaines informations sont manquantes ou invalides.',
        fields: [{ path, message: 'Caractères non autorisés (caractère nul ou Unicode invalide).' }],
      });
    }
    expect(reached).toBe(0);
    // A well-formed pair (an emoji), tabs and line breaks are text like any other.
    const fine = await post('/api/probe/1', '{"text":"😀\\t\\n\\ud83d\\ude00"}');
    expect(fine.statusCode).toBe(200);
    expect(reached).toBe(1);
  });

  it('answers a malformed or overlong URL in French, without quoting it', async () => {
    const bad = await post('/api/probe/%ZZlefevre', '{}');
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'bad_url', message: 'La requête est invalide.' });
    expect(bad.body).not.toContain('lefevre');
    const long = await post(`/api/probe/${'x'.repeat(300)}`, '{}');
    expect(long.statusCode).toBe(414);
    expect(long.json()).toMatchObject({ code: 'bad_url', message: "L'adresse demandée est trop longue." });
    expect(long.body).not.toContain('xxxx');
    expect(long.json().requestId).toMatch(/^[\w-]{8,}$/);
    expect(long.headers['x-request-id']).toBe(long.json().requestId);
  });
});
