// First sign-in from an invitation link: the invitation's address is offered (and taken as
// confirmed) only to the invited person — not to someone else who opened the same link.
import { afterAll, describe, expect, it } from 'vitest';
import { delegationService } from '../../src/server/delegations/index.js';
import { createTestApp } from '../helpers/app.js';
import { sessionFor } from '../helpers/session.js';
import { createUser, DEMO } from '../helpers/users.js';

describe('invitation address at first sign-in', async () => {
  const t = await createTestApp();
  afterAll(() => t.close());
  const martin = await createUser(t.ctx.db, DEMO.martin);
  const today = new Date().toLocaleDateString('sv-SE', { timeZone: 'Europe/Paris' });
  await delegationService(t.ctx).createStaff(martin, {
    familyName: 'DURAND',
    givenName: 'Sophie',
    email: 'sophie.durand@cabinet.example',
    profession: 'Secrétaire médicale',
    rights: ['consulter'],
    startsOn: today,
    endsOn: null,
  });
  const mail = await t.ctx.db.selectFrom('mail_outbox').select('text_body').executeTakeFirstOrThrow();
  const link = `/invitation/${mail.text_body.match(/\/invitation\/([\w-]+)/)?.[1]}`;

  const newcomer = async (p: { subjectNameId: string; familyName: string; givenName: string }) => {
    const row = await t.ctx.db
      .insertInto('users')
      .values({
        subject_name_id: p.subjectNameId,
        family_name: p.familyName,
        given_name: p.givenName,
        card_type: 'CPA',
      } as never)
      .returning('id')
      .executeTakeFirstOrThrow();
    return sessionFor(t, row.id, { returnTo: link });
  };

  it('offers it to the invited person, as confirmed', async () => {
    const sophie = await newcomer({
      subjectNameId: DEMO.durand.subjectNameId,
      familyName: 'DURAND',
      givenName: 'Sophie',
    });
    const info = await t.app.inject({ url: '/api/first-sign-in', headers: sophie.headers });
    expect(info.statusCode).toBe(200);
    expect(info.json().prefill).toMatchObject({
      email: 'sophie.durand@cabinet.example',
      emailFromInvitation: true,
    });
  });

  it('does not hand it to someone else holding the link', async () => {
    const lea = await newcomer({
      subjectNameId: DEMO.garnier.subjectNameId,
      familyName: 'GARNIER',
      givenName: 'Léa',
    });
    const info = await t.app.inject({ url: '/api/first-sign-in', headers: lea.headers });
    expect(info.statusCode).toBe(200);
    expect(info.json().prefill.email).not.toBe('sophie.durand@cabinet.example');
    expect(info.json().prefill.emailFromInvitation).toBe(false);
  });
});
