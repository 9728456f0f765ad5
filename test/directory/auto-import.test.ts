// The daily import of the ANS extract (DIRECTORY_IMPORT_URL) against a real HTTP server on
// loopback serving real zips: the job imports, search answers from the new directory; every
// kind of bad download leaves the previous directory answering, /ready stays 200 and tells
// why in French; an unchanged file is skipped; two runs at once import once.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { parseCrontab, type Runner } from 'graphile-worker';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yazl from 'yazl';
import { collectTasks } from '../../src/server/app.js';
import { AUTO_IMPORT_TASK, runDirectoryAutoImport } from '../../src/server/directory/auto-import.js';
import { generateDirectory } from '../../src/server/directory/generator.js';
import { autoImportCrontab, createDirectoryFeature } from '../../src/server/directory/index.js';
import { identityFeature } from '../../src/server/identity/index.js';
import { ConfigError, loadConfig } from '../../src/server/platform/config.js';
import { enqueue, startWorker } from '../../src/server/platform/jobs.js';
import { metricsFeature } from '../../src/server/platform/metrics.js';
import { createTestApp } from '../helpers/app.js';
import { directoryLines, signedInCookie } from './helpers.js';

const MEMBER_A = 'PS_LibreAcces_Personne_activite_202504150830.txt';
const MEMBER_B = 'PS_LibreAcces_Personne_activite_202504160830.txt';
const MAX_BYTES = 2 * 1024 * 1024;

async function streamToBuffer(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function zipOf(members: { name: string; data: Buffer }[], compress = true): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const m of members) zip.addBuffer(m.data, m.name, { compress });
  zip.end();
  return streamToBuffer(zip.outputStream);
}

// What an ANS zip holds: the extract and the two other files, which are not imported.
const extractA = await streamToBuffer(generateDirectory({ people: 300 }));
const zipA = await zipOf([
  { name: 'PS_LibreAcces_Dipl_AutExerc_202504150830.txt', data: Buffer.from('x|\n') },
  { name: MEMBER_A, data: extractA },
  { name: 'PS_LibreAcces_SavoirFaire_202504150830.txt', data: Buffer.from('x|\n') },
]);
const header = extractA.subarray(0, extractA.indexOf(0x0a) + 1);
const extractB = Buffer.concat([
  extractA,
  Buffer.from(
    directoryLines([
      {
        rpps: '30000000001',
        family: 'ZYGOMAR',
        given: 'Inès',
        places: [{ name: 'CABINET', postalCode: '35000', commune: 'Rennes' }],
      },
    ]).replace(/\n$/, '||||\n'), // 56 columns, like the generated file
  ),
]);
const zipB = await zipOf([{ name: MEMBER_B, data: extractB }]);

/** A zip whose member's compressed bytes are damaged in the middle (its directory is intact). */
function damaged(zip: Buffer): Buffer {
  const out = Buffer.from(zip);
  for (let i = 2000; i < 2400; i++) out[i] = (out[i] ?? 0) ^ 0x5a;
  return out;
}

interface Served {
  requests: { url: string; ifNoneMatch?: string }[];
  handler: http.RequestListener;
}

const served: Served = { requests: [], handler: () => {} };
const server = http.createServer((req, res) => {
  served.requests.push({ url: req.url ?? '', ifNoneMatch: req.headers['if-none-match'] });
  served.handler(req, res);
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

function serveZip(body: Buffer, options: { etag?: string; delayMs?: number; mirror?: boolean } = {}): void {
  served.handler = (req, res) => {
    if (options.mirror && !req.url?.startsWith('/miroir/')) {
      res.writeHead(302, { location: '/miroir/extraction.zip' }).end();
      return;
    }
    if (options.etag && req.headers['if-none-match'] === options.etag) {
      res.writeHead(304).end();
      return;
    }
    setTimeout(() => {
      res.writeHead(200, {
        'content-type': 'application/zip',
        'content-length': body.length,
        ...(options.etag ? { etag: options.etag } : {}),
      });
      res.end(body);
    }, options.delayMs ?? 0);
  };
}

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'directory-auto-import-'));
const feature = createDirectoryFeature({
  searchRateLimit: { max: 10_000, windowMs: 60_000 },
  autoImport: { maxBytes: MAX_BYTES, timeoutMs: 1500 },
});
const URL_PATH = '/extractions/Extraction_RPPS_Profil4.zip';

describe('automatic import of the directory', async () => {
  const t = await createTestApp({
    env: { DIRECTORY_IMPORT_URL: `${base}${URL_PATH}?jeton=secret`, DATA_DIR: dataDir },
    features: [identityFeature, feature, metricsFeature],
  });
  const { db, pool } = t.ctx;
  let cookie = '';
  beforeAll(async () => {
    cookie = await signedInCookie(db);
  });
  afterAll(async () => {
    await t.close();
    await new Promise((resolve) => server.close(resolve));
    rmSync(dataDir, { recursive: true, force: true });
  });

  const run = () =>
    runDirectoryAutoImport(pool, {
      url: `${base}${URL_PATH}?jeton=secret`,
      dataDir,
      maxBytes: MAX_BYTES,
      timeoutMs: 1500,
    });
  const search = async (name: string) => {
    const res = await t.app.inject({
      method: 'GET',
      url: `/api/directory/search?name=${encodeURIComponent(name)}`,
      headers: { cookie },
    });
    expect(res.statusCode).toBe(200);
    return (res.json() as { items: { familyName: string; givenName: string }[] }).items.map(
      (i) => `${i.familyName} ${i.givenName}`,
    );
  };
  const ready = async () => {
    const res = await t.app.inject({ method: 'GET', url: '/ready' });
    return {
      statusCode: res.statusCode,
      body: res.json() as {
        status: string;
        directory: { date: string | null; people: number; lastImport: { ok: boolean; error: string | null } };
      },
    };
  };
  /** A gauge's value in /metrics, undefined when absent. */
  const metric = async (name: string) => {
    const res = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    const line = res.body.split('\n').find((l) => l.startsWith(`${name} `));
    return line === undefined ? undefined : Number(line.split(' ')[1]);
  };
  const imports = async () =>
    (
      await sql<{ status: string; file_name: string; error: string | null; source_url: string | null }>`
        select status, file_name, error, source_url from directory_import order by id`.execute(db)
    ).rows;
  const tempFiles = () =>
    readdirSync(path.join(dataDir, 'tmp')).filter((f) => f.startsWith('directory-import-'));

  it('before any import, /ready is 200 and says the directory is empty and the job is on', async () => {
    const { statusCode, body } = await ready();
    expect(statusCode).toBe(200);
    expect(body).toMatchObject({
      status: 'ready',
      directory: {
        date: null,
        people: 0,
        lastImport: null,
        autoImport: { enabled: true, cron: '30 4 * * *' },
      },
    });
    // No directory yet is an alert too: 0, and timestamps at 0 (an age beyond any threshold).
    expect(await metric('directory_last_import_success')).toBe(0);
    expect(await metric('directory_extract_timestamp_seconds')).toBe(0);
    expect(await metric('directory_people')).toBe(0);
  });

  it('the worker runs the job: the zip is downloaded, imported, and search answers from it', async () => {
    serveZip(zipA, { etag: '"a"', mirror: true }); // behind a redirect
    served.requests = [];
    // A file left by a run killed mid-download is removed by the next run.
    await import('node:fs/promises').then(async (fs) => {
      await fs.mkdir(path.join(dataDir, 'tmp'), { recursive: true });
      await fs.writeFile(path.join(dataDir, 'tmp', 'directory-import-left-over.zip'), 'x');
    });
    const { tasks } = collectTasks(t.ctx, [feature]);
    const worker: Runner = await startWorker({ pool, tasks, pollInterval: 100 });
    try {
      await enqueue(db, AUTO_IMPORT_TASK, {}, { jobKey: AUTO_IMPORT_TASK });
      const deadline = Date.now() + 30_000;
      while ((await imports()).length === 0 || (await imports()).some((i) => i.status === 'running')) {
        if (Date.now() > deadline) throw new Error('the job did not run');
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      await worker.stop();
    }
    expect(await imports()).toEqual([
      {
        status: 'succeeded',
        file_name: `Extraction_RPPS_Profil4.zip › ${MEMBER_A}`,
        error: null,
        // Without its query string, which may hold a token.
        source_url: `${base}${URL_PATH}`,
      },
    ]);
    expect(served.requests.map((r) => r.url)).toEqual([`${URL_PATH}?jeton=secret`, '/miroir/extraction.zip']);
    expect(await search('martin camille')).toContain('MARTIN Camille');
    expect(await search('zygomar')).toEqual([]);
    expect(tempFiles()).toEqual([]);
    const { statusCode, body } = await ready();
    expect(statusCode).toBe(200);
    expect(body.directory).toMatchObject({ date: '2025-04-15', people: 300 });
    expect(body.directory.lastImport).toMatchObject({ ok: true, error: null });
    expect(await metric('directory_last_import_success')).toBe(1);
    expect(await metric('directory_people')).toBe(300);
    expect(await metric('directory_extract_timestamp_seconds')).toBe(
      Date.parse('2025-04-15T06:30:00Z') / 1000,
    );
  });

  it('an unchanged file is skipped: 304 to the conditional request, or the same extract date', async () => {
    const before = (await imports()).length;
    served.requests = [];
    expect(await run()).toMatchObject({ outcome: 'unchanged' });
    // The conditional request, through the redirect: the mirror answers 304, nothing is downloaded.
    expect(served.requests).toEqual([
      { url: `${URL_PATH}?jeton=secret`, ifNoneMatch: '"a"' },
      { url: '/miroir/extraction.zip', ifNoneMatch: '"a"' },
    ]);

    // A server that ignores the condition but sends the same ETag: the body is not kept.
    served.handler = (_req, res) =>
      res.writeHead(200, { 'content-type': 'application/zip', etag: '"a"' }).end(zipA);
    expect(await run()).toEqual({ outcome: 'unchanged', reason: expect.stringContaining('même ETag') });

    serveZip(zipA); // a server without validators: downloaded, then recognised by its date
    const result = await run();
    expect(result).toMatchObject({ outcome: 'unchanged' });
    expect(result.outcome === 'unchanged' && result.reason).toContain(MEMBER_A);
    expect((await imports()).length).toBe(before);
    expect(tempFiles()).toEqual([]);
  });

  const failures: [string, () => void, RegExp][] = [
    [
      'a server error (500)',
      () => {
        served.handler = (_req, res) => res.writeHead(500, { 'content-type': 'text/plain' }).end('panne');
      },
      /^Téléchargement de l’annuaire impossible : le serveur a répondu 500\. L’annuaire en service est inchangé\.$/,
    ],
    [
      'a download cut in the middle',
      () => {
        served.handler = (_req, res) => {
          res.writeHead(200, { 'content-type': 'application/zip', 'content-length': zipB.length });
          res.write(zipB.subarray(0, 5000), () => res.destroy());
        };
      },
      /^Téléchargement de l’annuaire interrompu avant la fin/,
    ],
    [
      'a file cut short with no announced length',
      () => {
        served.handler = (_req, res) => {
          res.writeHead(200, { 'content-type': 'application/zip', connection: 'close' });
          res.end(zipB.subarray(0, zipB.length - 200));
        };
      },
      /^Import refusé : L’archive zip est illisible ou endommagée\. L’annuaire en service est inchangé\.$/,
    ],
    [
      'a corrupt zip',
      () => serveZip(Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(3000, 7)])),
      /^Import refusé : L’archive zip est illisible ou endommagée\. L’annuaire en service est inchangé\.$/,
    ],
    [
      'a zip whose content is damaged',
      () => serveZip(damaged(zipB)),
      /^Import refusé : Le fichier PS_LibreAcces_Personne_activite_202504160830\.txt de l’archive zip est endommagé : il ne peut pas être décompressé\. L’annuaire en service est inchangé\.$/,
    ],
    [
      'a zip with no PS_LibreAcces_Personne_activite member',
      () => {
        served.handler = (_req, res) => {
          void zipOf([{ name: 'PS_LibreAcces_SavoirFaire_202504160830.txt', data: header }]).then((zip) =>
            res.writeHead(200, { 'content-type': 'application/zip' }).end(zip),
          );
        };
      },
      /^Import refusé : L’archive ne contient aucun fichier PS_LibreAcces_Personne_activite_\*\.txt/,
    ],
    [
      'an HTML page instead of the zip',
      () => {
        served.handler = (_req, res) =>
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<html>Maintenance</html>');
      },
      /^Téléchargement de l’annuaire refusé : le serveur a renvoyé une page \(text\/html\) au lieu de l’extraction\./,
    ],
    [
      'something that is neither a zip, nor a .gz, nor the text extract',
      () => serveZip(Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0]), Buffer.alloc(5000, 3)])),
      /^Import refusé : Le fichier n’est ni une archive zip, ni un fichier \.gz, ni l’extraction en texte/,
    ],
    [
      'a .gz cut short',
      () => serveZip(gzipSync(extractB).subarray(0, 3000)),
      /^Import refusé : Le fichier Extraction_RPPS_Profil4\.zip est endommagé : il ne peut pas être décompressé \(gzip\)\./,
    ],
    [
      'a file over the size limit',
      () => {
        served.handler = (_req, res) => {
          res.writeHead(200, { 'content-type': 'application/octet-stream' });
          const chunk = Buffer.alloc(256 * 1024, 1);
          chunk.write('PK\x03\x04');
          let sent = 0;
          const push = () => {
            while (sent < 3 * MAX_BYTES) {
              sent += chunk.length;
              if (!res.write(chunk)) return void res.once('drain', push);
            }
            res.end();
          };
          push();
        };
      },
      /^Téléchargement de l’annuaire abandonné : le fichier dépasse la taille maximale de 2 Mo\./,
    ],
    [
      'a server that never answers',
      () => {
        served.handler = () => {};
      },
      /^Téléchargement de l’annuaire abandonné : délai de 2 s dépassé\./,
    ],
    [
      'a server that is down',
      () => {
        served.handler = (req) => req.socket.destroy();
      },
      /^Téléchargement de l’annuaire impossible : le serveur est injoignable/,
    ],
  ];

  it.each(failures)(
    '%s: recorded in French, the previous directory answers, /ready stays 200',
    async (_, serve, message) => {
      serve();
      const before = (await imports()).length;
      const result = await run();
      expect(result.outcome).toBe('failed');
      const error = result.outcome === 'failed' ? result.error : '';
      expect(error).toMatch(message);
      const rows = await imports();
      expect(rows.length).toBe(before + 1);
      expect(rows.at(-1)).toMatchObject({ status: 'failed', error });

      expect(await search('martin camille')).toContain('MARTIN Camille');
      expect(await search('zygomar')).toEqual([]);
      const { statusCode, body } = await ready();
      expect(statusCode).toBe(200);
      expect(body.status).toBe('ready');
      expect(body.directory).toMatchObject({ date: '2025-04-15', people: 300 });
      expect(body.directory.lastImport).toMatchObject({ ok: false, error });
      expect(await metric('directory_last_import_success')).toBe(0);
      expect(await metric('directory_people')).toBe(300);
      expect(tempFiles()).toEqual([]);
      const staging = await sql<{ n: number }>`
      select count(*)::int as n from pg_tables where tablename like '%_staging'`.execute(db);
      expect(staging.rows[0]?.n).toBe(0);
    },
  );

  it('two runs at once (two nodes) import once; the next extract replaces the directory', async () => {
    serveZip(zipB, { etag: '"b"', delayMs: 300 });
    served.requests = [];
    const before = (await imports()).filter((i) => i.status === 'succeeded').length;
    const results = await Promise.all([run(), run()]);
    expect(results.map((r) => r.outcome).sort()).toEqual(['busy', 'imported']);
    expect(served.requests.length).toBe(1);
    expect((await imports()).filter((i) => i.status === 'succeeded').length).toBe(before + 1);
    expect(await search('zygomar')).toEqual(['ZYGOMAR Inès']);
    const { body } = await ready();
    expect(body.directory).toMatchObject({
      date: '2025-04-16',
      people: 301,
      lastImport: { ok: true, error: null },
    });
    expect(await metric('directory_last_import_success')).toBe(1);
    expect(await metric('directory_people')).toBe(301);
  });

  /** The generated extract plus one person, whose name shows which file is live. */
  const extractWith = (family: string) =>
    Buffer.concat([
      extractA,
      Buffer.from(
        directoryLines([
          {
            rpps: '30000000009',
            family,
            given: 'Inès',
            places: [{ name: 'CABINET', postalCode: '35000', commune: 'Rennes' }],
          },
        ]).replace(/\n$/, '||||\n'),
      ),
    ]);
  const status = async () => {
    const res = await t.app.inject({ url: '/api/directory/status', headers: { cookie } });
    return res.json() as { date: string; dateSource: string; people: number };
  };
  const runFrom = (url: string) =>
    runDirectoryAutoImport(pool, { url: `${base}${url}`, dataDir, maxBytes: MAX_BYTES, timeoutMs: 1500 });

  it('imports the plain .txt of data.gouv.fr (text/plain) through its stable link, dated by the dated path it redirects to', async () => {
    const dated = '/resources/annuaire-sante/20250417-063000/ps-libreacces-personne-activite.txt';
    served.handler = (req, res) => {
      if (req.url === '/fr/datasets/r/8bc3bd1c') res.writeHead(302, { location: dated }).end();
      else
        res
          .writeHead(200, {
            'content-type': 'text/plain; charset=utf-8',
            'last-modified': 'Fri, 18 Apr 2025 10:00:00 GMT',
          })
          .end(extractWith('DATAGOUV'));
    };
    const result = await runFrom('/fr/datasets/r/8bc3bd1c');
    expect(result).toMatchObject({
      outcome: 'imported',
      report: { fileName: 'ps-libreacces-personne-activite.txt', extractDateSource: 'url' },
    });
    expect(await search('datagouv')).toEqual(['DATAGOUV Inès']);
    const { body } = await ready();
    expect(body.directory).toMatchObject({
      date: '2025-04-17',
      dateSource: 'url',
      dateNote: 'date de l’extraction (adresse datée du fichier téléchargé)',
      people: 301,
    });
    expect(await status()).toEqual({ date: '2025-04-17', dateSource: 'extraction', people: 301 });
    expect(await metric('directory_extract_timestamp_seconds')).toBe(
      Date.parse('2025-04-17T06:30:00Z') / 1000,
    );
  });

  it('imports a .txt.gz dated by Last-Modified when neither its name nor its path has a date', async () => {
    served.handler = (_req, res) =>
      res
        .writeHead(200, {
          'content-type': 'application/gzip',
          'last-modified': 'Sat, 19 Apr 2025 04:10:00 GMT',
        })
        .end(gzipSync(extractWith('GZIPPÉ')));
    const result = await runFrom('/annuaire/extraction.txt.gz');
    expect(result).toMatchObject({ outcome: 'imported', report: { extractDateSource: 'last_modified' } });
    expect(await search('gzippe')).toEqual(['GZIPPÉ Inès']);
    const { body } = await ready();
    expect(body.directory).toMatchObject({ date: '2025-04-19', dateSource: 'last_modified' });
  });

  it('with no date anywhere, the directory is dated by its import and says so (/ready, « Mes délégations »)', async () => {
    served.handler = (_req, res) =>
      res.writeHead(200, { 'content-type': 'text/plain' }).end(extractWith('SANSDATE'));
    const result = await runFrom('/annuaire/extraction.txt');
    expect(result).toMatchObject({
      outcome: 'imported',
      report: { extractAt: null, extractDateSource: 'import' },
    });
    expect(await search('sansdate')).toEqual(['SANSDATE Inès']);
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(new Date());
    const { body } = await ready();
    expect(body.directory).toMatchObject({
      date: today,
      dateSource: 'import',
      dateNote: 'date d’import : la date de l’extraction est inconnue',
    });
    expect(await status()).toEqual({ date: today, dateSource: 'import', people: 301 });
    // the same file again is imported again (nothing says it is the same extract), and stays so dated
    expect(await runFrom('/annuaire/extraction.txt')).toMatchObject({ outcome: 'imported' });
  });
});

describe('configuration of the automatic import', () => {
  it('reads DIRECTORY_IMPORT_URL and DIRECTORY_IMPORT_CRON; https only outside demo mode', () => {
    const off = {
      DATABASE_URL: 'postgres://x/y',
      SESSION_SECRET: 's'.repeat(32),
      PUBLIC_URL: 'https://a.fr',
      SMTP_URL: 'smtp://127.0.0.1:9',
    };
    expect(loadConfig(off)).toMatchObject({
      directoryImportUrl: undefined,
      directoryImportCron: '30 4 * * *',
    });
    expect(
      loadConfig({
        ...off,
        DIRECTORY_IMPORT_URL: 'https://a.fr/x.zip',
        DIRECTORY_IMPORT_CRON: ' 0  3 * * 1-5 ',
      }),
    ).toMatchObject({ directoryImportUrl: 'https://a.fr/x.zip', directoryImportCron: '0 3 * * 1-5' });
    expect(() => loadConfig({ ...off, DIRECTORY_IMPORT_URL: 'http://a.fr/x.zip' })).toThrow(
      /DIRECTORY_IMPORT_URL: doit être en https hors mode démo/,
    );
    expect(() => loadConfig({ ...off, DIRECTORY_IMPORT_URL: 'ftp://a.fr/x.zip' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...off, DIRECTORY_IMPORT_CRON: 'tous les jours' })).toThrow(
      /DIRECTORY_IMPORT_CRON/,
    );
    // Out of range: refused by the configuration, before anything starts.
    expect(() => loadConfig({ ...off, DIRECTORY_IMPORT_CRON: '99 4 * * *' })).toThrow(
      /DIRECTORY_IMPORT_CRON: expression cron invalide/,
    );
  });

  it('at start, with a URL and no directory yet, an import is queued at once', async () => {
    const env = {
      DEMO: 'false',
      SESSION_SECRET: 's'.repeat(32),
      PUBLIC_URL: 'https://delegations.example.fr',
      SMTP_URL: 'smtp://127.0.0.1:9',
      DIRECTORY_IMPORT_URL: 'https://annuaire.example.fr/extraction.zip',
      DATA_DIR: dataDir,
    };
    const t = await createTestApp({ env, features: [feature], startFeatures: true });
    try {
      const jobs = await sql<{ task_identifier: string; key: string | null }>`
        select task_identifier, key from graphile_worker.jobs`.execute(t.ctx.db);
      expect(jobs.rows).toEqual([{ task_identifier: AUTO_IMPORT_TASK, key: AUTO_IMPORT_TASK }]);
    } finally {
      await t.close();
    }
  });

  it('the crontab line is valid for graphile-worker, and absent without a URL', () => {
    const [item] = parseCrontab(autoImportCrontab('30 4 * * *'));
    expect(item).toMatchObject({
      task: AUTO_IMPORT_TASK,
      match: expect.any(Function),
      options: { maxAttempts: 1, queueName: AUTO_IMPORT_TASK, jobKey: AUTO_IMPORT_TASK },
    });
    const ctx = (env: Record<string, string>) =>
      ({ config: { ...loadConfig({ DEMO: 'true', ...env }), sessionSecret: 'x' } }) as never;
    expect(collectTasks(ctx({}), [feature]).crontab).toBe('');
    expect(collectTasks(ctx({ DIRECTORY_IMPORT_URL: 'https://a.fr/x.zip' }), [feature]).crontab).toBe(
      autoImportCrontab('30 4 * * *'),
    );
  });
});
