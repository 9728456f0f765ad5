// First sign-in (password, profession, charter, email) and password sign-in: rules, hostile
// input, lockout, equal answers for unknown accounts, session limits, charter versions.
import { afterAll, describe, expect, it } from 'vitest';
import type { AppFeature } from '../../src/server/composition.js';
import { CURRENT_CHARTER } from '../../src/server/identity/charter/index.js';
import { identityFeature, requireUser } from '../../src/server/identity/index.js';
import { fixedClock } from '../../src/server/platform/clock.js';
import { totpCode } from '../helpers/second-factor.js';
import { Browser, signInAs, signInAtProvider, startListeningApp } from './helpers.js';

const SOPHIE = '4123456782/CPAT0001';
const NADIA = '810005678908';
const LEA = '3690012345/CPET0002';
const GOOD_PASSWORD = 'Cabinet-Lyon3-2026!';

const probe: AppFeature = {
  name: 'probe',
  routes(app) {
    app.get('/api/probe/me', async (request) => ({ id: requireUser(request).id }));
  },
};

const body = (r: { text: string }) => JSON.parse(r.text);

describe('first sign-in and password sign-in', async () => {
  const clock = fixedClock(new Date());
  // The per-address request limit (tested in test/platform/rate-limits.test.ts) is raised here:
  // this file tests the per-account delays and lockout, which many attempts from one address reach.
  const t = await startListeningApp({
    clock,
    env: { RATE_LIMIT_FACTOR: '10' },
    features: [identityFeature, probe],
    startFeatures: true,
  });
  afterAll(() => t.close());

  const userRow = (snid: string) =>
    t.ctx.db.selectFrom('users').selectAll().where('subject_name_id', '=', snid).executeTakeFirstOrThrow();

  it('tells a staff member what the first sign-in needs, with the charter', async () => {
    const b = new Browser(t.url);
    await signInAs(b, SOPHIE);
    const info = body(await b.get('/api/first-sign-in'));
    expect(info).toMatchObject({
      needsPassword: true,
      needsProfession: true,
      needsCharter: true,
      needsEmail: true,
      charterUpdate: false,
      user: { givenName: 'Sophie', familyName: 'DURAND', isDoctor: false },
      prefill: { email: null, emailFromInvitation: false },
    });
    expect(info.charter.version).toBe(CURRENT_CHARTER.version);
    expect(info.charter.blocks.length).toBeGreaterThan(5);
  });

  it('refuses hostile, oversized or incomplete input with French messages, storing nothing', async () => {
    const b = new Browser(t.url);
    await signInAs(b, SOPHIE);
    const valid = {
      password: GOOD_PASSWORD,
      passwordConfirmation: GOOD_PASSWORD,
      profession: 'secretaire',
      charterVersion: CURRENT_CHARTER.version,
      charterAccepted: true,
      email: 'sophie.durand@cabinet-martin.example',
    };
    const cases: [string, object, RegExp][] = [
      ['short password', { password: 'Court1!', passwordConfirmation: 'Court1!' }, /au moins 12 caractères/],
      [
        '12 chars, no symbol',
        { password: 'Abcdefgh1234', passwordConfirmation: 'Abcdefgh1234' },
        /caractère spécial/,
      ],
      ['common password', { password: 'Azerty123456!', passwordConfirmation: 'Azerty123456!' }, /courants/],
      ['name inside', { password: 'Sophie-Durand-2026', passwordConfirmation: 'Sophie-Durand-2026' }, /nom/],
      ['confirmation differs', { passwordConfirmation: `${GOOD_PASSWORD}x` }, /identiques/],
      ['oversized password', { password: 'a'.repeat(5000), passwordConfirmation: 'a'.repeat(5000) }, /128/],
      ['no profession', { profession: undefined }, /profession/],
      ['unknown profession', { profession: 'pirate' }, /./],
      ['other without detail', { profession: 'autre' }, /Précisez/],
      [
        'control characters',
        { profession: 'autre', professionOther: 'Aide\u0000soignante' },
        /non autorisés/,
      ],
      ['oversized detail', { profession: 'autre', professionOther: 'x'.repeat(1000) }, /100 caractères/],
      ['charter refused', { charterAccepted: false }, /charte/],
      ['bad email', { email: 'pas-une-adresse' }, /adresse électronique valide/],
      ['header injection', { email: 'a@b.fr\r\nBcc: x@y.fr' }, /adresse électronique valide/],
      ['oversized email', { email: `${'a'.repeat(300)}@b.fr` }, /254/],
      ['wrong types', { charterAccepted: 'oui', password: 12 }, /./],
      ['no email', { email: undefined }, /adresse électronique/],
    ];
    for (const [name, change, message] of cases) {
      const res = await b.api('POST', '/api/first-sign-in', { ...valid, ...change });
      expect(res.status, name).toBe(400);
      const err = body(res);
      expect(err.message, name).toMatch(/manquantes ou invalides/);
      expect(err.fields.map((f: { message: string }) => f.message).join(' '), name).toMatch(message);
    }
    const old = await b.api('POST', '/api/first-sign-in', { ...valid, charterVersion: 'ancienne' });
    expect(old.status).toBe(409);
    expect(body(old).message).toMatch(/charte/);
    const notJson = await b.request('POST', '/api/first-sign-in', {
      headers: { 'x-csrf-token': await b.csrf(), 'content-type': 'application/json' },
      form: undefined,
    });
    expect(notJson.status).toBe(400);

    const u = await userRow(SOPHIE);
    expect(u).toMatchObject({
      password_hash: null,
      declared_profession: null,
      email: null,
      charter_version: null,
      first_signin_completed_at: null,
    });
    expect(await t.ctx.db.selectFrom('mail_outbox').select('id').execute()).toEqual([]);
  });

  it('completes Sophie’s first sign-in: argon2id hash, profession, charter version and time, email link queued', async () => {
    const b = new Browser(t.url);
    await signInAs(b, SOPHIE);
    expect((await b.get('/api/probe/me')).status).toBe(403);
    const res = await b.api('POST', '/api/first-sign-in', {
      password: GOOD_PASSWORD,
      passwordConfirmation: GOOD_PASSWORD,
      profession: 'secretaire',
      charterVersion: CURRENT_CHARTER.version,
      charterAccepted: true,
      email: 'Sophie.Durand@cabinet-martin.example',
    });
    expect(res.status).toBe(200);
    // The second factor is chosen right after the password (test/identity/second-factor.test.ts).
    expect(body(res)).toEqual({ redirectTo: '/second-facteur?retour=%2F', emailConfirmationSent: true });
    const u = await userRow(SOPHIE);
    expect(u.password_hash).toMatch(/^\$argon2id\$/);
    expect(u.password_hash).not.toContain(GOOD_PASSWORD);
    expect(u).toMatchObject({
      declared_profession: 'secretaire',
      charter_version: CURRENT_CHARTER.version,
      email: 'Sophie.Durand@cabinet-martin.example',
      email_verified_at: null,
    });
    expect(u.charter_accepted_at).toBeInstanceOf(Date);
    expect((await b.get('/api/probe/me')).status).toBe(200);
    expect(body(await b.get('/api/me'))).toMatchObject({
      professionLabel: 'Secrétaire médical(e)',
      firstSignInComplete: true,
      hasPassword: true,
      emailVerified: false,
    });

    // The confirmation email is queued with the change, with a single-use link.
    const mails = await t.ctx.db.selectFrom('mail_outbox').selectAll().execute();
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatchObject({
      kind: 'email_confirmation',
      to_address: 'Sophie.Durand@cabinet-martin.example',
    });
    const link = /https?:\/\/\S+confirmer-courriel\?jeton=([\w-]+)/.exec(mails[0]?.text_body ?? '');
    expect(link).not.toBeNull();
    const anonymous = new Browser(t.url);
    const confirmed = await anonymous.api('POST', '/api/account/email/confirm', { token: link?.[1] });
    expect(confirmed.status).toBe(200);
    expect((await userRow(SOPHIE)).email_verified_at).toBeInstanceOf(Date);
    const again = await anonymous.api('POST', '/api/account/email/confirm', { token: link?.[1] });
    expect(again.status).toBe(410);
    expect(body(again).message).toMatch(/invalide, a expiré ou a déjà été utilisé/);
  });

  it('asks a doctor only for the email and the charter, and pre-fills the email from the claims', async () => {
    const b = new Browser(t.url);
    await signInAs(b, NADIA);
    const nurse = body(await b.get('/api/first-sign-in'));
    expect(nurse.prefill).toMatchObject({
      email: 'nadia.benali@infirmiere-lyon3.example',
      profession: 'infirmier',
    });

    const d = new Browser(t.url);
    const res = await d.get(
      await signInAtProvider(d, {
        card: 'autre',
        subjectNameId: '810008888881',
        familyName: 'NOUVEAU',
        givenName: 'Docteur',
        professionCode: '10',
        cardType: 'CPS',
        acr: 'eidas1',
      }),
    );
    expect(res.location).toBe(`${t.url}/premiere-connexion`);
    const info = body(await d.get('/api/first-sign-in'));
    expect(info).toMatchObject({
      needsPassword: false,
      needsProfession: false,
      needsCharter: true,
      needsEmail: true,
    });
    const done = await d.api('POST', '/api/first-sign-in', {
      charterVersion: CURRENT_CHARTER.version,
      charterAccepted: true,
      email: 'docteur.nouveau@exemple.fr',
    });
    expect(done.status).toBe(200);
    expect((await userRow('810008888881')).password_hash).toBeNull();
  });

  it('refuses an email address another account already uses', async () => {
    const b = new Browser(t.url);
    await signInAs(b, LEA);
    const res = await b.api('POST', '/api/first-sign-in', {
      password: GOOD_PASSWORD,
      passwordConfirmation: GOOD_PASSWORD,
      profession: 'assistant',
      charterVersion: CURRENT_CHARTER.version,
      charterAccepted: true,
      email: 'sophie.durand@CABINET-MARTIN.example',
    });
    expect(res.status).toBe(409);
    expect(body(res).message).toMatch(/déjà utilisée/);
    expect((await userRow(LEA)).first_signin_completed_at).toBeNull();
  });

  it('signs in with the password, and answers an unknown account exactly like a wrong password', async () => {
    const ok = new Browser(t.url);
    const res = await ok.api('POST', '/api/auth/password', {
      identifier: 'sophie.durand@cabinet-martin.example',
      password: GOOD_PASSWORD,
    });
    expect(res.status).toBe(200);
    // A right password leads to the second factor, and opens nothing before it.
    expect(body(res)).toEqual({ redirectTo: '/connexion/second-facteur' });
    expect(body(await ok.get('/api/me')).code).toBe('second_factor_required');

    const wrong = await new Browser(t.url).api('POST', '/api/auth/password', {
      identifier: 'sophie.durand@cabinet-martin.example',
      password: 'Mauvais-mot-de-passe-1',
    });
    const unknown = await new Browser(t.url).api('POST', '/api/auth/password', {
      identifier: 'personne@nulle-part.example',
      password: 'Mauvais-mot-de-passe-1',
    });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    const strip = (r: { text: string }) => {
      const { requestId: _r, ...rest } = body(r);
      return rest;
    };
    expect(strip(wrong)).toEqual(strip(unknown));
    expect(strip(wrong)).toEqual({
      code: 'invalid_credentials',
      message: 'Identifiant ou mot de passe incorrect.',
    });
    // A doctor without a password cannot be signed in by password at all.
    const doctor = await new Browser(t.url).api('POST', '/api/auth/password', {
      identifier: 'camille.martin@cabinet-martin.example',
      password: 'Mauvais-mot-de-passe-1',
    });
    expect(strip(doctor)).toEqual(strip(unknown));
    // The right password, once the short delay has passed, is accepted; the failure is cleared
    // only by the second factor that follows (or by a Pro Santé Connect sign-in).
    clock.advance(2000);
    const again = await new Browser(t.url).api('POST', '/api/auth/password', {
      identifier: 'sophie.durand@cabinet-martin.example',
      password: GOOD_PASSWORD,
    });
    expect(again.status).toBe(200);
    expect((await userRow(SOPHIE)).failed_password_attempts).toBe(1);
    await signInAs(new Browser(t.url), SOPHIE);
    expect((await userRow(SOPHIE)).failed_password_attempts).toBe(0);
  });

  it('delays, then locks after 5 failures, the same way for a known and an unknown identifier', async () => {
    const run = async (identifier: string, rightPassword?: string) => {
      const statuses: string[] = [];
      const attempt = async (password: string) => {
        const r = await new Browser(t.url).api('POST', '/api/auth/password', { identifier, password });
        statuses.push(`${r.status} ${body(r).code}`);
        return r;
      };
      for (let i = 0; i < 5; i++) {
        await attempt('Mauvais-mot-de-passe-1');
        // Right away: the growing delay answers first.
        if (i < 4) await attempt('Mauvais-mot-de-passe-1');
        clock.advance(2 ** i * 1000 + 1);
      }
      // Locked for 15 minutes, even with the right password.
      await attempt(rightPassword ?? 'Mauvais-mot-de-passe-1');
      clock.advance(14 * 60_000);
      await attempt(rightPassword ?? 'Mauvais-mot-de-passe-1');
      clock.advance(60_000);
      return statuses;
    };
    const known = await run('sophie.durand@cabinet-martin.example', GOOD_PASSWORD);
    const unknown = await run('inconnu@nulle-part.example');
    expect(known).toEqual(unknown);
    expect(known).toEqual([
      '401 invalid_credentials',
      '429 password_throttled',
      '401 invalid_credentials',
      '429 password_throttled',
      '401 invalid_credentials',
      '429 password_throttled',
      '401 invalid_credentials',
      '429 password_throttled',
      '401 invalid_credentials',
      '429 password_locked',
      '429 password_locked',
    ]);
    // After the lockout, the right password works; the count is reset by the second factor that
    // follows, or by a Pro Santé Connect sign-in.
    const back = await new Browser(t.url).api('POST', '/api/auth/password', {
      identifier: 'sophie.durand@cabinet-martin.example',
      password: GOOD_PASSWORD,
    });
    expect(back.status).toBe(200);
    expect((await userRow(SOPHIE)).failed_password_attempts).toBe(5);
    await signInAs(new Browser(t.url), SOPHIE);
    expect((await userRow(SOPHIE)).failed_password_attempts).toBe(0);
  });

  it('checks one guess of a burst: 20 wrong passwords at once, then the right one, are refused', async () => {
    const identifier = 'sophie.durand@cabinet-martin.example';
    const burst = async (passwords: string[]) => {
      // Sessions and CSRF tokens first, so that the attempts themselves leave together.
      const browsers = passwords.map(() => new Browser(t.url));
      const tokens = await Promise.all(browsers.map((b) => b.csrf()));
      return Promise.all(
        browsers.map((b, i) =>
          b.request('POST', '/api/auth/password', {
            json: { identifier, password: passwords[i] },
            headers: { 'x-csrf-token': tokens[i] as string },
          }),
        ),
      );
    };
    const wrong = Array.from({ length: 20 }, (_, i) => `Mauvais-mot-de-passe-${i}`);
    const first = await burst(wrong);
    // The attempt is reserved before the password is checked: one guess is checked, the others
    // find its delay and are refused unchecked.
    expect(first.filter((r) => r.status === 401)).toHaveLength(1);
    expect(first.filter((r) => r.status === 429)).toHaveLength(19);
    expect((await userRow(SOPHIE)).failed_password_attempts).toBe(1);
    const right = await new Browser(t.url).api('POST', '/api/auth/password', {
      identifier,
      password: GOOD_PASSWORD,
    });
    expect(right.status).toBe(429);

    // The old hole: 19 wrong guesses and the right one in one burst. At most one of them is
    // checked, so the burst is worth one guess, not twenty.
    clock.advance(2_000);
    const mixed = await burst([...wrong.slice(0, 10), GOOD_PASSWORD, ...wrong.slice(10, 19)]);
    expect(mixed.filter((r) => r.status !== 429)).toHaveLength(1);

    // Five checked failures lock the account for 15 minutes, even for the right password.
    clock.advance(16 * 60_000);
    // (A right password no longer clears the count — only its second factor does — so a Pro
    // Santé Connect sign-in starts it again here.)
    await signInAs(new Browser(t.url), SOPHIE);
    for (let i = 0; i < 5; i++) {
      clock.advance(2 ** i * 1000 + 1);
      const r = await new Browser(t.url).api('POST', '/api/auth/password', {
        identifier,
        password: wrong[i],
      });
      expect(r.status).toBe(401);
    }
    const locked = await new Browser(t.url).api('POST', '/api/auth/password', {
      identifier,
      password: GOOD_PASSWORD,
    });
    expect(locked.status).toBe(429);
    expect(body(locked).code).toBe('password_locked');
    clock.advance(16 * 60_000);
    const back = await new Browser(t.url).api('POST', '/api/auth/password', {
      identifier,
      password: GOOD_PASSWORD,
    });
    expect(back.status).toBe(200);
    expect((await userRow(SOPHIE)).failed_password_attempts).toBe(5);
  });

  it('refuses hostile password sign-in input with a French 400', async () => {
    for (const payload of [
      {},
      { identifier: '', password: '' },
      { identifier: 'x'.repeat(10_000), password: 'y' },
      { identifier: 'a@b.fr', password: 'y'.repeat(10_000) },
      { identifier: ['a@b.fr'], password: 'x' },
      { identifier: 'a\u0000@b.fr', password: 'x' },
    ]) {
      const r = await new Browser(t.url).api('POST', '/api/auth/password', payload);
      expect(r.status, JSON.stringify(payload).slice(0, 60)).toBe(400);
      expect(body(r).message).toMatch(/manquantes ou invalides/);
    }
  });

  it('ends a session after the idle timeout and after the absolute limit', async () => {
    const b = new Browser(t.url);
    await signInAs(b, '810001234565');
    clock.advance(59 * 60_000);
    expect((await b.get('/api/me')).status).toBe(200);
    clock.advance(59 * 60_000);
    expect((await b.get('/api/me')).status).toBe(200);
    clock.advance(61 * 60_000);
    expect((await b.get('/api/me')).status).toBe(401);

    const c = new Browser(t.url);
    c.cookies.clear();
    await signInAs(c, '810001234565');
    for (let h = 0; h < 15; h++) {
      clock.advance(30 * 60_000);
      expect((await c.get('/api/me')).status, `after ${(h + 1) / 2} h`).toBe(200);
    }
    clock.advance(31 * 60_000);
    expect((await c.get('/api/me')).status).toBe(401);
  });

  it('asks for the charter again after a new version, and nothing else', async () => {
    await t.ctx.db
      .updateTable('users')
      .set({ charter_version: '2025-01-v0' })
      .where('subject_name_id', '=', SOPHIE)
      .execute();
    await signInAs(new Browser(t.url), SOPHIE); // ends the lockout of the test before
    const b = new Browser(t.url);
    await b.api('POST', '/api/auth/password', {
      identifier: 'sophie.durand@cabinet-martin.example',
      password: GOOD_PASSWORD,
    });
    expect((await b.get('/api/probe/me')).status).toBe(401);
    // The second factor first: this account has none yet, so it enrols one (a TOTP app).
    const { secret } = body(await b.api('POST', '/api/second-factor/totp/enrolment'));
    const enrolled = await b.api('POST', '/api/second-factor/totp/enrolment/confirm', {
      code: totpCode(secret, clock.now().getTime()),
    });
    expect(enrolled.status).toBe(200);
    expect((await b.get('/api/probe/me')).status).toBe(403);
    const info = body(await b.get('/api/first-sign-in'));
    expect(info).toMatchObject({
      needsPassword: false,
      needsProfession: false,
      needsEmail: false,
      needsCharter: true,
      charterUpdate: true,
    });
    const res = await b.api('POST', '/api/first-sign-in', {
      charterVersion: CURRENT_CHARTER.version,
      charterAccepted: true,
    });
    expect(res.status).toBe(200);
    expect((await b.get('/api/probe/me')).status).toBe(200);
    expect((await userRow(SOPHIE)).charter_version).toBe(CURRENT_CHARTER.version);
  });
});

describe('password sign-in switched off', async () => {
  const t = await startListeningApp({ env: { PASSWORD_LOGIN: 'false' }, features: [identityFeature] });
  afterAll(() => t.close());

  it('answers 404 in French and does not ask staff for a password', async () => {
    const b = new Browser(t.url);
    const res = await b.api('POST', '/api/auth/password', { identifier: 'a@b.fr', password: 'x' });
    expect(res.status).toBe(404);
    expect(body(res).message).toMatch(/mot de passe n’est pas disponible/);
    expect(body(await b.get('/api/session')).passwordLogin).toBe(false);
    await signInAs(b, SOPHIE);
    expect(body(await b.get('/api/first-sign-in')).needsPassword).toBe(false);
  });
});
