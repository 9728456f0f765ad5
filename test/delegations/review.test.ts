// « Revue des délégations » on a real PostgreSQL: due every ACCESS_REVIEW_MONTHS (email, one open
// review at a time), « Conserver », and a modification or deletion counting as the line's
// decision; complete when every line is decided, journaled with who kept what.
import { afterAll, describe, expect, it } from 'vitest';
import { ReviewService } from '../../src/server/delegations/review.js';
import { DelegationService } from '../../src/server/delegations/service.js';
import { fixedClock } from '../../src/server/platform/clock.js';
import { DomainError } from '../../src/server/platform/errors.js';
import { createTestDatabase } from '../helpers/db.js';
import { createUser, DEMO } from '../helpers/users.js';

describe('access review', async () => {
  const t = await createTestDatabase();
  afterAll(() => t.close());
  const clock = fixedClock(new Date('2026-01-10T09:00:00Z'));
  const deps = {
    db: t.db,
    clock,
    publicUrl: 'http://localhost:3000',
    findDoctorByRpps: async () => undefined,
  };
  const delegations = new DelegationService(deps);
  const reviews = new ReviewService({ ...deps, months: 6 });
  const martin = await createUser(t.db, DEMO.martin);
  const roux = await createUser(t.db, DEMO.roux);
  const staff = (email: string, familyName: string) =>
    delegations.createStaff(martin, {
      familyName,
      givenName: 'Test',
      email,
      profession: 'Secrétaire médicale',
      rights: ['gerer'],
      startsOn: '2026-01-10',
      endsOn: null,
    });
  const ids: string[] = [];

  it('is due 6 months after the oldest active delegation, once, with an email', async () => {
    for (const [i, name] of ['ALPHA', 'BETA', 'GAMMA'].entries()) {
      const { id } = await staff(`${name.toLowerCase()}@demo.sante.fr`, name);
      await t.db
        .updateTable('delegations')
        .set({ accepted_at: clock.now(), delegate_national_id: `4000000000/CPAT000${i}` })
        .where('id', '=', id)
        .execute();
      ids.push(id);
    }
    expect(await reviews.openDueReviews()).toBe(0);
    expect((await reviews.current(martin)).review).toBeNull();
    clock.set(new Date('2026-07-10T09:00:00Z'));
    expect(await reviews.openDueReviews()).toBe(1);
    expect(await reviews.openDueReviews()).toBe(0);
    const mail = await t.db
      .selectFrom('mail_outbox')
      .selectAll()
      .where('kind', '=', 'access_review_due')
      .execute();
    expect(mail.map((m) => m.to_address)).toEqual([DEMO.martin.email]);
    const current = (await reviews.current(martin)).review;
    expect(current?.items.map((i) => i.delegation.id)).toEqual(ids);
    expect(current?.items.every((i) => i.decision === null && i.uses === 0 && i.lastUsedAt === null)).toBe(
      true,
    );
  });

  it('keeps one, modifies one, deletes one: complete, journaled with who kept what', async () => {
    const [keep, modify, remove] = ids as [string, string, string];
    expect((await reviews.keep(martin, keep)).completed).toBe(false);
    // Another doctor cannot decide on it.
    const err = await reviews.keep(roux, modify).catch((e) => e);
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).status).toBe(404);
    await delegations.modify(martin, modify, {
      version: 1,
      rights: ['consulter'],
      startsOn: '2026-01-10',
      endsOn: '2026-12-31',
    });
    expect(
      (await reviews.current(martin)).review?.items.find((i) => i.delegation.id === modify)?.decision,
    ).toBe('modified');
    await delegations.remove(martin, remove);
    const after = await reviews.current(martin);
    expect(after.review).toBeNull();
    expect(after.lastCompletedAt).toBe(clock.now().toISOString());
    const entries = await t.db
      .selectFrom('journal_entries')
      .selectAll()
      .where('action', 'like', 'review.%')
      .orderBy('id')
      .execute();
    expect(entries.map((e) => e.action)).toEqual([
      'review.started',
      'review.decided',
      'review.decided',
      'review.decided',
      'review.completed',
    ]);
    expect(entries.at(-1)?.details).toMatchObject({ kept: [keep], modified: [modify], deleted: [remove] });
    expect(entries.at(-1)?.actor_id).toBe(martin.id);
    // The next one is due 6 months after this one started; a doctor may also start one now.
    expect(await reviews.openDueReviews()).toBe(0);
    const started = await reviews.start(martin);
    expect((await reviews.current(martin)).review?.id).toBe(started.id);
    expect((await reviews.current(martin)).review?.items.map((i) => i.delegation.id)).toEqual([keep, modify]);
  });
});
