// The local Pro Santé Connect is indistinguishable from the sandbox for the client (same
// metadata keys, userinfo, access token and introspection shapes as fixtures/psc-samples), and
// the client, over real HTTP, signs in the sandbox's real answers: a CPS card, an ANS EDIT
// identity; refuses an answer without `sub`, a response without or with a wrong `iss`, and a
// sign-in whose level is nowhere; reads the level from the ID token, else the access token.
import { Writable } from 'node:stream';
import * as jose from 'jose';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import type { AppFeature } from '../../src/server/composition.js';
import { identityFeature, optionalUser } from '../../src/server/identity/index.js';
import { localPscOf } from '../../src/server/identity/local-psc/provider.js';
import {
  LOCAL_CLIENT_ID,
  LOCAL_PSC_PATH,
  localClientSecret,
} from '../../src/server/identity/local-psc/settings.js';
import { SIGN_IN_ERRORS } from '../../src/shared/identity.js';
import { Browser, pscSample, signInAs, signInAtProvider, startListeningApp } from './helpers.js';

/** The structure of a JSON value: keys (sorted) and types; an array by its first element. */
function shape(value: unknown): unknown {
  if (Array.isArray(value)) return value.length > 0 ? [shape(value[0])] : [];
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, shape((value as Record<string, unknown>)[k])]),
    );
  }
  return typeof value;
}

const errorOf = (location: string | undefined) =>
  location ? new URL(location).searchParams.get('erreur') : null;

// Every line the application logs, to check what a refusal says (and that it says no more).
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

// A route of "another feature": how the session was opened, as every feature sees it.
const probe: AppFeature = {
  name: 'probe',
  routes(app) {
    app.get('/api/probe/sign-in', async (request) => ({ signIn: optionalUser(request)?.signIn ?? null }));
  },
};

describe('the local Pro Santé Connect against the sandbox samples', async () => {
  const t = await startListeningApp({ features: [identityFeature, probe], logger });
  afterAll(() => t.close());
  const issuer = `${t.url}${LOCAL_PSC_PATH}`;
  const psc = localPscOf(t.ctx);
  if (!psc) throw new Error('no local provider');

  /** A sign-in at the provider, then the client's exchange done by hand: the raw answers. */
  async function rawTokens(form: Record<string, string>) {
    const b = new Browser(t.url);
    const callback = new URL(await signInAtProvider(b, form));
    const tx = await t.ctx.db
      .selectFrom('psc_transactions')
      .selectAll()
      .where('state', '=', callback.searchParams.get('state') as string)
      .executeTakeFirstOrThrow();
    const credentials = {
      client_id: LOCAL_CLIENT_ID,
      client_secret: localClientSecret(t.ctx.config.sessionSecret),
    };
    const token = await fetch(`${issuer}/protocol/openid-connect/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: callback.searchParams.get('code') as string,
        code_verifier: tx.code_verifier,
        redirect_uri: `${t.url}/auth/psc/callback`,
        ...credentials,
      }),
    }).then((r) => r.json());
    const userinfo = await fetch(`${issuer}/protocol/openid-connect/userinfo`, {
      headers: { authorization: `Bearer ${token.access_token}` },
    }).then((r) => r.json());
    const introspection = await fetch(`${issuer}/protocol/openid-connect/token/introspect`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: token.access_token, ...credentials }),
    }).then((r) => r.json());
    return { callback, token, userinfo, introspection };
  }

  it('publishes the sandbox’s metadata keys, iss in responses, an authorization endpoint off the issuer', async () => {
    const sandbox = pscSample('discovery-sandbox');
    const res = await fetch(`${issuer}/.well-known/wallet-openid-configuration`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(doc)).toEqual(Object.keys(sandbox));
    expect(Object.keys(doc.mtls_endpoint_aliases as object).sort()).toEqual(
      Object.keys(sandbox.mtls_endpoint_aliases as object).sort(),
    );
    expect(doc).toMatchObject({
      issuer,
      authorization_endpoint: `${t.url}/demo/psc/wallet/auth`,
      token_endpoint: `${issuer}/protocol/openid-connect/token`,
      userinfo_endpoint: `${issuer}/protocol/openid-connect/userinfo`,
      introspection_endpoint: `${issuer}/protocol/openid-connect/token/introspect`,
      revocation_endpoint: `${issuer}/protocol/openid-connect/revoke`,
      end_session_endpoint: `${issuer}/protocol/openid-connect/logout`,
      jwks_uri: `${issuer}/protocol/openid-connect/certs`,
      authorization_response_iss_parameter_supported: true,
      backchannel_logout_supported: true,
      backchannel_logout_session_supported: true,
      code_challenge_methods_supported: ['S256'],
      frontchannel_logout_supported: false,
    });
    expect(String(doc.authorization_endpoint).startsWith(issuer)).toBe(false);
    expect(doc.scopes_supported).toEqual(expect.arrayContaining(['openid', 'scope_all']));
    expect(doc.token_endpoint_auth_methods_supported).toEqual(
      expect.arrayContaining(['client_secret_basic', 'client_secret_post', 'private_key_jwt']),
    );

    // Every endpoint it publishes answers, its own way; those it does not offer say so.
    for (const key of [
      'token_endpoint',
      'introspection_endpoint',
      'revocation_endpoint',
      'userinfo_endpoint',
    ]) {
      const status = (await fetch(String(doc[key]), { method: 'POST' })).status;
      expect([400, 401], key).toContain(status);
    }
    expect((await fetch(String(doc.jwks_uri))).status).toBe(200);
    for (const key of [
      'check_session_iframe',
      'device_authorization_endpoint',
      'backchannel_authentication_endpoint',
      'registration_endpoint',
    ]) {
      const r = await fetch(String(doc[key]), { method: 'POST' });
      expect(r.status, key).toBe(400);
      expect((await r.json()).error_description).toMatch(/Non proposé/);
    }
    // Authorization requests go to the published endpoint only, as at PSC.
    const direct = await fetch(`${issuer}/protocol/openid-connect/auth?client_id=${LOCAL_CLIENT_ID}`, {
      redirect: 'manual',
    });
    expect(direct.status).toBe(404);
  });

  it('answers with the sandbox’s shapes: userinfo of a card, access token, introspection', async () => {
    const { callback, token, userinfo, introspection } = await rawTokens({ card: '810001234565' });
    // RFC 9207: the authorization response names its issuer.
    expect(callback.searchParams.get('iss')).toBe(issuer);
    expect(shape(userinfo)).toEqual(shape(pscSample('userinfo-sandbox-card')));
    expect(userinfo).toMatchObject({
      SubjectNameID: '810001234565',
      Palier_Authentification: 'APPPRIP3^1.2.250.1.213.1.5.1.1.1',
      Secteur_Activite: 'SA07^1.2.250.1.71.4.2.4',
      otherIds: [{ identifiant: '810001234565', origine: 'RPPS', qualite: 1 }],
    });
    expect(userinfo.sub).toMatch(/^f:[0-9a-f-]{36}:810001234565$/);

    // A JWT access token, signed with the provider's key, with PSC's claims.
    const keys = jose.createRemoteJWKSet(new URL(`${issuer}/protocol/openid-connect/certs`));
    const { payload } = await jose.jwtVerify(token.access_token, keys, { issuer });
    expect(Object.keys(payload).sort()).toEqual(Object.keys(pscSample('access-token-claims-sandbox')).sort());
    expect(payload).toMatchObject({ azp: LOCAL_CLIENT_ID, acr: 'eidas1', auth_level: '1', typ: 'Bearer' });
    const idToken = jose.decodeJwt(token.id_token);
    expect(payload.sid).toBe(idToken.sid);
    expect(payload.nonce).toBe(idToken.nonce);

    expect(introspection, JSON.stringify(introspection)).toHaveProperty('active');
    expect(Object.keys(introspection).sort()).toEqual(
      Object.keys(pscSample('introspection-sandbox-card')).sort(),
    );
    expect(introspection).toMatchObject({ active: true, acr: 'eidas1', client_id: LOCAL_CLIENT_ID });

    // Revoked, the access token is dead everywhere.
    const credentials = `${LOCAL_CLIENT_ID}:${localClientSecret(t.ctx.config.sessionSecret)}`;
    const basic = { authorization: `Basic ${Buffer.from(credentials).toString('base64')}` };
    const form = { ...basic, 'content-type': 'application/x-www-form-urlencoded' };
    const body = new URLSearchParams({ token: token.access_token });
    const wrongClient = await fetch(`${issuer}/protocol/openid-connect/revoke`, {
      method: 'POST',
      headers: { ...form, authorization: `Basic ${Buffer.from(`${LOCAL_CLIENT_ID}:x`).toString('base64')}` },
      body,
    });
    expect(wrongClient.status).toBe(401);
    const revoked = await fetch(`${issuer}/protocol/openid-connect/revoke`, {
      method: 'POST',
      headers: form,
      body,
    });
    expect(revoked.status).toBe(200);
    const after = await fetch(`${issuer}/protocol/openid-connect/token/introspect`, {
      method: 'POST',
      headers: form,
      body,
    });
    expect(await after.json()).toEqual({ active: false });
    const userinfoAfter = await fetch(`${issuer}/protocol/openid-connect/userinfo`, {
      headers: { authorization: `Bearer ${token.access_token}` },
    });
    expect(userinfoAfter.status).toBe(401);
  });

  it('answers an ANS EDIT identity with the sandbox’s EDIT shape', async () => {
    const { userinfo } = await rawTokens({
      card: 'autre',
      subjectNameId: 'ANS20240102030405',
      familyName: 'Podologue',
      givenName: 'Essai',
      professionCode: '80',
      cardType: 'CPS',
      acr: 'eidas1',
    });
    expect(shape(userinfo)).toEqual(shape(pscSample('userinfo-sandbox-edit-identity')));
    expect(userinfo.otherIds).toEqual([{ identifiant: 'ANS20240102030405', origine: 'EDIT', qualite: 1 }]);
  });

  it('signs in the sandbox’s CPS card answer: places, card type, session level', async () => {
    const card = psc.addIdentity(pscSample('userinfo-sandbox-card'));
    const b = new Browser(t.url);
    const res = await signInAs(b, card);
    expect(res.location).toBe(`${t.url}/premiere-connexion`);
    const user = await t.ctx.db
      .selectFrom('users')
      .selectAll()
      .where('subject_name_id', '=', '899700427885')
      .executeTakeFirstOrThrow();
    expect(user).toMatchObject({
      family_name: 'DOC0042788',
      given_name: 'KIT',
      card_type: 'CPS',
      profession_code: '10',
      specialty_code: 'SM26',
      postal_code: '75009',
    });
    expect(user.psc_places).toMatchObject([
      { name: 'CABINET M DOC0042788', town: 'PARIS', modeCode: 'L', structureId: 'R102671' },
      { name: 'HOPITAL GENERIQUE FIN VARI', modeCode: 'S', sectorCode: 'SA01' },
    ]);
    const session = await t.ctx.db
      .selectFrom('sessions')
      .select(['method', 'acr', 'auth_level', 'psc_sid', 'psc_sub'])
      .where('user_id', '=', user.id)
      .executeTakeFirstOrThrow();
    expect(session).toMatchObject({
      method: 'psc',
      acr: 'eidas1',
      auth_level: 'APPPRIP3',
      psc_sub: 'f:550dc1c8-d97b-4b1e-ac8c-8eb4471cf9dd:899700427885',
    });
    expect(session.psc_sid).toMatch(/^[\w-]{10,}$/);
    // Shown on « Mon compte », the main place first; every feature sees the session's level.
    expect(JSON.parse((await b.get('/api/me')).text).places).toEqual([
      { name: 'CABINET M DOC0042788', postalCode: '75009', town: 'PARIS', modeCode: 'L' },
      { name: 'HOPITAL GENERIQUE FIN VARI', postalCode: '75009', town: 'PARIS', modeCode: 'S' },
    ]);
    expect(JSON.parse((await b.get('/api/probe/sign-in')).text)).toEqual({
      signIn: { method: 'psc', acr: 'eidas1', authLevel: 'APPPRIP3', strength: 'psc' },
    });
  });

  it('signs in the sandbox’s ANS EDIT identity (SubjectNameID ANS20231122132732)', async () => {
    const card = psc.addIdentity(pscSample('userinfo-sandbox-edit-identity'));
    expect(card).toBe('ANS20231122132732');
    const b = new Browser(t.url);
    const res = await signInAs(b, card);
    expect(errorOf(res.location)).toBeNull();
    expect(res.location).toBe(`${t.url}/premiere-connexion`);
    const me = JSON.parse((await b.get('/api/me')).text);
    expect(me).toMatchObject({
      subjectNameId: 'ANS20231122132732',
      familyName: 'Grominoch',
      givenName: 'Fistinien',
      cardType: 'CPS',
      professionCode: '80',
      isDoctor: false,
    });
  });

  it('refuses a userinfo without sub: accurate reason in the log, no personal data, French message', async () => {
    const minimal = pscSample('userinfo-minimal-fixture');
    const card = psc.addIdentity(minimal);
    const before = lines.length;
    const b = new Browser(t.url);
    const res = await signInAs(b, card);
    expect(errorOf(res.location)).toBe('profil');
    expect(SIGN_IN_ERRORS.profil).toMatch(/informations d’identité transmises par Pro Santé Connect/);
    expect(b.cookies.get('sid')).toBeUndefined();
    const users = await t.ctx.db
      .selectFrom('users')
      .select('id')
      .where('subject_name_id', '=', card)
      .execute();
    expect(users).toEqual([]);
    const logged = lines.slice(before);
    expect(logged.find((l) => l.msg === 'connexion PSC refusée')).toMatchObject({
      reason: 'userinfo_without_sub',
    });
    const text = JSON.stringify(logged);
    for (const personal of ['899700218896', 'ROBERT', 'SPECIALISTE0021889'])
      expect(text).not.toContain(personal);
  });

  describe('RFC 9207: the callback’s iss', () => {
    it('signs in with the right iss', async () => {
      const b = new Browser(t.url);
      const callback = new URL(await signInAtProvider(b, { card: '810002345675' }));
      expect(callback.searchParams.get('iss')).toBe(issuer);
      const res = await b.get(callback.toString());
      expect(errorOf(res.location)).toBeNull();
      expect(res.location).toBe(`${t.url}/premiere-connexion`);
      expect((await b.get('/api/me')).status).toBe(200);
    });

    for (const [what, tamper] of [
      ['missing', (u: URL) => u.searchParams.delete('iss')],
      [
        'of another issuer',
        (u: URL) => u.searchParams.set('iss', 'https://auth.esw.esante.gouv.fr/auth/realms/esante-wallet'),
      ],
      ['the issuer with a trailing slash', (u: URL) => u.searchParams.set('iss', `${issuer}/`)],
    ] as const) {
      it(`refuses it ${what}, with a French message, signing nobody in`, async () => {
        const before = lines.length;
        const b = new Browser(t.url);
        const callback = new URL(await signInAtProvider(b, { card: '810002345675' }));
        tamper(callback);
        const res = await b.get(callback.toString());
        expect(errorOf(res.location)).toBe('emetteur');
        expect(SIGN_IN_ERRORS.emetteur).toMatch(/ne provient pas de Pro Santé Connect/);
        expect(b.cookies.get('sid')).toBeUndefined();
        expect((await b.get('/api/me')).status).toBe(401);
        expect(lines.slice(before).find((l) => l.msg === 'connexion PSC refusée')).toMatchObject({
          reason: what === 'missing' ? 'iss_missing' : 'iss_mismatch',
        });
      });
    }
  });

  describe('the authentication level: ID token, else access token, else refused', () => {
    const other = (subjectNameId: string, acr: string) => ({
      card: 'autre',
      subjectNameId,
      familyName: 'NIVEAU',
      givenName: 'Essai',
      professionCode: '10',
      cardType: 'CPS',
      acr,
    });
    const levelOf = async (subjectNameId: string) =>
      t.ctx.db
        .selectFrom('sessions as s')
        .innerJoin('users as u', 'u.id', 's.user_id')
        .select(['s.acr', 's.auth_level'])
        .where('u.subject_name_id', '=', subjectNameId)
        .executeTakeFirst();

    it('reads it from the ID token (the access token has none)', async () => {
      const { token } = await rawTokens(other('810003000001', 'identite'));
      expect(jose.decodeJwt(token.id_token).acr).toBe('eidas1');
      expect(jose.decodeJwt(token.access_token).acr).toBeUndefined();
      const b = new Browser(t.url);
      await b.get(await signInAtProvider(b, other('810003000001', 'identite')));
      expect((await b.get('/api/me')).status).toBe(200);
      expect(await levelOf('810003000001')).toEqual({ acr: 'eidas1', auth_level: 'APPPRIP3' });
    });

    it('else from the access token (the ID token has none), as the sandbox does', async () => {
      const { token } = await rawTokens(other('810003000002', 'jeton'));
      expect(jose.decodeJwt(token.id_token).acr).toBeUndefined();
      expect(jose.decodeJwt(token.access_token).acr).toBe('eidas1');
      const before = lines.length;
      const b = new Browser(t.url);
      await b.get(await signInAtProvider(b, other('810003000002', 'jeton')));
      expect((await b.get('/api/me')).status).toBe(200);
      expect(await levelOf('810003000002')).toEqual({ acr: 'eidas1', auth_level: 'APPPRIP3' });
      expect(lines.slice(before).some((l) => l.msg === 'connexion PSC refusée')).toBe(false);
    });

    it('else refuses: in neither token', async () => {
      const { token } = await rawTokens(other('810003000003', 'aucun'));
      expect(jose.decodeJwt(token.id_token).acr).toBeUndefined();
      expect(jose.decodeJwt(token.access_token).acr).toBeUndefined();
      const before = lines.length;
      const b = new Browser(t.url);
      const res = await b.get(await signInAtProvider(b, other('810003000003', 'aucun')));
      expect(errorOf(res.location)).toBe('niveau');
      expect(b.cookies.get('sid')).toBeUndefined();
      expect(await levelOf('810003000003')).toBeUndefined();
      expect(lines.slice(before).find((l) => l.msg === 'connexion PSC refusée')).toMatchObject({
        reason: 'acr_missing',
      });
    });

    it('refuses an access token that the provider did not sign', async () => {
      // The client reads the access token only when it must: here, with no acr in the ID token.
      const before = lines.length;
      const b = new Browser(t.url);
      const callback = await signInAtProvider(b, other('810003000004', 'jeton'));
      const realFetch = globalThis.fetch;
      const forger = new jose.SignJWT({ acr: 'eidas1', azp: LOCAL_CLIENT_ID })
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuer(issuer)
        .sign(new TextEncoder().encode('x'.repeat(32)));
      const forged = await forger;
      // The token endpoint's answer, altered on its way: the access token replaced by a forgery.
      globalThis.fetch = async (input, init) => {
        const res = await realFetch(input, init);
        if (String(input instanceof Request ? input.url : input).endsWith('/protocol/openid-connect/token')) {
          const body = await res.json();
          return new Response(JSON.stringify({ ...body, access_token: forged }), {
            status: res.status,
            headers: res.headers,
          });
        }
        return res;
      };
      let res: Awaited<ReturnType<Browser['get']>>;
      try {
        res = await b.get(callback);
      } finally {
        globalThis.fetch = realFetch;
      }
      expect(errorOf(res.location)).toBe('echec');
      expect(b.cookies.get('sid')).toBeUndefined();
      expect(lines.slice(before).find((l) => l.msg === 'connexion PSC refusée')).toMatchObject({
        reason: 'access_token_invalid',
      });
    });
  });
});
