// Demo mode: a generated directory of about 20,000 people at first start, holding the demo
// people exactly as in annuaire-sample.txt; fast and idempotent on later starts.
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import {
  DEMO_DIRECTORY_PEOPLE,
  directoryDate,
  directoryFeature,
  findDoctorByRpps,
  findPersonByNationalId,
  findPersonByRpps,
  searchDirectory,
} from '../../src/server/directory/index.js';
import { createTestApp } from '../helpers/app.js';
import { importText } from './helpers.js';

describe('demo directory', async () => {
  const started = Date.now();
  const t = await createTestApp({ features: [directoryFeature], startFeatures: true });
  const firstStartMs = Date.now() - started;
  afterAll(() => t.close());
  const imports = async () =>
    (await sql<{ n: number }>`select count(*)::int as n from directory_import`.execute(t.ctx.db)).rows[0]?.n;

  it('imports about 20,000 generated people at first start, quickly', async () => {
    const status = await sql<{ people: number; places: number }>`
      select people, places from directory_import where status = 'succeeded'`.execute(t.ctx.db);
    expect(status.rows).toHaveLength(1);
    expect(status.rows[0]?.people).toBe(DEMO_DIRECTORY_PEOPLE);
    expect(status.rows[0]?.places).toBeGreaterThan(DEMO_DIRECTORY_PEOPLE);
    expect(firstStartMs).toBeLessThan(60_000);
    expect(await directoryDate(t.ctx.db)).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('holds the demo doctors and Nadia BENALI exactly as in the sample', async () => {
    const martin = await findDoctorByRpps(t.ctx.db, '10001234565');
    expect(martin).toMatchObject({
      nationalId: '810001234565',
      familyName: 'MARTIN',
      givenName: 'Camille',
      practiceCivility: 'Docteur',
      specialty: { code: 'SM54', label: 'Médecine générale' },
      places: [{ name: 'CABINET DU DR MARTIN', postalCode: '69003', commune: 'Lyon' }],
    });
    const lefevre = await findPersonByNationalId(t.ctx.db, '810002345675');
    expect(lefevre?.familyName).toBe('LEFÈVRE');
    expect(lefevre?.places.map((p) => p.postalCode)).toEqual(['69006', '69100']);
    expect((await findPersonByRpps(t.ctx.db, '10004567896'))?.specialty?.label).toBe(
      'Cardiologie et maladies vasculaires',
    );
    const benali = await findPersonByNationalId(t.ctx.db, '810005678908');
    expect(benali).toMatchObject({ familyName: 'BENALI', givenName: 'Nadia', profession: { code: '60' } });
    expect(benali?.places[0]).toMatchObject({ postalCode: '69003', commune: 'Lyon' });
    // a nurse is not a doctor: no peer delegation to her
    expect(await findDoctorByRpps(t.ctx.db, '10005678908')).toBeNull();
    const found = await searchDirectory(t.ctx.db, {
      name: 'lefevre jean pierre',
      profession: '10',
      limit: 20,
    });
    expect(found.items.map((p) => p.rpps)).toContain('10002345675');
  });

  it('looks like a French directory: doctors about a fifth, accents, hyphens, particles', async () => {
    const shares = await sql<{
      doctors: number;
      accents: number;
      hyphens: number;
      particles: number;
      multi: number;
    }>`
      select avg((profession_code = '10')::int)::float as doctors,
             avg((family_name ~ '[ÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŒ]' or given_name ~ '[àâäçéèêëîïôöùûüœ]')::int)::float as accents,
             avg((family_name like '%-%' or given_name like '%-%')::int)::float as hyphens,
             avg((family_name ~ '^(LE|DE|DU|DES|DE LA) ' or family_name ~ '^[DNL]''')::int)::float as particles,
             (select avg(n)::float from (select count(*) as n from directory_place group by person_id) x) as multi
        from directory_person`.execute(t.ctx.db);
    const s = shares.rows[0];
    expect(s?.doctors).toBeGreaterThan(0.17);
    expect(s?.doctors).toBeLessThan(0.24);
    expect(s?.accents).toBeGreaterThan(0.1);
    expect(s?.hyphens).toBeGreaterThan(0.05);
    expect(s?.particles).toBeGreaterThan(0.02);
    expect(s?.multi).toBeGreaterThan(1.3);
  });

  it('is idempotent and fast on a later start', async () => {
    const before = await imports();
    const again = Date.now();
    await directoryFeature.demoSeed?.(t.ctx);
    expect(Date.now() - again).toBeLessThan(500);
    expect(await imports()).toBe(before);
  });

  it('refuses to replace a large directory by a much smaller one, unless forced', async () => {
    const sample = (await import('node:fs')).readFileSync(
      new URL('./fixtures/sample.txt', import.meta.url),
      'utf8',
    );
    await expect(importText(t.ctx.pool, sample)).rejects.toThrow(/7 personnes contre 20000.*--force/s);
    expect(
      (await sql<{ n: number }>`select count(*)::int as n from directory_person`.execute(t.ctx.db)).rows[0]
        ?.n,
    ).toBe(DEMO_DIRECTORY_PEOPLE);
  });
});
