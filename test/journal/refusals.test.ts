// Refusals in the journal, over HTTP on a real PostgreSQL: a person's own journal never shows
// what a 404 hid (the other doctor, the patient, the reference) — « un dossier », no id shown;
// and one person cannot flood a doctor's journal with refusals (20 a minute one by one, then one
// « Accès refusés en série » entry), while the answers stay the same 404.
import { afterAll, describe, expect, it } from 'vitest';
import { REFUSALS_PER_MINUTE } from '../../src/server/access/authorize.js';
import { createTestApp } from '../helpers/app.js';
import { sessionFor } from '../helpers/session.js';
import { createUser, DEMO } from '../helpers/users.js';

describe('refusals in the journal', async () => {
  const t = await createTestApp();
  afterAll(() => t.close());
  const martin = await createUser(t.ctx.db, DEMO.martin);
  const roux = await createUser(t.ctx.db, DEMO.roux);
  const asMartin = await sessionFor(t, martin.id);
  const asRoux = await sessionFor(t, roux.id);
  const inject = t.app.inject.bind(t.app);
  const created = await inject({
    method: 'POST',
    url: '/api/dossiers',
    headers: asMartin.write,
    payload: { patient: { familyName: 'DUPONT', givenName: 'Marcel', birthDate: '1938-04-02', sex: 'M' } },
  });
  const { id: dossierId, reference } = created.json() as { id: string; reference: string };

  it('shows the refused person « un dossier », never the doctor, the patient or the reference', async () => {
    const res = await inject({ url: `/api/dossiers/${dossierId}`, headers: asRoux.headers });
    expect(res.statusCode).toBe(404);
    const own = await inject({ url: '/api/journal?scope=actions', headers: asRoux.headers });
    expect(own.statusCode).toBe(200);
    const entries = own.json().entries as Record<string, unknown>[];
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      dossierId,
      dossier: null,
      onBehalfOf: null,
      outcome: 'denied',
      sentence: 'Vous avez tenté de consulter un dossier : accès refusé.',
    });
    for (const secret of ['MARTIN', 'Camille', 'DUPONT', 'Marcel', reference, 'autre médecin']) {
      expect(own.body).not.toContain(secret);
    }
    const csv = await inject({ url: '/api/journal.csv?scope=actions', headers: asRoux.headers });
    expect(csv.statusCode).toBe(200);
    for (const secret of ['MARTIN', 'DUPONT', reference, dossierId]) expect(csv.body).not.toContain(secret);
    // The reference filter does not confirm which dossier the id was.
    const byRef = await inject({
      url: `/api/journal?scope=actions&dossier=${reference}`,
      headers: asRoux.headers,
    });
    expect(byRef.json().entries).toEqual([]);
    // The doctor sees the attempt in full.
    const doctor = await inject({ url: `/api/journal?delegate=${roux.id}`, headers: asMartin.headers });
    expect(doctor.json().entries[0]).toMatchObject({
      actor: 'Hélène ROUX',
      dossier: `${reference} — Marcel DUPONT`,
      outcomeLabel: 'Refusé',
    });
  });

  it('journals at most 20 refusals a minute one by one, then one summary; the answers stay 404', async () => {
    const before = await t.ctx.db
      .selectFrom('journal_entries')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('actor_id', '=', roux.id)
      .executeTakeFirstOrThrow();
    const burst = await Promise.all(
      Array.from({ length: 30 }, () =>
        inject({ url: `/api/dossiers/${dossierId}`, headers: asRoux.headers }),
      ),
    );
    expect(burst.map((r) => r.statusCode)).toEqual(Array(30).fill(404));
    const rows = await t.ctx.db
      .selectFrom('journal_entries')
      .select(['action', 'outcome'])
      .where('actor_id', '=', roux.id)
      .where('on_behalf_of_id', '=', martin.id)
      .orderBy('id')
      .execute();
    expect(before.n).toBe(1);
    expect(rows).toHaveLength(REFUSALS_PER_MINUTE + 1);
    expect(rows.filter((r) => r.action === 'dossier.read')).toHaveLength(REFUSALS_PER_MINUTE);
    expect(rows.at(-1)).toEqual({ action: 'access.refusals_throttled', outcome: 'denied' });
    const doctor = await inject({ url: `/api/journal?delegate=${roux.id}`, headers: asMartin.headers });
    expect(doctor.json().entries[0].actionLabel).toMatch(/^Accès refusés en série/);
  });
});
