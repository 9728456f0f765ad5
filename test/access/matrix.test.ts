// The access matrix on a real database: every action × kind of actor × delegation state × rights,
// each decision asserted against an independent expectation, each access by a non-owner journaled.
import crypto from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import {
  authorize,
  DOSSIER_ACTIONS,
  type DossierAction,
  recordWrite,
} from '../../src/server/access/index.js';
import { DossierService } from '../../src/server/dossiers/service.js';
import { JournalBatcher } from '../../src/server/journal/store.js';
import { fixedClock } from '../../src/server/platform/clock.js';
import { DomainError } from '../../src/server/platform/errors.js';
import { addDays, todayInParis } from '../../src/server/platform/paris-time.js';
import type { SignedInUser } from '../../src/server/platform/signed-in-user.js';
import type { Right } from '../../src/shared/rights.js';
import { createTestDatabase } from '../helpers/db.js';
import { createUser, DEMO } from '../helpers/users.js';

const NEEDS: Record<DossierAction, Right> = {
  list: 'consulter',
  read: 'consulter',
  read_medical: 'volet_medical',
  create: 'gerer',
  write_admin: 'gerer',
  write_medical: 'volet_medical',
  send: 'envoyer',
};
const STATES = ['pending', 'scheduled', 'active', 'expired', 'deleted'] as const;
const RIGHT_SETS: Right[][] = [
  ['consulter'],
  ['consulter', 'gerer'],
  ['consulter', 'volet_medical'],
  ['consulter', 'envoyer'],
  ['consulter', 'gerer', 'volet_medical', 'envoyer'],
];

describe('access matrix', async () => {
  const t = await createTestDatabase();
  afterAll(() => t.close());
  const now = new Date('2026-11-25T10:00:00Z');
  const clock = fixedClock(now);
  const today = todayInParis(now);
  const martin = await createUser(t.db, DEMO.martin);
  const roux = await createUser(t.db, DEMO.roux);
  const journal = new JournalBatcher(t.db);
  const dossiers = new DossierService({ db: t.db, clock, journal });
  const patient = { familyName: 'DUPONT', givenName: 'Marcel', birthDate: '1938-04-02', sex: 'M' as const };
  const martinDossier = await dossiers.create(martin, martin.id, { patient });
  const rouxDossier = await dossiers.create(roux, roux.id, { patient });
  const martinOwner = { id: martinDossier.id, ownerId: martin.id };
  const rouxOwner = { id: rouxDossier.id, ownerId: roux.id };

  let n = 0;
  async function delegate(kind: 'staff' | 'peer', state: (typeof STATES)[number], rights: Right[]) {
    n++;
    const user = await createUser(t.db, {
      subjectNameId: kind === 'peer' ? `8100${String(90000000 + n)}` : `4123456782/T${n}`,
      familyName: `DELEGUE${n}`,
      givenName: 'Test',
      professionCode: kind === 'peer' ? '10' : null,
      email: `d${n}@test.fr`,
    });
    const period = {
      scheduled: { starts_on: addDays(today, 3), ends_on: addDays(today, 10) },
      expired: { starts_on: addDays(today, -10), ends_on: addDays(today, -1) },
    }[state as string] ?? { starts_on: today, ends_on: addDays(today, 10) };
    await t.db
      .insertInto('delegations')
      .values({
        delegator_id: martin.id,
        kind,
        delegate_family_name: user.familyName,
        delegate_given_name: 'Test',
        delegate_email: user.email,
        delegate_national_id: user.subjectNameId,
        rights: kind === 'peer' ? ['consulter', 'gerer', 'volet_medical', 'envoyer'] : rights,
        ...period,
        invitation_expires_at: state === 'pending' ? addHours(now, 48) : null,
        accepted_at: kind === 'staff' && state !== 'pending' ? now : null,
        deleted_at: state === 'deleted' ? now : null,
      })
      .execute();
    return user;
  }

  const journalCount = async () =>
    (await sql<{ n: number }>`select count(*)::int as n from journal_entries`.execute(t.db)).rows[0]?.n ?? 0;

  async function outcome(
    user: SignedInUser,
    onBehalfOf: string,
    action: DossierAction,
    dossier?: { id: string; ownerId: string },
  ) {
    try {
      const access = await authorize({ db: t.db, clock, journal }, user, onBehalfOf, action, dossier);
      // An allowed write is journaled by its use case, in the write's transaction, once done.
      await recordWrite(t.db, access);
      return 'allowed';
    } catch (err) {
      expect(err).toBeInstanceOf(DomainError);
      return `${(err as DomainError).status}`;
    }
  }

  const WRITES: DossierAction[] = ['create', 'write_admin', 'write_medical', 'send'];
  const ON_DOSSIER: DossierAction[] = ['read', 'read_medical', 'write_admin', 'write_medical', 'send'];

  it('decides every combination as expected and journals each delegate access', async () => {
    let checked = 0;
    for (const kind of ['staff', 'peer'] as const) {
      for (const state of STATES) {
        if (kind === 'peer' && state === 'pending') continue; // no acceptance step for peers
        for (const rights of kind === 'peer' ? [RIGHT_SETS[4] as Right[]] : RIGHT_SETS) {
          const user = await delegate(kind, state, rights);
          for (const action of DOSSIER_ACTIONS) {
            const held = kind === 'peer' ? RIGHT_SETS[4] : rights;
            const allowed = state === 'active' && (held as Right[]).includes(NEEDS[action]);
            const onDossier = ON_DOSSIER.includes(action);
            // 403 when the delegate may know the dossiers exist (active, right missing), else 404
            // for a dossier and 403 for the list or a creation.
            const expected = allowed ? 'allowed' : onDossier && state !== 'active' ? '404' : '403';
            const before = await journalCount();
            const got = await outcome(user, martin.id, action, onDossier ? martinOwner : undefined);
            expect(got, `${kind}/${state}/${rights.join('+')}/${action}`).toBe(expected);
            const entry = await t.db
              .selectFrom('journal_entries')
              .selectAll()
              .orderBy('id', 'desc')
              .limit(1)
              .executeTakeFirstOrThrow();
            expect(await journalCount()).toBe(before + 1);
            expect(entry).toMatchObject({
              actor_id: user.id,
              on_behalf_of_id: martin.id,
              outcome: allowed ? (WRITES.includes(action) ? 'ok' : 'allowed') : 'denied',
              dossier_id: onDossier ? martinDossier.id : null,
            });
            // Another doctor's dossier through the same context: never found.
            if (onDossier) expect(await outcome(user, martin.id, action, rouxOwner)).toBe('404');
            checked++;
          }
        }
      }
    }
    expect(checked).toBe(7 * (5 * 5 + 4));
  });

  it('lets the owner do everything on his dossiers, and nobody else act for him without a delegation', async () => {
    for (const action of DOSSIER_ACTIONS) {
      const onDossier = ON_DOSSIER.includes(action);
      expect(await outcome(martin, martin.id, action, onDossier ? martinOwner : undefined)).toBe('allowed');
      // Dr ROUX on Dr MARTIN's dossier, acting for himself or claiming to act for Dr MARTIN.
      if (onDossier) {
        expect(await outcome(roux, roux.id, action, martinOwner)).toBe('404');
        expect(await outcome(roux, martin.id, action, martinOwner)).toBe('404');
      } else {
        expect(await outcome(roux, martin.id, action)).toBe('403');
      }
    }
    const staff = await createUser(t.db, { ...DEMO.garnier, subjectNameId: '3690012345/X' });
    expect(await outcome(staff, staff.id, 'list')).toBe('403'); // a non-doctor has no dossiers of his own
  });

  it('hides the medical part from a delegate without volet_medical, shows it with', async () => {
    const noMedical = await delegate('staff', 'active', ['consulter', 'gerer']);
    const withMedical = await delegate('staff', 'active', ['consulter', 'volet_medical']);
    await dossiers.updateMedical(martin, martin.id, martinDossier.id, {
      version: 1,
      medical: { pathologies: 'Démence', gir: 2 },
    });
    expect((await dossiers.get(noMedical, martin.id, martinDossier.id)).medical).toBeNull();
    expect((await dossiers.get(withMedical, martin.id, martinDossier.id)).medical).toEqual({
      pathologies: 'Démence',
      gir: 2,
    });
    await expect(
      dossiers.updateMedical(noMedical, martin.id, martinDossier.id, { version: 2, medical: { gir: 1 } }),
    ).rejects.toMatchObject({ status: 403, code: 'missing_right' });
    await expect(dossiers.get(noMedical, martin.id, crypto.randomUUID())).rejects.toMatchObject({
      status: 404,
    });
    await expect(dossiers.get(noMedical, martin.id, 'not-a-uuid')).rejects.toMatchObject({ status: 404 });
  });
});

function addHours(d: Date, h: number) {
  return new Date(d.getTime() + h * 3600_000);
}
