// The import on a real PostgreSQL: what it records, and above all that a search never sees a
// half-imported directory and that a failed import leaves the previous one answering.
import { promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { localDirectory } from '../../src/server/directory/directory.js';
import { generateDirectory } from '../../src/server/directory/generator.js';
import { importDirectory } from '../../src/server/directory/importer.js';
import { openSource } from '../../src/server/directory/source.js';
import { createTestDatabase } from '../helpers/db.js';
import { directoryLines, importText } from './helpers.js';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
const fixture = (name: string) => path.join(FIXTURES, name);
const sample = readFileSync(fixture('sample.txt'), 'utf8');

describe('directory import', async () => {
  const database = await createTestDatabase();
  const { db, pool } = database;
  // with the pool: searches are prepared statements, which must survive the swap of tables
  const directory = localDirectory(db, { pool });
  afterAll(() => database.close());
  beforeEach(async () => {
    await importText(pool, sample);
  });

  const names = async (name: string) =>
    (await directory.search({ name, limit: 50 })).items.map((i) => `${i.familyName} ${i.givenName}`);
  const imports = async () =>
    (
      await sql<{ status: string; file_name: string; error: string | null }>`
        select status, file_name, error from directory_import order by id`.execute(db)
    ).rows;
  const stagingTables = async () =>
    (
      await sql<{
        n: number;
      }>`select count(*)::int as n from pg_tables where tablename like '%_staging'`.execute(db)
    ).rows[0]?.n;

  it('records each import: file, extract date, counts and duration; one person, many places', async () => {
    const report = await importText(pool, sample, 'PS_LibreAcces_Personne_activite_202511240615.txt');
    expect(report).toMatchObject({
      fileName: 'PS_LibreAcces_Personne_activite_202511240615.txt',
      extractAt: new Date('2025-11-24T05:15:00Z'),
      lines: 9,
      rows: 8,
      people: 7,
      places: 7,
      rejected: 0,
    });
    const row = (
      await sql<
        Record<string, unknown>
      >`select * from directory_import where id = ${report.importId}`.execute(db)
    ).rows[0];
    expect(row).toMatchObject({ status: 'succeeded', people: 7, places: 7, rows: 8, lines: 9, rejected: 0 });
    expect(row?.duration_ms).toBeGreaterThanOrEqual(0);
    expect((await directory.findByNationalId('810002345675'))?.places.map((p) => p.postalCode)).toEqual([
      '69006',
      '69100',
    ]);
    expect((await directory.status()).date).toBe('2025-11-24');
  });

  it('imports the extract from the ANS zip', async () => {
    const report = await importDirectory(pool, await openSource(fixture('extract.zip')));
    expect(report).toMatchObject({
      people: 7,
      fileName: 'extract.zip › PS_LibreAcces_Personne_activite_202504150830.txt',
    });
    expect(report.extractAt).toEqual(new Date('2025-04-15T06:30:00Z'));
  });

  it('imports a Latin-1 file with its accents', async () => {
    const report = await importDirectory(pool, await openSource(fixture('latin1.txt')));
    expect(report.latin1Lines).toBeGreaterThan(0);
    expect(await names('lefevre')).toEqual(['LEFÈVRE Jean-Pierre']);
  });

  it('refuses a file without a required column before loading anything, naming it', async () => {
    await importText(
      pool,
      sample + directoryLines([{ rpps: '20000000001', family: 'ZOLA', given: 'Émile' }]),
    );
    await expect(importDirectory(pool, await openSource(fixture('missing-column.txt')))).rejects.toThrow(
      /Colonne obligatoire absente.*« Nom d'exercice ».*inchangé/s,
    );
    expect(await names('zola')).toEqual(['ZOLA Émile']);
    const last = (await imports()).at(-1);
    expect(last).toMatchObject({ status: 'failed', file_name: 'missing-column.txt' });
    expect(last?.error).toMatch(/« Nom d'exercice »/);
    expect(await stagingTables()).toBe(0);
  });

  it('refuses malformed lines with their number and reason, unless tolerated', async () => {
    const lines = sample.trimEnd().split('\n');
    lines.splice(3, 0, lines[3]?.replace('|10002345675|', '||') ?? '');
    const text = `${lines.join('\n')}\n`;
    const refused = importText(pool, `${text}`);
    await expect(refused).rejects.toThrow(
      /1 ligne\(s\) invalide\(s\).*ligne 4 : identifiant PP manquant ou invalide/s,
    );
    await expect(refused).rejects.toMatchObject({
      errors: [{ line: 4, reason: 'identifiant PP manquant ou invalide' }],
    });
    const tolerated = await importDirectory(
      pool,
      { fileName: 'x.txt', extractName: 'x.txt', stream: Readable.from([Buffer.from(text)]) },
      { maxErrors: 1 },
    );
    expect(tolerated).toMatchObject({ people: 7, rejected: 1, errors: [{ line: 4 }] });
  });

  it('keeps answering from the previous directory during an import, and after it fails midway', async () => {
    // The previous directory: the sample plus one person the next file does not have.
    await importText(
      pool,
      sample + directoryLines([{ rpps: '20000000001', family: 'ZOLA', given: 'Émile' }]),
    );
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let loaded = () => {};
    const halfway = new Promise<void>((r) => {
      loaded = r;
    });
    const generated: Buffer[] = [];
    for await (const chunk of generateDirectory({ people: 3000, seed: 7 })) generated.push(chunk as Buffer);
    const big = Buffer.concat(generated);
    const cut = big.indexOf(10, Math.floor(big.length / 2)) + 1;
    async function* slow() {
      yield big.subarray(0, cut);
      loaded();
      await gate;
      yield Buffer.from(`${sample.split('\n')[1]?.slice(0, 80)}\n`); // a truncated line, midway
      yield big.subarray(cut);
    }
    const running = importDirectory(pool, {
      fileName: 'PS_LibreAcces_Personne_activite_202601010000.txt',
      extractName: 'PS_LibreAcces_Personne_activite_202601010000.txt',
      stream: Readable.from(slow()),
    });
    running.catch(() => {});
    await halfway;
    await new Promise((r) => setTimeout(r, 200)); // let the first half reach PostgreSQL
    // Midway: searches answer from the previous directory, which is whole.
    expect(await names('zola')).toEqual(['ZOLA Émile']);
    expect((await directory.status()).people).toBe(8);
    expect((await directory.search({ name: 'martin', limit: 50 })).items).toHaveLength(1);
    // A second import at the same time is refused.
    await expect(importText(pool, sample)).rejects.toMatchObject({
      status: 409,
      code: 'directory_import_running',
    });
    release();
    await expect(running).rejects.toThrow(/ligne \d+ : ligne incomplète/);
    // After the failure: the previous directory, untouched, and nothing left behind.
    expect(await names('zola')).toEqual(['ZOLA Émile']);
    expect(await names('lefevre')).toEqual(['LEFÈVRE Jean-Pierre']);
    expect((await directory.status()).people).toBe(8);
    expect(await stagingTables()).toBe(0);
    expect((await imports()).at(-1)).toMatchObject({ status: 'failed' });
  });

  it('swaps atomically: searches running during a successful import never fail nor see a partial directory', async () => {
    let stop = false;
    const seen = new Set<number>();
    const failures: unknown[] = [];
    const searching = (async () => {
      while (!stop) {
        try {
          const [status, lefevre, page] = await Promise.all([
            directory.status(),
            directory.search({ name: 'lefevre jean pierre', limit: 5 }),
            directory.search({ name: 'ma', limit: 20 }),
          ]);
          seen.add(status.people);
          if (lefevre.items.length !== 1) failures.push(`lefevre: ${lefevre.items.length}`);
          if (page.items.length === 0) failures.push('ma: empty');
        } catch (err) {
          failures.push(err);
        }
      }
    })();
    const report = await importDirectory(pool, {
      fileName: 'PS_LibreAcces_Personne_activite_202602020000.txt',
      extractName: 'PS_LibreAcces_Personne_activite_202602020000.txt',
      stream: generateDirectory({ people: 5000, seed: 11 }),
    });
    await new Promise((r) => setTimeout(r, 50));
    stop = true;
    await searching;
    expect(failures).toEqual([]);
    expect(report.people).toBe(5000);
    expect([...seen].every((n) => n === 7 || n === 5000)).toBe(true);
    expect(seen.has(5000)).toBe(true);
    expect((await directory.status()).date).toBe('2026-02-02');
  });

  describe('rows of one person', () => {
    const at = (name: string, postalCode: string, commune: string) => ({ name, postalCode, commune });
    // ROUSSEAU-DUVAL: a doctor at two places, then two other persons, then her rows again — a
    // place already seen (the line repeated exactly), a new place, and a second profession.
    const first = directoryLines([
      {
        rpps: '30000000001',
        family: 'ROUSSEAU-DUVAL',
        given: 'Claire',
        places: [at('CABINET A', '69003', 'Lyon'), at('CLINIQUE B', '69006', 'Lyon')],
      },
    ]);
    const others = directoryLines([
      { rpps: '30000000002', family: 'ZOLA', given: 'Émile', places: [at('CABINET Z', '13100', 'Aix')] },
      { rpps: '30000000003', family: 'HUGO', given: 'Adèle', places: [at('CABINET H', '75004', 'Paris')] },
    ]);
    const again = directoryLines([
      {
        rpps: '30000000001',
        family: 'ROUSSEAU-DUVAL',
        given: 'Claire',
        places: [at('CABINET A', '69003', 'Lyon'), at('CENTRE C', '38000', 'Grenoble')],
      },
      {
        rpps: '30000000001',
        family: 'ROUSSEAU-DUVAL',
        given: 'Claire',
        profession: '40',
        places: [at('CABINET A', '69003', 'Lyon')],
      },
    ]);
    const [zolaLine] = others.split('\n');

    it('merges rows that are not contiguous: each place once, every profession, found by all', async () => {
      // ZOLA's line is also repeated right after itself: an exact duplicate, counted once.
      const report = await importText(pool, `${sample}${first}${zolaLine}\n${others}${again}`);
      expect(report).toMatchObject({ people: 10, scattered: 1, duplicates: 2 });
      const claire = await directory.findByNationalId('830000000001');
      expect(claire?.places.map((p) => `${p.name} ${p.postalCode}`)).toEqual([
        'CABINET A 69003',
        'CLINIQUE B 69006',
        'CENTRE C 38000',
      ]);
      expect(claire?.professions.map((p) => p.code)).toEqual(['10', '40']);
      expect((await directory.findByNationalId('830000000002'))?.places).toHaveLength(1);
      expect(report.places).toBe(7 + 3 + 2);
      const found = async (name: string, postalCode?: string, profession?: string) =>
        (await directory.search({ name, postalCode, profession, limit: 10 })).items.map((i) => i.familyName);
      // the late place is searchable like the others: by family name, by a part of it, by the
      // given name first, at its postal code, for either profession
      for (const name of ['rousseau duval', 'duval', 'claire rousseau']) {
        for (const postalCode of [undefined, '38000', '38', '69003']) {
          for (const profession of [undefined, '10', '40']) {
            expect(await found(name, postalCode, profession), `${name} ${postalCode} ${profession}`).toEqual([
              'ROUSSEAU-DUVAL',
            ]);
          }
        }
      }
      expect(await found('duval', '13')).toEqual([]);
      const [journal] = (
        await sql<{ duplicates: number; places: number }>`
          select duplicates, places from directory_import where id = ${report.importId}`.execute(db)
      ).rows;
      expect(journal).toEqual({ duplicates: 2, places: 12 });
      // what was rewritten is vacuumed: an index-only scan of it reads no table page
      const client = await pool.connect();
      try {
        await client.query('begin');
        await client.query('set local enable_seqscan = off');
        await client.query('set local enable_bitmapscan = off');
        const { rows } = await client.query<{ 'QUERY PLAN': [{ Plan: Record<string, unknown> }] }>(
          `explain (analyze, format json) select id, professions from directory_person
            where name_key >= 'rousseauduval ' and name_key < 'rousseauduval!' order by name_key, id`,
        );
        await client.query('commit');
        const plan = rows[0]?.['QUERY PLAN'][0].Plan;
        expect(plan).toMatchObject({ 'Node Type': 'Index Only Scan', 'Actual Rows': 1, 'Heap Fetches': 0 });
      } finally {
        client.release();
      }
    });

    it('without scattered rows, gives the same directory as with them', async () => {
      await importText(pool, `${sample}${first}${again}${others}`);
      const together = await directory.findByNationalId('830000000001');
      await importText(pool, `${sample}${first}${others}${again}`);
      expect(await directory.findByNationalId('830000000001')).toEqual(together);
    });

    it('refuses a file not grouped by person beyond a bound, with the line', async () => {
      const scattered = `${sample}${first}${others}${again}${others}`;
      await expect(
        importDirectory(
          pool,
          { fileName: 'x.txt', extractName: 'x.txt', stream: Readable.from([Buffer.from(scattered)]) },
          { maxScatteredRows: 3 },
        ),
      ).rejects.toThrow(/plus de 3 lignes reprennent une personne déjà rencontrée.*ligne \d+.*inchangé/s);
      expect(await stagingTables()).toBe(0);
    });
  });

  describe('the extract as data.gouv.fr publishes it', () => {
    let dir = '';
    beforeAll(async () => {
      dir = await fs.mkdtemp(path.join(os.tmpdir(), 'dd-directory-import-'));
    });
    afterAll(() => fs.rm(dir, { recursive: true, force: true }));

    it('imports the plain .txt under any name; no date in its name: dated by the import, said so', async () => {
      const file = path.join(dir, 'ps-libreacces-personne-activite.txt');
      await fs.writeFile(file, sample);
      const before = Date.now();
      const report = await importDirectory(pool, await openSource(file));
      expect(report).toMatchObject({
        fileName: 'ps-libreacces-personne-activite.txt',
        extractAt: null,
        extractDateSource: 'import',
        people: 7,
      });
      const status = await directory.status();
      expect(status.dateSource).toBe('import');
      expect(status.importedAt?.getTime()).toBeGreaterThanOrEqual(before - 1000);
      expect(status.date).toBe(
        new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(new Date()),
      );
    });

    it('imports a .txt.gz, its date read from its name', async () => {
      const file = path.join(dir, 'PS_LibreAcces_Personne_activite_202511240615.txt.gz');
      await fs.writeFile(file, gzipSync(sample));
      const source = await openSource(file);
      expect(source.extractName).toBe('PS_LibreAcces_Personne_activite_202511240615.txt');
      const report = await importDirectory(pool, source);
      expect(report).toMatchObject({ people: 7, extractDateSource: 'file_name' });
      expect(report.extractAt).toEqual(new Date('2025-11-24T05:15:00Z'));
      expect(await directory.status()).toMatchObject({ date: '2025-11-24', dateSource: 'extraction' });
    });

    it('refuses a damaged .gz and a file that is no extract, keeping the directory', async () => {
      const gz = gzipSync(Buffer.from(sample.repeat(20)));
      const cut = path.join(dir, 'coupé.txt.gz');
      await fs.writeFile(cut, gz.subarray(0, gz.length - 100));
      await expect(importDirectory(pool, await openSource(cut))).rejects.toThrow(
        /Le fichier coupé\.txt\.gz est endommagé : il ne peut pas être décompressé \(gzip\)\..*inchangé/s,
      );
      const binary = path.join(dir, 'image.png');
      await fs.writeFile(binary, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]));
      await expect(openSource(binary)).rejects.toThrow(/ni une archive zip, ni un fichier \.gz/);
      expect(await names('lefevre')).toEqual(['LEFÈVRE Jean-Pierre']);
      expect(await stagingTables()).toBe(0);
    });
  });

  it('refuses an empty file and keeps the directory', async () => {
    await expect(importDirectory(pool, await openSource(fixture('empty.txt')))).rejects.toThrow(
      /vide.*inchangé/s,
    );
    await expect(importDirectory(pool, await openSource(fixture('header-only.txt')))).rejects.toThrow(
      /aucune ligne de données/,
    );
    expect(await names('martin')).toEqual(['MARTIN Camille']);
  });
});
