// Cabinets on a real PostgreSQL, through the application's composition root: a cabinet, its
// invitations, proposals that grant nothing before each colleague's consent, one invitation for
// the staff member, « Tous mes médecins » decided per doctor, leaving, and hostile input.
import type { InjectOptions } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { CabinetService } from '../../src/server/cabinets/service.js';
import { fixedClock } from '../../src/server/platform/clock.js';
import { DomainError } from '../../src/server/platform/errors.js';
import type { SignedInUser } from '../../src/server/platform/signed-in-user.js';
import type { Right } from '../../src/shared/rights.js';
import { createTestApp } from '../helpers/app.js';
import { sessionFor } from '../helpers/session.js';
import { createUser, DEMO } from '../helpers/users.js';

const DIRECTORY: Record<
  string,
  { nationalId: string; familyName: string; givenName: string; isDoctor: boolean }
> = {
  '10002345675': {
    nationalId: '810002345675',
    familyName: 'LEFÈVRE',
    givenName: 'Jean-Pierre',
    isDoctor: true,
  },
  '10004567896': { nationalId: '810004567896', familyName: 'ROUX', givenName: 'Hélène', isDoctor: true },
  '10005678908': { nationalId: '810005678908', familyName: 'BENALI', givenName: 'Nadia', isDoctor: false },
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

describe('cabinets', async () => {
  const clock = fixedClock(new Date('2026-11-25T09:00:00Z'));
  const t = await createTestApp({ clock });
  afterAll(() => t.close());
  const { db } = t.ctx;
  const cabinets = new CabinetService({
    db,
    clock,
    publicUrl: 'http://localhost:3000',
    delegations: t.ctx.delegations,
    findByRpps: async (rpps) => DIRECTORY[rpps],
  });
  const delegations = t.ctx.delegations;
  const dossiers = t.ctx.dossiers;
  const martin = await createUser(db, DEMO.martin);
  const lefevre = await createUser(db, DEMO.lefevre);
  const roux = await createUser(db, DEMO.roux);
  const durand = await createUser(db, DEMO.durand);
  const sophie = {
    familyName: 'Durand',
    givenName: 'Sophie',
    email: 'sophie.durand@demo.sante.fr',
    profession: 'Secrétaire médical(e)',
    rights: ['gerer'] as Right[],
    startsOn: '2026-11-25',
    endsOn: null,
  };
  const dossierOf = async (owner: SignedInUser, familyName: string) =>
    (
      await db
        .insertInto('dossiers')
        .values({
          owner_id: owner.id,
          reference: `GA-2026-${familyName}`,
          patient_family_name: familyName,
          patient_given_name: 'Jeanne',
          patient_birth_date: '1940-01-01',
          patient_sex: 'F',
          administrative: '{}',
          medical: '{}',
          created_by: owner.id,
          updated_by: owner.id,
          created_at: new Date(),
          updated_at: new Date(),
        } as never)
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id as string;
  const martinDossier = await dossierOf(martin, 'BERNARD');
  const lefevreDossier = await dossierOf(lefevre, 'PETIT');

  const outbox = (kind: string) =>
    db.selectFrom('mail_outbox').selectAll().where('kind', '=', kind).orderBy('created_at').execute();
  const tokenFor = async () => {
    const mails = await outbox('delegation_invitation');
    const m = mails.at(-1)?.text_body.match(/\/invitation\/([A-Za-z0-9_-]+)/);
    return (m as RegExpMatchArray)[1] as string;
  };
  const lefevreDelegations = () =>
    db.selectFrom('delegations').selectAll().where('delegator_id', '=', lefevre.id).execute();

  /** MARTIN's cabinet with LEFÈVRE (and ROUX when asked) as members. */
  async function cabinetWith(...colleagues: [SignedInUser, string][]) {
    const { id } = await cabinets.create(martin, {
      name: 'Cabinet des Pentes',
      address: '12 rue des Pentes, 69001 Lyon',
      finess: '690000005',
      siret: '73282932000074',
    });
    for (const [colleague, rpps] of colleagues) {
      await cabinets.invite(martin, id, { rpps });
      const [inv] = await cabinets.myInvitations(colleague);
      await cabinets.answerInvitation(colleague, (inv as { id: string }).id, true);
    }
    return id;
  }

  beforeEach(async () => {
    clock.set(new Date('2026-11-25T09:00:00Z'));
    await db.connection().execute(async (c) => {
      await sql`set session_replication_role = replica`.execute(c);
      await sql`delete from journal_entries`.execute(c);
      await sql`delete from journal_heads`.execute(c);
      await sql`set session_replication_role = origin`.execute(c);
    });
    await sql`delete from delegation_proposals; delete from rights_templates; delete from cabinet_invitations;
      delete from cabinet_members; delete from cabinets; delete from invitations; delete from delegation_notices;
      delete from delegations; delete from mail_outbox; delete from graphile_worker._private_jobs`.execute(
      db,
    );
  });

  it('creates a cabinet with its default templates, invites a colleague who joins, journals each step', async () => {
    const id = await cabinetWith([lefevre, '10002345675']);
    const [mine] = await cabinets.listMine(martin);
    expect(mine).toMatchObject({ name: 'Cabinet des Pentes', finess: '690000005', siret: '73282932000074' });
    expect(mine?.members.map((m) => m.familyName).sort()).toEqual(['LEFÈVRE', 'MARTIN']);
    expect(mine?.templates.map((x) => [x.name, x.rights])).toEqual([
      ['Secrétariat', ['consulter', 'gerer']],
      ['Assistant(e) médical(e)', ['consulter', 'gerer', 'volet_medical']],
    ]);
    expect((await cabinets.listMine(lefevre))[0]?.id).toBe(id);
    expect(await cabinets.myInvitations(lefevre)).toEqual([]);
    const [mail] = await outbox('cabinet_invitation');
    expect(mail?.to_address).toBe(DEMO.lefevre.email);
    expect(mail?.subject).toBe('Dr Camille MARTIN vous invite à rejoindre le cabinet « Cabinet des Pentes »');
    const journal = await db
      .selectFrom('journal_entries')
      .select(['action', 'on_behalf_of_id'])
      .orderBy('id')
      .execute();
    expect(journal).toEqual([
      { action: 'cabinet.created', on_behalf_of_id: martin.id },
      { action: 'cabinet.invited', on_behalf_of_id: martin.id },
      { action: 'cabinet.joined', on_behalf_of_id: lefevre.id },
    ]);
    // a second invitation, a non-doctor, oneself, a stranger's cabinet: French refusals
    await expectError(cabinets.invite(martin, id, { rpps: '10002345675' }), 'colleague_already_member');
    await expectError(
      cabinets.invite(martin, id, { rpps: '10005678908' }),
      'colleague_not_doctor',
      /médecins/,
    );
    await expectError(cabinets.invite(roux, id, { rpps: '10002345675' }), 'cabinet_not_found');
    await expectError(
      cabinets.create(martin, { name: 'X', address: 'Y', finess: '690000001', siret: null }),
      'finess_invalid',
      /FINESS/,
    );
    await expectError(
      cabinets.create(martin, { name: 'X', address: 'Y', finess: null, siret: '73282932000075' }),
      'siret_invalid',
      /SIRET/,
    );
  });

  it('a proposal grants nothing before the colleague accepts; accepted later, it takes effect at once', async () => {
    const cabinetId = await cabinetWith([lefevre, '10002345675']);
    const shared = await cabinets.createSharedStaff(martin, {
      ...sophie,
      cabinetId,
      colleagueIds: [lefevre.id],
    });
    const [proposalMail] = await outbox('delegation_proposal');
    expect(proposalMail?.to_address).toBe(DEMO.lefevre.email);
    expect(proposalMail?.text_body).toContain(
      'Rien n’est délégué sur vos dossiers tant que vous n’avez pas accepté',
    );
    const [proposal] = await cabinets.proposalsForMe(lefevre);
    expect(proposal).toMatchObject({
      proposer: { familyName: 'MARTIN' },
      delegate: { familyName: 'Durand', givenName: 'Sophie' },
      rights: ['consulter', 'gerer'],
    });
    // nothing exists on LEFÈVRE's side
    expect(await lefevreDelegations()).toEqual([]);
    const token = await tokenFor();
    const finalised = await delegations.acceptInvitation(durand, token);
    expect(finalised).toEqual({ delegationId: shared.id, joined: [] });
    await dossiers.get(durand, martin.id, martinDossier);
    await expectError(dossiers.get(durand, lefevre.id, lefevreDossier), 'dossier_not_found');
    expect((await dossiers.listAcrossDoctors(durand, {})).doctors.map((d) => d.familyName)).toEqual([
      'MARTIN',
    ]);

    // LEFÈVRE accepts with fewer rights: Sophie is identified already, so it is effective at once
    const accepted = await cabinets.acceptProposal(lefevre, (proposal as { id: string }).id, {
      rights: ['consulter'],
      startsOn: '2026-11-25',
      endsOn: '2027-11-24',
    });
    expect(accepted.joined).toBe('identified');
    const [added] = await outbox('delegation_added');
    expect(added?.to_address).toBe(DEMO.durand.email);
    const all = await dossiers.listAcrossDoctors(durand, {});
    expect(all.doctors.map((d) => [d.familyName, d.rights])).toEqual([
      ['LEFÈVRE', ['consulter']],
      ['MARTIN', ['consulter', 'gerer']],
    ]);
    expect(all.dossiers.map((d) => [d.patient.familyName, d.doctorId]).sort()).toEqual(
      [
        ['BERNARD', martin.id],
        ['PETIT', lefevre.id],
      ].sort(),
    );
    expect((await dossiers.listAcrossDoctors(durand, { doctorId: lefevre.id })).dossiers).toHaveLength(1);
    expect((await dossiers.listAcrossDoctors(durand, { patient: 'bern' })).dossiers.map((d) => d.id)).toEqual(
      [martinDossier],
    );
    // each doctor's rights apply to his own dossiers only
    await dossiers.get(durand, lefevre.id, lefevreDossier);
    await expectError(
      dossiers.updateAdministrative(durand, lefevre.id, lefevreDossier, { version: 1, administrative: {} }),
      'missing_right',
    );
    // each list access is journaled in its own doctor's journal
    const lists = await db
      .selectFrom('journal_entries')
      .select('on_behalf_of_id')
      .where('action', '=', 'dossier.list')
      .where('actor_id', '=', durand.id)
      .execute();
    expect(new Set(lists.map((l) => l.on_behalf_of_id))).toEqual(new Set([martin.id, lefevre.id]));

    // LEFÈVRE deletes his delegation: Sophie's next request on his dossiers is refused, MARTIN's still work
    await delegations.remove(lefevre, accepted.delegationId);
    await expectError(dossiers.get(durand, lefevre.id, lefevreDossier), 'dossier_not_found');
    await dossiers.get(durand, martin.id, martinDossier);
    expect((await dossiers.listAcrossDoctors(durand, {})).doctors.map((d) => d.familyName)).toEqual([
      'MARTIN',
    ]);
  });

  it('one invitation for the staff member: colleagues accepting first are finalised with it, at once', async () => {
    const cabinetId = await cabinetWith([lefevre, '10002345675'], [roux, '10004567896']);
    await cabinets.createSharedStaff(martin, { ...sophie, cabinetId, colleagueIds: [lefevre.id, roux.id] });
    const [toLefevre] = await cabinets.proposalsForMe(lefevre);
    const joined = await cabinets.acceptProposal(lefevre, (toLefevre as { id: string }).id, {
      rights: ['consulter'],
      startsOn: '2026-11-25',
      endsOn: null,
    });
    expect(joined.joined).toBe('pending_invitation');
    const [joinedMail] = await outbox('invitation_joined');
    expect(joinedMail?.to_address).toBe('sophie.durand@demo.sante.fr');
    expect(joinedMail?.subject).toBe('Dr Jean-Pierre LEFÈVRE vous confie aussi la gestion de ses dossiers');
    // still nothing granted: the staff member has not finalised
    await expectError(dossiers.get(durand, lefevre.id, lefevreDossier), 'dossier_not_found');
    const token = await tokenFor();
    const described = await delegations.joinedTo((await delegations.listGiven(martin))[0]?.id as string);
    expect(described.map((d) => d.delegator.familyName)).toEqual(['LEFÈVRE']);
    // someone else with the link is refused, for every doctor
    const garnier = await createUser(db, { ...DEMO.garnier, subjectNameId: 'X-GARNIER', email: null });
    await expectError(delegations.acceptInvitation(garnier, token), 'invitation_identity_mismatch');
    expect((await lefevreDelegations())[0]?.accepted_at).toBeNull();
    const done = await delegations.acceptInvitation(durand, token);
    expect(done.joined).toEqual([joined.delegationId]);
    const [lef] = await lefevreDelegations();
    expect(lef).toMatchObject({
      delegate_national_id: DEMO.durand.subjectNameId,
      invitation_origin_id: martinDelegationOf(lef),
    });
    await dossiers.get(durand, lefevre.id, lefevreDossier);
    // both doctors are told
    expect((await outbox('delegation_accepted')).map((m) => m.to_address).sort()).toEqual(
      [DEMO.lefevre.email, DEMO.martin.email].sort(),
    );
    // ROUX never answered: nothing on his side
    expect(
      await db.selectFrom('delegations').select('id').where('delegator_id', '=', roux.id).execute(),
    ).toEqual([]);
    // ROUX refuses: still nothing, and the proposal is gone
    const [toRoux] = await cabinets.proposalsForMe(roux);
    await cabinets.refuseProposal(roux, (toRoux as { id: string }).id);
    expect(await cabinets.proposalsForMe(roux)).toEqual([]);
    await expectError(cabinets.refuseProposal(roux, (toRoux as { id: string }).id), 'not_found');
  });

  it('leaving the cabinet keeps the delegations already accepted and stops new proposals', async () => {
    const cabinetId = await cabinetWith([lefevre, '10002345675']);
    await cabinets.createSharedStaff(martin, { ...sophie, cabinetId, colleagueIds: [lefevre.id] });
    await delegations.acceptInvitation(durand, await tokenFor());
    const [p] = await cabinets.proposalsForMe(lefevre);
    await cabinets.acceptProposal(lefevre, (p as { id: string }).id, {
      rights: ['consulter'],
      startsOn: '2026-11-25',
      endsOn: null,
    });
    // a second proposal is waiting when LEFÈVRE leaves
    await cabinets.createSharedStaff(martin, {
      ...sophie,
      familyName: 'Garnier',
      givenName: 'Léa',
      email: 'lea.garnier@demo.sante.fr',
      cabinetId,
      colleagueIds: [lefevre.id],
    });
    const [waiting] = await cabinets.proposalsForMe(lefevre);
    await cabinets.leave(lefevre, cabinetId);
    expect(await cabinets.listMine(lefevre)).toEqual([]);
    // the accepted delegation stays: his own decision
    await dossiers.get(durand, lefevre.id, lefevreDossier);
    // the waiting proposal is withdrawn, a new one is refused
    expect(await cabinets.proposalsForMe(lefevre)).toEqual([]);
    await expectError(
      cabinets.acceptProposal(lefevre, (waiting as { id: string }).id, {
        rights: ['consulter'],
        startsOn: '2026-11-25',
        endsOn: null,
      }),
      'not_found',
    );
    await expectError(
      cabinets.createSharedStaff(martin, {
        ...sophie,
        email: 'autre@demo.sante.fr',
        familyName: 'Autre',
        cabinetId,
        colleagueIds: [lefevre.id],
      }),
      'proposal_not_member',
      'Un des médecins choisis n’est pas (ou plus) membre de ce cabinet.',
    );
    // and he can no longer propose in it
    await expectError(
      cabinets.createSharedStaff(lefevre, {
        ...sophie,
        email: 'x@demo.sante.fr',
        cabinetId,
        colleagueIds: [martin.id],
      }),
      'cabinet_not_found',
    );
    const left = await db
      .selectFrom('journal_entries')
      .select(['action', 'on_behalf_of_id', 'details'])
      .where('action', '=', 'cabinet.left')
      .execute();
    expect(left).toMatchObject([{ on_behalf_of_id: lefevre.id, details: { proposalsWithdrawn: 1 } }]);
  });

  it('a delegation already given by the colleague to the same person is not doubled', async () => {
    const cabinetId = await cabinetWith([lefevre, '10002345675']);
    await delegations.createStaff(lefevre, sophie);
    await cabinets.createSharedStaff(martin, { ...sophie, cabinetId, colleagueIds: [lefevre.id] });
    const [p] = await cabinets.proposalsForMe(lefevre);
    await expectError(
      cabinets.acceptProposal(lefevre, (p as { id: string }).id, {
        rights: ['gerer'],
        startsOn: '2026-11-25',
        endsOn: null,
      }),
      'delegation_exists',
    );
    expect(await lefevreDelegations()).toHaveLength(1);
    expect(await cabinets.proposalsForMe(lefevre)).toHaveLength(1);
  });

  it('answers hostile or oversized input with French messages and changes nothing', async () => {
    const asMartin = await sessionFor(t, martin.id);
    const inject = (r: InjectOptions) => t.app.inject({ ...r, headers: { ...asMartin.write, ...r.headers } });
    const cabinetId = await cabinetWith();
    const before = await db.selectFrom('cabinets').select('id').execute();
    const cases: [InjectOptions, number, RegExp][] = [
      [
        { method: 'POST', url: '/api/cabinets', payload: { name: 'x'.repeat(121), address: 'a' } },
        400,
        /120 caractères au plus/,
      ],
      [
        { method: 'POST', url: '/api/cabinets', payload: { name: '  ', address: 'a' } },
        400,
        /Indiquez le nom du cabinet/,
      ],
      [
        { method: 'POST', url: '/api/cabinets', payload: { name: 'A', address: 'a', siret: '1'.repeat(31) } },
        400,
        /30 caractères au plus/,
      ],
      [
        {
          method: 'POST',
          url: '/api/cabinets',
          payload: { name: 'A', address: 'a', siret: '12345678901234' },
        },
        422,
        /SIRET/,
      ],
      [
        { method: 'POST', url: '/api/cabinets', payload: { name: 'A', address: 'a', finess: 'ABCDEFGHI' } },
        422,
        /FINESS/,
      ],
      [
        { method: 'POST', url: `/api/cabinets/${cabinetId}/invitations`, payload: { rpps: '1; drop table' } },
        400,
        /11 chiffres/,
      ],
      [
        { method: 'POST', url: '/api/cabinets/not-a-uuid/invitations', payload: { rpps: '10002345675' } },
        404,
        /n’existe pas/,
      ],
      [
        {
          method: 'POST',
          url: `/api/cabinets/${cabinetId}/templates`,
          payload: { name: 'T', rights: ['tout'] },
        },
        400,
        /Droit inconnu/,
      ],
      [
        { method: 'POST', url: `/api/cabinets/${cabinetId}/templates`, payload: { name: 'T', rights: [] } },
        400,
        /au moins un droit/,
      ],
      [
        {
          method: 'POST',
          url: '/api/cabinets/shared-delegations',
          payload: { ...sophie, cabinetId, colleagueIds: Array.from({ length: 51 }, () => cabinetId) },
        },
        400,
        /50 médecins au plus/,
      ],
      [
        {
          method: 'POST',
          url: '/api/cabinets/shared-delegations',
          payload: { ...sophie, cabinetId, colleagueIds: [] },
        },
        400,
        /au moins un médecin/,
      ],
      [
        {
          method: 'POST',
          url: `/api/delegation-proposals/${'9'.repeat(64)}/accept`,
          payload: { rights: [], startsOn: '2026-11-25', endsOn: null },
        },
        404,
        /proposition/,
      ],
      [
        { method: 'POST', url: '/api/cabinet-invitations/00000000-0000-0000-0000-000000000000/accept' },
        404,
        /invitation au cabinet/,
      ],
      [
        { method: 'GET', url: `/api/dossiers/all-doctors?patient=${'a'.repeat(101)}` },
        400,
        /100 caractères au plus/,
      ],
      [{ method: 'GET', url: '/api/dossiers/all-doctors?doctor=../../etc' }, 400, /Médecin inconnu/],
    ];
    for (const [request, status, message] of cases) {
      const res = await inject(request);
      expect(res.statusCode, `${request.method} ${request.url}`).toBe(status);
      expect(JSON.stringify(res.json()), `${request.method} ${request.url}`).toMatch(message);
    }
    expect(await db.selectFrom('cabinets').select('id').execute()).toEqual(before);
    expect(await db.selectFrom('delegations').select('id').execute()).toEqual([]);
    // the OpenAPI document describes every cabinet route
    const doc = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json() as {
      paths: Record<string, unknown>;
    };
    for (const path of [
      '/api/cabinets',
      '/api/cabinets/{id}/invitations',
      '/api/cabinets/{id}/leave',
      '/api/cabinets/{id}/templates',
      '/api/cabinet-templates/{id}',
      '/api/cabinet-invitations',
      '/api/cabinet-invitations/{id}/accept',
      '/api/cabinets/shared-delegations',
      '/api/delegation-proposals',
      '/api/delegation-proposals/{id}/accept',
      '/api/delegation-proposals/{id}/refuse',
      '/api/dossiers/all-doctors',
    ]) {
      expect(doc.paths, path).toHaveProperty([path]);
    }
  });
});

/** The origin of a colleague's delegation joined to an invitation (checked against MARTIN's). */
function martinDelegationOf(row: { invitation_origin_id: string | null } | undefined) {
  return row?.invitation_origin_id ?? 'missing';
}
