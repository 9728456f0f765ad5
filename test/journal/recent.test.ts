// « Changements récents » (issue 16, both sides told on the page): what others did to my
// delegations in the last 30 days, read from the journal — the doctor sees the delegate's
// finalisation and renunciation, the delegate sees the doctor's creation and modification (with
// what changed); nobody sees his or her own acts, nor another person's delegations; older than
// 30 days is gone. Over HTTP: the side is checked, a visitor is refused.
import { afterAll, describe, expect, it } from 'vitest';
import { DelegationService } from '../../src/server/delegations/service.js';
import { delegationNews } from '../../src/server/journal/queries.js';
import { fixedClock } from '../../src/server/platform/clock.js';
import { createTestApp } from '../helpers/app.js';
import { createTestDatabase } from '../helpers/db.js';
import { sessionFor } from '../helpers/session.js';
import { createUser, DEMO } from '../helpers/users.js';

const DAY = 24 * 3600_000;

describe('recent changes of my delegations', async () => {
  const t = await createTestDatabase();
  afterAll(() => t.close());
  const clock = fixedClock(new Date('2026-11-25T09:00:00Z'));
  const delegations = new DelegationService({
    db: t.db,
    clock,
    publicUrl: 'http://localhost:3000',
    findDoctorByRpps: async () => undefined,
  });
  const martin = await createUser(t.db, DEMO.martin);
  const durand = await createUser(t.db, DEMO.durand);
  const benali = await createUser(t.db, DEMO.benali);
  const roux = await createUser(t.db, DEMO.roux);
  const news = (who: typeof martin, side: 'given' | 'received') =>
    delegationNews(t.db, who, side, clock.now());

  it('each side sees what the other did, with what changed; never its own acts', async () => {
    const { id } = await delegations.createStaff(martin, {
      familyName: 'Durand',
      givenName: 'Sophie',
      email: DEMO.durand.email,
      profession: 'Secrétaire médicale',
      rights: ['gerer'],
      startsOn: '2026-11-25',
      endsOn: '2026-12-31',
    });
    const mail = await t.db
      .selectFrom('mail_outbox')
      .select('text_body')
      .where('kind', '=', 'delegation_invitation')
      .executeTakeFirstOrThrow();
    const token = mail.text_body.match(/\/invitation\/([A-Za-z0-9_-]+)/)?.[1] as string;
    clock.advance(60_000);
    await delegations.acceptInvitation(durand, token);
    clock.advance(60_000);
    const [given] = await delegations.listGiven(martin);
    await delegations.modify(martin, id, {
      version: given?.version as number,
      rights: ['gerer', 'envoyer'],
      startsOn: '2026-11-25',
      endsOn: '2027-01-31',
    });

    const received = await news(durand, 'received');
    expect(received.map((e) => e.action)).toEqual(['delegation.modified', 'delegation.created']);
    expect(received[0]?.sentence).toBe('Dr Camille MARTIN a modifié votre délégation de droits.');
    expect(received[0]?.changes).toEqual([
      {
        label: 'Droits',
        before: 'Consulter, Créer et modifier',
        after: 'Consulter, Créer et modifier, Envoyer les demandes',
      },
      { label: 'Fin', before: '31/12/2026', after: '31/01/2027' },
    ]);
    expect(received[1]?.sentence).toBe(
      'Dr Camille MARTIN vous a confié la gestion de ses dossiers : délégation de droits créée.',
    );

    const told = await news(martin, 'given');
    expect(told.map((e) => e.action)).toEqual(['invitation.accepted']);
    expect(told[0]?.sentence).toBe(
      'Sophie DURAND a accepté votre invitation : sa délégation de droits est finalisée.',
    );

    // Other people's delegations are not theirs to see.
    expect(await news(benali, 'received')).toEqual([]);
    expect(await news(roux, 'given')).toEqual([]);

    clock.advance(60_000);
    await delegations.renounce(durand, id);
    expect((await news(martin, 'given')).map((e) => e.action)).toEqual([
      'delegation.renounced',
      'invitation.accepted',
    ]);
    expect((await news(martin, 'given'))[0]?.sentence).toBe(
      'Sophie DURAND a renoncé à la délégation de droits que vous lui aviez confiée.',
    );
    expect((await news(durand, 'received')).map((e) => e.action)).not.toContain('delegation.renounced');

    // Thirty days later, the feed is empty again (the journal keeps everything).
    clock.advance(31 * DAY);
    expect(await news(martin, 'given')).toEqual([]);
    expect(await news(durand, 'received')).toEqual([]);
  });

  it('reads through the partial index of delegation events, not the whole journal', async () => {
    const { rows } = await t.pool.query<{ 'QUERY PLAN': string }>(
      `explain select id from journal_entries
        where delegation_id = any($1::uuid[])
          and action in ('delegation.created', 'delegation.modified')
          and at >= now() - interval '30 days'`,
      [['00000000-0000-4000-8000-000000000000']],
    );
    expect(rows.map((r) => r['QUERY PLAN']).join('\n')).toContain('journal_delegation_news');
  });
});

describe('GET /api/journal/recent', async () => {
  const t = await createTestApp();
  afterAll(() => t.close());
  const martin = await createUser(t.ctx.db, DEMO.martin);
  const asMartin = await sessionFor(t, martin.id);
  const get = (url: string, headers: Record<string, string> = asMartin.headers) =>
    t.app.inject({ method: 'GET', url, headers });

  it('answers the signed-in person, refuses a visitor and an unknown side in French', async () => {
    const ok = await get('/api/journal/recent?side=given');
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ entries: [] });
    for (const side of ['everything', 'x'.repeat(5000), '', "given' or 1=1"]) {
      const bad = await get(`/api/journal/recent?side=${encodeURIComponent(side)}`);
      expect(bad.statusCode).toBe(400);
      expect(bad.json().fields).toEqual([{ path: 'querystring.side', message: 'Côté inconnu.' }]);
    }
    expect((await get('/api/journal/recent')).statusCode).toBe(400);
    expect((await get('/api/journal/recent?side=given', {})).statusCode).toBe(401);
  });
});
