// Strong authentication (issue 14): a password alone opens no session; the second factor is a
// passkey or a TOTP app, with single-use recovery codes; TOTP codes are used once, WebAuthn
// assertions are checked against PUBLIC_URL's origin and their counter, and wrong second
// factors lock the account, bursts included.
import { afterAll, describe, expect, it } from 'vitest';
import type { AppFeature } from '../../src/server/composition.js';
import { CURRENT_CHARTER } from '../../src/server/identity/charter/index.js';
import { identityFeature, requireUser } from '../../src/server/identity/index.js';
import { fixedClock } from '../../src/server/platform/clock.js';
import { SoftPasskey, totpCode } from '../helpers/second-factor.js';
import { Browser, signInAs, startListeningApp } from './helpers.js';

const SOPHIE = '4123456782/CPAT0001';
const NADIA = '810005678908';
const PASSWORD = 'Cabinet-Lyon3-2026!';

const probe: AppFeature = {
  name: 'probe',
  routes(app) {
    app.get('/api/probe/me', async (request) => {
      const u = requireUser(request);
      return { id: u.id, strength: u.signIn.strength };
    });
  },
};

const body = (r: { text: string }) => JSON.parse(r.text);

describe('second factor for password sign-in', async () => {
  const clock = fixedClock(new Date());
  const t = await startListeningApp({
    clock,
    env: { RATE_LIMIT_FACTOR: '10' },
    features: [identityFeature, probe],
    startFeatures: true,
  });
  afterAll(() => t.close());
  const userRow = (snid: string) =>
    t.ctx.db.selectFrom('users').selectAll().where('subject_name_id', '=', snid).executeTakeFirstOrThrow();

  /** PSC sign-in, first sign-in with a password, and a confirmed address (the identifier). */
  async function firstSignIn(snid: string, email: string, profession: string) {
    const b = new Browser(t.url);
    await signInAs(b, snid);
    const res = await b.api('POST', '/api/first-sign-in', {
      password: PASSWORD,
      passwordConfirmation: PASSWORD,
      profession,
      charterVersion: CURRENT_CHARTER.version,
      charterAccepted: true,
      email,
    });
    expect(res.status).toBe(200);
    await t.ctx.db
      .updateTable('users')
      .set({ email_verified_at: clock.now() })
      .where('subject_name_id', '=', snid)
      .execute();
    return { b, res };
  }

  async function passwordOnly(identifier: string) {
    const b = new Browser(t.url);
    const res = await b.api('POST', '/api/auth/password', { identifier, password: PASSWORD });
    return { b, res };
  }

  const SOPHIE_EMAIL = 'sophie.durand@cabinet-martin.example';
  let totpSecret = '';

  it('asks for the second factor right after the password is chosen at first sign-in', async () => {
    const { res } = await firstSignIn(SOPHIE, SOPHIE_EMAIL, 'secretaire');
    expect(body(res).redirectTo).toBe('/second-facteur?retour=%2F');
  });

  it('opens nothing with a password alone', async () => {
    const { b, res } = await passwordOnly(SOPHIE_EMAIL);
    expect(res.status).toBe(200);
    expect(body(res)).toEqual({ redirectTo: '/connexion/second-facteur' });
    const me = await b.get('/api/me');
    expect(me.status).toBe(401);
    expect(body(me).code).toBe('second_factor_required');
    expect((await b.get('/api/probe/me')).status).toBe(401);
    expect((await b.get('/api/first-sign-in')).status).toBe(401);
    const session = body(await b.get('/api/session'));
    expect(session).toMatchObject({ user: null, secondFactorPending: true });
    // The second-factor routes answer: this account has none yet, it enrols one first.
    expect(body(await b.get('/api/second-factor'))).toMatchObject({
      pending: true,
      totp: null,
      passkeys: [],
    });
  });

  it('enrols a TOTP app (secret encrypted at rest) with 10 recovery codes, and the session becomes strong', async () => {
    const { b } = await passwordOnly(SOPHIE_EMAIL);
    const started = await b.api('POST', '/api/second-factor/totp/enrolment');
    expect(started.status).toBe(200);
    const { secret, uri, qrSvg } = body(started);
    expect(uri).toMatch(/^otpauth:\/\/totp\//);
    expect(qrSvg).toMatch(/^<svg/);
    totpSecret = secret;
    const stored = await userRow(SOPHIE);
    expect(stored.totp_pending_secret).toMatch(/^v1\./);
    expect(stored.totp_pending_secret).not.toContain(secret.replace(/\s/g, ''));

    const wrong = await b.api('POST', '/api/second-factor/totp/enrolment/confirm', { code: '000000' });
    expect(wrong.status).toBe(401);
    const ok = await b.api('POST', '/api/second-factor/totp/enrolment/confirm', {
      code: totpCode(secret, clock.now().getTime()),
    });
    expect(ok.status).toBe(200);
    const { recoveryCodes } = body(ok);
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    const rows = await t.ctx.db
      .selectFrom('recovery_codes')
      .selectAll()
      .where('user_id', '=', stored.id)
      .execute();
    expect(rows).toHaveLength(10);
    // Hashed: no code in the clear.
    expect(rows.some((r) => r.code_hash.toString('utf8').includes(recoveryCodes[0]))).toBe(false);
    expect(body(await b.get('/api/probe/me')).strength).toBe('password+totp');
    const after = await userRow(SOPHIE);
    expect(after.totp_secret).toMatch(/^v1\./);
    expect(after.totp_pending_secret).toBeNull();
    expect(after.last_signin_method).toBe('password+totp');
  });

  it('refuses a replayed TOTP code, and accepts the next one once', async () => {
    // The code of the enrolment step is spent.
    const first = await passwordOnly(SOPHIE_EMAIL);
    const replay = await first.b.api('POST', '/api/second-factor/totp', {
      code: totpCode(totpSecret, clock.now().getTime()),
    });
    expect(replay.status).toBe(401);
    expect(body(replay).code).toBe('second_factor_invalid');
    expect((await first.b.get('/api/probe/me')).status).toBe(401);

    clock.advance(30_000);
    const code = totpCode(totpSecret, clock.now().getTime());
    const ok = await first.b.api('POST', '/api/second-factor/totp', { code });
    expect(ok.status).toBe(200);
    expect(body(ok)).toEqual({ redirectTo: '/' });
    expect(body(await first.b.get('/api/probe/me')).strength).toBe('password+totp');
    expect((await userRow(SOPHIE)).failed_password_attempts).toBe(0);

    // The same code again, in another sign-in within its window: refused.
    const second = await passwordOnly(SOPHIE_EMAIL);
    const again = await second.b.api('POST', '/api/second-factor/totp', { code });
    expect(again.status).toBe(401);
    expect((await second.b.get('/api/probe/me')).status).toBe(401);
    // An older code (the previous step, still inside the window) is refused too.
    const older = await second.b.api('POST', '/api/second-factor/totp', {
      code: totpCode(totpSecret, clock.now().getTime() - 30_000),
    });
    expect(older.status).toBe(401);
    clock.advance(30_000);
  });

  it('accepts a recovery code once', async () => {
    const first = await passwordOnly(SOPHIE_EMAIL);
    const state = body(await first.b.get('/api/second-factor'));
    expect(state.recoveryCodesLeft).toBe(10);
    // The codes were shown at enrolment only; take one from a new set made for the test.
    const fresh = await first.b.api('POST', '/api/second-factor/totp', {
      code: totpCode(totpSecret, clock.now().getTime()),
    });
    expect(fresh.status).toBe(200);
    // Re-enrol a second factor in this strong session? No: use the stored hashes through a
    // known code, by replacing the set with codes this test knows.
    const { recoveryCodeHash } = await import('../../src/server/identity/second-factor.js');
    const u = await userRow(SOPHIE);
    await t.ctx.db.deleteFrom('recovery_codes').where('user_id', '=', u.id).execute();
    await t.ctx.db
      .insertInto('recovery_codes')
      .values({ user_id: u.id, code_hash: recoveryCodeHash('ABCDE-FGH23'), created_at: clock.now() })
      .execute();
    clock.advance(30_000);
    const second = await passwordOnly(SOPHIE_EMAIL);
    const used = await second.b.api('POST', '/api/second-factor/recovery', {
      code: 'abcde fgh23'.replace(' ', '-'),
    });
    expect(used.status).toBe(200);
    expect(body(await second.b.get('/api/probe/me')).strength).toBe('password+recovery');
    const third = await passwordOnly(SOPHIE_EMAIL);
    const reused = await third.b.api('POST', '/api/second-factor/recovery', { code: 'ABCDE-FGH23' });
    expect(reused.status).toBe(401);
    expect(body(reused).message).toMatch(/déjà été utilisé/);
  });

  it('locks the account after 20 concurrent wrong second factors (each one counts)', async () => {
    clock.advance(30_000);
    const { b } = await passwordOnly(SOPHIE_EMAIL);
    // The recovery code refused just before counts already.
    const before = (await userRow(SOPHIE)).failed_password_attempts;
    expect(before).toBe(1);
    const token = await b.csrf();
    const codes = Array.from({ length: 20 }, (_, i) => String(100000 + i * 7919).slice(0, 6));
    const right = totpCode(totpSecret, clock.now().getTime());
    const answers = await Promise.all(
      codes
        .filter((c) => c !== right)
        .map((code) =>
          b.request('POST', '/api/second-factor/totp', {
            json: { code },
            headers: { 'x-csrf-token': token },
          }),
        ),
    );
    expect(answers.filter((r) => r.status === 401)).toHaveLength(5 - before);
    expect(answers.filter((r) => r.status === 429)).toHaveLength(answers.length - (5 - before));
    const locked = await userRow(SOPHIE);
    expect(locked.failed_password_attempts).toBe(5);
    expect(locked.locked_until?.getTime()).toBeGreaterThan(clock.now().getTime() + 14 * 60_000);
    // Locked: the right code, and the password, are refused now.
    const withRight = await b.api('POST', '/api/second-factor/totp', { code: right });
    expect(withRight.status).toBe(429);
    expect(body(withRight).code).toBe('second_factor_locked');
    expect(withRight.headers.get('retry-after')).toBeTruthy();
    const pw = await passwordOnly(SOPHIE_EMAIL);
    expect(pw.res.status).toBe(429);
    expect(body(pw.res).code).toBe('password_locked');
    // Pro Santé Connect still works, and ends the lockout.
    const psc = new Browser(t.url);
    await signInAs(psc, SOPHIE);
    expect(body(await psc.get('/api/probe/me')).strength).toBe('psc');
    expect((await userRow(SOPHIE)).locked_until).toBeNull();
  });

  describe('passkeys', () => {
    const NADIA_EMAIL = 'nadia.benali@cabinet-martin.example';
    const key = new SoftPasskey();

    it('registers a passkey at first sign-in (PSC session), and signs in with password + passkey', async () => {
      const { b } = await firstSignIn(NADIA, NADIA_EMAIL, 'infirmier');
      const options = body(await b.api('POST', '/api/second-factor/passkey/registration-options'));
      expect(options.rp.id).toBe('localhost');
      expect(options.authenticatorSelection).toMatchObject({
        residentKey: 'required',
        userVerification: 'required',
      });
      const reg = await b.api('POST', '/api/second-factor/passkey/registration', {
        name: 'Ordinateur du cabinet',
        response: key.register(options, t.url),
      });
      expect(reg.status).toBe(200);
      expect(body(reg).recoveryCodes).toHaveLength(10);

      const { b: signIn } = await passwordOnly(NADIA_EMAIL);
      const auth = body(await signIn.api('POST', '/api/second-factor/passkey/authentication-options'));
      const ok = await signIn.api('POST', '/api/second-factor/passkey', {
        response: key.assert(auth, t.url),
      });
      expect(ok.status).toBe(200);
      expect(body(await signIn.get('/api/probe/me')).strength).toBe('password+passkey');
      const state = body(await signIn.get('/api/second-factor'));
      expect(state.passkeys).toEqual([
        expect.objectContaining({ name: 'Ordinateur du cabinet', lastUsedAt: clock.now().toISOString() }),
      ]);
    });

    it('refuses an assertion made for another origin, a replayed challenge and a counter that does not grow', async () => {
      const { b } = await passwordOnly(NADIA_EMAIL);
      const auth = body(await b.api('POST', '/api/second-factor/passkey/authentication-options'));
      const foreign = await b.api('POST', '/api/second-factor/passkey', {
        response: key.assert(auth, 'https://delegations.evil.example'),
      });
      expect(foreign.status).toBe(401);
      expect(body(foreign).code).toBe('passkey_invalid');
      expect((await b.get('/api/probe/me')).status).toBe(401);

      // The challenge was spent by that attempt: a right answer to it is refused too.
      const spent = await b.api('POST', '/api/second-factor/passkey', { response: key.assert(auth, t.url) });
      expect(spent.status).toBe(401);

      // A cloned authenticator: its counter does not grow past the one last accepted.
      const stored = await t.ctx.db.selectFrom('passkeys').select('counter').executeTakeFirstOrThrow();
      key.counter = Number(stored.counter);
      const auth2 = body(await b.api('POST', '/api/second-factor/passkey/authentication-options'));
      const cloned = await b.api('POST', '/api/second-factor/passkey', {
        response: key.assert(auth2, t.url, { keepCounter: true }),
      });
      expect(cloned.status).toBe(401);
      expect((await b.get('/api/probe/me')).status).toBe(401);

      const auth3 = body(await b.api('POST', '/api/second-factor/passkey/authentication-options'));
      const ok = await b.api('POST', '/api/second-factor/passkey', { response: key.assert(auth3, t.url) });
      expect(ok.status).toBe(200);
    });

    it('never removes the last factor; removes one of two', async () => {
      const psc = new Browser(t.url);
      await signInAs(psc, NADIA);
      const [only] = body(await psc.get('/api/second-factor')).passkeys;
      const refused = await psc.api('DELETE', `/api/account/passkeys/${only.id}`);
      expect(refused.status).toBe(409);
      expect(body(refused).message).toMatch(/seul second facteur/);

      const other = new SoftPasskey();
      const options = body(await psc.api('POST', '/api/second-factor/passkey/registration-options'));
      // Already registered keys are excluded (one passkey per authenticator).
      expect(options.excludeCredentials).toHaveLength(1);
      const reg = await psc.api('POST', '/api/second-factor/passkey/registration', {
        name: 'Téléphone',
        response: other.register(options, t.url),
      });
      expect(reg.status).toBe(200);
      // Recovery codes are not renewed while some are left.
      expect(body(reg).recoveryCodes).toBeNull();
      const removed = await psc.api('DELETE', `/api/account/passkeys/${only.id}`);
      expect(removed.status).toBe(200);
      const left = body(await psc.get('/api/second-factor')).passkeys;
      expect(left.map((p: { name: string }) => p.name)).toEqual(['Téléphone']);
    });

    it('refuses enrolling a new factor in a password session when the account has one already', async () => {
      const { b } = await passwordOnly(NADIA_EMAIL);
      const r = await b.api('POST', '/api/second-factor/totp/enrolment');
      expect(r.status).toBe(403);
      expect(body(r).code).toBe('second_factor_required');
    });
  });
});

describe('second factor with PASSWORD_LOGIN=false', async () => {
  const t = await startListeningApp({ env: { PASSWORD_LOGIN: 'false' }, features: [identityFeature] });
  afterAll(() => t.close());

  it('has no second-factor routes (Pro Santé Connect only)', async () => {
    const b = new Browser(t.url);
    await signInAs(b, SOPHIE);
    const r = await b.api('POST', '/api/second-factor/totp/enrolment');
    expect(r.status).toBe(404);
    expect(body(r).message).toMatch(/Pro Santé Connect/);
  });
});
