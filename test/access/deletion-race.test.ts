// Issue 13, item 4: no right is cached. A delegate reads a dossier as fast as she can, from
// several connections at once, while the doctor deletes her delegation: every read that starts
// after the deletion has answered (its commit is behind it) is refused, on the hot path that
// reads the session, the dossier and the delegations in one statement. Real PostgreSQL, real
// routes; several rounds, so that reads land on every side of the commit.
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../helpers/app.js';
import { sessionFor } from '../helpers/session.js';
import { createUser, DEMO } from '../helpers/users.js';

const ROUNDS = 5;
const READERS = 6;
/** Reads each reader still sends once the deletion has answered. */
const READS_AFTER = 8;

interface Read {
  start: number;
  end: number;
  status: number;
}

describe('deleting a delegation while its delegate reads a dossier', async () => {
  // The stream of reads is far above the per-session budget: the limit is lifted, still counted.
  const t = await createTestApp({ env: { RATE_LIMIT_FACTOR: '1000' } });
  afterAll(() => t.close());
  const martin = await createUser(t.ctx.db, DEMO.martin);
  const durand = await createUser(t.ctx.db, DEMO.durand);
  const asMartin = await sessionFor(t, martin.id);
  const asDurand = await sessionFor(t, durand.id);
  const created = await t.app.inject({
    method: 'POST',
    url: '/api/dossiers',
    headers: asMartin.write,
    payload: { patient: { familyName: 'DUPONT', givenName: 'Marcel', birthDate: '1938-04-02', sex: 'M' } },
  });
  const dossierId = created.json().id as string;

  /** An accepted delegation consulter + gérer from Dr Martin to Mme Durand, active today. */
  async function activeDelegation(): Promise<string> {
    const { rows } = await sql<{ id: string }>`insert into delegations (delegator_id, kind,
        delegate_family_name, delegate_given_name, delegate_email, delegate_national_id, rights,
        starts_on, ends_on, accepted_at)
      values (${martin.id}, 'staff', 'DURAND', 'Sophie', ${DEMO.durand.email}, ${durand.subjectNameId},
        array['consulter', 'gerer'], current_date - 1, null, now())
      returning id`.execute(t.ctx.db);
    return (rows[0] as { id: string }).id;
  }

  const read = async (): Promise<Read> => {
    const start = performance.now();
    const res = await t.app.inject({
      url: `/api/dossiers/${dossierId}?onBehalfOf=${martin.id}`,
      headers: asDurand.headers,
    });
    return { start, end: performance.now(), status: res.statusCode };
  };

  it(`${ROUNDS} rounds: every read started after the deletion's answer is refused`, async () => {
    expect(created.statusCode).toBe(201);
    for (let round = 1; round <= ROUNDS; round++) {
      const delegationId = await activeDelegation();
      expect((await read()).status, `round ${round}: before`).toBe(200);
      const reads: Read[] = [];
      let deletedAt = Number.POSITIVE_INFINITY;
      let deletion: Promise<number> | undefined;
      const reader = async () => {
        let after = 0;
        while (after < READS_AFTER) {
          const r = await read();
          reads.push(r);
          if (r.start > deletedAt) after++;
          // The doctor deletes once the stream is under way.
          if (!deletion && reads.length >= READERS * 2) {
            deletion = t.app
              .inject({ method: 'DELETE', url: `/api/delegations/${delegationId}`, headers: asMartin.write })
              .then((res) => {
                deletedAt = performance.now();
                return res.statusCode;
              });
          }
        }
      };
      await Promise.all(Array.from({ length: READERS }, reader));
      expect(await deletion, `round ${round}: deletion`).toBe(204);

      const late = reads.filter((r) => r.start > deletedAt);
      expect(late.length).toBeGreaterThanOrEqual(READERS * READS_AFTER);
      for (const r of late)
        expect([403, 404], `round ${round}: a read after the deletion`).toContain(r.status);
      // The stream was running before: reads answered before the deletion began were allowed.
      expect(reads.filter((r) => r.status === 200).length, `round ${round}`).toBeGreaterThan(0);
      // Nothing else than an allowed read or a refusal (no error) on either side of the commit.
      for (const r of reads) expect([200, 403, 404]).toContain(r.status);
    }
  });
});
