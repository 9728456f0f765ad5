// The delegation use cases on a real PostgreSQL: every invariant with its French message,
// concurrency (finalisations, modification racing deletion), journal and email in the same
// transaction as the change.
import { sql } from 'kysely';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { runDailyNotices } from '../../src/server/delegations/daily.js';
import { DelegationService, type DirectoryDoctor } from '../../src/server/delegations/service.js';
import { fixedClock } from '../../src/server/platform/clock.js';
import { DomainError } from '../../src/server/platform/errors.js';
import { createTestDatabase } from '../helpers/db.js';
import { createUser, DEMO } from '../helpers/users.js';

const DIRECTORY: Record<string, DirectoryDoctor> = {
  '10002345675': {
    rpps: '10002345675',
    nationalId: '810002345675',
    familyName: 'LEFÈVRE',
    givenName: 'Jean-Pierre',
    professionCode: '10',
    specialty: 'Médecine générale',
    places: [{ name: 'CABINET MÉDICAL DES BROTTEAUX', postalCode: '69006', city: 'Lyon' }],
  },
  '10001234565': {
    rpps: '10001234565',
    nationalId: '810001234565',
    familyName: 'MARTIN',
    givenName: 'Camille',
    professionCode: '10',
    specialty: 'Médecine générale',
    places: [],
  },
  '10005678908': {
    rpps: '10005678908',
    nationalId: '810005678908',
    familyName: 'BENALI',
    givenName: 'Nadia',
    professionCode: '60',
    specialty: null,
    places: [],
  },
};

async function expectError(p: Promise<unknown>, code: string, message?: string | RegExp) {
  const err = await p.then(
    () => undefined,
    (e) => e,
  );
  expect(err, `expected ${code}`).toBeInstanceOf(DomainError);
  expect((err as DomainError).code).toBe(code);
  if (message) expect((err as DomainError).message).toMatch(message);
  return err as DomainError;
}

describe('delegation service', async () => {
  const t = await createTestDatabase();
  afterAll(() => t.close());
  const clock = fixedClock(new Date('2026-11-25T09:00:00Z'));
  const service = new DelegationService({
    db: t.db,
    clock,
    publicUrl: 'http://localhost:3000',
    findDoctorByRpps: async (rpps) => DIRECTORY[rpps],
  });
  const martin = await createUser(t.db, DEMO.martin);
  const roux = await createUser(t.db, DEMO.roux);
  const durand = await createUser(t.db, DEMO.durand);
  const garnier = await createUser(t.db, DEMO.garnier);
  const staffInput = {
    familyName: 'Durand',
    givenName: 'Sophie',
    email: 'Sophie.Durand@demo.sante.fr',
    profession: 'Secrétaire médicale',
    rights: ['gerer'],
    startsOn: '2026-11-25',
    endsOn: null,
  };

  const outbox = (kind: string) =>
    t.db.selectFrom('mail_outbox').selectAll().where('kind', '=', kind).orderBy('created_at').execute();
  const tokenOf = async (delegationId: string) => {
    // The token is only in the email: read it back from the queued message, as the person would.
    const mails = await outbox('delegation_invitation');
    const last = mails.reverse().find((m) => m.text_body.includes('/invitation/'));
    const m = last?.text_body.match(/\/invitation\/([A-Za-z0-9_-]+)/);
    expect(m, `invitation link for ${delegationId}`).toBeTruthy();
    return (m as RegExpMatchArray)[1] as string;
  };

  beforeEach(async () => {
    clock.set(new Date('2026-11-25T09:00:00Z'));
    await t.db.connection().execute(async (c) => {
      await sql`set session_replication_role = replica`.execute(c);
      await sql`delete from journal_entries`.execute(c);
      await sql`delete from journal_heads`.execute(c);
      await sql`set session_replication_role = origin`.execute(c);
    });
    await sql`delete from invitations; delete from delegation_notices; delete from delegations; delete from mail_outbox; delete from graphile_worker._private_jobs`.execute(
      t.db,
    );
  });

  it('creates a staff delegation with its invitation email and journal entries in one go', async () => {
    const { id } = await service.createStaff(martin, staffInput);
    const [given] = await service.listGiven(martin);
    expect(given).toMatchObject({
      id,
      kind: 'staff',
      status: 'pending',
      rights: ['consulter', 'gerer'],
      endsOn: null,
    });
    expect(given?.delegate.email).toBe('sophie.durand@demo.sante.fr');
    const [mail] = await outbox('delegation_invitation');
    expect(mail?.to_address).toBe('sophie.durand@demo.sante.fr');
    expect(mail?.subject).toBe('Dr Camille MARTIN vous confie la gestion de ses dossiers');
    expect(mail?.html_body).toContain('/invitation/');
    const journal = await t.db
      .selectFrom('journal_entries')
      .select(['action', 'delegation_id'])
      .orderBy('id')
      .execute();
    expect(journal).toEqual([
      { action: 'delegation.created', delegation_id: id },
      { action: 'invitation.sent', delegation_id: id },
    ]);
    // the invitation token is stored only as a hash
    const inv = await t.db.selectFrom('invitations').selectAll().executeTakeFirstOrThrow();
    const token = await tokenOf(id);
    expect(inv.token_hash.toString('hex')).not.toContain(Buffer.from(token).toString('hex'));
    expect(token.length).toBeGreaterThanOrEqual(43); // 256 bits in base64url
  });

  it('enforces every invariant with a French message and changes nothing', async () => {
    await expectError(
      service.createStaff(martin, { ...staffInput, rights: [] }),
      'rights_required',
      'Choisissez au moins un droit d’accès.',
    );
    await expectError(
      service.createStaff(martin, { ...staffInput, startsOn: '2026-11-24' }),
      'period_start_past',
      /passé/,
    );
    await expectError(
      service.createStaff(martin, { ...staffInput, startsOn: '2026-12-10', endsOn: '2026-12-01' }),
      'period_end_before_start',
      /postérieure/,
    );
    await expectError(
      service.createStaff(martin, { ...staffInput, email: DEMO.martin.email }),
      'delegation_self',
      /vous déléguer/,
    );
    await expectError(
      service.createPeer(martin, { rpps: '10001234565', startsOn: '2026-12-01', endsOn: '2026-12-31' }),
      'delegation_self',
    );
    await expectError(
      service.createPeer(martin, { rpps: '10005678908', startsOn: '2026-12-01', endsOn: '2026-12-31' }),
      'peer_not_doctor',
      /médecin/,
    );
    await expectError(
      service.createPeer(martin, { rpps: '19999999999', startsOn: '2026-12-01', endsOn: '2026-12-31' }),
      'peer_unknown',
      /annuaire/,
    );
    await expectError(
      service.createPeer(martin, { rpps: "1' or 1=1--", startsOn: '2026-12-01', endsOn: '2026-12-31' }),
      'peer_unknown',
    );
    await expectError(
      service.createPeer(martin, { rpps: '10002345675', startsOn: '2026-12-01', endsOn: null }),
      'period_end_required',
      /obligatoire/,
    );
    await expectError(service.createStaff(durand, staffInput), 'forbidden', /médecins/);
    expect(await t.db.selectFrom('delegations').select('id').execute()).toEqual([]);
    expect(await t.db.selectFrom('mail_outbox').select('id').execute()).toEqual([]);
    expect(await t.db.selectFrom('journal_entries').select('id').execute()).toEqual([]);
  });

  it('refuses a second delegation to the same person and offers to modify', async () => {
    const { id } = await service.createStaff(martin, staffInput);
    const err = await expectError(
      service.createStaff(martin, { ...staffInput, email: 'SOPHIE.DURAND@demo.sante.fr' }),
      'delegation_exists',
      /Modifier|modifier/,
    );
    expect(err.status).toBe(409);
    expect(err.details).toMatchObject({ delegationId: id, action: 'Modifier' });
    await service.createPeer(martin, { rpps: '10002345675', startsOn: '2026-12-20', endsOn: '2027-01-05' });
    await expectError(
      service.createPeer(martin, { rpps: '10002345675', startsOn: '2027-02-01', endsOn: '2027-02-05' }),
      'delegation_exists',
    );
    // once deleted, the person can be invited again
    await service.remove(martin, id);
    await service.createStaff(martin, staffInput);
  });

  it('serialises concurrent creations for the same person: exactly one succeeds', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, () => service.createStaff(martin, staffInput)),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(await t.db.selectFrom('delegations').select('id').execute()).toHaveLength(1);
  });

  it('finalisation: identity checked, mismatch journaled, link still usable by the right person, single use', async () => {
    const { id } = await service.createStaff(martin, staffInput);
    const token = await tokenOf(id);
    const refused = await expectError(
      service.acceptInvitation(garnier, token),
      'invitation_identity_mismatch',
      /ne vous est pas destinée/,
    );
    expect(refused.message).not.toContain('DURAND');
    expect(refused.message).not.toContain('Sophie');
    const journal = await t.db
      .selectFrom('journal_entries')
      .select(['action', 'actor_id'])
      .where('action', '=', 'invitation.refused_identity')
      .execute();
    expect(journal).toEqual([{ action: 'invitation.refused_identity', actor_id: garnier.id }]);
    expect((await service.listGiven(martin))[0]?.status).toBe('pending');

    await service.acceptInvitation(durand, token);
    expect((await service.listGiven(martin))[0]?.status).toBe('active');
    expect((await service.listReceived(durand))[0]).toMatchObject({
      status: 'active',
      delegator: { familyName: 'MARTIN' },
    });
    const confirm = await outbox('delegation_accepted');
    expect(confirm.map((m) => m.to_address)).toEqual([DEMO.martin.email]);
    await expectError(service.acceptInvitation(durand, token), 'invitation_used', /déjà été utilisée/);
  });

  it('50 concurrent finalisations of one invitation give exactly one acceptance and one confirmation', async () => {
    const { id } = await service.createStaff(martin, staffInput);
    const token = await tokenOf(id);
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, () => service.acceptInvitation(durand, token)),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results)
      if (r.status === 'rejected') expect((r.reason as DomainError).code).toBe('invitation_used');
    expect(await outbox('delegation_accepted')).toHaveLength(1);
    expect(
      await t.db
        .selectFrom('journal_entries')
        .select('id')
        .where('action', '=', 'invitation.accepted')
        .execute(),
    ).toHaveLength(1);
  });

  it('expired, replaced, forged and deleted invitation links are refused with their own message', async () => {
    const { id } = await service.createStaff(martin, staffInput);
    const first = await tokenOf(id);
    await expectError(service.acceptInvitation(durand, 'x'.repeat(43)), 'invitation_invalid', /pas valide/);
    await expectError(service.acceptInvitation(durand, '../../etc/passwd'), 'invitation_invalid');
    await service.resendInvitation(martin, id);
    const second = await tokenOf(id);
    expect(second).not.toBe(first);
    await expectError(service.acceptInvitation(durand, first), 'invitation_replaced', /remplacé/);
    clock.advance(8 * 24 * 3600_000);
    await expectError(service.acceptInvitation(durand, second), 'invitation_expired', /expiré/);
    expect((await service.listGiven(martin))[0]?.status).toBe('invitation_expired');
    await service.resendInvitation(martin, id);
    const third = await tokenOf(id);
    await service.remove(martin, id);
    await expectError(service.acceptInvitation(durand, third), 'invitation_deleted', /supprimée/);
  });

  it('modify: optimistic version, rights and period, email to the delegate; delete is final', async () => {
    const { id } = await service.createStaff(martin, staffInput);
    await service.acceptInvitation(durand, await tokenOf(id));
    const [d] = await service.listGiven(martin);
    const modified = await service.modify(martin, id, {
      version: d?.version as number,
      rights: ['volet_medical'],
      startsOn: '2026-11-25',
      endsOn: '2026-12-31',
    });
    expect(modified.version).toBe((d?.version as number) + 1);
    await expectError(
      service.modify(martin, id, {
        version: d?.version as number,
        rights: ['gerer'],
        startsOn: '2026-11-25',
        endsOn: null,
      }),
      'delegation_stale',
      /modifiée entre-temps/,
    );
    expect((await service.listReceived(durand))[0]?.rights).toEqual(['consulter', 'volet_medical']);
    expect((await outbox('delegation_modified')).map((m) => m.to_address)).toEqual([DEMO.durand.email]);
    // Both sides told: the doctor gets a receipt naming the delegate and what changed.
    const receipts = await outbox('delegation_modified_receipt');
    expect(receipts.map((m) => m.to_address)).toEqual([DEMO.martin.email]);
    expect(receipts[0]?.subject).toBe('Vous avez modifié la délégation de droits de Sophie DURAND');
    expect(receipts[0]?.text_body).toContain('Droits ajoutés : Consulter et compléter le volet médical.');
    await expectError(
      service.modify(roux, id, { version: modified.version, startsOn: '2026-11-25', endsOn: null }),
      'not_found',
    );
    await expectError(service.remove(roux, id), 'not_found');
    await expectError(service.remove(martin, 'not-a-uuid'), 'not_found');
    await service.remove(martin, id);
    expect(await service.listGiven(martin)).toEqual([]);
    expect(await service.listReceived(durand)).toEqual([]);
    expect((await outbox('delegation_deleted')).map((m) => m.to_address)).toEqual([DEMO.durand.email]);
    await expectError(
      service.modify(martin, id, { version: modified.version + 1, startsOn: '2026-11-25', endsOn: null }),
      'delegation_modify_not_allowed',
    );
    const actions = await t.db
      .selectFrom('journal_entries')
      .select('action')
      .where('delegation_id', '=', id)
      .orderBy('id')
      .execute();
    expect(actions.map((a) => a.action)).toEqual([
      'delegation.created',
      'invitation.sent',
      'invitation.accepted',
      'delegation.modified',
      'delegation.deleted',
    ]);
  });

  it('a modification racing a deletion never resurrects the delegation', async () => {
    for (let i = 0; i < 10; i++) {
      const { id } = await service.createPeer(martin, {
        rpps: '10002345675',
        startsOn: '2026-12-20',
        endsOn: '2027-01-05',
      });
      const version = (await service.listGiven(martin)).find((d) => d.id === id)?.version as number;
      await Promise.allSettled([
        service.modify(martin, id, { version, startsOn: '2026-12-21', endsOn: '2027-01-10' }),
        service.remove(martin, id),
      ]);
      const row = await t.db
        .selectFrom('delegations')
        .select(['deleted_at'])
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      expect(row.deleted_at).not.toBeNull();
      expect(await service.listGiven(martin)).toEqual([]);
    }
  });

  it('peer delegation: same rights as the delegator, effective at its start date without acceptance', async () => {
    await service.createPeer(martin, { rpps: '10002345675', startsOn: '2026-12-20', endsOn: '2027-01-05' });
    const lefevre = await createUser(t.db, { ...DEMO.lefevre });
    const [received] = await service.listReceived(lefevre);
    expect(received).toMatchObject({
      kind: 'peer',
      status: 'scheduled',
      rights: ['consulter', 'gerer', 'volet_medical', 'envoyer'],
    });
    clock.set(new Date('2026-12-19T23:00:00Z')); // 00:00 on 20/12 in Paris
    expect((await service.listReceived(lefevre))[0]?.status).toBe('active');
    clock.set(new Date('2027-01-05T22:59:59.999Z'));
    expect((await service.listReceived(lefevre))[0]?.status).toBe('active');
    clock.set(new Date('2027-01-05T23:00:00Z'));
    expect((await service.listReceived(lefevre))[0]?.status).toBe('expired');
    await t.db
      .deleteFrom('users')
      .where('id', '=', lefevre.id)
      .execute()
      .catch(() => {});
  });
});

describe('daily notices', async () => {
  const t = await createTestDatabase();
  afterAll(() => t.close());
  const clock = fixedClock(new Date('2026-11-25T09:00:00Z'));
  const deps = { db: t.db, clock, publicUrl: 'http://localhost:3000' };
  const service = new DelegationService({ ...deps, findDoctorByRpps: async (rpps) => DIRECTORY[rpps] });
  const martin = await createUser(t.db, DEMO.martin);
  const mails = (kind: string) =>
    t.db.selectFrom('mail_outbox').select(['to_address', 'subject']).where('kind', '=', kind).execute();

  it('reminds the doctor 7 days before the end, once per delegation and end date, and journals expiry once', async () => {
    const { id } = await service.createPeer(martin, {
      rpps: '10002345675',
      startsOn: '2026-11-25',
      endsOn: '2026-12-20',
    });
    clock.set(new Date('2026-12-12T09:00:00Z')); // 8 days before
    expect(await runDailyNotices(deps)).toEqual({ endReminders: 0, yearlyReviews: 0, expired: 0 });
    clock.set(new Date('2026-12-13T09:00:00Z')); // 7 days before
    expect((await runDailyNotices(deps)).endReminders).toBe(1);
    expect((await runDailyNotices(deps)).endReminders).toBe(0); // rerun: nothing twice
    const results = await Promise.all([runDailyNotices(deps), runDailyNotices(deps)]); // two nodes
    expect(results.map((r) => r.endReminders)).toEqual([0, 0]);
    expect(await mails('delegation_end_reminder')).toEqual([
      {
        to_address: DEMO.martin.email,
        subject: 'La délégation de droits de Jean-Pierre LEFÈVRE se termine le 20/12/2026',
      },
    ]);
    // a new end date is a new reminder
    const version = (await service.listGiven(martin))[0]?.version as number;
    await service.modify(martin, id, { version, startsOn: '2026-11-25', endsOn: '2026-12-19' });
    expect((await runDailyNotices(deps)).endReminders).toBe(1);
    clock.set(new Date('2026-12-20T09:00:00Z'));
    expect((await runDailyNotices(deps)).expired).toBe(1);
    expect((await runDailyNotices(deps)).expired).toBe(0);
    const expired = await t.db
      .selectFrom('journal_entries')
      .select(['action', 'actor_id'])
      .where('action', '=', 'delegation.expired')
      .execute();
    expect(expired).toEqual([{ action: 'delegation.expired', actor_id: null }]);
  });

  it('sends no reminder for a delegation created after its reminder was due', async () => {
    clock.set(new Date('2027-02-01T09:00:00Z'));
    await service.createStaff(martin, {
      familyName: 'GARNIER',
      givenName: 'Léa',
      email: 'lea@demo.sante.fr',
      profession: 'Assistante médicale',
      rights: ['consulter'],
      startsOn: '2027-02-01',
      endsOn: '2027-02-03',
    });
    expect((await runDailyNotices(deps)).endReminders).toBe(0);
  });

  it('asks for a yearly review of a staff delegation without end date', async () => {
    clock.set(new Date('2027-03-01T09:00:00Z'));
    const benali = await createUser(t.db, DEMO.benali);
    await service.createStaff(martin, {
      familyName: 'BENALI',
      givenName: 'Nadia',
      email: DEMO.benali.email,
      profession: 'Infirmière',
      rights: ['consulter'],
      startsOn: '2027-03-01',
      endsOn: null,
    });
    const invitation = await t.db
      .selectFrom('mail_outbox')
      .select('text_body')
      .where('to_address', '=', DEMO.benali.email)
      .executeTakeFirstOrThrow();
    await service.acceptInvitation(
      benali,
      invitation.text_body.match(/\/invitation\/([\w-]+)/)?.[1] as string,
    );
    clock.set(new Date('2028-02-28T09:00:00Z'));
    expect((await runDailyNotices(deps)).yearlyReviews).toBe(0);
    clock.set(new Date('2028-03-01T09:00:00Z'));
    expect((await runDailyNotices(deps)).yearlyReviews).toBe(1);
    expect((await runDailyNotices(deps)).yearlyReviews).toBe(0);
    expect((await mails('delegation_yearly_review'))[0]?.subject).toBe(
      'Revue annuelle : la délégation de droits de Nadia BENALI',
    );
  });
});
