// A dossier is shown as it is stored, even when what was imported from elsewhere breaks today's
// input rules (a name with a digit or parentheses, a long address, a phone with an extension):
// the web app parses the answers with the shared output shapes, never with the input rules. The
// lists compute « complet » in SQL from three fields: it agrees with the rule on whole dossiers.
import { afterAll, describe, expect, it } from 'vitest';
import { completeInSql, isComplete } from '../../src/server/dossiers/service.js';
import { actingContextsView } from '../../src/shared/access.js';
import {
  administrativeSchema,
  dossierListView,
  dossierView,
  patientSchema,
  type REQUEST_STATUSES,
} from '../../src/shared/dossiers.js';
import { createTestApp } from '../helpers/app.js';
import { sessionFor } from '../helpers/session.js';
import { createUser, DEMO } from '../helpers/users.js';

const imported = {
  patient: { familyName: 'DUPONT (VVE MARTIN) 2', givenName: '-Marie', birthDate: '1938-04-02', sex: 'F' },
  administrative: {
    address: `${'Résidence « Les Tilleuls », bâtiment B, '.repeat(10)}69003 Lyon`,
    phone: '04 72 00 00 00 poste #12',
    livingSituation: 'foyer_logement',
  },
  medical: { pathologies: 'Démence', gir: 2.5 },
};

describe('dossier output shapes', () => {
  it('accept what the input rules refuse (unit)', () => {
    // Today's input rules refuse each of these values…
    expect(patientSchema.safeParse(imported.patient).success).toBe(false);
    expect(administrativeSchema.safeParse(imported.administrative).success).toBe(false);
    // …and the shape the web app reads the dossier with takes them as they are.
    const parsed = dossierView.parse({
      id: 'd',
      reference: 'GA-2026-000001',
      ownerId: 'o',
      version: 1,
      ...imported,
      status: 'complet',
      requests: [],
      rights: ['consulter'],
      via: 'owner',
      updatedAt: '2026-11-25T10:00:00.000Z',
      lastUpdate: {
        at: '2026-11-25T10:00:00.000Z',
        by: 'you',
        name: 'Camille MARTIN',
        ownerName: 'Camille MARTIN',
      },
    });
    expect(parsed.patient).toEqual(imported.patient);
    expect(parsed.administrative).toEqual(imported.administrative);
    expect(parsed.medical).toEqual(imported.medical);
  });
});

describe('an imported dossier over HTTP', async () => {
  const t = await createTestApp();
  afterAll(() => t.close());
  const martin = await createUser(t.ctx.db, DEMO.martin);
  const asMartin = await sessionFor(t, martin.id);
  const row = await t.ctx.db
    .insertInto('dossiers')
    .values({
      owner_id: martin.id,
      reference: 'GA-2026-900001',
      patient_family_name: imported.patient.familyName,
      patient_given_name: imported.patient.givenName,
      patient_birth_date: imported.patient.birthDate,
      patient_sex: 'F',
      administrative: JSON.stringify(imported.administrative),
      medical: JSON.stringify(imported.medical),
      created_by: martin.id,
      updated_by: martin.id,
    })
    .returning('id')
    .executeTakeFirstOrThrow();

  it('is answered and parsed by the web app’s shapes, names intact', async () => {
    const one = await t.app.inject({ url: `/api/dossiers/${row.id}`, headers: asMartin.headers });
    expect(one.statusCode).toBe(200);
    const dossier = dossierView.parse(one.json());
    expect(dossier.patient.familyName).toBe('DUPONT (VVE MARTIN) 2');
    expect(dossier.patient.givenName).toBe('-Marie');
    expect(dossier.administrative.livingSituation).toBe('foyer_logement');

    const list = await t.app.inject({ url: '/api/dossiers', headers: asMartin.headers });
    expect(list.statusCode).toBe(200);
    expect(dossierListView.parse(list.json()).dossiers[0]?.patient.familyName).toBe('DUPONT (VVE MARTIN) 2');

    const contexts = await t.app.inject({ url: '/api/access/contexts', headers: asMartin.headers });
    expect(actingContextsView.parse(contexts.json())).toEqual({ self: true, delegated: [] });
  });
});

describe('the lists’ « complet » (SQL) agrees with the dossier’s (isComplete)', async () => {
  const t = await createTestApp();
  afterAll(() => t.close());
  const martin = await createUser(t.ctx.db, DEMO.martin);
  // Imported values of every JSON type, where JavaScript's truthiness and SQL could part ways.
  const values: unknown[] = [undefined, null, false, true, 0, 2.5, '', 'x', [], {}];

  it('for every JSON type of the address, the pathologies and the GIR', async () => {
    let n = 0;
    for (const field of ['address', 'pathologies', 'gir'] as const) {
      for (const value of values) {
        const administrative: Record<string, unknown> = { address: '3 place Bellecour' };
        const medical: Record<string, unknown> = { pathologies: 'Démence', gir: 2 };
        const part = field === 'address' ? administrative : medical;
        if (value === undefined) delete part[field];
        else part[field] = value;
        const row = await t.ctx.db
          .insertInto('dossiers')
          .values({
            owner_id: martin.id,
            reference: `GA-2026-${String(800000 + n++)}`,
            patient_family_name: 'DUPONT',
            patient_given_name: 'Marie',
            patient_birth_date: '1938-04-02',
            patient_sex: 'F',
            administrative: JSON.stringify(administrative),
            medical: JSON.stringify(medical),
            created_by: martin.id,
            updated_by: martin.id,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        const { complete } = await t.ctx.db
          .selectFrom('dossiers as d')
          .select(completeInSql.as('complete'))
          .where('d.id', '=', row.id)
          .executeTakeFirstOrThrow();
        expect(complete, `${field} = ${JSON.stringify(value)}`).toBe(
          isComplete({ administrative, medical } as Parameters<typeof isComplete>[0]),
        );
      }
    }
    expect(n).toBe(30);
  });
});

describe('the lists, read as they are shown', async () => {
  const t = await createTestApp();
  afterAll(() => t.close());
  const martin = await createUser(t.ctx.db, DEMO.martin);
  const asMartin = await sessionFor(t, martin.id);
  const requestSets: (typeof REQUEST_STATUSES)[number][][] = [
    [],
    ['annulee'],
    ['envoyee'],
    ['acceptee'],
    ['refusee', 'annulee'],
    ['annulee', 'envoyee', 'envoyee'],
  ];
  const ids: string[] = [];
  let n = 0;
  for (const complete of [true, false]) {
    for (const statuses of requestSets) {
      const row = await t.ctx.db
        .insertInto('dossiers')
        .values({
          owner_id: martin.id,
          reference: `GA-2026-${String(700000 + n)}`,
          // quotes, a backslash, a newline and an emoji: escaped by PostgreSQL's JSON
          patient_family_name: `D'UPONT "${n}" \\ é`,
          patient_given_name: 'Marie\n👵',
          patient_birth_date: '1938-04-02',
          patient_sex: 'F',
          administrative: JSON.stringify({ address: '3 place Bellecour' }),
          medical: JSON.stringify(complete ? { pathologies: 'Démence', gir: 2 } : {}),
          created_by: martin.id,
          updated_by: martin.id,
          updated_at: new Date(Date.UTC(2026, 10, 1, 8, 0, n, 123)),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      n++;
      ids.push(row.id);
      for (const status of statuses) {
        await t.ctx.db
          .insertInto('dossier_requests')
          .values({
            dossier_id: row.id,
            establishment: 'EHPAD',
            status,
            sent_by: martin.id,
            sent_at: new Date(),
            updated_at: new Date(),
          })
          .execute();
      }
    }
  }

  /** The list, checked against the documented shape and against each dossier's own page. */
  const listAgreeingWithPages = async () => {
    const list = await t.app.inject({ url: '/api/dossiers', headers: asMartin.headers });
    expect(list.statusCode).toBe(200);
    expect(list.headers['content-type']).toBe('application/json; charset=utf-8');
    const body = list.json();
    // Exactly the documented shape: parsing (which drops unknown members) changes nothing.
    expect(dossierListView.parse(body)).toEqual(body);
    const listed = dossierListView.parse(body).dossiers;
    for (const summary of listed) {
      const one = await t.app.inject({ url: `/api/dossiers/${summary.id}`, headers: asMartin.headers });
      const dossier = dossierView.parse(one.json());
      expect(summary).toEqual({
        id: dossier.id,
        reference: dossier.reference,
        patient: {
          familyName: dossier.patient.familyName,
          givenName: dossier.patient.givenName,
          birthDate: dossier.patient.birthDate,
        },
        status: dossier.status,
        requestsInProgress: dossier.requests.filter((r) => r.status === 'envoyee').length,
        updatedAt: dossier.updatedAt,
      });
    }
    return listed;
  };

  it('give each dossier the status of its own page (dossierStatus), newest first, in the documented shape', async () => {
    const listed = await listAgreeingWithPages();
    expect(listed.map((d) => d.id)).toEqual([...ids].reverse());
    expect(listed.map((d) => d.status)).toEqual(
      ['complet', 'complet', 'envoye', 'envoye', 'envoye', 'envoye']
        .concat(['brouillon', 'brouillon', 'envoye', 'envoye', 'envoye', 'envoye'])
        .reverse(),
    );
    expect(listed.at(-1)?.updatedAt).toBe('2026-11-01T08:00:00.123Z');
  });

  it('follow every change of a request: its status changed, moved to another dossier, deleted', async () => {
    const requests = await t.ctx.db
      .selectFrom('dossier_requests')
      .select(['id', 'status'])
      .orderBy('sent_at')
      .execute();
    const first = (status: string) => requests.find((r) => r.status === status)?.id as string;
    const change = (id: string, set: { status?: 'envoyee' | 'annulee'; dossier_id?: string }) =>
      t.ctx.db.updateTable('dossier_requests').set(set).where('id', '=', id).execute();
    await change(first('envoyee'), { status: 'annulee' });
    await change(first('annulee'), { status: 'envoyee' });
    await change(first('acceptee'), { dossier_id: ids[0] as string });
    await t.ctx.db.deleteFrom('dossier_requests').where('id', '=', first('refusee')).execute();
    // a change of another column counts nothing twice
    await t.ctx.db.updateTable('dossier_requests').set({ establishment: 'EHPAD B' }).execute();
    const listed = await listAgreeingWithPages();
    expect(listed.find((d) => d.id === ids[0])?.status).toBe('envoye');
  });
});
