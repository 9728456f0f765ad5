// `npm run directory:import` as an operator runs it: with the application stopped (it starts
// the embedded PostgreSQL under DATA_DIR and stops it after) and while the application runs on
// that same DATA_DIR (it joins the running PostgreSQL instead of taking it away).
import { spawnSync } from 'node:child_process';
import { existsSync, promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { runningEmbeddedPostgres } from '../../src/server/platform/embedded-postgres.js';
import { EMBEDDED_DB_NAME } from '../../src/server/platform/runtime.js';
import { ROOT } from '../../src/server/platform/web-build.js';
import { type RunningServer, startServer } from '../helpers/server.js';
import { directoryLines } from './helpers.js';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');

function importCommand(dataDir: string, ...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/directory-import.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '', LOG_LEVEL: 'warn' },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('directory:import command', async () => {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'dd-directory-cli-'));
  let server: RunningServer | undefined;
  afterAll(async () => {
    await server?.stop();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it('imports with the application stopped, and explains a refusal', () => {
    const ok = importCommand(dataDir, path.join(FIXTURES, 'extract.zip'));
    expect(ok.out).toMatch(/Annuaire importé en [\d.]+ s/);
    expect(ok.out).toMatch(/8 lignes, 7 personnes, 7 lieux d'exercice/);
    expect(ok.out).toMatch(/extraction du 15\/04\/2025 08:30:00/);
    expect(ok.code).toBe(0);
    // the database it started for the import is stopped again
    expect(existsSync(path.join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);

    const missing = importCommand(dataDir, path.join(FIXTURES, 'missing-column.txt'));
    expect(missing.code).toBe(1);
    expect(missing.out).toMatch(/Colonne obligatoire absente.*« Nom d'exercice »/);
    const noMember = importCommand(dataDir, path.join(FIXTURES, 'no-member.zip'));
    expect(noMember.code).toBe(1);
    expect(noMember.out).toMatch(/aucun fichier PS_LibreAcces_Personne_activite_\*\.txt/);
    const usage = importCommand(dataDir);
    expect(usage.code).toBe(2);
    expect(usage.out).toMatch(/Usage : npm run directory:import -- <fichier \.txt, \.txt\.gz ou \.zip>/);
  });

  it('imports a .txt.gz, and a plain .txt of any name, saying when the extract’s date is unknown', async () => {
    const sample = readFileSync(path.join(FIXTURES, 'sample.txt'));
    const gz = path.join(dataDir, 'PS_LibreAcces_Personne_activite_202505020700.txt.gz');
    await fs.writeFile(gz, gzipSync(sample));
    const fromGz = importCommand(dataDir, gz);
    expect(fromGz.out).toMatch(/extraction du 02\/05\/2025 07:00:00/);
    expect(fromGz.code).toBe(0);
    const txt = path.join(dataDir, 'ps-libreacces-personne-activite.txt');
    await fs.writeFile(txt, sample);
    const fromTxt = importCommand(dataDir, txt);
    expect(fromTxt.out).toMatch(
      /date de l'extraction inconnue \(absente du nom du fichier\) : l'annuaire sera daté de son import/,
    );
    expect(fromTxt.out).toMatch(/7 personnes/);
    expect(fromTxt.code).toBe(0);
  });

  it('imports into the running application’s database without disturbing it', async () => {
    server = await startServer({ dataDir });
    const before = await runningEmbeddedPostgres(path.join(dataDir, 'pg'));
    expect(before).toBeDefined();
    const pidBefore = (await fs.readFile(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8')).split('\n')[0];

    const file = path.join(dataDir, 'PS_LibreAcces_Personne_activite_202604010600.txt');
    await fs.writeFile(
      file,
      readFileSync(path.join(FIXTURES, 'sample.txt'), 'utf8') +
        directoryLines([
          {
            rpps: '20000000001',
            family: 'ZOLA',
            given: 'Émile',
            places: [{ name: 'CABINET', postalCode: '13100', commune: 'Aix-en-Provence' }],
          },
        ]),
    );
    const run = importCommand(dataDir, file);
    expect(run.out).toMatch(/8 personnes/);
    expect(run.code).toBe(0);

    // Same PostgreSQL, still serving the application, now with the new directory.
    const pidAfter = (await fs.readFile(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8')).split('\n')[0];
    expect(pidAfter).toBe(pidBefore);
    expect((await fetch(`${server.url}/ready`)).status).toBe(200);
    const url = new URL((before as { url: string }).url);
    url.pathname = `/${EMBEDDED_DB_NAME}`;
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    try {
      const zola = await client.query(
        `select family_name from directory_person where identifier = '20000000001'`,
      );
      expect(zola.rows).toEqual([{ family_name: 'ZOLA' }]);
      const last = await client.query(
        `select status, people, to_char(extract_at at time zone 'Europe/Paris', 'YYYY-MM-DD HH24:MI') as extract
           from directory_import order by id desc limit 1`,
      );
      expect(last.rows[0]).toEqual({ status: 'succeeded', people: 8, extract: '2026-04-01 06:00' });
    } finally {
      await client.end();
    }
  });
});
