// `npm run bench:directory`: the national directory at the size of the file data.gouv.fr
// publishes (1,465,000 people, about 2,400,000 lines, about 830 MB), with the shapes of real
// extracts (towns only in « Bureau cedex », repeated lines, persons with two professions, rows
// of a person scattered in the file). Generates the file, imports it with the real command (its
// time and the peak RSS of the import process), then serves the application in a second
// process and measures, through HTTP with a signed-in session, 1,000 random searches (compound
// names searched by one of their parts among them) and 1,000 lookups by RPPS (the floor: one
// indexed read through the same stack). Prints p50/p99 of both and their ratio.
//
// Options: --people N (default 1,465,000), --queries N (default 1,000), --keep (keep the files).
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { extractFileName, generateDirectory } from '../src/server/directory/generator.js';
import { createDb, createPool, ensureDatabase, migrate } from '../src/server/platform/database.js';
import { freePort, startEmbeddedPostgres } from '../src/server/platform/embedded-postgres.js';
import { ROOT } from '../src/server/platform/web-build.js';

const TARGETS = { importSeconds: 90, importRssMb: 400, searchP99Ms: 10, ratio: 3 };

// ---- serve mode: the application's HTTP stack in its own process -------------------------
if (process.argv.includes('--serve')) {
  const { buildApp } = await import('../src/server/app.js');
  const { createAppRoot, FEATURES } = await import('../src/server/composition.js');
  const { createDirectoryFeature } = await import('../src/server/directory/index.js');
  const { loadConfig } = await import('../src/server/platform/config.js');
  const { createLogger } = await import('../src/server/platform/runtime.js');
  const { systemClock } = await import('../src/server/platform/clock.js');
  const config = loadConfig(process.env);
  const pool = createPool(config.databaseUrl as string, config.databasePoolSize);
  const ctx = createAppRoot({
    config: { ...config, sessionSecret: config.sessionSecret as string },
    pool,
    db: createDb(pool),
    clock: systemClock,
    logger: createLogger(config),
  });
  // Every feature as in production; only the per-session search budget is lifted, since one
  // session sends all the measured requests.
  const features = FEATURES.map((f) =>
    f.name === 'directory' ? createDirectoryFeature({ searchRateLimit: { max: 1e9, windowMs: 60_000 } }) : f,
  );
  const app = await buildApp(ctx, features);
  await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
  process.stdout.write('listening\n');
  process.on('SIGTERM', () => {
    void app.close().then(() => pool.end().then(() => process.exit(0)));
  });
  await new Promise(() => {});
}

// ---- the benchmark ---------------------------------------------------------------------------
const { values } = parseArgs({
  options: {
    people: { type: 'string', default: '1465000' },
    queries: { type: 'string', default: '1000' },
    keep: { type: 'boolean', default: false },
  },
  allowPositionals: true,
});
const PEOPLE = Number(values.people);
const QUERIES = Number(values.queries);

const fmt = (n: number, digits = 1) => n.toFixed(digits);
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;

function loadAverage(): string {
  return os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
}

const work = await fs.mkdtemp(path.join(os.tmpdir(), 'dd-bench-directory-'));
const children: ChildProcess[] = [];
let pgServer: Awaited<ReturnType<typeof startEmbeddedPostgres>> | undefined;
const cleanup = async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await pgServer?.stop().catch(() => {});
  if (!values.keep) await fs.rm(work, { recursive: true, force: true });
};
process.once('SIGINT', () => void cleanup().then(() => process.exit(130)));

try {
  console.log(
    `Annuaire national — banc d'essai (${os.cpus().length} cœurs, ${(os.totalmem() / 2 ** 30).toFixed(0)} Gio, Node ${process.version}, charge ${loadAverage()})`,
  );

  // 1. The file.
  const file = path.join(work, extractFileName(new Date()));
  let started = performance.now();
  await pipeline(generateDirectory({ people: PEOPLE }), createWriteStream(file));
  const { size } = await fs.stat(file);
  const lines = await countLines(file);
  console.log(
    `fichier : ${PEOPLE.toLocaleString('fr-FR')} personnes, ${(lines - 1).toLocaleString('fr-FR')} lignes, ${(size / 1e6).toFixed(0)} Mo, généré en ${fmt((performance.now() - started) / 1000)} s`,
  );

  // 2. A PostgreSQL like the application's embedded one (same settings), a migrated database.
  pgServer = await startEmbeddedPostgres({ dir: path.join(work, 'pg') });
  const url = await ensureDatabase(pgServer.url, 'bench');
  {
    const pool = createPool(url, 2);
    await migrate(createDb(pool), pool);
    await pool.end();
  }
  const env = {
    ...process.env,
    DATABASE_URL: url,
    DEMO: 'false',
    SESSION_SECRET: 'bench-secret-bench-secret-bench-secret-0000',
    PUBLIC_URL: 'http://localhost:3000',
    SMTP_URL: 'smtp://127.0.0.1:9',
    LOG_LEVEL: 'warn',
  };

  // 3. The import, with the real command, in its own process. PostgreSQL's side: the WAL it
  // wrote and the checkpoints it made meanwhile (the whole server; nothing else runs on it).
  const walStats = async () => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    const { rows } = await c.query<{ wal: string; checkpoints: string }>(
      `select (select wal_bytes from pg_stat_wal)::text as wal,
              (select num_timed + num_requested from pg_stat_checkpointer)::text as checkpoints`,
    );
    await c.end();
    return { wal: Number(rows[0]?.wal), checkpoints: Number(rows[0]?.checkpoints) };
  };
  const wal0 = await walStats();
  console.log(`import… (charge ${loadAverage()})`);
  started = performance.now();
  const imported = await run(
    process.execPath,
    ['--import', 'tsx', 'scripts/directory-import.ts', file, '--json'],
    env,
  );
  const importSeconds = (performance.now() - started) / 1000;
  const report = JSON.parse(imported.stdout.trim().split('\n').at(-1) ?? '{}') as {
    people: number;
    rows: number;
    places: number;
    duplicates: number;
    scattered: number;
    durationMs: number;
    maxRssMb: number;
    cpuMs: number;
    phases: Record<string, number>;
  };
  if (!report.people) throw new Error(`import en échec :\n${imported.stdout}\n${imported.stderr}`);
  const fr = (n: number) => n.toLocaleString('fr-FR');
  console.log(
    `import : ${fmt(importSeconds)} s de bout en bout (dont ${fmt(report.durationMs / 1000)} s d'import proprement dit), mémoire max ${report.maxRssMb} Mo — ${fr(report.people)} personnes, ${fr(report.places)} lieux, ${fr(report.duplicates)} lignes en double, ${fr(report.scattered)} personnes aux lignes dispersées`,
  );

  const wal1 = await walStats();
  console.log(
    `CPU du processus d'import ${fmt(report.cpuMs / 1000)} s ; PostgreSQL : ${fmt((wal1.wal - wal0.wal) / 1e6, 0)} Mo de WAL écrits, ${wal1.checkpoints - wal0.checkpoints} point(s) de reprise`,
  );
  console.log(
    `phases (s, horloge) : ${Object.entries(report.phases)
      .map(([phase, ms]) => `${phase} ${fmt(ms / 1000)}`)
      .join(' · ')}`,
  );

  // 4. A signed-in user, as the identity feature stores one, and random queries from the data.
  // The import's last checkpoint is spread over minutes (checkpoint_completion_target): finished
  // now, so that the searches are measured in the directory's steady state, not under its writes.
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('checkpoint');
  const cookie = await signIn(client);
  const { searches, rppsList } = await randomQueries(client, QUERIES);
  await client.end();

  // 5. The application, in its own process, on a free port.
  const port = await freePort();
  const server = spawn(process.execPath, ['--import', 'tsx', 'bench/directory.ts', '--serve'], {
    cwd: ROOT,
    env: { ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(server);
  await new Promise<void>((resolve, reject) => {
    server.stdout?.on('data', (d: Buffer) => {
      if (d.toString().includes('listening')) resolve();
    });
    server.once('exit', (code) => reject(new Error(`serveur arrêté (${code})`)));
  });
  const base = `http://127.0.0.1:${port}`;
  const get = async (pathAndQuery: string): Promise<{ ms: number; status: number; body: unknown }> => {
    const t = performance.now();
    const res = await fetch(base + pathAndQuery, { headers: { cookie } });
    const body = await res.json();
    return { ms: performance.now() - t, status: res.status, body };
  };

  // Warm-up (connections, JIT, caches), then the measured runs, interleaved so that both
  // kinds of request see the same machine.
  for (let i = 0; i < 200; i++) {
    await get(searchPath(searches[i % searches.length] as Search));
    await get(`/api/directory/people/${rppsList[i % rppsList.length]}`);
  }
  const searchMs: number[] = [];
  const lookupMs: number[] = [];
  let empty = 0;
  let suggested = 0;
  const byPart = searches.filter((q) => q.part).length;
  console.log(`mesures… (charge ${loadAverage()})`);
  for (let i = 0; i < QUERIES; i++) {
    const s = await get(searchPath(searches[i] as Search));
    if (s.status !== 200) throw new Error(`recherche : HTTP ${s.status} ${JSON.stringify(s.body)}`);
    const page = s.body as { items: unknown[]; suggestions: string[] };
    if (page.items.length === 0) empty++;
    if (page.suggestions.length > 0) suggested++;
    searchMs.push(s.ms);
    const l = await get(`/api/directory/people/${rppsList[i]}`);
    if (l.status !== 200) throw new Error(`RPPS : HTTP ${l.status}`);
    lookupMs.push(l.ms);
  }
  server.kill('SIGTERM');
  searchMs.sort((a, b) => a - b);
  lookupMs.sort((a, b) => a - b);
  const s50 = percentile(searchMs, 50);
  const s99 = percentile(searchMs, 99);
  const l50 = percentile(lookupMs, 50);
  const l99 = percentile(lookupMs, 99);
  const ratio = s99 / l99;
  const ok = (b: boolean) => (b ? 'ok' : 'NON ATTEINT');
  console.log(
    [
      '',
      `recherche (HTTP, ${QUERIES} requêtes aléatoires dont ${byPart} par une partie d'un nom composé, ${empty} sans résultat dont ${suggested} avec « Vouliez-vous dire ») : p50 ${fmt(s50, 2)} ms, p99 ${fmt(s99, 2)} ms, max ${fmt(searchMs.at(-1) as number, 2)} ms`,
      `lecture par RPPS (HTTP, ${QUERIES} requêtes) : p50 ${fmt(l50, 2)} ms, p99 ${fmt(l99, 2)} ms`,
      `rapport p99 recherche / p99 RPPS : ${fmt(ratio, 2)} (p50 : ${fmt(s50 / l50, 2)})`,
      '',
      `objectifs : import ≤ ${TARGETS.importSeconds} s ${ok(importSeconds <= TARGETS.importSeconds)} · mémoire ≤ ${TARGETS.importRssMb} Mo ${ok(report.maxRssMb <= TARGETS.importRssMb)} · recherche p99 ≤ ${TARGETS.searchP99Ms} ms ${ok(s99 <= TARGETS.searchP99Ms)} · rapport ≤ ${TARGETS.ratio} ${ok(ratio <= TARGETS.ratio)}`,
      `charge en fin de mesure : ${loadAverage()}`,
    ].join('\n'),
  );
} finally {
  await cleanup();
}

// ---- helpers -------------------------------------------------------------------------------

async function countLines(file: string): Promise<number> {
  let n = 0;
  const handle = await fs.open(file);
  for await (const chunk of handle.createReadStream()) {
    for (let i = (chunk as Buffer).indexOf(10); i >= 0; i = (chunk as Buffer).indexOf(10, i + 1)) n++;
  }
  return n;
}

function run(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d) => {
      stdout += d;
    });
    child.stderr?.on('data', (d) => {
      stderr += d;
    });
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0
        ? resolve({ stdout, stderr })
        : reject(new Error(`${args.join(' ')} : code ${code}\n${stdout}\n${stderr}`)),
    );
  });
}

/** A user who completed first sign-in and a live session, as the identity feature makes them. */
async function signIn(client: pg.Client): Promise<string> {
  const { CURRENT_CHARTER } = await import('../src/server/identity/charter/index.js');
  const { randomToken, sha256 } = await import('../src/server/identity/sessions.js');
  const user = await client.query<{ id: string }>(
    `insert into users (subject_name_id, family_name, given_name, card_type, profession_code, email,
                        email_verified_at, charter_version, charter_accepted_at, first_signin_completed_at)
     values ('810001234565', 'MARTIN', 'Camille', 'CPS', '10', 'camille.martin@demo.sante.fr',
             now(), $1, now(), now()) returning id`,
    [CURRENT_CHARTER.version],
  );
  const rawId = randomToken();
  await client.query(
    `insert into sessions (id_hash, user_id, method, created_at, last_seen_at, expires_at)
     values ($1, $2, 'psc', now(), now(), now() + interval '8 hours')`,
    [sha256(rawId), user.rows[0]?.id],
  );
  return `sid=${rawId}`;
}

interface Search {
  name: string;
  postalCode?: string;
  profession?: string;
  /** Searched by one part of a compound family name ("lopez" for GARCÍA-LÓPEZ). */
  part?: boolean;
}

function searchPath(s: Search): string {
  const q = new URLSearchParams({ name: s.name, limit: '20' });
  if (s.postalCode) q.set('postalCode', s.postalCode);
  if (s.profession) q.set('profession', s.profession);
  return `/api/directory/search?${q}`;
}

/**
 * Queries as people type them, from random people of the directory: full family names,
 * prefixes, "nom prénom", "prénom nom", with a postal code or a department, some misspelt, and
 * for a compound family name often its last part alone (with a postal code now and then); most
 * restricted to doctors when the person is one (the peer-delegation search). And random RPPS
 * numbers to look up.
 */
async function randomQueries(
  client: pg.Client,
  n: number,
): Promise<{ searches: Search[]; rppsList: string[] }> {
  const { rows } = await client.query<{
    family_name: string;
    given_name: string;
    profession_code: string;
    postal_code: string | null;
    identifier: string;
    id_type: string;
  }>(
    `select p.family_name, p.given_name, p.profession_code, p.identifier, p.id_type,
            (select pl.postal_code from directory_place pl where pl.person_id = p.id order by pl.position limit 1) as postal_code
       from directory_person p tablesample bernoulli (1) repeatable (42)
      limit $1`,
    [n * 3],
  );
  let seed = 42;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const searches: Search[] = [];
  for (let i = 0; searches.length < n; i++) {
    const r = rows[i % rows.length];
    if (!r) break;
    const kind = rand();
    const family = r.family_name;
    let s: Search;
    const words = family.split(/[\s'’-]+/).filter((w) => w.length >= 2);
    if (words.length > 1 && rand() < 0.6) {
      const part = words.at(-1) as string;
      s =
        rand() < 0.7
          ? { name: part, part: true }
          : { name: part, postalCode: r.postal_code ?? undefined, part: true };
    } else if (kind < 0.3) s = { name: family };
    else if (kind < 0.5) s = { name: family.slice(0, 2 + Math.floor(rand() * 4)) };
    else if (kind < 0.65) s = { name: `${family} ${r.given_name}` };
    else if (kind < 0.75) s = { name: `${r.given_name} ${family}` };
    else if (kind < 0.9) s = { name: family, postalCode: r.postal_code ?? undefined };
    else if (kind < 0.95) s = { name: family.slice(0, 3), postalCode: r.postal_code?.slice(0, 2) };
    else {
      const at = 1 + Math.floor(rand() * Math.max(1, family.length - 2));
      s = { name: `${family.slice(0, at)}${family[at] === 'E' ? 'A' : 'E'}${family.slice(at + 1)}` };
    }
    if (s.postalCode && !/^\d{5}$|^\d{2}$/.test(s.postalCode)) delete s.postalCode;
    if (s.postalCode?.length === 2 && (s.postalCode === '97' || s.postalCode === '98')) delete s.postalCode;
    // A doctor looking for a colleague restricts the search to doctors (profession 10).
    if (r.profession_code === '10' && rand() < 0.8) s.profession = '10';
    if (!/^[\p{L}\p{M} '’.-]+$/u.test(s.name) || s.name.replace(/[^\p{L}]/gu, '').length < 2) continue;
    searches.push(s);
  }
  const rppsList = rows
    .filter((r) => r.id_type === '8')
    .map((r) => r.identifier)
    .sort(() => rand() - 0.5)
    .slice(0, n);
  while (rppsList.length < n)
    rppsList.push(rppsList[rppsList.length % Math.max(1, rppsList.length)] as string);
  return { searches, rppsList };
}
