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
