// The life of a delegation on a real PostgreSQL (issue 16): requests and every limit, acceptance
// (narrowed, active at once for staff, one delegation for two racing acceptances), refusal with a
// reason, « Renoncer » (final, journaled, the doctor told; racing a modification: one serial
// outcome), optional notifications turned off, last use and « Inutilisée depuis le … ».
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { runDailyNotices } from '../../src/server/delegations/daily.js';
import { setEnabledNotifications } from '../../src/server/delegations/notify.js';
import { RequestService } from '../../src/server/delegations/requests.js';
import { DelegationService, type DirectoryDoctor } from '../../src/server/delegations/service.js';
import { appendJournal } from '../../src/server/journal/index.js';
import { fixedClock } from '../../src/server/platform/clock.js';
import { DomainError } from '../../src/server/platform/errors.js';
import { createTestDatabase } from '../helpers/db.js';
import { createUser, DEMO } from '../helpers/users.js';

const DAY = 24 * 3600 * 1000;
const LEFEVRE: DirectoryDoctor = {
  rpps: '10002345675',
  nationalId: '810002345675',
  familyName: 'LEFÈVRE',
  givenName: 'Jean-Pierre',
  professionCode: '10',
  specialty: 'Médecine générale',
  places: [{ name: 'CABINET MÉDICAL DES BROTTEAUX', postalCode: '69006', city: 'Lyon' }],
};

async function failure(p: Promise<unknown>): Promise<DomainError> {
  const err = await p.then(
    () => undefined,
    (e) => e,
  );
  expect(err).toBeInstanceOf(DomainError);
  return err as DomainError;
}

describe('delegation lifecycle', async () => {
  const t = await createTestDatabase();
  afterAll(() => t.close());
  const T0 = new Date('2026-11-25T09:00:00Z');
  const clock = fixedClock(T0);
  beforeEach(() => clock.set(T0));
  const deps = {
    db: t.db,
    clock,
    publicUrl: 'http://localhost:3000',
    findDoctorByRpps: async (rpps: string) => (rpps === LEFEVRE.rpps ? LEFEVRE : undefined),
  };
  const delegations = new DelegationService(deps);
  const requests = new RequestService(deps);
  const martin = await createUser(t.db, DEMO.martin);
  const lefevre = await createUser(t.db, DEMO.lefevre);
  const roux = await createUser(t.db, DEMO.roux);
  const durand = await createUser(t.db, DEMO.durand);
  const benali = await createUser(t.db, DEMO.benali);
  const garnier = await createUser(t.db, DEMO.garnier);
  const extra = await Promise.all(
    ['10000000016', '10000000024', '10000000032'].map((rpps, i) =>
      createUser(t.db, {
        subjectNameId: `8${rpps}`,
        familyName: `MEDECIN${i}`,
        givenName: 'Test',
        professionCode: '10',
        email: `medecin${i}@demo.sante.fr`,
      }),
    ),
  );
  const MARTIN_RPPS = '10001234565';
  const ROUX_RPPS = '10004567896';
  const ask = (
    who: typeof durand,
    rpps: string,
    more: Partial<{ message: string; rights: string[]; startsOn: string }> = {},
  ) =>
    requests.create(who, {
      rpps,
      rights: ['gerer', 'volet_medical'],
      startsOn: '2026-11-26',
      endsOn: '2027-02-28',
      message: 'Bonjour, je remplace Mme X au secrétariat.',
      ...more,
    });
  const outbox = (kind: string, to?: string) =>
    t.db
      .selectFrom('mail_outbox')
      .selectAll()
      .where('kind', '=', kind)
      .$if(to !== undefined, (q) => q.where('to_address', '=', to as string))
      .orderBy('created_at')
      .execute();
  const journal = (action: string) =>
    t.db.selectFrom('journal_entries').selectAll().where('action', '=', action).execute();

  it('a doctor asks a colleague; the colleague narrows the period and accepts: a peer delegation, active', async () => {
    const { id } = await ask(lefevre, MARTIN_RPPS, { message: 'Remplacement pendant mes congés.' });
    const received = await requests.listReceived(martin);
    expect(received.map((r) => r.id)).toEqual([id]);
    expect(received[0]).toMatchObject({
      kind: 'peer',
      status: 'open',
      requester: { familyName: 'LEFÈVRE', isDoctor: true },
      rights: ['consulter', 'gerer', 'volet_medical', 'envoyer'],
      message: 'Remplacement pendant mes congés.',
    });
    const mail = await outbox('delegation_request_received', DEMO.martin.email);
    expect(mail).toHaveLength(1);
    expect(mail[0]?.subject).toBe('Dr Jean-Pierre LEFÈVRE vous demande une délégation de droits');
    expect(mail[0]?.text_body).toContain('Remplacement pendant mes congés.');
    expect(mail[0]?.text_body).toContain(`/delegations/demandes/${id}`);

    const { delegationId } = await requests.accept(martin, id, {
      startsOn: '2026-11-25',
      endsOn: '2026-12-31',
    });
    const given = await delegations.listGiven(martin);
    const d = given.find((g) => g.id === delegationId);
    expect(d).toMatchObject({ kind: 'peer', status: 'active', startsOn: '2026-11-25', endsOn: '2026-12-31' });
    expect(d?.delegate).toMatchObject({ nationalId: DEMO.lefevre.subjectNameId, userId: lefevre.id });
    expect(await requests.listReceived(martin)).toEqual([]);
    const sent = await requests.listSent(lefevre);
    expect(sent[0]).toMatchObject({ id, status: 'accepted', delegationId });
    // What was granted, beside what was asked: the period was shortened.
    expect(sent[0]?.granted).toEqual({
      rights: sent[0]?.rights,
      startsOn: '2026-11-25',
      endsOn: '2026-12-31',
    });
    const accepted = await outbox('delegation_request_accepted', DEMO.lefevre.email);
    expect(accepted).toHaveLength(1);
    expect(accepted[0]?.text_body).toContain('Droits accordés : les mêmes droits que le Dr Camille MARTIN.');
    expect((await journal('request.accepted')).map((e) => e.delegation_id)).toEqual([delegationId]);
    // Asking again while the delegation runs is pointless, and said so.
    expect((await failure(ask(lefevre, MARTIN_RPPS))).code).toBe('request_delegation_exists');
  });

  it('a staff member asks; the doctor narrows the rights and accepts: active at once, no invitation', async () => {
    await t.db
      .updateTable('users')
      .set({ declared_profession: 'infirmier' })
      .where('id', '=', benali.id)
      .execute();
    const { id } = await ask(benali, MARTIN_RPPS);
    // Her profession in words, never its internal code.
    expect((await requests.get(martin, id)).requester.profession).toBe('Infirmier(e)');
    const { delegationId } = await requests.accept(martin, id, {
      rights: ['gerer'],
      startsOn: '2026-11-25',
      endsOn: '2027-01-31',
    });
    const row = await t.db
      .selectFrom('delegations')
      .selectAll()
      .where('id', '=', delegationId)
      .executeTakeFirstOrThrow();
    expect(row.rights).toEqual(['consulter', 'gerer']);
    expect(row.accepted_at).not.toBeNull();
    expect(row.delegate_national_id).toBe(DEMO.benali.subjectNameId);
    expect(row.request_id).toBe(id);
    expect(row.delegate_profession).toBe('Infirmier(e)');
    const invitations = await t.db
      .selectFrom('invitations')
      .select('id')
      .where('delegation_id', '=', delegationId)
      .execute();
    expect(invitations).toEqual([]);
    const received = await delegations.listReceived(benali);
    expect(received.find((r) => r.id === delegationId)?.status).toBe('active');
    const mail = await outbox('delegation_request_accepted', DEMO.benali.email);
    expect(mail[0]?.text_body).toContain(
      'Droits accordés : Consulter les dossiers, Créer et modifier les dossiers.',
    );
    // « Mes demandes »: the rights asked, and those granted (as the delegation is now).
    const [sent] = await requests.listSent(benali);
    expect(sent?.granted).toEqual({
      rights: ['consulter', 'gerer'],
      startsOn: '2026-11-25',
      endsOn: '2027-01-31',
    });
    await delegations.modify(martin, delegationId, {
      version: row.version,
      rights: ['consulter'],
      startsOn: '2026-11-25',
      endsOn: '2027-01-15',
    });
    expect((await requests.listSent(benali))[0]?.granted).toEqual({
      rights: ['consulter'],
      startsOn: '2026-11-25',
      endsOn: '2027-01-15',
    });
  });

  it('refusal with a reason; a decided request is final; two refusals mean 30 days of silence', async () => {
    const first = await ask(durand, ROUX_RPPS);
    await requests.refuse(roux, first.id, { reason: 'Je ne travaille pas avec ce cabinet.' });
    const mail = await outbox('delegation_request_refused', DEMO.durand.email);
    expect(mail.at(-1)?.text_body).toContain('Motif indiqué : « Je ne travaille pas avec ce cabinet. »');
    // Final: neither accepted nor refused again.
    const again = await failure(
      requests.accept(roux, first.id, { rights: [], startsOn: '2026-11-26', endsOn: '2026-12-01' }),
    );
    expect([again.code, again.status, again.message]).toEqual([
      'request_refused',
      409,
      'Cette demande a déjà été refusée.',
    ]);
    expect((await failure(requests.refuse(roux, first.id, { reason: '' }))).code).toBe('request_refused');
    // The reason is for the requester; the journal keeps only that there was one.
    const entry = (await journal('request.refused')).at(-1);
    expect(entry?.details).toEqual({ requestId: first.id, withReason: true });

    const second = await ask(durand, ROUX_RPPS);
    await requests.refuse(roux, second.id, { reason: '' });
    const silence = await failure(ask(durand, ROUX_RPPS));
    expect(silence.code).toBe('request_silence');
    expect(silence.message).toBe(
      'Ce médecin a refusé vos 2 dernières demandes : vous pourrez lui en adresser une nouvelle à partir du 25/12/2026.',
    );
    clock.advance(30 * DAY);
    const third = await ask(durand, ROUX_RPPS, { startsOn: '2026-12-26' });
    expect(third.id).toBeTruthy();
    await requests.refuse(roux, third.id, { reason: '' });
    clock.set(new Date('2026-11-25T09:00:00Z'));
  });

  it('limits: one open request per doctor, 3 open in all, expiry after 30 days; nobody else can decide', async () => {
    const one = await ask(garnier, MARTIN_RPPS);
    const dup = await failure(ask(garnier, MARTIN_RPPS));
    expect([dup.code, dup.message]).toEqual([
      'request_already_open',
      'Vous avez déjà adressé une demande à ce médecin : attendez sa réponse (30 jours au plus).',
    ]);
    await ask(garnier, extra[0]?.subjectNameId.slice(1) as string);
    await ask(garnier, extra[1]?.subjectNameId.slice(1) as string);
    const fourth = await failure(ask(garnier, extra[2]?.subjectNameId.slice(1) as string));
    expect([fourth.code, fourth.status]).toEqual(['request_limit', 409]);
    expect(fourth.message).toContain('Vous avez déjà 3 demandes en attente de réponse');
    // Another doctor cannot see or decide it (no existence leak).
    expect((await failure(requests.get(roux, one.id))).status).toBe(404);
    expect((await failure(requests.refuse(roux, one.id, { reason: '' }))).status).toBe(404);
    // 30 days later the requests have expired: they free the quota and cannot be accepted.
    clock.advance(30 * DAY + 1000);
    expect(await requests.listReceived(martin)).toEqual([]);
    const late = await failure(
      requests.accept(martin, one.id, { rights: [], startsOn: '2026-12-26', endsOn: '2027-01-01' }),
    );
    expect(late.code).toBe('request_expired');
    expect((await requests.listSent(garnier)).every((r) => r.status === 'expired')).toBe(true);
    const fresh = await ask(garnier, extra[2]?.subjectNameId.slice(1) as string, {}).catch((e) => e);
    // The period asked starts before "today" now: refused with the French message, not a 500.
    expect((fresh as DomainError).message).toBe('La date de début ne peut pas être dans le passé.');
    clock.set(new Date('2026-11-25T09:00:00Z'));
  });

  it('hostile input: long message, unknown doctor, asking oneself, rights for nothing', async () => {
    const long = await failure(
      ask(garnier, extra[2]?.subjectNameId.slice(1) as string, { message: 'x'.repeat(501) }),
    );
    expect([long.code, long.message]).toEqual([
      'message_too_long',
      'Le message ne peut pas dépasser 500 caractères.',
    ]);
    const unknown = await failure(ask(garnier, '19999999999'));
    expect(unknown.code).toBe('request_doctor_unknown');
    const nurse = await failure(ask(garnier, DEMO.benali.subjectNameId.slice(1)));
    expect(nurse.code).toBe('request_doctor_unknown');
    expect((await failure(ask(martin, MARTIN_RPPS))).code).toBe('delegation_self');
    expect(
      (await failure(ask(garnier, extra[2]?.subjectNameId.slice(1) as string, { rights: [] }))).code,
    ).toBe('rights_required');
    expect(
      (await failure(requests.accept(martin, 'not-a-uuid', { startsOn: '2026-11-26', endsOn: null }))).status,
    ).toBe(404);
    const none = await t.db
      .selectFrom('delegation_requests')
      .select('id')
      .where('requester_id', '=', garnier.id)
      .where('doctor_id', '=', (extra[2] as typeof garnier).id)
      .execute();
    expect(none).toEqual([]);
  });

  it('two acceptances of one request create one delegation; the other is told in French', async () => {
    const { id } = await ask(durand, extra[0]?.subjectNameId.slice(1) as string);
    const doctor = extra[0] as typeof martin;
    const accept = () =>
      requests.accept(doctor, id, { rights: ['gerer'], startsOn: '2026-11-26', endsOn: '2026-12-31' });
    const results = await Promise.allSettled([accept(), accept(), accept()]);
    const ok = results.filter((r) => r.status === 'fulfilled');
    expect(ok).toHaveLength(1);
    for (const r of results) {
      if (r.status === 'rejected') {
        expect(r.reason).toBeInstanceOf(DomainError);
        expect((r.reason as DomainError).message).toBe('Cette demande a déjà été acceptée.');
      }
    }
    const rows = await t.db.selectFrom('delegations').select('id').where('request_id', '=', id).execute();
    expect(rows).toHaveLength(1);
  });

  it('« Renoncer »: final at once, « Renoncée » on both sides, journaled, the doctor told', async () => {
    const { id: delegationId } = await delegations
      .createPeer(martin, {
        rpps: LEFEVRE.rpps,
        startsOn: '2026-11-25',
        endsOn: '2026-11-30',
      })
      .catch(async () => {
        // LEFÈVRE already has one from the first test: renounce that one.
        const mine = await delegations.listReceived(lefevre);
        return { id: mine.find((d) => d.status === 'active')?.id as string };
      });
    // Someone else cannot renounce it.
    expect((await failure(delegations.renounce(benali, delegationId))).status).toBe(404);
    await delegations.renounce(lefevre, delegationId);
    expect((await delegations.listReceived(lefevre)).find((d) => d.id === delegationId)?.status).toBe(
      'renounced',
    );
    const given = (await delegations.listGiven(martin)).find((d) => d.id === delegationId);
    expect(given?.status).toBe('renounced');
    expect(given?.actions).toEqual(['delete']);
    const entry = (await journal('delegation.renounced')).at(-1);
    expect([entry?.actor_id, entry?.on_behalf_of_id, entry?.delegation_id]).toEqual([
      lefevre.id,
      martin.id,
      delegationId,
    ]);
    const mail = await outbox('delegation_renounced', DEMO.martin.email);
    expect(mail.at(-1)?.subject).toBe('Jean-Pierre LEFÈVRE a renoncé à sa délégation de droits');
    // Never active again: no second renunciation, no modification.
    expect((await failure(delegations.renounce(lefevre, delegationId))).message).toBe(
      'Vous avez déjà renoncé à cette délégation.',
    );
    const version = given?.version as number;
    const modify = await failure(
      delegations.modify(martin, delegationId, { version, startsOn: '2026-11-25', endsOn: '2026-12-31' }),
    );
    expect(modify.message).toBe(
      'La personne habilitée a renoncé à cette délégation : elle ne peut plus être modifiée.',
    );
    // Not blocking: the doctor can delegate to that colleague again.
    const again = await delegations.createPeer(martin, {
      rpps: LEFEVRE.rpps,
      startsOn: '2026-11-25',
      endsOn: '2026-11-30',
    });
    expect(again.id).not.toBe(delegationId);
    await delegations.remove(martin, again.id);
  });

  it('renounce racing modify: one serial outcome, never a 500', async () => {
    for (let i = 0; i < 4; i++) {
      const { id } = await delegations.createPeer(martin, {
        rpps: LEFEVRE.rpps,
        startsOn: '2026-11-25',
        endsOn: '2026-12-10',
      });
      const [renounced, modified] = await Promise.allSettled([
        delegations.renounce(lefevre, id),
        delegations.modify(martin, id, { version: 1, startsOn: '2026-11-25', endsOn: '2026-12-20' }),
      ]);
      expect(renounced.status).toBe('fulfilled');
      const row = await t.db
        .selectFrom('delegations')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      expect(row.renounced_at).not.toBeNull();
      if (modified.status === 'fulfilled') {
        // Modify went first: renounce then ended the modified delegation.
        expect(row.ends_on).toBe('2026-12-20');
        expect(row.version).toBe(3);
      } else {
        expect(modified.reason).toBeInstanceOf(DomainError);
        expect((modified.reason as DomainError).status).toBe(409);
        expect(row.ends_on).toBe('2026-12-10');
        expect(row.version).toBe(2);
      }
      await delegations.remove(martin, id);
    }
  });

  it('optional notifications can be turned off; the security ones cannot', async () => {
    await setEnabledNotifications(t.db, martin.id, []);
    await setEnabledNotifications(t.db, durand.id, []);
    const before = (await outbox('delegation_request_received', DEMO.martin.email)).length;
    const { id } = await ask(durand, MARTIN_RPPS);
    expect(await outbox('delegation_request_received', DEMO.martin.email)).toHaveLength(before);
    // Accepted = a delegation created: a security notice, sent although everything is off.
    const acceptedBefore = (await outbox('delegation_request_accepted', DEMO.durand.email)).length;
    const { delegationId } = await requests.accept(martin, id, {
      rights: ['gerer'],
      startsOn: '2026-11-25',
      endsOn: '2026-12-31',
    });
    expect(await outbox('delegation_request_accepted', DEMO.durand.email)).toHaveLength(acceptedBefore + 1);
    // A shortened period is optional (not sent); a widened right is a security notice (sent).
    const modifiedBefore = (await outbox('delegation_modified', DEMO.durand.email)).length;
    const receiptsBefore = (await outbox('delegation_modified_receipt', DEMO.martin.email)).length;
    const v2 = await delegations.modify(martin, delegationId, {
      version: 1,
      rights: ['gerer'],
      startsOn: '2026-11-25',
      endsOn: '2026-12-15',
    });
    expect(await outbox('delegation_modified', DEMO.durand.email)).toHaveLength(modifiedBefore);
    expect(await outbox('delegation_modified_receipt', DEMO.martin.email)).toHaveLength(receiptsBefore);
    await delegations.modify(martin, delegationId, {
      version: v2.version,
      rights: ['gerer', 'envoyer'],
      startsOn: '2026-11-25',
      endsOn: '2026-12-15',
    });
    const widened = await outbox('delegation_modified', DEMO.durand.email);
    expect(widened).toHaveLength(modifiedBefore + 1);
    expect(widened.at(-1)?.text_body).toContain('Droits ajoutés : Envoyer les demandes aux établissements.');
    const receipts = await outbox('delegation_modified_receipt', DEMO.martin.email);
    expect(receipts).toHaveLength(receiptsBefore + 1);
    expect(receipts.at(-1)?.text_body).toContain('Droits ajoutés : Envoyer les demandes aux établissements.');
    // The renunciation is optional for MARTIN: turned off, not sent.
    const renouncedBefore = (await outbox('delegation_renounced', DEMO.martin.email)).length;
    await delegations.renounce(durand, delegationId);
    expect(await outbox('delegation_renounced', DEMO.martin.email)).toHaveLength(renouncedBefore);
    await setEnabledNotifications(t.db, martin.id, ['delegation_renounced', 'request_received']);
    await setEnabledNotifications(t.db, durand.id, ['request_answered']);
  });

  it('last use from the journal, and « Inutilisée depuis le … » after 90 days', async () => {
    const { id } = await delegations.createPeer(martin, {
      rpps: LEFEVRE.rpps,
      startsOn: '2026-11-25',
      endsOn: '2027-12-31',
    });
    const used = new Date('2026-11-26T10:00:00Z');
    await appendJournal(t.db, {
      at: used,
      actorId: lefevre.id,
      onBehalfOfId: martin.id,
      delegationId: id,
      action: 'dossier.read',
      outcome: 'allowed',
    });
    await appendJournal(t.db, {
      at: new Date('2026-11-27T10:00:00Z'),
      actorId: lefevre.id,
      onBehalfOfId: martin.id,
      delegationId: id,
      action: 'dossier.read',
      outcome: 'denied',
    });
    clock.set(new Date('2026-12-01T09:00:00Z'));
    let d = (await delegations.listGiven(martin)).find((g) => g.id === id);
    expect(d?.lastUsedAt).toBe(used.toISOString());
    expect(d?.unusedSince).toBeNull();
    clock.set(new Date(used.getTime() + 90 * DAY));
    d = (await delegations.listGiven(martin)).find((g) => g.id === id);
    expect(d?.unusedSince).toBe(used.toISOString());
    clock.set(new Date('2026-11-25T09:00:00Z'));
    await delegations.remove(martin, id);
  });

  it('an expired delegation is told to both sides, unless turned off', async () => {
    const { id } = await delegations.createPeer(martin, {
      rpps: LEFEVRE.rpps,
      startsOn: '2026-11-25',
      endsOn: '2026-11-26',
    });
    await setEnabledNotifications(t.db, lefevre.id, []);
    await setEnabledNotifications(t.db, martin.id, ['delegation_expired']);
    clock.set(new Date('2026-11-27T06:00:00Z'));
    const result = await runDailyNotices({ db: t.db, clock, publicUrl: 'http://localhost:3000' });
    expect(result.expired).toBeGreaterThanOrEqual(1);
    const toDoctor = await outbox('delegation_expired', DEMO.martin.email);
    expect(toDoctor.at(-1)?.subject).toBe(
      'La délégation de droits de Jean-Pierre LEFÈVRE est arrivée à son terme',
    );
    expect(await outbox('delegation_expired', DEMO.lefevre.email)).toEqual([]);
    await setEnabledNotifications(t.db, lefevre.id, ['delegation_expired']);
    await delegations.remove(martin, id).catch(() => undefined);
  });
});
