// Sign-in with Pro Santé Connect against the local provider, over real HTTP: the checks that
// protect it (state, nonce, PKCE, acr, single-use code), sessions, CSRF, sign-out, returnTo.
import crypto from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import type { AppFeature } from '../../src/server/composition.js';
import { identityFeature, requireUser } from '../../src/server/identity/index.js';
import { LOCAL_CLIENT_ID, localClientSecret } from '../../src/server/identity/local-psc/settings.js';
import { Browser, signInAs, signInAtProvider, startListeningApp } from './helpers.js';

const CAMILLE = '810001234565';
const SOPHIE = '4123456782/CPAT0001';

// A route of "another feature", to show what requireUser gives it.
const probe: AppFeature = {
  name: 'probe',
  routes(app) {
    app.get('/api/probe/me', async (request) => ({ id: requireUser(request).id }));
    app.post('/api/probe/change', async () => ({ changed: true }));
  },
};

const sessionCookie = (b: Browser) => b.cookies.get('sid');
const errorOf = (location: string | undefined) =>
  location ? new URL(location).searchParams.get('erreur') : null;

describe('sign-in with Pro Santé Connect (local provider, real HTTP)', async () => {
  const t = await startListeningApp({ features: [identityFeature, probe], startFeatures: true });
  afterAll(() => t.close());

  it('publishes PSC-shaped metadata at the wallet discovery path', async () => {
    const res = await new Browser(t.url).get(
      '/demo/psc/auth/realms/esante-wallet/.well-known/wallet-openid-configuration',
    );
    expect(res.status).toBe(200);
    const doc = JSON.parse(res.text);
    expect(doc.issuer).toBe(`${t.url}/demo/psc/auth/realms/esante-wallet`);
    expect(doc.token_endpoint).toBe(`${doc.issuer}/protocol/openid-connect/token`);
    expect(doc.userinfo_endpoint).toBe(`${doc.issuer}/protocol/openid-connect/userinfo`);
    expect(doc.end_session_endpoint).toBe(`${doc.issuer}/protocol/openid-connect/logout`);
    expect(doc.jwks_uri).toBe(`${doc.issuer}/protocol/openid-connect/certs`);
    expect(doc.acr_values_supported).toEqual(['eidas1']);
    expect(doc.claims_supported).toEqual(expect.arrayContaining(['SubjectNameID', 'SubjectRefPro']));
    // Its signing key is kept in the database, so a restart does not orphan issued ID tokens.
    const certs = JSON.parse((await new Browser(t.url).get(new URL(doc.jwks_uri).pathname)).text);
    const stored = await t.ctx.db
      .selectFrom('app_settings')
      .select('value')
      .where('key', '=', 'local_psc_signing_key')
      .executeTakeFirstOrThrow();
    expect(certs.keys.map((k: { kid: string }) => k.kid)).toEqual([JSON.parse(stored.value).kid]);
    expect(certs.keys[0].d).toBeUndefined();
  });

  it('sends the browser to the provider with PKCE S256, state, nonce, scope and acr_values', async () => {
    const res = await new Browser(t.url).get('/auth/psc/start');
    expect(res.status).toBe(302);
    const url = new URL(res.location as string);
    // As at PSC (wallet.…/auth), the authorization endpoint is not under the issuer.
    expect(url.pathname).toBe('/demo/psc/wallet/auth');
    const p = url.searchParams;
    expect(p.get('scope')).toBe('openid scope_all');
    expect(p.get('acr_values')).toBe('eidas1');
    expect(p.get('code_challenge_method')).toBe('S256');
    expect(p.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(p.get('state')).toMatch(/^[\w-]{20,}$/);
    expect(p.get('nonce')).toMatch(/^[\w-]{20,}$/);
    expect(p.get('redirect_uri')).toBe(`${t.url}/auth/psc/callback`);
  });

  it('signs Camille MARTIN in: account keyed on SubjectNameID, session cookie, /api/me', async () => {
    const b = new Browser(t.url);
    const res = await signInAs(b, CAMILLE);
    expect(res.status).toBe(302);
    expect(res.location).toBe(`${t.url}/`);
    expect(res.headers.getSetCookie().join('\n')).toMatch(
      /sid=[\w-]{43}; Max-Age=28800; Path=\/; HttpOnly; SameSite=Lax/,
    );
    const me = await b.get('/api/me');
    expect(me.status).toBe(200);
    expect(JSON.parse(me.text)).toMatchObject({
      subjectNameId: CAMILLE,
      givenName: 'Camille',
      familyName: 'MARTIN',
      cardType: 'CPS',
      professionCode: '10',
      isDoctor: true,
      firstSignInComplete: true,
    });
    expect((await b.get('/api/probe/me')).status).toBe(200);
    // The cookie holds a random id; the table only its hash.
    const rows = await t.ctx.db.selectFrom('sessions').select('id_hash').execute();
    expect(
      rows.some((r) =>
        r.id_hash.equals(
          crypto
            .createHash('sha256')
            .update(sessionCookie(b) ?? '')
            .digest(),
        ),
      ),
    ).toBe(true);
  });

  it('refuses a callback whose state is not the one it sent', async () => {
    const b = new Browser(t.url);
    const callback = new URL(await signInAtProvider(b, { card: CAMILLE }));
    callback.searchParams.set('state', 'etat-forge-par-un-attaquant-0000000');
    const res = await b.get(callback.toString());
    expect(errorOf(res.location)).toBe('etat');
    expect(sessionCookie(b)).toBeUndefined();
  });

  it('refuses a callback that comes back in another browser (login CSRF)', async () => {
    const victim = new Browser(t.url);
    const attacker = new Browser(t.url);
    const callback = await signInAtProvider(attacker, { card: SOPHIE });
    const res = await victim.get(callback);
    expect(errorOf(res.location)).toBe('etat');
    expect(sessionCookie(victim)).toBeUndefined();
  });

  it('refuses an ID token whose nonce is not the one it sent', async () => {
    const b = new Browser(t.url);
    const callback = await signInAtProvider(
      b,
      { card: CAMILLE },
      { tamper: (u) => u.searchParams.set('nonce', 'nonce-remplace-en-chemin-00000000') },
    );
    const res = await b.get(callback);
    expect(errorOf(res.location)).toBe('echec');
    expect(sessionCookie(b)).toBeUndefined();
  });

  it('refuses a code bound to another PKCE challenge', async () => {
    const b = new Browser(t.url);
    const other = crypto.createHash('sha256').update('un-autre-verificateur').digest('base64url');
    const callback = await signInAtProvider(
      b,
      { card: CAMILLE },
      { tamper: (u) => u.searchParams.set('code_challenge', other) },
    );
    const res = await b.get(callback);
    expect(errorOf(res.location)).toBe('echec');
    expect(sessionCookie(b)).toBeUndefined();
  });

  it('refuses an ID token whose acr is below eidas1 or missing', async () => {
    for (const acr of ['0', 'aucun']) {
      const b = new Browser(t.url);
      const callback = await signInAtProvider(b, {
        card: 'autre',
        subjectNameId: '810009999992',
        familyName: 'TESTEUR',
        givenName: 'Acr',
        professionCode: '10',
        cardType: 'CPS',
        acr,
      });
      const res = await b.get(callback);
      expect(errorOf(res.location)).toBe('niveau');
      expect(sessionCookie(b)).toBeUndefined();
    }
    const users = await t.ctx.db
      .selectFrom('users')
      .select('id')
      .where('subject_name_id', '=', '810009999992')
      .execute();
    expect(users).toEqual([]);
  });

  it('refuses a replayed authorization code, at the client and at the provider', async () => {
    const b = new Browser(t.url);
    const callback = await signInAtProvider(b, { card: CAMILLE });
    const state = new URL(callback).searchParams.get('state') as string;
    const code = new URL(callback).searchParams.get('code') as string;
    const tx = await t.ctx.db
      .selectFrom('psc_transactions')
      .selectAll()
      .where('state', '=', state)
      .executeTakeFirstOrThrow();
    expect((await b.get(callback)).location).toBe(`${t.url}/`);
    const first = sessionCookie(b);

    const replay = await b.get(callback);
    expect(errorOf(replay.location)).toBe('etat');
    expect(sessionCookie(b)).toBe(first);

    // Even with the right verifier and client credentials, the provider gives nothing twice.
    const token = await fetch(`${t.url}/demo/psc/auth/realms/esante-wallet/protocol/openid-connect/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        code_verifier: tx.code_verifier,
        redirect_uri: `${t.url}/auth/psc/callback`,
        client_id: LOCAL_CLIENT_ID,
        client_secret: localClientSecret(t.ctx.config.sessionSecret),
      }),
    });
    expect(token.status).toBe(400);
    expect((await token.json()).error).toBe('invalid_grant');
  });

  it('makes session fixation impossible: a planted id is ignored, the id changes at sign-in', async () => {
    const b = new Browser(t.url);
    const planted = 'A'.repeat(43);
    b.cookies.set('sid', planted);
    expect((await b.get('/api/me')).status).toBe(401);
    await signInAs(b, CAMILLE);
    const firstId = sessionCookie(b);
    expect(firstId).toMatch(/^[\w-]{43}$/);
    expect(firstId).not.toBe(planted);

    // Signing in again (here through the provider's single sign-on) rotates the id, and the
    // previous one is dead.
    await signInAs(b, CAMILLE);
    const secondId = sessionCookie(b);
    expect(secondId).toMatch(/^[\w-]{43}$/);
    expect(secondId).not.toBe(firstId);
    expect((await b.get('/api/me')).status).toBe(200);
    const old = new Browser(t.url);
    old.cookies.set('sid', firstId as string);
    expect((await old.get('/api/me')).status).toBe(401);
  });

  it('refuses a state-changing API request without the CSRF token, with a French message', async () => {
    const b = new Browser(t.url);
    await signInAs(b, CAMILLE);
    const none = await b.request('POST', '/api/probe/change', { json: {} });
    expect(none.status).toBe(403);
    expect(JSON.parse(none.text)).toMatchObject({
      code: 'csrf_invalid',
      message: expect.stringMatching(/jeton/),
    });
    const wrong = await b.request('POST', '/api/probe/change', {
      json: {},
      headers: { 'x-csrf-token': 'x'.repeat(43) },
    });
    expect(wrong.status).toBe(403);
    // A token of another session is no good either.
    const other = new Browser(t.url);
    await signInAs(other, CAMILLE);
    const foreign = await b.request('POST', '/api/probe/change', {
      json: {},
      headers: { 'x-csrf-token': await other.csrf() },
    });
    expect(foreign.status).toBe(403);
    const ok = await b.api('POST', '/api/probe/change', {});
    expect(ok.status).toBe(200);
    // Sign-out too is a state change.
    expect((await b.request('POST', '/api/auth/logout')).status).toBe(403);
  });

  it('refreshes names, profession and card type from the claims at every sign-in', async () => {
    const b = new Browser(t.url);
    const identity = {
      card: 'autre',
      subjectNameId: '810007777770',
      givenName: 'Paul',
      familyName: 'ANCIEN',
      professionCode: '60',
      cardType: 'CPS',
      acr: 'eidas1',
    };
    await b.get(await signInAtProvider(b, identity));
    const b2 = new Browser(t.url);
    await b2.get(await signInAtProvider(b2, { ...identity, familyName: 'NOUVEAU', professionCode: '10' }));
    const rows = await t.ctx.db
      .selectFrom('users')
      .select(['family_name', 'given_name', 'profession_code', 'card_type'])
      .where('subject_name_id', '=', '810007777770')
      .execute();
    expect(rows).toEqual([
      { family_name: 'NOUVEAU', given_name: 'Paul', profession_code: '10', card_type: 'CPS' },
    ]);
  });

  it('keeps a staff member out of everything until the first sign-in is complete', async () => {
    const b = new Browser(t.url);
    const res = await signInAs(b, SOPHIE);
    expect(res.location).toBe(`${t.url}/premiere-connexion`);
    const me = JSON.parse((await b.get('/api/me')).text);
    expect(me).toMatchObject({ cardType: 'CPA', isDoctor: false, firstSignInComplete: false });
    const probeRes = await b.get('/api/probe/me');
    expect(probeRes.status).toBe(403);
    expect(JSON.parse(probeRes.text).message).toMatch(/première connexion/);
    expect((await new Browser(t.url).get('/api/probe/me')).status).toBe(401);
  });

  it('goes back to a safe returnTo after sign-in, and ignores an unsafe one', async () => {
    const b = new Browser(t.url);
    const cb = await signInAtProvider(b, { card: CAMILLE }, { returnTo: '/invitation/abc123' });
    expect((await b.get(cb)).location).toBe(`${t.url}/invitation/abc123`);
    for (const hostile of [
      '//evil.example/x',
      'https://evil.example/',
      '/\\evil.example',
      'javascript:alert(1)',
      // Paths that normalise into `//host` (security review, issue 11).
      '/.//evil.example/x',
      '/..//evil.example/x',
      '/%2e//evil.example/x',
      '/%2E%2E//evil.example/x',
      '/./%2e//evil.example',
    ]) {
      const h = new Browser(t.url);
      const hcb = await signInAtProvider(h, { card: CAMILLE }, { returnTo: hostile });
      expect((await h.get(hcb)).location).toBe(`${t.url}/`);
    }
  });

  it('signs out: local session ended, then the provider’s logout, then back home', async () => {
    const b = new Browser(t.url);
    await signInAs(b, CAMILLE);
    const out = await b.api('POST', '/api/auth/logout');
    expect(out.status).toBe(200);
    const { redirectTo } = JSON.parse(out.text);
    const logoutUrl = new URL(redirectTo);
    expect(logoutUrl.pathname).toBe('/demo/psc/auth/realms/esante-wallet/protocol/openid-connect/logout');
    expect(logoutUrl.searchParams.get('id_token_hint')).toMatch(/^ey/);
    expect(logoutUrl.searchParams.get('post_logout_redirect_uri')).toBe(`${t.url}/`);
    expect(sessionCookie(b)).toBeUndefined();
    expect((await b.get('/api/me')).status).toBe(401);

    // The provider's page confirms by a script-free form (its script only clicks it).
    const page = await b.get(redirectTo);
    expect(page.status).toBe(200);
    expect(page.text).not.toMatch(/<script>/);
    const action = /<form[^>]*action="([^"]+)"/.exec(page.text)?.[1] as string;
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(page.text)?.[1] as string;
    const confirmed = await b.request('POST', action.replace(/&amp;/g, '&'), {
      form: { xsrf, logout: 'yes' },
    });
    const { url } = await b.follow(confirmed, (u) => u === `${t.url}/`);
    expect(url).toBe(`${t.url}/`);
  });

  it('refuses hostile or oversized input on the local provider’s form, in French, signing nobody in', async () => {
    const b = new Browser(t.url);
    const start = await b.get('/auth/psc/start');
    const toInteraction = await b.get(start.location as string);
    const interaction = new URL(toInteraction.location as string).pathname;
    const base = { card: 'autre', professionCode: '10', cardType: 'CPS', acr: 'eidas1' };
    for (const form of [
      { ...base, subjectNameId: '8123', familyName: 'A', givenName: 'B' },
      { ...base, subjectNameId: '810001234565', familyName: '<script>alert(1)</script>', givenName: 'B' },
      { ...base, subjectNameId: '810001234565', familyName: 'NOM', givenName: 'Pré\u0000nom' },
      {
        ...base,
        subjectNameId: '4123456782/CPAT0001',
        familyName: 'NOM',
        givenName: 'Prénom',
        cardType: 'CPS',
      },
      { ...base, subjectNameId: '810001234565', familyName: 'NOM', givenName: 'Prénom', acr: 'eidas9' },
    ]) {
      const res = await b.request('POST', `${interaction}/login`, { form });
      expect(res.status, JSON.stringify(form)).toBe(400);
      expect(res.text).toContain('Corrigez les champs signalés ci-dessous.');
      expect(res.text).not.toContain('<script>alert(1)</script>');
    }
    const huge = await b.request('POST', `${interaction}/login`, {
      form: { ...base, subjectNameId: '810001234565', familyName: 'x'.repeat(100_000), givenName: 'B' },
    });
    expect(huge.status).toBe(413);
    expect(JSON.parse(huge.text).message).toBe('La requête est trop volumineuse.');
    const unknownCard = await b.request('POST', `${interaction}/login`, { form: { card: '899999999999' } });
    expect(unknownCard.status).toBe(400);
    expect(unknownCard.text).toContain('Cette carte de démonstration n’existe pas.');
    expect(sessionCookie(b)).toBeUndefined();
  });

  it('answers a French 401 on /api/me when nobody is signed in, and gives a CSRF token', async () => {
    const b = new Browser(t.url);
    const me = await b.get('/api/me');
    expect(me.status).toBe(401);
    expect(JSON.parse(me.text).message).toMatch(/connecter/);
    const session = JSON.parse((await b.get('/api/session')).text);
    expect(session).toMatchObject({ user: null, passwordLogin: true, pscAvailable: true, demo: true });
    expect(session.csrfToken).toMatch(/^[\w-]{43}$/);
  });

  it('lists its routes in the OpenAPI document', async () => {
    const doc = JSON.parse((await new Browser(t.url).get('/api/openapi.json')).text);
    for (const p of [
      '/api/me',
      '/api/session',
      '/api/auth/password',
      '/api/auth/logout',
      '/api/first-sign-in',
    ]) {
      expect(Object.keys(doc.paths)).toContain(p);
    }
    expect(Object.keys(doc.paths).some((p) => p.startsWith('/demo/psc'))).toBe(false);
  });
});
