// Finalisation racing the doctor's deletion or modification, over HTTP on a real PostgreSQL: the
// use cases take their locks in one order (doctor, delegation row, invitation row) and retry a
// deadlock or serialization failure, so no request answers 500 and the end state is always one
// of the two serial orders — a deleted delegation gives no access, by the access decision.
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { decide } from '../../src/server/access/decide.js';
import { delegationsBetween } from '../../src/server/delegations/facts.js';
import { createTestApp } from '../helpers/app.js';
import { sessionFor } from '../helpers/session.js';
import { createUser, DEMO } from '../helpers/users.js';

const ROUNDS = 50;

describe('finalisation racing deletion and modification', async () => {
  const t = await createTestApp();
  afterAll(() => t.close());
  const martin = await createUser(t.ctx.db, DEMO.martin);
  const durand = await createUser(t.ctx.db, DEMO.durand);
  const asMartin = await sessionFor(t, martin.id);
  const asDurand = await sessionFor(t, durand.id);
  const today = new Date().toLocaleDateString('sv-SE', { timeZone: 'Europe/Paris' });
  let address = 0;
  // The invitation routes are rate-limited by address: each round comes from its own.
  const from = () => {
    address++;
    return `10.9.${Math.floor(address / 250)}.${(address % 250) + 1}`;
  };

  async function newDelegation() {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/delegations/staff',
      headers: asMartin.write,
      remoteAddress: from(),
      payload: {
        familyName: 'DURAND',
        givenName: 'Sophie',
        email: 'sophie.durand@demo.sante.fr',
        profession: 'Secrétaire médicale',
        rights: ['consulter', 'gerer'],
        startsOn: today,
        endsOn: null,
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    const id = (res.json() as { id: string }).id;
    const mail = await t.ctx.db
      .selectFrom('mail_outbox')
      .select('text_body')
      .where('kind', '=', 'delegation_invitation')
      .orderBy('created_at', 'desc')
      .limit(1)
      .executeTakeFirstOrThrow();
    const token = mail.text_body.match(/\/invitation\/([A-Za-z0-9_-]+)/)?.[1] as string;
    return { id, token };
  }

  const accept = (token: string) =>
    t.app.inject({
      method: 'POST',
      url: `/api/invitations/${token}/accept`,
      headers: asDurand.write,
      remoteAddress: from(),
    });

  /** The access decision for Sophie Durand on one of Dr Martin's dossiers, from the facts now. */
  async function durandMay(action: 'read' | 'create') {
    const delegations = await delegationsBetween(t.ctx.db, martin.id, durand.subjectNameId);
    return decide({
      actor: durand,
      onBehalfOfId: martin.id,
      action,
      dossierOwnerId: action === 'read' ? martin.id : undefined,
      delegations,
      now: new Date(),
    }).allowed;
  }

  it(`accept + delete, ${ROUNDS} rounds: never a 500, deleted means no access`, async () => {
    const seen = { acceptedFirst: 0, deletedFirst: 0 };
    for (let round = 0; round < ROUNDS; round++) {
      const { id, token } = await newDelegation();
      const [accepted, deleted] = await Promise.all([
        accept(token),
        t.app.inject({ method: 'DELETE', url: `/api/delegations/${id}`, headers: asMartin.write }),
      ]);
      expect(deleted.statusCode, `round ${round}: ${deleted.body}`).toBe(204);
      expect([200, 410], `round ${round}: ${accepted.body}`).toContain(accepted.statusCode);
      const row = await t.ctx.db
        .selectFrom('delegations')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      expect(row.deleted_at).not.toBeNull();
      if (accepted.statusCode === 200) {
        // Serial order: accept, then delete.
        seen.acceptedFirst++;
        expect(row.accepted_at).not.toBeNull();
        expect(row.delegate_national_id).toBe(durand.subjectNameId);
      } else {
        // Serial order: delete, then accept refused.
        seen.deletedFirst++;
        expect(accepted.json().code).toBe('invitation_deleted');
        expect(row.accepted_at).toBeNull();
      }
      expect(await durandMay('read')).toBe(false);
    }
    expect(seen.acceptedFirst + seen.deletedFirst).toBe(ROUNDS);
  }, 240_000);

  it(`accept + modify, ${ROUNDS} rounds: never a 500, both changes land`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const { id, token } = await newDelegation();
      const [accepted, modified] = await Promise.all([
        accept(token),
        t.app.inject({
          method: 'PATCH',
          url: `/api/delegations/${id}`,
          headers: asMartin.write,
          payload: { version: 1, rights: ['consulter'], startsOn: today, endsOn: null },
        }),
      ]);
      expect(accepted.statusCode, `round ${round}: ${accepted.body}`).toBe(200);
      expect(modified.statusCode, `round ${round}: ${modified.body}`).toBe(200);
      // Either serial order ends in the same state: accepted, with the modified rights.
      const row = await t.ctx.db
        .selectFrom('delegations')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      expect(row.accepted_at).not.toBeNull();
      expect(row.delegate_national_id).toBe(durand.subjectNameId);
      expect(row.version).toBe(2);
      expect(await durandMay('read')).toBe(true);
      expect(await durandMay('create')).toBe(false);
      // Clear the way for the next round (one delegation per person).
      await sql`update delegations set deleted_at = now() where id = ${id}`.execute(t.ctx.db);
    }
  }, 240_000);
});
