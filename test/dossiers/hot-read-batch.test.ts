// Issue 13: the dossier reads that reach a node in one turn of its event loop go to PostgreSQL
// together, one or two statements for all (dossiers/hot-read.ts). Each read must still get exactly its own answer —
// its own session, its own doctor, its own rights — whatever else is in the statement: the same
// status and body as when it is sent alone. The statements are counted, so that the test shows
// the reads were really gathered.
import crypto from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../helpers/app.js';
import { sessionFor } from '../helpers/session.js';
import { createUser, DEMO } from '../helpers/users.js';

describe('dossier reads gathered in one statement', async () => {
  const t = await createTestApp({ env: { RATE_LIMIT_FACTOR: '1000' } });
  afterAll(() => t.close());
  const martin = await createUser(t.ctx.db, DEMO.martin);
  const lefevre = await createUser(t.ctx.db, DEMO.lefevre);
  const durand = await createUser(t.ctx.db, DEMO.durand);
  const garnier = await createUser(t.ctx.db, DEMO.garnier);
  const asMartin = await sessionFor(t, martin.id);
  const asLefevre = await sessionFor(t, lefevre.id);
  const asDurand = await sessionFor(t, durand.id);
  const asGarnier = await sessionFor(t, garnier.id);
  const expired = await sessionFor(t, martin.id);
  await sql`update sessions set expires_at = now() - interval '1 minute'
    where id_hash = sha256(convert_to(${expired.cookie.split('=')[1]}, 'UTF8'))`.execute(t.ctx.db);

  const create = async (as: typeof asMartin, familyName: string, medical: string) => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/dossiers',
      headers: as.write,
      payload: { patient: { familyName, givenName: 'Marcel', birthDate: '1938-04-02', sex: 'M' } },
    });
    const { id } = res.json() as { id: string };
    const { version } = (await t.app.inject({ url: `/api/dossiers/${id}`, headers: as.headers })).json();
    const put = await t.app.inject({
      method: 'PUT',
      url: `/api/dossiers/${id}/medical`,
      headers: as.write,
      payload: { version, medical: { antecedents: medical } },
    });
    expect(put.statusCode, put.body).toBe(200);
    return id;
  };
  const ofMartin = await create(asMartin, 'DUPONT', 'Diabète de type 2');
  const ofLefevre = await create(asLefevre, 'BERNARD', 'Hypertension');
  // Mme Durand: consulter + gérer for Dr Martin (no « volet médical »); Mme Garnier: everything.
  await sql`insert into delegations (delegator_id, kind, delegate_family_name, delegate_given_name,
      delegate_email, delegate_national_id, rights, starts_on, ends_on, accepted_at)
    values (${martin.id}, 'staff', 'DURAND', 'Sophie', ${DEMO.durand.email}, ${durand.subjectNameId},
            array['consulter', 'gerer'], current_date - 1, null, now()),
           (${martin.id}, 'staff', 'GARNIER', 'Léa', ${DEMO.garnier.email}, ${garnier.subjectNameId},
            array['consulter', 'gerer', 'volet_medical', 'envoyer'], current_date - 1, null, now())`.execute(
    t.ctx.db,
  );

  const onBehalf = `?onBehalfOf=${martin.id}`;
  const reads: { label: string; url: string; headers: Record<string, string> }[] = [
    { label: 'owner', url: `/api/dossiers/${ofMartin}`, headers: asMartin.headers },
    { label: 'other owner', url: `/api/dossiers/${ofLefevre}`, headers: asLefevre.headers },
    { label: 'a doctor, another’s dossier', url: `/api/dossiers/${ofMartin}`, headers: asLefevre.headers },
    { label: 'delegate', url: `/api/dossiers/${ofMartin}${onBehalf}`, headers: asDurand.headers },
    { label: 'delegate, medical', url: `/api/dossiers/${ofMartin}${onBehalf}`, headers: asGarnier.headers },
    { label: 'delegate, own context', url: `/api/dossiers/${ofMartin}`, headers: asDurand.headers },
    {
      label: 'delegate, other doctor',
      url: `/api/dossiers/${ofLefevre}${onBehalf}`,
      headers: asDurand.headers,
    },
    {
      label: 'delegate, doctor without delegation',
      url: `/api/dossiers/${ofLefevre}?onBehalfOf=${lefevre.id}`,
      headers: asDurand.headers,
    },
    { label: 'unknown dossier', url: `/api/dossiers/${crypto.randomUUID()}`, headers: asMartin.headers },
    { label: 'not a uuid', url: '/api/dossiers/abc', headers: asMartin.headers },
    { label: 'expired session', url: `/api/dossiers/${ofMartin}`, headers: expired.headers },
    { label: 'unknown session', url: `/api/dossiers/${ofMartin}`, headers: { cookie: 'dd_session=abc' } },
    { label: 'no session', url: `/api/dossiers/${ofMartin}`, headers: {} },
  ];
  const answer = async (r: (typeof reads)[number]) => {
    const res = await t.app.inject({ url: r.url, headers: r.headers });
    // Every answer but its request's own id.
    const { requestId: _id, ...body } = res.json();
    return { label: r.label, status: res.statusCode, body };
  };

  /** The hot statements sent to PostgreSQL while `run` runs. */
  async function counted<T>(run: () => Promise<T>): Promise<{ result: T; statements: number }> {
    const pool = t.ctx.pool;
    const query = pool.query.bind(pool);
    let statements = 0;
    pool.query = ((config: unknown, ...rest: unknown[]) => {
      if ((config as { name?: string } | undefined)?.name?.startsWith('dossier_read_')) statements++;
      return (query as (...a: unknown[]) => unknown)(config, ...rest);
    }) as typeof pool.query;
    try {
      return { result: await run(), statements };
    } finally {
      pool.query = query;
    }
  }

  it('answers each read as when it is sent alone, when all are sent at once', async () => {
    const alone: Awaited<ReturnType<typeof answer>>[] = [];
    for (const r of reads) alone.push(await answer(r));
    // What each read must answer (so that « the same as alone » is not « the same mistake »).
    expect(alone.map((a) => [a.label, a.status])).toEqual([
      ['owner', 200],
      ['other owner', 200],
      ['a doctor, another’s dossier', 404],
      ['delegate', 200],
      ['delegate, medical', 200],
      ['delegate, own context', 200],
      ['delegate, other doctor', 404],
      ['delegate, doctor without delegation', 404],
      ['unknown dossier', 404],
      ['not a uuid', 404],
      ['expired session', 401],
      ['unknown session', 401],
      ['no session', 401],
    ]);
    const body = (label: string) => alone.find((a) => a.label === label)?.body ?? {};
    expect(body('owner').medical).toEqual({ antecedents: 'Diabète de type 2' });
    expect(body('other owner').patient.familyName).toBe('BERNARD');
    expect(body('delegate').medical).toBeNull();
    expect(body('delegate, medical').medical).toEqual({ antecedents: 'Diabète de type 2' });

    for (let round = 0; round < 10; round++) {
      // A different order each round, so that each read sits at many places of the statement.
      const order = reads.map((r, i) => ({ r, k: (i * 7 + round * 5) % reads.length }));
      order.sort((a, b) => a.k - b.k);
      const { result, statements } = await counted(() => Promise.all(order.map(({ r }) => answer(r))));
      for (const got of result) {
        expect(got, got.label).toEqual(alone.find((a) => a.label === got.label));
      }
      // The eleven reads with a well-formed session cookie went together: two statements of
      // five and six (SPLIT_FROM), not eleven.
      expect(statements).toBe(2);
    }
  });
});
