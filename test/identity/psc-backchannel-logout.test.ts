// Back-channel logout (OpenID Connect Back-Channel Logout 1.0), as PSC announces it
// (backchannel_logout_supported): the local PSC sends a logout token when its session ends, and
// every session of this service opened through that PSC session ends at once. A logout token is
// verified (signature, iss, aud, iat, events, sid or sub, no nonce) before anything ends.
import crypto from 'node:crypto';
import { Writable } from 'node:stream';
import * as jose from 'jose';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { identityFeature } from '../../src/server/identity/index.js';
import { LOCAL_CLIENT_ID, LOCAL_PSC_PATH } from '../../src/server/identity/local-psc/settings.js';
import { BACKCHANNEL_LOGOUT_EVENT } from '../../src/server/identity/psc-client.js';
import { Browser, signInAs, signInAtProvider, startListeningApp } from './helpers.js';

const CAMILLE = '810001234565';
const lines: Record<string, unknown>[] = [];
const logger = pino(
  { level: 'info' },
  new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  }),
);

describe('back-channel logout from Pro Santé Connect', async () => {
  const t = await startListeningApp({ features: [identityFeature], logger });
  afterAll(() => t.close());
  const issuer = `${t.url}${LOCAL_PSC_PATH}`;
  const endpoint = `${t.url}/auth/psc/backchannel-logout`;

  const pscSessions = (subjectNameId: string) =>
    t.ctx.db
      .selectFrom('sessions as s')
      .innerJoin('users as u', 'u.id', 's.user_id')
      .select(['s.id_hash', 's.method', 's.psc_sid', 's.psc_sub', 'u.id as user_id'])
      .where('u.subject_name_id', '=', subjectNameId)
      .execute();
  const signedIn = async (b: Browser) => (await b.get('/api/me')).status === 200;
  const sessionOf = async (b: Browser) => {
    const hash = crypto
      .createHash('sha256')
      .update(b.cookies.get('sid') ?? '')
      .digest();
    const row = await t.ctx.db
      .selectFrom('sessions')
      .select(['psc_sid', 'psc_sub'])
      .where('id_hash', '=', hash)
      .executeTakeFirstOrThrow();
    return row;
  };

  /** Confirms the sign-out on the provider's own logout page (as from another service). */
  async function logoutAtProvider(b: Browser) {
    const page = await b.get(`${issuer}/protocol/openid-connect/logout`);
    expect(page.status).toBe(200);
    const action = (/<form[^>]*action="([^"]+)"/.exec(page.text)?.[1] ?? '').replace(/&amp;/g, '&');
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(page.text)?.[1] as string;
    return b.request('POST', action, { form: { xsrf, logout: 'yes' } });
  }

  it('ends at once every session opened through the PSC session the provider ended, and only those', async () => {
    // Two browsers share one PSC session (the second one signed in by PSC's single sign-on);
    // a third one has its own PSC session.
    const a = new Browser(t.url);
    await signInAs(a, CAMILLE);
    const b = new Browser(t.url);
    for (const [name, value] of a.cookies) if (name.startsWith('_session')) b.cookies.set(name, value);
    const callback = await signInAtProvider(b, { card: CAMILLE });
    await b.get(callback);
    const c = new Browser(t.url);
    await signInAs(c, CAMILLE);
    expect([await signedIn(a), await signedIn(b), await signedIn(c)]).toEqual([true, true, true]);
    const [sa, sb, sc] = [await sessionOf(a), await sessionOf(b), await sessionOf(c)];
    expect(sa.psc_sid).toMatch(/^[\w-]{10,}$/);
    expect(sb.psc_sid).toBe(sa.psc_sid);
    expect(sc.psc_sid).not.toBe(sa.psc_sid);

    // The PSC session ends at the provider, without this service's sign-out: the provider
    // posts its logout token before it answers.
    const before = lines.length;
    const done = await logoutAtProvider(a);
    expect([200, 303]).toContain(done.status);
    expect([await signedIn(a), await signedIn(b), await signedIn(c)]).toEqual([false, false, true]);
    expect(lines.slice(before).find((l) => l.msg === 'déconnexion PSC')).toMatchObject({
      ended: 2,
      by: 'sid',
    });
  });

  describe('logout tokens it does not trust end nothing', async () => {
    const stored = await t.ctx.db
      .selectFrom('app_settings')
      .select('value')
      .where('key', '=', 'local_psc_signing_key')
      .executeTakeFirstOrThrow();
    const jwk = JSON.parse(stored.value) as jose.JWK & { kid: string };
    const pscKey = await jose.importJWK(jwk, 'RS256');
    const otherKey = (await jose.generateKeyPair('RS256')).privateKey;

    const now = () => Math.floor(Date.now() / 1000);
    const claims = (target: { sid?: string; sub?: string }) => ({
      iss: issuer,
      aud: LOCAL_CLIENT_ID,
      iat: now(),
      exp: now() + 120,
      jti: crypto.randomUUID(),
      events: { [BACKCHANNEL_LOGOUT_EVENT]: {} },
      ...target,
    });
    const sign = (
      payload: Record<string, unknown>,
      key: jose.CryptoKey | Uint8Array = pscKey,
      alg = 'RS256',
    ) => new jose.SignJWT(payload).setProtectedHeader({ alg, kid: jwk.kid, typ: 'logout+jwt' }).sign(key);
    const post = (logoutToken: string) =>
      fetch(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ logout_token: logoutToken }),
      });

    it('refuses each forgery with a French 400, every session left open', async () => {
      const victim = new Browser(t.url);
      await signInAs(victim, CAMILLE);
      const { psc_sid: sid, psc_sub: sub } = await sessionOf(victim);
      const target = { sid: sid as string, sub: sub as string };
      const unsigned = `${jose.base64url.encode(JSON.stringify({ alg: 'none' }))}.${jose.base64url.encode(
        JSON.stringify(claims(target)),
      )}.`;
      const { events: _events, ...noEvent } = claims(target);
      const forgeries: [string, string][] = [
        ['unsigned', unsigned],
        ['HMAC', await sign(claims(target), new TextEncoder().encode('s'.repeat(32)), 'HS256')],
        ['another key', await sign(claims(target), otherKey)],
        [
          'another issuer',
          await sign({ ...claims(target), iss: 'https://auth.esw.esante.gouv.fr/auth/realms/esante-wallet' }),
        ],
        ['another audience', await sign({ ...claims(target), aud: 'un-autre-service' })],
        ['no event', await sign(noEvent)],
        ['another event', await sign({ ...claims(target), events: { 'urn:other': {} } })],
        ['a nonce', await sign({ ...claims(target), nonce: 'n' })],
        ['neither sid nor sub', await sign(claims({}))],
        ['no iat', await sign({ ...claims(target), iat: undefined })],
        ['too old', await sign({ ...claims(target), iat: now() - 3600 })],
        ['expired', await sign({ ...claims(target), exp: now() - 120 })],
        ['not a JWT', 'bonjour'],
      ];
      for (const [what, token] of forgeries) {
        const before = lines.length;
        const res = await post(token);
        expect(res.status, what).toBe(400);
        const body = await res.json();
        expect(body, what).toMatchObject({
          code: 'logout_token_refused',
          message: 'Jeton de déconnexion refusé : aucune session n’a été fermée.',
        });
        expect(await signedIn(victim), what).toBe(true);
        const refusal = lines.slice(before).find((l) => l.msg === 'déconnexion PSC refusée');
        expect(refusal?.reason, what).toMatch(/^logout_token_/);
        expect(JSON.stringify(lines.slice(before)), what).not.toContain(token.slice(0, 40));
      }
      const missing = await fetch(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: '',
      });
      expect(missing.status).toBe(400);
      expect((await missing.json()).message).toMatch(/manquant/);
      expect(await signedIn(victim)).toBe(true);

      // The same token, properly signed: the session ends.
      const res = await post(await sign(claims(target)));
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(await signedIn(victim)).toBe(false);
    });

    it('with sub only, ends every PSC session of that person, not a password session', async () => {
      const [one, two] = [new Browser(t.url), new Browser(t.url)];
      await signInAs(one, CAMILLE);
      await signInAs(two, CAMILLE);
      const { psc_sub: sub } = await sessionOf(one);
      const [first] = await pscSessions(CAMILLE);
      // A password session of the same person (staff may have one).
      await t.ctx.db
        .insertInto('sessions')
        .values({
          id_hash: crypto.randomBytes(32),
          user_id: first?.user_id as string,
          method: 'password',
          created_at: new Date(),
          last_seen_at: new Date(),
          expires_at: new Date(Date.now() + 3_600_000),
        })
        .execute();
      const res = await post(await sign(claims({ sub: sub as string })));
      expect(res.status).toBe(200);
      expect([await signedIn(one), await signedIn(two)]).toEqual([false, false]);
      expect((await pscSessions(CAMILLE)).map((s) => s.method)).toEqual(['password']);
    });

    it('with a sid it does not know, ends nothing and says so to PSC with a 200', async () => {
      const b = new Browser(t.url);
      await signInAs(b, CAMILLE);
      const res = await post(await sign(claims({ sid: crypto.randomUUID() })));
      expect(res.status).toBe(200);
      expect(await signedIn(b)).toBe(true);
    });
  });
});
