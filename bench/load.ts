// `npm run bench:load`: two application nodes on one PostgreSQL, a generated data set (10,000
// doctors, 5,000 staff, 50,000 delegations, 100,000 dossiers), then autocannon at 50
// connections spread over both nodes: 60 s on the delegate's dossier read (GET
// /api/dossiers/:id?onBehalfOf=…: session, context, decision, journal entry, dossier) by many
// signed-in staff members, then 60 s on GET /health in the same run. Prints both throughputs,
// their ratio, the p99s and the error counts. BENCH_SECONDS shortens it.
import crypto from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { sql } from 'kysely';
import { startEmbeddedPostgres } from '../src/server/platform/embedded-postgres.js';
import { type BenchNode, machine, prepareBenchDatabase, sessionCookie, startBenchNode } from './lib/setup.js';

const SIZE = {
  doctors: Number(process.env.BENCH_DOCTORS ?? 10_000),
  staff: Number(process.env.BENCH_STAFF ?? 5_000),
  delegations: Number(process.env.BENCH_DELEGATIONS ?? 50_000),
  dossiers: Number(process.env.BENCH_DOSSIERS ?? 100_000),
};
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
/**
 * Each node's PostgreSQL connections: the production default (DATABASE_POOL_SIZE, 10) unless
 * said. On 2 cores, 2 × 20 connections measured slower than 2 × 10 (bench/README.md).
 */
const POOL_SIZE = Number(process.env.BENCH_POOL_SIZE ?? 10);
/** Distinct signed-in delegates reading their doctors' dossiers. */
const DELEGATES = Number(process.env.BENCH_DELEGATES ?? 200);

function fire(
  urls: string[],
  duration: number,
  next: () => { path: string; cookie?: string },
): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        // autocannon spreads the connections over several urls; its types only say string.
        url: urls as unknown as string,
        connections: CONNECTIONS,
        duration,
        timeout: 10,
        requests: [
          {
            method: 'GET',
            setupRequest: (req) => {
              const r = next();
              return {
                ...req,
                path: r.path,
                headers: { ...req.headers, ...(r.cookie ? { cookie: r.cookie } : {}) },
              };
            },
          },
        ],
      },
      (err, result) => (err ? reject(err) : resolve(result)),
    );
  });
}

async function main() {
  console.log(`machine : ${machine()}`);
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'dd-bench-load-'));
  const pg = await startEmbeddedPostgres({
    dir: path.join(dir, 'pg'),
    settings: { shared_buffers: '512MB' },
  });
  const nodes: BenchNode[] = [];
  try {
    const { url, db } = await prepareBenchDatabase(pg.url, SIZE);

    // Pairs (delegate, doctor) with a staff delegation active today that allows reading.
    const pairs = await sql<{ delegate_id: string; delegator_id: string }>`
      select distinct on (u.id) u.id as delegate_id, d.delegator_id
      from delegations d join users u on u.subject_name_id = d.delegate_national_id
      where d.kind = 'staff' and d.deleted_at is null and d.accepted_at is not null
        and d.starts_on <= current_date and (d.ends_on is null or d.ends_on >= current_date)
        and 'consulter' = any(d.rights)
      order by u.id, d.id
      limit ${DELEGATES}`.execute(db);
    const targets: { path: string; cookie: string }[] = [];
    for (const p of pairs.rows) {
      const cookie = await sessionCookie(db, p.delegate_id);
      const dossiers = await db
        .selectFrom('dossiers')
        .select('id')
        .where('owner_id', '=', p.delegator_id)
        .execute();
      for (const d of dossiers)
        targets.push({ path: `/api/dossiers/${d.id}?onBehalfOf=${p.delegator_id}`, cookie });
    }
    // Interleave the delegates so that consecutive requests are different people.
    targets.sort(() => Math.random() - 0.5);
    console.log(`${pairs.rows.length} délégataires connectés, ${targets.length} dossiers lus en rotation`);

    const secret = crypto.randomBytes(36).toString('base64url');
    nodes.push(
      ...(await Promise.all([
        startBenchNode({ databaseUrl: url, sessionSecret: secret, poolSize: POOL_SIZE }),
        startBenchNode({ databaseUrl: url, sessionSecret: secret, poolSize: POOL_SIZE }),
      ])),
    );
    const urls = nodes.map((n) => n.url);
    for (const [i, target] of targets.slice(0, 20).entries()) {
      const res = await fetch(`${urls[i % 2]}${target.path}`, { headers: { cookie: target.cookie } });
      if (res.status !== 200) throw new Error(`sonde : ${res.status} ${await res.text()}`);
    }

    let i = 0;
    const dossier = () => targets[i++ % targets.length] as { path: string; cookie: string };
    const health = () => ({ path: '/health' });
    // Warm-up: JIT, pools, caches.
    await fire(urls, 5, dossier);
    await fire(urls, 3, health);
    const journalBefore =
      (await sql<{ n: number }>`select count(*)::int as n from journal_entries`.execute(db)).rows[0]?.n ?? 0;
    const read = await fire(urls, SECONDS, dossier);
    const journalAfter =
      (await sql<{ n: number }>`select count(*)::int as n from journal_entries`.execute(db)).rows[0]?.n ?? 0;
    const bare = await fire(urls, SECONDS, health);

    const errors = (r: autocannon.Result) => r.errors + r.timeouts + r.non2xx;
    console.log(
      `\n2 nœuds (${POOL_SIZE} connexions PostgreSQL chacun), ${CONNECTIONS} connexions, ${SECONDS} s par mesure`,
    );
    for (const [label, r] of [
      ['lecture de dossier (délégataire)', read],
      ['GET /health', bare],
    ] as const) {
      console.log(
        `${label.padEnd(34)} ${r.requests.average.toFixed(0).padStart(6)} req/s   p50 ${r.latency.p50} ms   p99 ${r.latency.p99} ms   erreurs ${errors(r)} (réseau ${r.errors}, délais ${r.timeouts}, non-2xx ${r.non2xx})`,
      );
    }
    console.log(
      `rapport lecture de dossier / route nue : ${(read.requests.average / bare.requests.average).toFixed(3)}`,
    );
    console.log(
      `entrées de journal écrites pendant la mesure de lecture : ${journalAfter - journalBefore} (requêtes 2xx : ${read['2xx']})`,
    );
    console.log(`machine à la fin : ${machine()}`);
    await db.destroy();
  } finally {
    await Promise.all(nodes.map((n) => n.stop()));
    await pg.stop();
    await fs.rm(dir, { recursive: true, force: true });
  }
}

await main();
