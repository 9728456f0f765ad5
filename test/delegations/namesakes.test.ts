// Namesakes (security review, issue 11): an invitation is bound to names only (the seed's rule),
// so the outcome is made visible to the doctor: the acceptance email names the card type and the
// national identifier that accepted; « Mes délégations » shows them; another card holder with
// the same names as a delegate is flagged.
import { afterAll, describe, expect, it } from 'vitest';
import { DelegationService } from '../../src/server/delegations/service.js';
import { createTestApp } from '../helpers/app.js';
import { sessionFor } from '../helpers/session.js';
import { createUser, DEMO } from '../helpers/users.js';

describe('namesakes made visible to the doctor', async () => {
  const t = await createTestApp();
  afterAll(() => t.close());
  const martin = await createUser(t.ctx.db, DEMO.martin);
  const durand = await createUser(t.ctx.db, DEMO.durand);
  const asMartin = await sessionFor(t, martin.id);
  const today = new Date().toLocaleDateString('sv-SE', { timeZone: 'Europe/Paris' });
  const service = new DelegationService({
    db: t.ctx.db,
    clock: t.ctx.clock,
    publicUrl: 'http://localhost:3000',
    findDoctorByRpps: async () => undefined,
  });

  it('emails the card type and national identifier that accepted, and flags a namesake', async () => {
    const { id } = await service.createStaff(martin, {
      familyName: 'Durand',
      givenName: 'Sophie',
      email: 'sophie.durand@demo.sante.fr',
      profession: 'Secrétaire médicale',
      rights: ['consulter'],
      startsOn: today,
      endsOn: null,
    });
    const invitation = await t.ctx.db
      .selectFrom('mail_outbox')
      .select('text_body')
      .where('kind', '=', 'delegation_invitation')
      .executeTakeFirstOrThrow();
    await service.acceptInvitation(
      durand,
      /\/invitation\/([\w-]+)/.exec(invitation.text_body)?.[1] as string,
    );
    const accepted = await t.ctx.db
      .selectFrom('mail_outbox')
      .select(['to_address', 'text_body', 'html_body'])
      .where('kind', '=', 'delegation_accepted')
      .executeTakeFirstOrThrow();
    expect(accepted.to_address).toBe(DEMO.martin.email);
    expect(accepted.text_body).toContain(
      'Carte utilisée : carte CPA (personnel autorisé d’un cabinet), identifiant national 4123456782/CPAT0001.',
    );
    expect(accepted.html_body).toContain('4123456782/CPAT0001');

    const [before] = await service.listGiven(martin);
    expect(before?.delegate).toMatchObject({
      nationalId: '4123456782/CPAT0001',
      cardType: 'CPA',
      namesake: false,
    });

    // Another card holder named Sophie DURAND (accents and case aside) signs in one day.
    await createUser(t.ctx.db, {
      subjectNameId: '3690099999/CPET0009',
      familyName: 'DURAND',
      givenName: 'sophie',
      professionCode: null,
      email: null,
    });
    const res = await t.app.inject({ url: '/api/delegations', headers: asMartin.headers });
    expect(res.statusCode).toBe(200);
    expect(res.json().staff).toEqual([
      expect.objectContaining({
        id,
        delegate: expect.objectContaining({
          nationalId: '4123456782/CPAT0001',
          cardType: 'CPA',
          namesake: true,
        }),
      }),
    ]);
  });
});
