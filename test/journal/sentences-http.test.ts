// The journal as sentences over HTTP on a real PostgreSQL: the doctor reads « Nadia BENALI a
// complété le volet médical de Ginette GUÉRIN pour votre compte », the delegate the same entry as
// her own action; what a modification changed (a delegation's before → after, a dossier's field
// names, no values); the « action » filter, hostile values answered 400 in French; a CSV without
// internal ids; a dossier says who changed it last.
import { afterAll, describe, expect, it } from 'vitest';
import { DelegationService } from '../../src/server/delegations/service.js';
import { createTestApp } from '../helpers/app.js';
import { sessionFor } from '../helpers/session.js';
import { createUser, DEMO } from '../helpers/users.js';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

describe('journal sentences, filters and last update over HTTP', async () => {
  const t = await createTestApp();
  afterAll(() => t.close());
  const martin = await createUser(t.ctx.db, DEMO.martin);
  // Names as a directory may give them: the sentences put them in one case.
  const benali = await createUser(t.ctx.db, { ...DEMO.benali, givenName: 'NADIA', familyName: 'Benali' });
  const asMartin = await sessionFor(t, martin.id);
  const asBenali = await sessionFor(t, benali.id);
  const delegations = new DelegationService({
    db: t.ctx.db,
    clock: t.ctx.clock,
    publicUrl: 'http://localhost',
    findDoctorByRpps: async () => undefined,
  });
  const today = new Date().toLocaleDateString('sv-SE', { timeZone: 'Europe/Paris' });
  const inSixtyDays = new Date(Date.now() + 60 * 86_400_000).toLocaleDateString('sv-SE', {
    timeZone: 'Europe/Paris',
  });
  const endFrench = inSixtyDays.split('-').reverse().join('/');
  const inject = t.app.inject.bind(t.app);

  const created = await inject({
    method: 'POST',
    url: '/api/dossiers',
    headers: asMartin.write,
    payload: {
      patient: { familyName: 'guérin', givenName: 'ginette', birthDate: '1936-05-12', sex: 'F' },
      administrative: { address: '3 place Bellecour, 69002 Lyon' },
    },
  });
  const dossierId = created.json().id as string;
  const { id: delegationId } = await delegations.createStaff(martin, {
    familyName: 'BENALI',
    givenName: 'Nadia',
    email: DEMO.benali.email,
    profession: 'Infirmière',
    rights: ['gerer', 'volet_medical'],
    startsOn: today,
    endsOn: null,
  });
  const mail = await t.ctx.db
    .selectFrom('mail_outbox')
    .select('text_body')
    .where('kind', '=', 'delegation_invitation')
    .executeTakeFirstOrThrow();
  await delegations.acceptInvitation(benali, mail.text_body.match(/\/invitation\/([\w-]+)/)?.[1] as string);
  const ctx = `onBehalfOf=${martin.id}`;

  it('the doctor reads the delegate’s write as a sentence, with the names of the fields changed', async () => {
    const read = await inject({ url: `/api/dossiers/${dossierId}?${ctx}`, headers: asBenali.headers });
    expect(read.statusCode).toBe(200);
    const write = await inject({
      method: 'PUT',
      url: `/api/dossiers/${dossierId}/medical?${ctx}`,
      headers: asBenali.write,
      payload: { version: read.json().version, medical: { pathologies: 'Insuffisance cardiaque', gir: 3 } },
    });
    expect(write.statusCode).toBe(200);
    const page = await inject({
      url: '/api/journal?action=dossier.write_medical',
      headers: asMartin.headers,
    });
    expect(page.statusCode).toBe(200);
    const [entry, ...others] = page.json().entries;
    expect(others).toEqual([]);
    expect(entry).toMatchObject({
      actor: 'Nadia BENALI',
      sentence: 'Nadia BENALI a complété le volet médical de Ginette GUÉRIN pour votre compte.',
      fields: 'GIR, Pathologies',
      changes: [],
    });
    expect(entry.dossier).toMatch(/^GA-\d{4}-\d{6} — Ginette GUÉRIN$/);
    // No value of the medical part in the journal.
    expect(page.body).not.toContain('Insuffisance');
    const stored = await t.ctx.db
      .selectFrom('journal_entries')
      .select('details')
      .where('action', '=', 'dossier.write_medical')
      .executeTakeFirstOrThrow();
    expect(stored.details).toMatchObject({ fields: ['gir', 'pathologies'] });
    expect(JSON.stringify(stored.details)).not.toContain('Insuffisance');

    const own = await inject({ url: '/api/journal?action=dossier.write_medical', headers: asBenali.headers });
    expect(own.json().entries[0].sentence).toBe(
      'Vous avez complété le volet médical de Ginette GUÉRIN pour le compte du Dr Camille MARTIN.',
    );
  });

  it('a modified delegation records and shows what changed, before → after', async () => {
    const current = await t.ctx.db
      .selectFrom('delegations')
      .select('version')
      .where('id', '=', delegationId)
      .executeTakeFirstOrThrow();
    await delegations.modify(martin, delegationId, {
      version: current.version,
      rights: ['gerer'],
      startsOn: today,
      endsOn: inSixtyDays,
    });
    const page = await inject({ url: '/api/journal?action=delegation.modified', headers: asMartin.headers });
    const [entry] = page.json().entries;
    expect(entry).toMatchObject({
      sentence: 'Vous avez modifié la délégation de droits de Nadia BENALI.',
      changes: [
        {
          label: 'Droits',
          before: 'Consulter, Créer et modifier, Volet médical',
          after: 'Consulter, Créer et modifier',
        },
        { label: 'Fin', before: 'Sans date de fin', after: endFrench },
      ],
    });
  });

  it('filters by action on the page and the CSV; the CSV holds no internal id', async () => {
    const reads = await inject({ url: '/api/journal?action=dossier.read', headers: asMartin.headers });
    expect(reads.json().entries.length).toBeGreaterThan(0);
    expect(reads.json().entries.every((e: { action: string }) => e.action === 'dossier.read')).toBe(true);
    const csv = await inject({ url: '/api/journal.csv', headers: asMartin.headers });
    expect(csv.statusCode).toBe(200);
    expect(csv.body).not.toMatch(UUID);
    expect(csv.body).toContain(
      '"Nadia BENALI a complété le volet médical de Ginette GUÉRIN pour votre compte."',
    );
    expect(csv.body).toContain(`Fin : Sans date de fin → ${endFrench}`);
    expect(csv.body).toContain('Champs modifiés : GIR, Pathologies');
    const filtered = await inject({
      url: '/api/journal.csv?action=delegation.modified',
      headers: asMartin.headers,
    });
    const lines = filtered.body.trim().split('\r\n');
    expect(lines).toHaveLength(2);
  });

  it.each([
    ['another case', 'DOSSIER.READ'],
    ['SQL', 'dossier.read;drop table journal_entries'],
    ['a quote', "' or 1=1 --"],
    ['an encoded NUL', '%00'],
    ['5000 characters', 'x'.repeat(5000)],
    ['HTML', '<script>alert(1)</script>'],
    ['astral letters', '𝔡𝔬𝔰𝔰𝔦𝔢𝔯'],
    ['an empty value', ''],
  ])('refuses as action %s with a French 400, on the page and the CSV', async (_label, value) => {
    for (const path of ['/api/journal', '/api/journal.csv']) {
      const res = await inject({
        url: `${path}?action=${encodeURIComponent(value)}`,
        headers: asMartin.headers,
      });
      expect(res.statusCode, path).toBe(400);
      expect(res.json().message).toMatch(/[éèàç]|Action|invalide|requête/i);
      expect(res.body).not.toContain('Invalid');
    }
  });

  it('refuses a repeated action parameter in French', async () => {
    const res = await inject({
      url: '/api/journal?action=dossier.read&action=dossier.write',
      headers: asMartin.headers,
    });
    expect(res.statusCode).toBe(400);
    expect(res.body).not.toContain('Invalid');
  });

  it('a dossier says who changed it last, as each reader reads it', async () => {
    const asDoctor = await inject({ url: `/api/dossiers/${dossierId}`, headers: asMartin.headers });
    expect(asDoctor.json().lastUpdate).toMatchObject({
      by: 'delegate',
      name: 'Nadia BENALI',
      ownerName: 'Camille MARTIN',
    });
    const asDelegate = await inject({ url: `/api/dossiers/${dossierId}?${ctx}`, headers: asBenali.headers });
    expect(asDelegate.json().lastUpdate).toMatchObject({ by: 'you' });
    const write = await inject({
      method: 'PUT',
      url: `/api/dossiers/${dossierId}/administrative`,
      headers: asMartin.write,
      payload: {
        version: asDoctor.json().version,
        administrative: { address: '3 place Bellecour, 69002 Lyon', phone: '04 78 00 00 00' },
      },
    });
    expect(write.statusCode).toBe(200);
    const after = await inject({ url: `/api/dossiers/${dossierId}?${ctx}`, headers: asBenali.headers });
    expect(after.json().lastUpdate).toMatchObject({ by: 'owner', name: 'Camille MARTIN' });
    expect(Date.parse(after.json().lastUpdate.at)).toBeGreaterThan(
      Date.parse(asDoctor.json().lastUpdate.at) - 1,
    );
  });
});
