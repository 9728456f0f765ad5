// Suspension for lack of use (SUSPEND_UNUSED_DAYS) on a real PostgreSQL: the daily job suspends
// only past the threshold and nothing when the variable is unset, once however often it runs,
// journaled, both sides emailed; the one decision refuses a suspended delegation with a French
// reason; « Réactiver » gives access back, restarts the unused clock and tells the delegate.
import { afterAll, describe, expect, it } from 'vitest';
import { authorize } from '../../src/server/access/index.js';
import { DelegationService, type DirectoryDoctor } from '../../src/server/delegations/service.js';
import { suspendUnusedDelegations } from '../../src/server/delegations/suspension.js';
import { appendJournal } from '../../src/server/journal/index.js';
import { JournalBatcher } from '../../src/server/journal/store.js';
import { fixedClock } from '../../src/server/platform/clock.js';
import { DomainError } from '../../src/server/platform/errors.js';
import { createTestDatabase } from '../helpers/db.js';
import { createUser, DEMO } from '../helpers/users.js';

const DAY = 24 * 3600 * 1000;
const doctor = (
  rpps: string,
  nationalId: string,
  familyName: string,
  givenName: string,
): DirectoryDoctor => ({
  rpps,
  nationalId,
  familyName,
  givenName,
  professionCode: '10',
  specialty: 'Médecine générale',
  places: [],
});
const LEFEVRE = doctor(
  '10002345675',
  DEMO.lefevre.subjectNameId,
  DEMO.lefevre.familyName,
  DEMO.lefevre.givenName,
);
const ROUX = doctor('10004567896', DEMO.roux.subjectNameId, DEMO.roux.familyName, DEMO.roux.givenName);

async function failure(p: Promise<unknown>): Promise<DomainError> {
  const err = await p.then(
    () => undefined,
    (e) => e,
  );
  expect(err).toBeInstanceOf(DomainError);
  return err as DomainError;
}

describe('suspension for lack of use', async () => {
  const t = await createTestDatabase();
  afterAll(() => t.close());
  const T0 = new Date('2026-11-25T09:00:00Z');
  const clock = fixedClock(T0);
  const deps = {
    db: t.db,
    clock,
    publicUrl: 'http://localhost:3000',
    findDoctorByRpps: async (rpps: string) => [LEFEVRE, ROUX].find((d) => d.rpps === rpps),
  };
  const delegations = new DelegationService(deps);
  const martin = await createUser(t.db, DEMO.martin);
  const lefevre = await createUser(t.db, DEMO.lefevre);
  const roux = await createUser(t.db, DEMO.roux);
  const journal = new JournalBatcher(t.db);
  const job = (days: number | undefined) =>
    suspendUnusedDelegations({ db: t.db, clock, publicUrl: deps.publicUrl, days });
  const outbox = (kind: string, to: string) =>
    t.db
      .selectFrom('mail_outbox')
      .selectAll()
      .where('kind', '=', kind)
      .where('to_address', '=', to)
      .execute();
  const journalOf = (action: string) =>
    t.db.selectFrom('journal_entries').selectAll().where('action', '=', action).execute();
  const access = () => authorize({ db: t.db, clock, journal }, lefevre, martin.id, 'list');

  const toLefevre = await delegations.createPeer(martin, {
    rpps: LEFEVRE.rpps,
    startsOn: '2026-11-25',
    endsOn: '2028-12-31',
  });
  const toRoux = await delegations.createPeer(martin, {
    rpps: ROUX.rpps,
    startsOn: '2026-11-25',
    endsOn: '2028-12-31',
  });
  // ROUX worked in MARTIN's dossiers on day 50; LEFÈVRE never did.
  await appendJournal(t.db, {
    at: new Date(T0.getTime() + 50 * DAY),
    actorId: roux.id,
    onBehalfOfId: martin.id,
    delegationId: toRoux.id,
    action: 'dossier.read',
    outcome: 'allowed',
  });

  it('does nothing when SUSPEND_UNUSED_DAYS is unset, nor before the threshold', async () => {
    clock.set(new Date(T0.getTime() + 300 * DAY));
    expect(await job(undefined)).toBe(0);
    clock.set(new Date(T0.getTime() + 59 * DAY));
    expect(await job(60)).toBe(0);
    expect(await journalOf('delegation.suspended')).toEqual([]);
    expect(await outbox('delegation_suspended', DEMO.martin.email)).toEqual([]);
  });

  it('past the threshold, suspends the unused delegation only, once, journaled, both sides emailed', async () => {
    clock.set(new Date(T0.getTime() + 61 * DAY));
    expect(await job(60)).toBe(1);
    expect(await job(60)).toBe(0); // rerun
    expect(await Promise.all([job(60), job(60)])).toEqual([0, 0]); // two nodes
    const given = await delegations.listGiven(martin);
    const l = given.find((g) => g.id === toLefevre.id);
    expect(l).toMatchObject({ status: 'suspended', actions: ['reactivate', 'modify', 'delete'] });
    expect(l?.suspendedUnusedSince).toBe('2026-11-24T23:00:00.000Z');
    expect(given.find((g) => g.id === toRoux.id)?.status).toBe('active');
    const received = await delegations.listReceived(lefevre);
    expect(received.find((r) => r.id === toLefevre.id)?.status).toBe('suspended');

    const entries = await journalOf('delegation.suspended');
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      delegation_id: toLefevre.id,
      on_behalf_of_id: martin.id,
      actor_id: null,
    });
    const toDoctor = await outbox('delegation_suspended', DEMO.martin.email);
    expect(toDoctor).toHaveLength(1);
    expect(toDoctor[0]?.subject).toBe(
      'La délégation de droits de Jean-Pierre LEFÈVRE est suspendue faute d’utilisation',
    );
    expect(toDoctor[0]?.text_body).toContain('depuis le 25/11/2026');
    expect(toDoctor[0]?.text_body).toContain('« Réactiver »');
    const toDelegate = await outbox('delegation_suspended', DEMO.lefevre.email);
    expect(toDelegate).toHaveLength(1);
    expect(toDelegate[0]?.subject).toBe(
      'Votre délégation de droits du Dr Camille MARTIN est suspendue faute d’utilisation',
    );
    expect(await outbox('delegation_suspended', DEMO.roux.email)).toEqual([]);
  });

  it('the decision refuses a suspended delegation with a French reason, and allows it once reactivated', async () => {
    const refused = await failure(access());
    expect(refused.code).toBe('delegation_suspended');
    expect(refused.status).toBe(403);
    expect(refused.message).toBe(
      'Délégation suspendue faute d’utilisation depuis le 25/11/2026 ; le médecin peut la réactiver.',
    );
    const denied = await t.db
      .selectFrom('journal_entries')
      .select(['details'])
      .where('actor_id', '=', lefevre.id)
      .where('outcome', '=', 'denied')
      .execute();
    expect(denied.at(-1)?.details).toMatchObject({ reason: 'delegation_suspended' });

    // Only the doctor who gave it may reactivate it.
    expect((await failure(delegations.reactivate(roux, toLefevre.id))).status).toBe(404);
    await delegations.reactivate(martin, toLefevre.id);
    await access();
    const given = await delegations.listGiven(martin);
    expect(given.find((g) => g.id === toLefevre.id)).toMatchObject({
      status: 'active',
      suspendedUnusedSince: null,
    });
    expect(await journalOf('delegation.reactivated')).toHaveLength(1);
    const mail = await outbox('delegation_reactivated', DEMO.lefevre.email);
    expect(mail).toHaveLength(1);
    expect(mail[0]?.subject).toBe('Le Dr Camille MARTIN a réactivé votre délégation de droits');
    // Reactivating twice: a clear refusal, nothing changed.
    const again = await failure(delegations.reactivate(martin, toLefevre.id));
    expect(again.status).toBe(409);
    expect(again.message).toBe('Cette délégation est déjà active.');
  });

  it('reactivation restarts the unused clock: no suspension the next day, again after the threshold', async () => {
    clock.set(new Date(T0.getTime() + 62 * DAY));
    expect(await job(60)).toBe(0);
    clock.set(new Date(T0.getTime() + 122 * DAY));
    expect(await job(60)).toBe(2); // LEFÈVRE again (60 days after reactivation), ROUX (unused since day 50)
  });

  it('a renounced delegation is never reactivated', async () => {
    await delegations.renounce(lefevre, toLefevre.id);
    const err = await failure(delegations.reactivate(martin, toLefevre.id));
    expect(err.status).toBe(409);
    expect((await delegations.listGiven(martin)).find((g) => g.id === toLefevre.id)?.status).toBe(
      'renounced',
    );
  });
});
