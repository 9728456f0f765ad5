// With DEMO off the local Pro Santé Connect cannot exist, and the configuration is strict.
import { afterAll, describe, expect, it } from 'vitest';
import { identityFeature } from '../../src/server/identity/index.js';
import { hashPassword } from '../../src/server/identity/passwords.js';
import { pscSettings } from '../../src/server/identity/psc-client.js';
import { ConfigError, loadConfig } from '../../src/server/platform/config.js';
import { createTestApp } from '../helpers/app.js';

const PROD = {
  DEMO: 'false',
  SESSION_SECRET: 's'.repeat(40),
  PUBLIC_URL: 'https://delegations.example.fr',
  SMTP_URL: 'smtp://127.0.0.1:9',
};
const LOCAL = '/demo/psc/auth/realms/esante-wallet';

describe('identity with DEMO off', async () => {
  const t = await createTestApp({ env: PROD, features: [identityFeature] });
  afterAll(() => t.close());

  it('has no local provider: every one of its addresses answers 404', async () => {
    for (const [method, url] of [
      ['GET', `${LOCAL}/.well-known/wallet-openid-configuration`],
      ['GET', `${LOCAL}/.well-known/openid-configuration`],
      ['GET', `${LOCAL}/protocol/openid-connect/auth?client_id=delegations-de-droits`],
      ['POST', `${LOCAL}/protocol/openid-connect/token`],
      ['GET', `${LOCAL}/interaction/abcdefghijklmnop`],
      ['POST', `${LOCAL}/interaction/abcdefghijklmnop/login`],
      ['GET', `${LOCAL}/assets/dsfr/dsfr.min.css`],
    ] as const) {
      const res = await t.app.inject({ method, url });
      expect(res.statusCode, `${method} ${url}`).toBe(404);
      expect(res.json().message).toBe('Ressource introuvable.');
    }
  });

  it('cannot mount the local provider even if asked', async () => {
    const { mountLocalPsc } = await import('../../src/server/identity/local-psc/provider.js');
    await expect(mountLocalPsc(t.app, { ctx: t.ctx })).rejects.toThrow(/demo mode/);
  });

  it('sends the browser back to the sign-in page when PSC is not configured', async () => {
    const res = await t.app.inject('/auth/psc/start');
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe('/connexion?erreur=indisponible');
    expect((await t.app.inject('/api/session')).json().pscAvailable).toBe(false);
  });

  it('sets a Secure session cookie when PUBLIC_URL is https', async () => {
    await t.ctx.db
      .insertInto('users')
      .values({
        subject_name_id: '4999999999/CPAT0009',
        family_name: 'SECURE',
        given_name: 'Test',
        email: 'secure@example.fr',
        email_verified_at: new Date(),
        password_hash: await hashPassword('Un-mot-de-passe-solide-1'),
        charter_version: 'x',
        first_signin_completed_at: new Date(),
      })
      .execute();
    const session = await t.app.inject('/api/session');
    const browser = session.cookies.find((c) => c.name === 'dd_browser');
    expect(browser?.secure).toBe(true);
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/auth/password',
      cookies: { dd_browser: browser?.value as string },
      headers: { 'x-csrf-token': session.json().csrfToken },
      payload: { identifier: 'secure@example.fr', password: 'Un-mot-de-passe-solide-1' },
    });
    expect(res.statusCode).toBe(200);
    const sid = res.cookies.find((c) => c.name === 'sid');
    expect(sid).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Lax', path: '/' });
  });

  it('rate-limits the sign-in routes with a French 429', async () => {
    let last = await t.app.inject('/auth/psc/start');
    for (let i = 0; i < 35 && last.statusCode !== 429; i++) last = await t.app.inject('/auth/psc/start');
    expect(last.statusCode).toBe(429);
    expect(last.json().message).toMatch(/Trop de requêtes/);
  });
});

describe('identity configuration', () => {
  it('reads the PSC variables and the session limits, with defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      pscIssuer: undefined,
      passwordLogin: true,
      sessionIdleMinutes: 60,
      sessionAbsoluteHours: 8,
    });
    const p = loadConfig({
      ...PROD,
      DATABASE_URL: 'postgres://u:p@db/app',
      PSC_ISSUER: 'https://auth.esw.esante.gouv.fr/auth/realms/esante-wallet/',
      PSC_CLIENT_ID: 'mon-service',
      PSC_CLIENT_SECRET: 'secret',
      PASSWORD_LOGIN: 'false',
      SESSION_IDLE_MINUTES: '30',
      SESSION_ABSOLUTE_HOURS: '12',
    });
    expect(p).toMatchObject({
      pscIssuer: 'https://auth.esw.esante.gouv.fr/auth/realms/esante-wallet',
      passwordLogin: false,
      sessionIdleMinutes: 30,
      sessionAbsoluteHours: 12,
    });
    const settings = pscSettings({ ...p, sessionSecret: 's'.repeat(40) });
    expect(settings).toMatchObject({
      issuer: 'https://auth.esw.esante.gouv.fr/auth/realms/esante-wallet',
      clientId: 'mon-service',
      redirectUri: 'https://delegations.example.fr/auth/psc/callback',
      local: false,
    });
  });

  it('refuses an incomplete or insecure PSC configuration, naming the variables', () => {
    expect(() => loadConfig({ PSC_ISSUER: 'https://psc.example.fr' })).toThrow(
      /PSC_CLIENT_ID, PSC_CLIENT_SECRET/,
    );
    expect(() =>
      loadConfig({
        ...PROD,
        PSC_ISSUER: 'http://psc.example.fr',
        PSC_CLIENT_ID: 'a',
        PSC_CLIENT_SECRET: 'b',
      }),
    ).toThrow(/PSC_ISSUER.*https/s);
    expect(() => loadConfig({ PSC_ISSUER: 'ftp://x' })).toThrow(ConfigError);
    expect(() => loadConfig({ SESSION_IDLE_MINUTES: '0' })).toThrow(/SESSION_IDLE_MINUTES/);
    expect(() => loadConfig({ PASSWORD_LOGIN: 'peut-être' })).toThrow(/PASSWORD_LOGIN/);
  });
});
