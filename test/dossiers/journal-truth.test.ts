// The journal records what happened, over HTTP on a real PostgreSQL: asking « Pourquoi ai-je
// accès ? » is journaled as « Droits consultés » (never as the action asked about); a write is
// journaled in its own transaction, only once it commits (a stale version writes nothing); a
// refusal stays a refusal; one view of a dossier is one entry.
import { sql } from 'kysely';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { DelegationService } from '../../src/server/delegations/service.js';
import { createTestApp } from '../helpers/app.js';
import { sessionFor } from '../helpers/session.js';
import { createUser, DEMO } from '../helpers/users.js';

describe('the journal tells only what happened', async () => {
  const t = await createTestApp();
  afterAll(() => t.close());
  const martin = await createUser(t.ctx.db, DEMO.martin);
  const durand = await createUser(t.ctx.db, DEMO.durand);
  const asMartin = await sessionFor(t, martin.id);
  const asDurand = await sessionFor(t, durand.id);
  const today = new Date().toLocaleDateString('sv-SE', { timeZone: 'Europe/Paris' });
  const inject = t.app.inject.bind(t.app);
  const delegations = new DelegationService({
    db: t.ctx.db,
    clock: t.ctx.clock,
    publicUrl: 'http://localhost',
    findDoctorByRpps: async () => undefined,
  });
  await delegations.createStaff(martin, {
    familyName: 'DURAND',
    givenName: 'Sophie',
    email: DEMO.durand.email,
    profession: 'Secrétaire médicale',
    rights: ['gerer', 'volet_medical', 'envoyer'],
    startsOn: today,
    endsOn: null,
  });
  const mail = await t.ctx.db
    .selectFrom('mail_outbox')
    .select('text_body')
    .where('kind', '=', 'delegation_invitation')
    .executeTakeFirstOrThrow();
  await delegations.acceptInvitation(durand, mail.text_body.match(/\/invitation\/([\w-]+)/)?.[1] as string);
  const created = await inject({
    method: 'POST',
    url: '/api/dossiers',
    headers: asMartin.write,
    payload: {
      patient: { familyName: 'DUPONT', givenName: 'Marcel', birthDate: '1938-04-02', sex: 'M' },
      administrative: { address: '12 rue Garibaldi, 69003 Lyon' },
    },
  });
  const dossierId = created.json().id as string;

  /** Sophie Durand's entries in Dr Martin's journal, as the doctor reads them. */
  const durandEntries = async () => {
    const page = await inject({ url: `/api/journal?delegate=${durand.id}`, headers: asMartin.headers });
    expect(page.statusCode).toBe(200);
    return (
      page.json().entries as { action: string; actionLabel: string; outcomeLabel: string; detail: string }[]
    ).reverse();
  };

  beforeEach(async () => {
    await t.ctx.db.connection().execute(async (c) => {
      await sql`set session_replication_role = replica`.execute(c);
      await sql`delete from journal_entries where actor_id = ${durand.id}`.execute(c);
      await sql`set session_replication_role = origin`.execute(c);
    });
  });

  it('journals an explanation as « Droits consultés », never as the action asked about', async () => {
    for (const action of ['write_medical', 'send', 'create']) {
      const res = await inject({
        url: `/api/access/explain?dossier=${dossierId}&action=${action}`,
        headers: asDurand.headers,
      });
      expect(res.statusCode, res.body).toBe(200);
    }
    const entries = await durandEntries();
    expect(entries.map((e) => [e.action, e.actionLabel, e.outcomeLabel])).toEqual([
      ['access.explained', 'Droits consultés', 'Autorisé'],
      ['access.explained', 'Droits consultés', 'Autorisé'],
      ['access.explained', 'Droits consultés', 'Autorisé'],
    ]);
    expect(entries.map((e) => e.detail)).toEqual([
      'pour compléter le volet médical',
      'pour envoyer ou annuler une demande',
      'pour créer un dossier',
    ]);
    const medical = await t.ctx.db
      .selectFrom('dossiers')
      .select('medical')
      .where('id', '=', dossierId)
      .executeTakeFirstOrThrow();
    expect(medical.medical).toEqual({});
  });

  it('journals a write only when it commits: a stale version (409) leaves no « complété »', async () => {
    const { version } = (
      await inject({ url: `/api/dossiers/${dossierId}`, headers: asDurand.headers })
    ).json();
    const stale = await inject({
      method: 'PUT',
      url: `/api/dossiers/${dossierId}/medical`,
      headers: asDurand.write,
      payload: { version: version + 5, medical: { gir: 3 } },
    });
    expect(stale.statusCode).toBe(409);
    expect((await durandEntries()).map((e) => e.action)).toEqual(['dossier.read']);

    const done = await inject({
      method: 'PUT',
      url: `/api/dossiers/${dossierId}/medical`,
      headers: asDurand.write,
      payload: { version, medical: { pathologies: 'Arthrose', gir: 3 } },
    });
    expect(done.statusCode, done.body).toBe(200);
    const entries = await durandEntries();
    expect(entries.map((e) => [e.action, e.outcomeLabel])).toEqual([
      ['dossier.read', 'Autorisé'],
      ['dossier.write_medical', 'Effectué'],
    ]);
    expect(entries[1]?.actionLabel).toBe('Volet médical complété');
  });

  it('journals a refused write as a refusal, and a creation with the dossier it made', async () => {
    await sql`update delegations set rights = '{consulter}' where delegator_id = ${martin.id}`.execute(
      t.ctx.db,
    );
    const refused = await inject({
      method: 'PUT',
      url: `/api/dossiers/${dossierId}/medical`,
      headers: asDurand.write,
      payload: { version: 1, medical: { gir: 3 } },
    });
    expect(refused.statusCode).toBe(403);
    expect((await durandEntries()).map((e) => [e.action, e.outcomeLabel, e.detail])).toEqual([
      ['dossier.write_medical', 'Refusé', 'droit manquant'],
    ]);
    await sql`update delegations set rights = '{consulter,gerer}' where delegator_id = ${martin.id}`.execute(
      t.ctx.db,
    );
    const made = await inject({
      method: 'POST',
      url: '/api/dossiers',
      headers: asDurand.write,
      payload: { patient: { familyName: 'ROBERT', givenName: 'Jeanne', birthDate: '1940-01-02', sex: 'F' } },
    });
    expect(made.statusCode, made.body).toBe(201);
    const rows = await t.ctx.db
      .selectFrom('journal_entries')
      .select(['action', 'outcome', 'dossier_id'])
      .where('actor_id', '=', durand.id)
      .orderBy('id')
      .execute();
    expect(rows.at(-1)).toEqual({ action: 'dossier.create', outcome: 'ok', dossier_id: made.json().id });
  });

  it('one view of a dossier is one « Dossier consulté », even when the page explains the access', async () => {
    // What the dossier page calls: the dossier, then « Pourquoi ai-je accès ? » for reading it.
    const res = await inject({ url: `/api/dossiers/${dossierId}`, headers: asDurand.headers });
    expect(res.statusCode).toBe(200);
    const why = await inject({
      url: `/api/access/explain?dossier=${dossierId}&action=read`,
      headers: asDurand.headers,
    });
    expect(why.statusCode).toBe(200);
    expect((await durandEntries()).map((e) => e.actionLabel)).toEqual([
      'Dossier consulté',
      'Droits consultés',
    ]);
  });
});
