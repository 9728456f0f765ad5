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
]);

interface Item {
  rpps: string | null;
  familyName: string;
  givenName: string;
  profession: { code: string };
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
      expect(await names({ name: 'legoff' })).toEqual(['LE GOFF Yann']);
      expect(await names({ name: 'delafontaine' })).toEqual(['DE LA FONTAINE Marie-Claire']);
    });

    it('ignores extra spaces', async () => {
      expect((await names({ name: '   martin     camille  ' }))[0]).toBe('MARTIN Camille');
      expect(await names({ name: ' le   goff ' })).toEqual(['LE GOFF Yann']);
    });

    it('matches a prefix of the family name, not of a given name or a later word', async () => {
      expect(await names({ name: 'lef' })).toEqual(['LEFÈVRE Jean-Pierre']);
      expect(await names({ name: 'ndia' })).toEqual(["N'DIAYE-LE GOFF Aïssatou"]);
      expect(await names({ name: 'pierre' })).toEqual([]);
      expect(await names({ name: 'goff' })).toEqual([]);
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
    expect(res.json()).toEqual({ date: '2025-04-15', people: 19 });
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
