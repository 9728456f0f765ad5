// Search through HTTP on a real PostgreSQL: every normalisation rule, the ranking, the postal
// code, pagination, the fuzzy fallback, and the validation of what a user may send.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDirectoryFeature } from '../../src/server/directory/index.js';
import { identityFeature } from '../../src/server/identity/index.js';
import { createTestApp } from '../helpers/app.js';
import { directoryLines, importText, signedInCookie } from './helpers.js';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
const sample = readFileSync(path.join(FIXTURES, 'sample.txt'), 'utf8');

const at = (postalCode: string, commune: string, name = 'CABINET') => ({ name, postalCode, commune });
const EXTRA = directoryLines([
  { rpps: '20000000001', family: 'MARTIN', given: 'Zoé', profession: '60', places: [at('69006', 'Lyon')] },
  { rpps: '20000000002', family: 'MARTIN', given: 'Anne', places: [at('13008', 'Marseille')] },
  { rpps: '20000000003', family: 'MARTINEZ', given: 'Alain', civility: 'M', places: [at('69003', 'Lyon')] },
  { rpps: '20000000004', family: 'MARTINA', given: 'Béatrice', places: [at('69009', 'Lyon')] },
  { rpps: '20000000005', family: 'CAMILLE', given: 'Martin', civility: 'M', places: [at('75011', 'Paris')] },
  { rpps: '20000000006', family: 'LE GOFF', given: 'Yann', civility: 'M', places: [at('29200', 'Brest')] },
  {
    rpps: '20000000007',
    family: 'DE LA FONTAINE',
    given: 'Marie-Claire',
    places: [at('20000', 'Ajaccio'), at('75011', 'Paris')],
  },
  { rpps: '20000000008', family: 'DUPONT', given: 'Paul', civility: 'M', places: [at('75011', 'Paris')] },
  {
    rpps: '20000000009',
    family: 'ROUXEL',
    given: 'Anne',
    profession: '60',
    places: [at('13008', 'Marseille')],
  },
  { rpps: '20000000010', family: 'CŒUR', given: 'Agnès', places: [at('75011', 'Paris')] },
  {
    rpps: '20000000011',
    family: 'PAYET',
    given: 'Jean',
    civility: 'M',
    places: [at('97400', 'Saint-Denis')],
  },
  {
    rpps: '20000000012',
    family: 'MARTIN',
    given: 'Camille',
    profession: '60',
    places: [at('75011', 'Paris')],
  },
  // compound and particle family names, with people bearing one of their parts as family name
  { rpps: '20000000013', family: 'GARCÍA-LÓPEZ', given: 'María', places: [at('31000', 'Toulouse')] },
  { rpps: '20000000014', family: 'LOPEZ', given: 'Pedro', civility: 'M', places: [at('64100', 'Bayonne')] },
  { rpps: '20000000015', family: 'LÓPEZ-VIDAL', given: 'Ana', places: [at('31000', 'Toulouse')] },
  {
    rpps: '20000000016',
    family: 'LEBRUN-CARPENTIER',
    given: 'Sophie',
    profession: '60',
    places: [at('59000', 'Lille')],
  },
  { rpps: '20000000017', family: 'CARPENTIER', given: 'Luc', civility: 'M', places: [at('59000', 'Lille')] },
  { rpps: '20000000018', family: 'ALMEIDA', given: 'Rui', civility: 'M', places: [at('33000', 'Bordeaux')] },
  { rpps: '20000000019', family: 'FONTAINE', given: 'Jean', civility: 'M', places: [at('20000', 'Ajaccio')] },
  // two professions (doctor and dental surgeon): one row each, at the same place, and a second place
  {
    rpps: '20000000020',
    family: 'BERTHELOT',
    given: 'Paul',
    civility: 'M',
    places: [at('69003', 'Lyon', 'CENTRE DENTAIRE')],
  },
  {
    rpps: '20000000020',
    family: 'BERTHELOT',
    given: 'Paul',
    civility: 'M',
    profession: '40',
    places: [at('69003', 'Lyon', 'CENTRE DENTAIRE'), at('42000', 'Saint-Étienne', 'CHU')],
  },
  // Saint-Martin and Saint-Barthélemy (their postal codes are in Guadeloupe's range)
  {
    rpps: '20000000021',
    family: 'RICHARDSON',
    given: 'Alan',
    civility: 'M',
    places: [{ name: 'CABINET', postalCode: '97150', commune: 'Saint-Martin', communeCode: '97801' }],
  },
  { rpps: '20000000022', family: 'RICHARDSON', given: 'Lise', places: [at('97133', 'Saint-Barthélemy')] },
  {
    rpps: '20000000023',
    family: 'RICHARDSON',
    given: 'Marc',
    civility: 'M',
    places: [at('97110', 'Pointe-à-Pitre')],
  },
]);

interface Item {
  rpps: string | null;
  familyName: string;
  givenName: string;
  profession: { code: string };
  professions: { code: string; label: string }[];
  places: { postalCode: string; name: string; commune: string }[];
}
interface Page {
  items: Item[];
  nextCursor: string | null;
  suggestions: string[];
}

describe('directory search', async () => {
  // This suite alone searches more than a person would: the budget is tested below.
  const t = await createTestApp({
    features: [
      identityFeature,
      createDirectoryFeature({ searchRateLimit: { max: 10_000, windowMs: 60_000 } }),
    ],
  });
  let cookie = '';
  afterAll(() => t.close());
  beforeAll(async () => {
    cookie = await signedInCookie(t.ctx.db);
    await importText(t.ctx.pool, sample + EXTRA);
  });

  const get = (query: Record<string, string>, withCookie = true) =>
    t.app.inject({
      method: 'GET',
      url: '/api/directory/search',
      query,
      headers: withCookie ? { cookie } : {},
    });
  const search = async (query: Record<string, string>): Promise<Page> => {
    const res = await get(query);
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };
  const names = async (query: Record<string, string>) =>
    (await search(query)).items.map((i) => `${i.familyName} ${i.givenName}`);

  describe('normalisation', () => {
    it('ignores case', async () => {
      const expected = await names({ name: 'martin' });
      expect(expected).toContain('MARTIN Camille');
      expect(await names({ name: 'MARTIN' })).toEqual(expected);
      expect(await names({ name: 'MaRtIn' })).toEqual(expected);
    });

    it('ignores accents and ligatures', async () => {
      expect(await names({ name: 'lefevre' })).toEqual(['LEFÈVRE Jean-Pierre']);
      expect(await names({ name: 'LÉFÊVRÉ' })).toEqual(['LEFÈVRE Jean-Pierre']);
      expect(await names({ name: 'roux helene' })).toEqual(['ROUX Hélène']);
      expect(await names({ name: 'ndiaye le goff aissatou' })).toEqual(["N'DIAYE-LE GOFF Aïssatou"]);
      expect(await names({ name: 'coeur' })).toEqual(['CŒUR Agnès']);
    });

    it('ignores hyphens', async () => {
      expect(await names({ name: 'lefevre jean pierre' })).toEqual(['LEFÈVRE Jean-Pierre']);
      expect(await names({ name: 'jean-pierre lefevre' })).toEqual(['LEFÈVRE Jean-Pierre']);
      expect(await names({ name: 'ndiaye-le-goff' })).toEqual(["N'DIAYE-LE GOFF Aïssatou"]);
      expect(await names({ name: 'de-la-fontaine' })).toEqual(['DE LA FONTAINE Marie-Claire']);
    });

    it('ignores apostrophes (straight or typographic) and particles written together', async () => {
      for (const name of ["d'almeida", 'd’almeida', 'dalmeida', 'D ALMEIDA']) {
        expect(await names({ name }), name).toEqual(["D'ALMEIDA Éric"]);
      }
      for (const name of ["n'diaye", 'n’diaye', 'ndiaye', 'N DIAYE']) {
        expect(await names({ name }), name).toEqual(["N'DIAYE-LE GOFF Aïssatou"]);
      }
      // the exact family name first, then the name that ends with it
      expect(await names({ name: 'legoff' })).toEqual(['LE GOFF Yann', "N'DIAYE-LE GOFF Aïssatou"]);
      expect(await names({ name: 'delafontaine' })).toEqual(['DE LA FONTAINE Marie-Claire']);
    });

    it('ignores extra spaces', async () => {
      expect((await names({ name: '   martin     camille  ' }))[0]).toBe('MARTIN Camille');
      expect(await names({ name: ' le   goff ' })).toEqual(['LE GOFF Yann', "N'DIAYE-LE GOFF Aïssatou"]);
    });

    it('matches a prefix of the family name, not of a given name nor of a later word', async () => {
      expect(await names({ name: 'lef' })).toEqual(['LEFÈVRE Jean-Pierre']);
      expect(await names({ name: 'ndia' })).toEqual(["N'DIAYE-LE GOFF Aïssatou"]);
      expect(await names({ name: 'pierre' })).toEqual([]);
      expect(await names({ name: 'gof' })).toEqual([]);
      expect(await names({ name: 'carpent' })).toEqual(['CARPENTIER Luc']);
    });

    it('reads "nom prénom" and "prénom nom" typed in one field', async () => {
      // read as "nom prénom" (MARTIN Camille) and as "prénom nom" (CAMILLE Martin), in that order
      expect(await names({ name: 'martin cam' })).toEqual([
        'MARTIN Camille',
        'MARTIN Camille',
        'CAMILLE Martin',
      ]);
      expect(await names({ name: 'hélène roux' })).toEqual(['ROUX Hélène']);
      expect(await names({ name: 'marie claire de la fontaine' })).toEqual(['DE LA FONTAINE Marie-Claire']);
    });
  });

  describe('compound and particle family names', () => {
    it('finds a compound name by any of its parts, after the exact family names', async () => {
      // exact family name, then a part of a compound name, then the names starting with it
      expect(await names({ name: 'lopez' })).toEqual([
        'LOPEZ Pedro',
        'GARCÍA-LÓPEZ María',
        'LÓPEZ-VIDAL Ana',
      ]);
      expect(await names({ name: 'LÓPEZ' })).toEqual(await names({ name: 'lopez' }));
      expect(await names({ name: 'carpentier' })).toEqual(['CARPENTIER Luc', 'LEBRUN-CARPENTIER Sophie']);
      expect(await names({ name: 'almeida' })).toEqual(['ALMEIDA Rui', "D'ALMEIDA Éric"]);
      expect(await names({ name: 'fontaine' })).toEqual(['FONTAINE Jean', 'DE LA FONTAINE Marie-Claire']);
      expect(await names({ name: 'la fontaine' })).toEqual(['DE LA FONTAINE Marie-Claire']);
      expect(await names({ name: 'goff' })).toEqual(["N'DIAYE-LE GOFF Aïssatou", 'LE GOFF Yann']);
      expect(await names({ name: 'diaye' })).toEqual(["N'DIAYE-LE GOFF Aïssatou"]);
      // the name still starts with its first part
      expect(await names({ name: 'garcia' })).toEqual(['GARCÍA-LÓPEZ María']);
      expect(await names({ name: 'lebrun' })).toEqual(['LEBRUN-CARPENTIER Sophie']);
      // a particle alone is not a part
      expect(await names({ name: 'la' })).toEqual([]);
    });

    it('reads a part followed by the given name, with a postal code and a profession', async () => {
      expect(await names({ name: 'lopez maria' })).toEqual(['GARCÍA-LÓPEZ María']);
      expect(await names({ name: 'fontaine marie' })).toEqual(['DE LA FONTAINE Marie-Claire']);
      expect(await names({ name: 'lopez', postalCode: '31000' })).toEqual([
        'GARCÍA-LÓPEZ María',
        'LÓPEZ-VIDAL Ana',
      ]);
      expect(await names({ name: 'lopez', postalCode: '31' })).toEqual([
        'GARCÍA-LÓPEZ María',
        'LÓPEZ-VIDAL Ana',
      ]);
      expect(await names({ name: 'lopez', postalCode: '64' })).toEqual(['LOPEZ Pedro']);
      // practising in Ajaccio and in Paris: found in either department, at its postal code first
      expect(await names({ name: 'fontaine', postalCode: '75011' })).toEqual(['DE LA FONTAINE Marie-Claire']);
      expect(await names({ name: 'fontaine', postalCode: '2A' })).toEqual([
        'FONTAINE Jean',
        'DE LA FONTAINE Marie-Claire',
      ]);
      expect(await names({ name: 'carpentier', profession: '60' })).toEqual(['LEBRUN-CARPENTIER Sophie']);
      expect(await names({ name: 'carpentier', profession: '10' })).toEqual(['CARPENTIER Luc']);
      expect(await names({ name: 'carpentier', postalCode: '59000', profession: '60' })).toEqual([
        'LEBRUN-CARPENTIER Sophie',
      ]);
    });
  });

  describe('several professions', () => {
    it('keeps both professions, the doctor’s first, and each place once', async () => {
      const [paul] = (await search({ name: 'berthelot' })).items;
      expect(paul?.profession).toEqual({ code: '10', label: 'Médecin' });
      expect(paul?.professions).toEqual([
        { code: '10', label: 'Médecin' },
        { code: '40', label: 'Chirurgien-Dentiste' },
      ]);
      expect(paul?.places.map((p) => `${p.name} ${p.postalCode}`)).toEqual([
        'CENTRE DENTAIRE 69003',
        'CHU 42000',
      ]);
    });

    it('the profession filter finds the person by either profession, with or without a postal code', async () => {
      for (const profession of ['10', '40']) {
        expect(await names({ name: 'berthelot', profession }), profession).toEqual(['BERTHELOT Paul']);
        expect(await names({ name: 'berth', profession }), profession).toEqual(['BERTHELOT Paul']);
        expect(await names({ name: 'paul berthelot', profession }), profession).toEqual(['BERTHELOT Paul']);
        for (const postalCode of ['69003', '69', '42000', '42']) {
          expect(
            await names({ name: 'berthelot', postalCode, profession }),
            `${profession} ${postalCode}`,
          ).toEqual(['BERTHELOT Paul']);
          expect(
            await names({ name: 'paul berthelot', postalCode, profession }),
            `${profession} ${postalCode}`,
          ).toEqual(['BERTHELOT Paul']);
        }
      }
      expect(await names({ name: 'berthelot', profession: '60' })).toEqual([]);
      expect(await names({ name: 'berthelot', postalCode: '69003', profession: '60' })).toEqual([]);
    });

    it('a doctor among other professions is a doctor for a peer delegation', async () => {
      const res = await t.app.inject({ url: '/api/directory/people/20000000020', headers: { cookie } });
      expect(res.json()).toMatchObject({
        profession: { code: '10' },
        professions: [{ code: '10' }, { code: '40' }],
      });
      const { findDoctorByRpps } = await import('../../src/server/directory/index.js');
      expect((await findDoctorByRpps(t.ctx.db, '20000000020'))?.familyName).toBe('BERTHELOT');
    });
  });

  describe('ranking', () => {
    it('puts exact family names first, then the names that start with the query', async () => {
      expect(await names({ name: 'martin' })).toEqual([
        'MARTIN Anne',
        'MARTIN Camille',
        'MARTIN Camille',
        'MARTIN Zoé',
        'MARTINA Béatrice',
        'MARTINEZ Alain',
      ]);
      expect(await names({ name: 'rou' })).toEqual(['ROUX Hélène', 'ROUXEL Anne']);
    });

    it('puts the family-name reading before the given-name reading of the same words', async () => {
      // "camille martin": CAMILLE Martin has the exact family name; MARTIN Camille matches as
      // "prénom nom" and comes after.
      expect(await names({ name: 'camille martin' })).toEqual([
        'CAMILLE Martin',
        'MARTIN Camille',
        'MARTIN Camille',
      ]);
      expect(await names({ name: 'martin camille' })).toEqual([
        'MARTIN Camille',
        'MARTIN Camille',
        'CAMILLE Martin',
      ]);
    });

    it('with a postal code: same code first, then the department; never elsewhere', async () => {
      const page = await search({ name: 'martin', postalCode: '69003' });
      expect(page.items.map((i) => `${i.familyName} ${i.givenName} ${i.places[0]?.postalCode}`)).toEqual([
        'MARTIN Camille 69003', // exact family, same postal code
        'MARTIN Zoé 69006', // exact family, same department
        'MARTINEZ Alain 69003', // prefix, same postal code
        'MARTINA Béatrice 69009', // prefix, same department
      ]);
      expect(await names({ name: 'martin', postalCode: '69' })).toEqual([
        'MARTIN Camille',
        'MARTIN Zoé',
        'MARTINA Béatrice',
        'MARTINEZ Alain',
      ]);
      expect(await names({ name: 'lefevre', postalCode: '69100' })).toEqual(['LEFÈVRE Jean-Pierre']);
      // "prénom nom" with a postal code
      expect(await names({ name: 'camille martin', postalCode: '69' })).toEqual(['MARTIN Camille']);
      expect(await names({ name: 'camille martin', postalCode: '75011' })).toEqual([
        'CAMILLE Martin',
        'MARTIN Camille',
      ]);
      expect(await names({ name: 'jean pierre lefevre', postalCode: '69100' })).toEqual([
        'LEFÈVRE Jean-Pierre',
      ]);
      expect(await names({ name: 'jean pierre lefevre', postalCode: '13' })).toEqual([]);
      expect(await names({ name: 'lefevre', postalCode: '13' })).toEqual([]);
    });

    it('understands Corsica and overseas departments', async () => {
      expect(await names({ name: 'de la fontaine', postalCode: '2A' })).toEqual([
        'DE LA FONTAINE Marie-Claire',
      ]);
      expect(await names({ name: 'de la fontaine', postalCode: '20000' })).toEqual([
        'DE LA FONTAINE Marie-Claire',
      ]);
      expect(await names({ name: 'payet', postalCode: '974' })).toEqual(['PAYET Jean']);
      expect(await names({ name: 'payet', postalCode: '97410' })).toEqual(['PAYET Jean']);
    });

    it('finds Saint-Martin by 978 and Saint-Barthélemy by 977, apart from Guadeloupe (971)', async () => {
      expect(await names({ name: 'richardson', postalCode: '978' })).toEqual(['RICHARDSON Alan']);
      expect(await names({ name: 'richardson', postalCode: '97150' })).toEqual(['RICHARDSON Alan']);
      expect(await names({ name: 'richardson', postalCode: '977' })).toEqual(['RICHARDSON Lise']);
      expect(await names({ name: 'richardson', postalCode: '97133' })).toEqual(['RICHARDSON Lise']);
      expect(await names({ name: 'richardson', postalCode: '971' })).toEqual(['RICHARDSON Marc']);
      expect(await names({ name: 'alan richardson', postalCode: '978' })).toEqual(['RICHARDSON Alan']);
    });

    it('filters by profession (10: doctors)', async () => {
      expect(await names({ name: 'martin', profession: '10' })).toEqual([
        'MARTIN Anne',
        'MARTIN Camille',
        'MARTINA Béatrice',
        'MARTINEZ Alain',
      ]);
      expect(await names({ name: 'benali', profession: '10' })).toEqual([]);
      expect(await names({ name: 'benali', profession: '60' })).toEqual(['BENALI Nadia']);
    });
  });

  it('gives RPPS, civility, names, profession, specialty and places', async () => {
    const page = await search({ name: 'lefevre' });
    expect(page.items[0]).toEqual({
      nationalId: '810002345675',
      identifierType: 'RPPS',
      identifier: '10002345675',
      rpps: '10002345675',
      civility: 'Monsieur',
      practiceCivility: 'Docteur',
      familyName: 'LEFÈVRE',
      givenName: 'Jean-Pierre',
      profession: { code: '10', label: 'Médecin' },
      professions: [{ code: '10', label: 'Médecin' }],
      specialty: { code: 'SM54', label: 'Médecine générale' },
      places: [
        {
          name: 'CABINET MÉDICAL DES BROTTEAUX',
          address: '4 Boulevard DES BELGES',
          postalCode: '69006',
          commune: 'Lyon',
          mode: 'Libéral',
        },
        {
          name: 'EHPAD LES GLYCINES',
          address: '7 Avenue ROGER SALENGRO',
          postalCode: '69100',
          commune: 'Villeurbanne',
          mode: 'Salarié',
        },
      ],
    });
    const adeli = (await search({ name: 'dubois' })).items[0];
    expect(adeli).toMatchObject({ identifierType: 'ADELI', rpps: null, nationalId: '0691234567' });
  });

  it('pages with a cursor, without losing or repeating anyone', async () => {
    const queries: Record<string, string>[] = [
      { name: 'martin' },
      { name: 'martin', postalCode: '69003' },
      { name: 'camille martin' },
      { name: 'lopez' },
      { name: 'fontaine', postalCode: '2A' },
      { name: 'richardson' },
    ];
    for (const query of queries) {
      const all = (await search({ ...query, limit: '50' })).items.map((i) => i.rpps);
      const paged: (string | null)[] = [];
      let cursor: string | null = null;
      do {
        const page: Page = await search({ ...query, limit: '2', ...(cursor ? { cursor } : {}) });
        expect(page.items.length).toBeLessThanOrEqual(2);
        paged.push(...page.items.map((i) => i.rpps));
        cursor = page.nextCursor;
      } while (cursor);
      expect(paged, JSON.stringify(query)).toEqual(all);
    }
  });

  it('proposes close names when nothing matches ("Vouliez-vous dire …")', async () => {
    const page = await search({ name: 'dupond' });
    expect(page.items).toEqual([]);
    expect(page.suggestions[0]).toBe('DUPONT');
    expect((await search({ name: 'lefebvre' })).suggestions).toContain('LEFÈVRE');
    expect((await search({ name: 'dupont' })).suggestions).toEqual([]);
    expect(await search({ name: 'xqzw' })).toEqual({ items: [], nextCursor: null, suggestions: [] });
  });

  it('looks a person up by RPPS', async () => {
    const res = await t.app.inject({ url: '/api/directory/people/10002345675', headers: { cookie } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ familyName: 'LEFÈVRE', places: [{}, {}] });
    const unknown = await t.app.inject({ url: '/api/directory/people/99999999999', headers: { cookie } });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().message).toBe('Aucun professionnel de l’annuaire ne porte ce numéro RPPS.');
    const bad = await t.app.inject({ url: '/api/directory/people/1234', headers: { cookie } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().fields[0].message).toBe('Le numéro RPPS doit comporter 11 chiffres.');
  });

  it('gives the directory’s date, from the extract’s file name', async () => {
    const res = await t.app.inject({ url: '/api/directory/status', headers: { cookie } });
    expect(res.json()).toEqual({ date: '2025-04-15', dateSource: 'extraction', people: 30 });
  });

  describe('input validation', () => {
    const invalid = async (query: Record<string, string | string[]>, pattern: RegExp) => {
      const res = await t.app.inject({
        method: 'GET',
        url: '/api/directory/search',
        query,
        headers: { cookie },
      });
      expect(res.statusCode, JSON.stringify(query)).toBe(400);
      const body = res.json();
      expect(body.message).toMatch(
        /^Certaines informations (sont manquantes ou invalides|contiennent des caractères non autorisés)/,
      );
      const said = [body.message, ...(body.fields ?? []).map((f: { message: string }) => f.message)].join(
        ' ',
      );
      expect(said, JSON.stringify(query)).toMatch(pattern);
      expect(res.body).not.toMatch(/directory_|select |stack/i);
    };

    it('refuses a name shorter than 2 characters', async () => {
      for (const name of ['', 'a', 'É', " - ' ", 'x.']) await invalid({ name }, /au moins 2 caractères/);
      await invalid({}, /Saisissez le nom/);
    });

    it('refuses an oversized name', async () => {
      await invalid({ name: 'a'.repeat(101) }, /100 caractères/);
      await invalid({ name: 'a b c d e f g h i' }, /plus de 8 mots/);
    });

    it('refuses a bad postal code', async () => {
      for (const postalCode of ['6900', '690031', 'abcde', '97', '2C', '75 011', '7500A']) {
        await invalid({ name: 'martin', postalCode }, /code postal/);
      }
    });

    it('refuses hostile strings', async () => {
      for (const name of [
        '<script>alert(1)</script>',
        "martin'; drop table directory_person; --",
        'mar%',
        'mar_',
        'martin\u0000',
        'martin\r\nX-Injected: 1',
        '../../etc/passwd',
        `$${'{'}jndi:ldap://x}`,
        'martin*',
      ]) {
        // (a NUL byte is refused by the platform itself, before the route)
        await invalid({ name }, /que des lettres|caractères non autorisés/i);
      }
      await invalid({ name: ['martin', 'dupont'] }, /./);
      await invalid({ name: 'martin', profession: '1O' }, /code profession/);
      await invalid({ name: 'martin', limit: '0' }, /entre 1 et 50/);
      await invalid({ name: 'martin', limit: '500' }, /entre 1 et 50/);
      await invalid({ name: 'martin', limit: 'beaucoup' }, /nombre entier/);
    });

    it('refuses a forged cursor', async () => {
      for (const cursor of [
        'garbage',
        Buffer.from('[0,0,"a\'b",1]').toString('base64url'),
        'x'.repeat(700),
      ]) {
        const res = await get({ name: 'martin', cursor });
        expect(res.statusCode).toBe(400);
        expect(res.json().message + JSON.stringify(res.json().fields ?? [])).toMatch(/curseur/);
      }
    });
  });

  it('is for signed-in users only', async () => {
    for (const url of [
      '/api/directory/search?name=martin',
      '/api/directory/people/10002345675',
      '/api/directory/status',
    ]) {
      const res = await t.app.inject({ url });
      expect(res.statusCode, url).toBe(401);
      expect(res.json().message).toBe('Vous devez vous connecter pour accéder à cette page.');
    }
    const forged = await t.app.inject({
      url: '/api/directory/search?name=martin',
      headers: { cookie: `sid=${'A'.repeat(43)}` },
    });
    expect(forged.statusCode).toBe(401);
  });
});

describe('directory search rate limit', async () => {
  const t = await createTestApp({
    features: [identityFeature, createDirectoryFeature({ searchRateLimit: { max: 3, windowMs: 60_000 } })],
  });
  afterAll(() => t.close());

  it('limits searches per session, with a French message', async () => {
    const one = await signedInCookie(t.ctx.db, '810000000001');
    const two = await signedInCookie(t.ctx.db, '810000000002');
    const hit = (cookie: string) =>
      t.app.inject({ url: '/api/directory/search?name=martin', headers: { cookie } });
    for (let i = 0; i < 3; i++) expect((await hit(one)).statusCode).toBe(200);
    const limited = await hit(one);
    expect(limited.statusCode).toBe(429);
    expect(limited.json().message).toMatch(
      /^Trop de recherches dans l’annuaire : réessayez dans \d+ seconde/,
    );
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect((await hit(two)).statusCode).toBe(200);
  });
});
