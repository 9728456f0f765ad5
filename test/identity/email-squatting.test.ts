// Email address squatting (security review, issue 11): anyone may type any address at first
// sign-in, unconfirmed. Such a claim never blocks the person who confirms the address (here
// Sophie, invited with it), and never serves as a password sign-in identifier.

import { afterAll, describe, expect, it } from 'vitest';
import { CURRENT_CHARTER } from '../../src/server/identity/charter/index.js';
import { passkeySecondFactor, SoftPasskey } from '../helpers/second-factor.js';
import { Browser, signInAs, startListeningApp } from './helpers.js';

const CAMILLE = '810001234565';
const SOPHIE = '4123456782/CPAT0001';
const LEA = '3690012345/CPET0002';
const ADDRESS = 'sophie.durand@cabinet-martin.example';
const today = () => new Date().toLocaleDateString('sv-SE', { timeZone: 'Europe/Paris' });

const firstSignIn = (b: Browser, password: string, email: string) =>
  b.api('POST', '/api/first-sign-in', {
    password,
    passwordConfirmation: password,
    profession: 'secretaire',
    charterVersion: CURRENT_CHARTER.version,
    charterAccepted: true,
    email,
  });

describe('an unconfirmed address claim', async () => {
  const t = await startListeningApp({ startFeatures: true });
  afterAll(() => t.close());

  it('never blocks the invited owner, and is not a sign-in identifier', async () => {
    // Léa claims Sophie's address at her own first sign-in: accepted, unconfirmed.
    const lea = new Browser(t.url);
    await signInAs(lea, LEA);
    const claimed = await firstSignIn(lea, 'Squat-Adresse-2026!', ADDRESS);
    expect(claimed.status, claimed.text).toBe(200);
    expect(JSON.parse(claimed.text).emailConfirmationSent).toBe(true);

    // Dr Martin invites Sophie with that address.
    const martin = new Browser(t.url);
    await signInAs(martin, CAMILLE);
    const staff = await martin.api('POST', '/api/delegations/staff', {
      familyName: 'DURAND',
      givenName: 'Sophie',
      email: ADDRESS,
      profession: 'Secrétaire médical(e)',
      rights: ['consulter'],
      startsOn: today(),
      endsOn: null,
    });
    expect(staff.status, staff.text).toBe(201);
    const mail = await t.ctx.db
      .selectFrom('mail_outbox')
      .select('text_body')
      .where('kind', '=', 'delegation_invitation')
      .executeTakeFirstOrThrow();
    const token = /\/invitation\/([\w-]+)/.exec(mail.text_body)?.[1] as string;

    // Sophie signs in from the link and completes her first sign-in with her address: no 409.
    const sophie = new Browser(t.url);
    await signInAs(sophie, SOPHIE, `/invitation/${token}`);
    const done = await firstSignIn(sophie, 'Cabinet-Martin-2026!', ADDRESS);
    expect(done.status, done.text).toBe(200);
    expect(JSON.parse((await sophie.get('/api/me')).text)).toMatchObject({
      email: ADDRESS,
      emailVerified: true,
    });

    // The address signs in Sophie, never Léa, whose claim is unconfirmed.
    const asSophie = new Browser(t.url);
    const ok = await asSophie.api('POST', '/api/auth/password', {
      identifier: ADDRESS,
      password: 'Cabinet-Martin-2026!',
    });
    expect(ok.status, ok.text).toBe(200);
    await passkeySecondFactor(asSophie, new SoftPasskey());
    expect(JSON.parse((await asSophie.get('/api/me')).text).subjectNameId).toBe(SOPHIE);

    const asLea = await new Browser(t.url).api('POST', '/api/auth/password', {
      identifier: ADDRESS,
      password: 'Squat-Adresse-2026!',
    });
    expect(asLea.status).toBe(401);
    // Léa's pending confirmation link now loses to the owner: 409, her account unchanged.
    const link = await t.ctx.db
      .selectFrom('mail_outbox')
      .select('text_body')
      .where('kind', '=', 'email_confirmation')
      .executeTakeFirstOrThrow();
    const jeton = /jeton=([\w-]+)/.exec(link.text_body)?.[1];
    const confirm = await new Browser(t.url).api('POST', '/api/account/email/confirm', { token: jeton });
    expect(confirm.status).toBe(409);
    expect(JSON.parse(confirm.text).code).toBe('email_taken');
    expect(JSON.parse((await lea.get('/api/me')).text).emailVerified).toBe(false);
  });
});
