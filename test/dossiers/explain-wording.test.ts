// "Pourquoi ai-je accès ?" names the right as the user reads it in "Mes délégations"
// (« Créer et modifier les dossiers »), never by its code (« gerer »).
import { afterAll, describe, expect, it } from 'vitest';
import { DelegationService } from '../../src/server/delegations/service.js';
import { createTestApp } from '../helpers/app.js';
import { sessionFor } from '../helpers/session.js';
import { createUser, DEMO } from '../helpers/users.js';

describe('Pourquoi ai-je accès ? wording', async () => {
  const t = await createTestApp();
  afterAll(() => t.close());
  const martin = await createUser(t.ctx.db, DEMO.martin);
  const durand = await createUser(t.ctx.db, DEMO.durand);
  const asMartin = await sessionFor(t, martin.id);
  const asDurand = await sessionFor(t, durand.id);
  const delegations = new DelegationService({
    db: t.ctx.db,
    clock: t.ctx.clock,
    publicUrl: 'http://localhost',
    findDoctorByRpps: async () => undefined,
  });
  const today = new Date().toLocaleDateString('sv-SE', { timeZone: 'Europe/Paris' });

  it('names the right by its French label', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/dossiers',
      headers: asMartin.write,
      payload: { patient: { familyName: 'DUPONT', givenName: 'Marcel', birthDate: '1938-04-02', sex: 'M' } },
    });
    const dossierId = created.json().id as string;
    await delegations.createStaff(martin, {
      familyName: 'DURAND',
      givenName: 'Sophie',
      email: DEMO.durand.email,
      profession: 'Secrétaire médicale',
      rights: ['gerer'],
      startsOn: today,
      endsOn: null,
    });
    const mail = await t.ctx.db
      .selectFrom('mail_outbox')
      .select('text_body')
      .where('kind', '=', 'delegation_invitation')
      .executeTakeFirstOrThrow();
    await delegations.acceptInvitation(durand, mail.text_body.match(/\/invitation\/([\w-]+)/)?.[1] as string);
    const explain = await t.app.inject({
      url: `/api/access/explain?dossier=${dossierId}&action=write_admin`,
      headers: asDurand.headers,
    });
    expect(explain.statusCode).toBe(200);
    expect(explain.json().message).toBe(
      'Votre délégation de droits vous permet de modifier le volet administratif (droit « Créer et modifier les dossiers »), sans date de fin.',
    );
  });
});
