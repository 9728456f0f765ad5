// Dossiers, acting context, "Pourquoi ai-je accès ?" and the journal through HTTP, as the web
// app calls them: each access checked at each request, 404 for what one may not know exists,
// hostile input answered 4xx in French with nothing persisted.
import { afterAll, describe, expect, it } from 'vitest';
import { DelegationService } from '../../src/server/delegations/service.js';
import { createTestApp } from '../helpers/app.js';
import { sessionFor } from '../helpers/session.js';
import { createUser, DEMO } from '../helpers/users.js';

describe('dossiers and journal over HTTP', async () => {
  const t = await createTestApp();
  afterAll(() => t.close());
  const martin = await createUser(t.ctx.db, DEMO.martin);
  const roux = await createUser(t.ctx.db, DEMO.roux);
  const durand = await createUser(t.ctx.db, DEMO.durand);
  const lefevre = await createUser(t.ctx.db, DEMO.lefevre);
  const asMartin = await sessionFor(t, martin.id);
  const asRoux = await sessionFor(t, roux.id);
  const asDurand = await sessionFor(t, durand.id);
  const asLefevre = await sessionFor(t, lefevre.id);
  const delegations = new DelegationService({
    db: t.ctx.db,
    clock: t.ctx.clock,
    publicUrl: 'http://localhost',
    findDoctorByRpps: async (rpps) =>
      rpps === '10002345675'
        ? {
            rpps,
            nationalId: '810002345675',
            familyName: 'LEFÈVRE',
            givenName: 'Jean-Pierre',
            professionCode: '10',
            specialty: null,
            places: [],
          }
        : undefined,
  });
  const today = new Date().toLocaleDateString('sv-SE', { timeZone: 'Europe/Paris' });
  const inject = t.app.inject.bind(t.app);
  const count = async (table: 'dossiers' | 'journal_entries' | 'dossier_requests') =>
    (
      await t.ctx.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n;

  const created = await inject({
    method: 'POST',
    url: '/api/dossiers',
    headers: asMartin.write,
    payload: {
      patient: { familyName: 'DUPONT', givenName: 'Marcel', birthDate: '1938-04-02', sex: 'M' },
      administrative: { address: '12 rue Garibaldi, 69003 Lyon' },
    },
  });
  const dossierId = created.json().id as string;

  it('lets the owner create, read and complete his dossier', async () => {
    expect(created.statusCode).toBe(201);
    expect(created.json().reference).toMatch(/^GA-\d{4}-\d{6}$/);
    const medical = await inject({
      method: 'PUT',
      url: `/api/dossiers/${dossierId}/medical`,
      headers: asMartin.write,
      payload: { version: 1, medical: { pathologies: 'Maladie d’Alzheimer', gir: 2 } },
    });
    expect(medical.statusCode).toBe(200);
    const read = await inject({ url: `/api/dossiers/${dossierId}`, headers: asMartin.headers });
    expect(read.json()).toMatchObject({ status: 'complet', via: 'owner', medical: { gir: 2 } });
  });

  it('answers 404 to another doctor, whether the dossier exists or not, and journals the attempt', async () => {
    const before = await count('journal_entries');
    const other = await inject({ url: `/api/dossiers/${dossierId}`, headers: asRoux.headers });
    const none = await inject({
      url: '/api/dossiers/00000000-0000-4000-8000-000000000000',
      headers: asRoux.headers,
    });
    expect(other.statusCode).toBe(404);
    expect(none.statusCode).toBe(404);
    expect(other.json()).toEqual({ ...none.json(), requestId: other.json().requestId });
    expect(await count('journal_entries')).toBe(before + 1); // the real dossier's owner sees the attempt
    const claimed = await inject({
      url: `/api/dossiers/${dossierId}?onBehalfOf=${martin.id}`,
      headers: asRoux.headers,
    });
    expect(claimed.statusCode).toBe(404);
    const list = await inject({ url: `/api/dossiers?onBehalfOf=${martin.id}`, headers: asRoux.headers });
    expect(list.statusCode).toBe(403);
  });

  it('a staff delegate acts for the doctor within her rights, checked at every request', async () => {
    const { id } = await delegations.createStaff(martin, {
      familyName: 'DURAND',
      givenName: 'Sophie',
      email: DEMO.durand.email,
      profession: 'Secrétaire médicale',
      rights: ['gerer'],
      startsOn: today,
      endsOn: null,
    });
    const mail = await t.ctx.db
      .selectFrom('mail_outbox')
      .select('text_body')
      .where('kind', '=', 'delegation_invitation')
      .executeTakeFirstOrThrow();
    await delegations.acceptInvitation(durand, mail.text_body.match(/\/invitation\/([\w-]+)/)?.[1] as string);

    const contexts = await inject({ url: '/api/access/contexts', headers: asDurand.headers });
    expect(contexts.json()).toMatchObject({
      self: false,
      delegated: [{ delegatorId: martin.id, familyName: 'MARTIN', rights: ['consulter', 'gerer'] }],
    });
    // With a single delegator she lands in that context without choosing.
    const list = await inject({ url: '/api/dossiers', headers: asDurand.headers });
    expect(list.statusCode).toBe(200);
    expect(list.json().onBehalfOf).toBe(martin.id);
    const read = await inject({ url: `/api/dossiers/${dossierId}`, headers: asDurand.headers });
    expect(read.json()).toMatchObject({ via: 'delegation', medical: null, rights: ['consulter', 'gerer'] });
    expect(read.body).not.toContain('Alzheimer');
    const explain = await inject({
      url: `/api/access/explain?dossier=${dossierId}&action=write_admin`,
      headers: asDurand.headers,
    });
    expect(explain.json()).toMatchObject({
      via: 'delegation',
      delegationId: id,
      right: 'gerer',
      until: null,
    });
    expect(explain.json().message).toContain('sans date de fin');
    const noMedical = await inject({
      url: `/api/access/explain?dossier=${dossierId}&action=read_medical`,
      headers: asDurand.headers,
    });
    expect(noMedical.statusCode).toBe(403);
    expect(noMedical.json().message).toBe(
      'Vos droits ne vous permettent pas de consulter le volet médical pour ce médecin.',
    );
    const edit = await inject({
      method: 'PUT',
      url: `/api/dossiers/${dossierId}/administrative`,
      headers: asDurand.write,
      payload: {
        version: read.json().version,
        administrative: { ...read.json().administrative, phone: '04 78 00 00 01' },
      },
    });
    expect(edit.statusCode).toBe(200);
    const send = await inject({
      method: 'POST',
      url: `/api/dossiers/${dossierId}/requests`,
      headers: asDurand.write,
      payload: { establishment: 'EHPAD Les Glycines' },
    });
    expect(send.statusCode).toBe(403);

    // The doctor adds volet_medical: her next request shows it.
    const version = (await delegations.listGiven(martin))[0]?.version as number;
    await delegations.modify(martin, id, {
      version,
      rights: ['gerer', 'volet_medical'],
      startsOn: today,
      endsOn: null,
    });
    expect(
      (await inject({ url: `/api/dossiers/${dossierId}`, headers: asDurand.headers })).json().medical,
    ).toMatchObject({ gir: 2 });
    // Deleted: her very next request is refused.
    await delegations.remove(martin, id);
    // With the context she had, the dossier is no longer hers to know (404); without, she has no
    // context left at all (403, "aucune délégation de droits active").
    const again = await inject({
      url: `/api/dossiers/${dossierId}?onBehalfOf=${martin.id}`,
      headers: asDurand.headers,
    });
    expect(again.statusCode).toBe(404);
    expect((await inject({ url: `/api/dossiers/${dossierId}`, headers: asDurand.headers })).statusCode).toBe(
      403,
    );
    expect(
      (await inject({ url: `/api/dossiers?onBehalfOf=${martin.id}`, headers: asDurand.headers })).statusCode,
    ).toBe(403);
    expect((await inject({ url: '/api/dossiers', headers: asDurand.headers })).json().code).toBe(
      'no_active_delegation',
    );
  });

  it('a colleague with a peer delegation can do everything, and cannot manage the doctor’s delegations', async () => {
    await delegations.createPeer(martin, { rpps: '10002345675', startsOn: today, endsOn: '2030-12-31' });
    const own = await inject({
      url: `/api/dossiers/${dossierId}?onBehalfOf=${martin.id}`,
      headers: asLefevre.headers,
    });
    expect(own.json()).toMatchObject({ via: 'delegation', medical: { gir: 2 } });
    const send = await inject({
      method: 'POST',
      url: `/api/dossiers/${dossierId}/requests?onBehalfOf=${martin.id}`,
      headers: asLefevre.write,
      payload: { establishment: 'EHPAD Les Glycines' },
    });
    expect(send.statusCode).toBe(201);
    // "Mes délégations" is always the signed-in doctor's own: Dr MARTIN's are not reachable.
    const his = await inject({ url: '/api/delegations', headers: asLefevre.headers });
    expect(his.json()).toEqual({ staff: [], peer: [] });
    const martins = (await delegations.listGiven(martin))[0]?.id as string;
    const del = await inject({
      method: 'DELETE',
      url: `/api/delegations/${martins}`,
      headers: asLefevre.write,
    });
    expect(del.statusCode).toBe(404);
    // Without choosing a context, a doctor acts for himself: Dr MARTIN's dossier is not his.
    expect((await inject({ url: `/api/dossiers/${dossierId}`, headers: asLefevre.headers })).statusCode).toBe(
      404,
    );
  });

  it('refuses hostile and malformed input with a French message and stores nothing', async () => {
    const before = { d: await count('dossiers'), r: await count('dossier_requests') };
    const bad = [
      { patient: { familyName: 'x'.repeat(5000), givenName: 'A', birthDate: '1938-04-02', sex: 'M' } },
      {
        patient: {
          familyName: "Robert'); drop table dossiers;--",
          givenName: 'A',
          birthDate: '1938-04-02',
          sex: 'M',
        },
      },
      {
        patient: {
          familyName: '<script>alert(1)</script>',
          givenName: 'A',
          birthDate: '1938-04-02',
          sex: 'M',
        },
      },
      { patient: { familyName: 'DUPONT', givenName: 'A', birthDate: '2999-01-01', sex: 'M' } },
      { patient: { familyName: 'DUPONT', givenName: 'A', birthDate: '1938-02-30', sex: 'M' } },
      { patient: { familyName: 'DUPONT', givenName: 'A', birthDate: '1938-04-02', sex: 'X' } },
      { patient: { familyName: 'DUPONT\u0000', givenName: 'A', birthDate: '1938-04-02', sex: 'M' } },
      { patient: 'DUPONT' },
      {},
      [],
      null,
    ];
    for (const payload of bad) {
      const res = await inject({
        method: 'POST',
        url: '/api/dossiers',
        headers: asMartin.write,
        payload: payload as object,
      });
      expect(res.statusCode, JSON.stringify(payload).slice(0, 80)).toBeGreaterThanOrEqual(400);
      expect(res.statusCode).toBeLessThan(500);
      expect(res.json().message).toMatch(/[éèàùç’]|invalide|obligatoire|requête/i);
    }
    const medical = await inject({
      method: 'PUT',
      url: `/api/dossiers/${dossierId}/medical`,
      headers: asMartin.write,
      payload: { version: 99, medical: { gir: 9 } },
    });
    expect(medical.statusCode).toBe(400);
    const stale = await inject({
      method: 'PUT',
      url: `/api/dossiers/${dossierId}/medical`,
      headers: asMartin.write,
      payload: { version: 1, medical: { gir: 3 } },
    });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().message).toContain('modifié entre-temps');
    for (const id of ['x', '../../etc/passwd', "1' or '1'='1", 'a'.repeat(65)]) {
      const res = await inject({ url: `/api/dossiers/${encodeURIComponent(id)}`, headers: asMartin.headers });
      expect([400, 404]).toContain(res.statusCode);
    }
    const noCsrf = await inject({
      method: 'POST',
      url: '/api/dossiers',
      headers: asMartin.headers,
      payload: { patient: { familyName: 'DUPONT', givenName: 'A', birthDate: '1938-04-02', sex: 'M' } },
    });
    expect(noCsrf.statusCode).toBe(403);
    const anonymous = await inject({ url: '/api/dossiers' });
    expect(anonymous.statusCode).toBe(401);
    expect({ d: await count('dossiers'), r: await count('dossier_requests') }).toEqual(before);
  });

  it('shows the doctor his journal, filtered, and exports it as CSV that French spreadsheets read', async () => {
    const page = await inject({ url: `/api/journal?delegate=${durand.id}`, headers: asMartin.headers });
    expect(page.statusCode).toBe(200);
    const actions = page.json().entries.map((e: { action: string }) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining(['dossier.list', 'dossier.read', 'dossier.write', 'dossier.send']),
    );
    expect(page.json().entries.every((e: { actor: string }) => e.actor === 'Sophie DURAND')).toBe(true);
    const denied = page.json().entries.filter((e: { outcome: string }) => e.outcome === 'denied');
    expect(denied.length).toBeGreaterThan(0);
    const actors = await inject({ url: '/api/journal/actors', headers: asMartin.headers });
    expect(
      actors
        .json()
        .actors.map((a: { familyName: string }) => a.familyName)
        .sort(),
    ).toEqual(['DURAND', 'LEFÈVRE', 'ROUX']);
    const csv = await inject({ url: `/api/journal.csv?delegate=${lefevre.id}`, headers: asMartin.headers });
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const lines = csv.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toBe(
      '"Date et heure (Paris)";"Description";"Personne";"Pour le compte de";"Délégataire";"Dossier";"Action";"Résultat";"Détail";"Modifications"',
    );
    expect(
      lines.some(
        (l) =>
          l.includes('"Jean-Pierre LEFÈVRE"') &&
          l.includes('"Demande à un établissement envoyée ou annulée"'),
      ),
    ).toBe(true);
    // A delegate sees his own actions, never the doctor's journal of others.
    const mine = await inject({ url: '/api/journal', headers: asDurand.headers });
    expect(mine.json().entries.every((e: { actorId: string }) => e.actorId === durand.id)).toBe(true);
    expect((await inject({ url: '/api/journal?scope=mine', headers: asDurand.headers })).statusCode).toBe(
      403,
    );
    expect(
      (await inject({ url: '/api/journal?from=2026-13-01', headers: asMartin.headers })).statusCode,
    ).toBe(400);
  });
});
