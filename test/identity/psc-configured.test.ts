// The client code does not know the local provider: here it is reached only through PSC_ISSUER,
// PSC_CLIENT_ID and PSC_CLIENT_SECRET, as the real PSC would be, with userinfo as a signed JWT.
import { afterAll, describe, expect, it } from 'vitest';
import type { AppFeature } from '../../src/server/composition.js';
import { identityFeature } from '../../src/server/identity/index.js';
import { LOCAL_JWT_CLIENT_ID, LOCAL_PSC_PATH } from '../../src/server/identity/local-psc/settings.js';
import { Browser, signInAs, startListeningApp } from './helpers.js';

// Records the content type of the provider's userinfo answers.
const seen: string[] = [];
const recorder: AppFeature = {
  name: 'recorder',
  routes(app) {
    app.addHook('onResponse', async (request, reply) => {
      if (request.url.endsWith('/protocol/openid-connect/userinfo')) {
        seen.push(String(reply.raw.getHeader('content-type')));
      }
    });
  },
};

describe('Pro Santé Connect through configuration only, userinfo as a signed JWT', async () => {
  const t = await startListeningApp({
    env: (url) => ({
      PSC_ISSUER: `${url}${LOCAL_PSC_PATH}`,
      PSC_CLIENT_ID: LOCAL_JWT_CLIENT_ID,
      PSC_CLIENT_SECRET: 'secret-de-test-du-client-jwt',
    }),
    features: [recorder, identityFeature],
  });
  afterAll(() => t.close());

  it('signs Camille MARTIN in and reads her claims from a signed userinfo', async () => {
    const b = new Browser(t.url);
    const start = await b.get('/auth/psc/start');
    expect(new URL(start.location as string).searchParams.get('client_id')).toBe(LOCAL_JWT_CLIENT_ID);
    const res = await signInAs(b, '810001234565');
    // No demo data in this application: her account is new.
    expect(res.location).toBe(`${t.url}/premiere-connexion`);
    expect(seen.at(-1)).toMatch(/^application\/jwt/);
    const me = JSON.parse((await b.get('/api/me')).text);
    expect(me).toMatchObject({
      subjectNameId: '810001234565',
      familyName: 'MARTIN',
      specialtyLabel: 'Médecine générale',
    });
  });
});
