// `npm run bench:floor`: the product's dossier read against the floor, in the same run, on the
// same PostgreSQL. The real server (`npm start`'s entry point, DEMO off, production settings and
// log level, its log read through a pipe as a collector would) and a minimal hand-written
// Fastify + `pg` service doing the least the same work needs (bench/lib/minimal-service.ts):
//   owner read     GET /api/dossiers/:id (owner doctor)       vs  the dossier by primary key
//   delegate read  GET /api/dossiers/:id?onBehalfOf= (staff)  vs  the same + one journal row inserted
// autocannon at BENCH_CONNECTIONS (20), the four profiles alternated twice (A B A B), then
// req/s, p50, p99 of each and the two ratios.
//
// BENCH_LOG_LEVEL: the product's LOG_LEVEL (its production default otherwise).
// BENCH_PRODUCT_ROOT=<dir>: the product from another checkout (e.g. an earlier commit, to compare).
// BENCH_PROFILE=owner|delegate: instead, the product alone under that load with `node --cpu-prof`,
// then the summary of its CPU profile and PostgreSQL transactions per request.
import crypto from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { sql } from 'kysely';
import type { Db } from '../src/server/context.js';
import { startEmbeddedPostgres } from '../src/server/platform/embedded-postgres.js';
import { printSummary, readProfile, summarize } from './lib/cpu-profile.js';
import {
  type BenchNode,
  benchActors,
  machine,
  prepareBenchDatabase,
  startBenchNode,
  startMinimalService,
} from './lib/setup.js';
import { transactionsPerRequest } from './lib/transactions.js';

const DOCTORS = Number(process.env.BENCH_DOCTORS ?? 1_000);
const SIZE = {
  doctors: DOCTORS,
  staff: Math.round(DOCTORS / 2),
  delegations: Number(process.env.BENCH_DELEGATIONS ?? 5_000),
  dossiers: Number(process.env.BENCH_DOSSIERS ?? 20_000),
};
/** Measured seconds per profile, split over the two rounds. */
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20);
const PROFILE = process.env.BENCH_PROFILE as 'owner' | 'delegate' | undefined;

interface Target {
  label: string;
  base: () => string;
  path: (dossierId: string) => string;
  cookie?: string;
}

function fire(target: Target, ids: string[], duration: number): Promise<autocannon.Result> {
  let i = 0;
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: target.base(),
        connections: CONNECTIONS,
        duration,
        timeout: 10,
        headers: target.cookie ? { cookie: target.cookie } : {},
        requests: [
          {
            method: 'GET',
            setupRequest: (req) => ({ ...req, path: target.path(ids[i++ % ids.length] as string) }),
          },
        ],
      },
      (err, result) => (err ? reject(err) : resolve(result)),
    );
  });
}

interface Figures {
  /** Requests answered (all statuses) during the measured runs. */
  total: number;
  rps: number;
  p50: number;
  p99: number;
  ok: number;
  errors: number;
}

const sum = (rs: autocannon.Result[]): Figures => ({
  total: rs.reduce((a, r) => a + r.requests.total, 0),
  rps: rs.reduce((a, r) => a + r.requests.total, 0) / rs.reduce((a, r) => a + r.duration, 0),
  p50: Math.max(...rs.map((r) => r.latency.p50)),
  p99: Math.max(...rs.map((r) => r.latency.p99)),
  ok: rs.reduce((a, r) => a + r['2xx'], 0),
  errors: rs.reduce((a, r) => a + r.errors + r.timeouts + r.non2xx, 0),
});

const count = async (db: Db, query: ReturnType<typeof sql<{ n: number }>>) =>
  (await query.execute(db)).rows[0]?.n ?? 0;
const journalCount = (db: Db) =>
  count(db, sql<{ n: number }>`select count(*)::int as n from journal_entries`);
const commits = (db: Db) =>
  count(
    db,
    sql<{
      n: number;
    }>`select (xact_commit + xact_rollback)::int as n from pg_stat_database where datname = current_database()`,
  );

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ: 100 on Linux). */
const HZ = 100;

/** [utime, stime] of a process (all threads), with its reaped children when asked, in ms. */
async function cpuMs(pid: number, children = false): Promise<[number, number]> {
  const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  const f = stat
    .slice(stat.lastIndexOf(')') + 2)
    .split(' ')
    .map(Number);
  // Fields 14-17 of proc(5) (utime, stime, cutime, cstime), counted from 3 after the command name.
  const at = (i: number) => ((f[i] ?? 0) * 1000) / HZ;
  return [at(11) + (children ? at(13) : 0), at(12) + (children ? at(14) : 0)];
}

/**
 * PostgreSQL's CPU so far: what its reaped processes used (the postmaster's children times, read
 * first), and each live process by pid (a backend that ends between two readings is then found in
 * the reaped total, and its earlier reading taken off: see pgDelta).
 */
async function postgresCpu(pgdata: string): Promise<{ reaped: number; live: Map<number, number> }> {
  const postmaster = Number((await fs.readFile(path.join(pgdata, 'postmaster.pid'), 'utf8')).split('\n')[0]);
  const [user, sys] = await cpuMs(postmaster, true);
  const [ownUser, ownSys] = await cpuMs(postmaster);
  const live = new Map<number, number>([[postmaster, ownUser + ownSys]]);
  for (const entry of await fs.readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await fs.readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid === postmaster)
      live.set(
        Number(entry),
        (await cpuMs(Number(entry))).reduce((a, b) => a + b),
      );
  }
  return { reaped: user + sys - ownUser - ownSys, live };
}

function pgDelta(after: Snapshot['pg'], before: Snapshot['pg']): number {
  let total = after.reaped - before.reaped;
  for (const [pid, ms] of after.live) total += ms - (before.live.get(pid) ?? 0);
  for (const [pid, ms] of before.live) if (!after.live.has(pid)) total -= ms;
  return total;
}

/** What a run costs: system calls of the service, CPU of the service and of PostgreSQL. */
interface Counters {
  reads: number;
  writes: number;
  /** The service's CPU time (user + system), and its system part, in ms. */
  cpu: number;
  sys: number;
  pgCpu: number;
}

interface Snapshot {
  reads: number;
  writes: number;
  user: number;
  sys: number;
  pg: Awaited<ReturnType<typeof postgresCpu>>;
}

/** Linux only (/proc); zeros elsewhere. */
async function snapshot(node: BenchNode, pgdata: string): Promise<Snapshot> {
  const pid = node.child.pid as number;
  const io = await fs.readFile(`/proc/${pid}/io`, 'utf8').catch(() => '');
  const [user, sys] = await cpuMs(pid);
  return {
    reads: Number(/^syscr: (\d+)$/m.exec(io)?.[1] ?? 0),
    writes: Number(/^syscw: (\d+)$/m.exec(io)?.[1] ?? 0),
    user,
    sys,
    pg: await postgresCpu(pgdata).catch(() => ({ reaped: 0, live: new Map() })),
  };
}

const minus = (a: Snapshot, b: Snapshot): Counters => ({
  reads: a.reads - b.reads,
  writes: a.writes - b.writes,
  cpu: a.user + a.sys - b.user - b.sys,
  sys: a.sys - b.sys,
  pgCpu: pgDelta(a.pg, b.pg),
});

const plus = (a: Counters, b: Counters): Counters => ({
  reads: a.reads + b.reads,
  writes: a.writes + b.writes,
  cpu: a.cpu + b.cpu,
  sys: a.sys + b.sys,
  pgCpu: a.pgCpu + b.pgCpu,
});

function describeCost(c: Counters, requests: number): string {
  const per = (n: number, digits = 2) => (n / requests).toFixed(digits);
  return `CPU ${per(c.cpu, 3)} ms (dont système ${per(c.sys, 3)}) + PostgreSQL ${per(c.pgCpu, 3)} ms = ${per(c.cpu + c.pgCpu, 3)} ms ; appels système ${per(c.reads)} lectures, ${per(c.writes)} écritures`;
}

async function main() {
  console.log(`machine : ${machine()}`);
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'dd-bench-floor-'));
  const pgdata = path.join(dir, 'pg');
  const pg = await startEmbeddedPostgres({
    dir: pgdata,
    settings: { shared_buffers: '256MB' },
  });
  let product: BenchNode | undefined;
  let minimal: BenchNode | undefined;
  try {
    const { url, db } = await prepareBenchDatabase(pg.url, SIZE);
    const a = await benchActors(db, 'FLOOR');
    const profileDir = path.join(dir, 'cpu-profile');
    product = await startBenchNode({
      databaseUrl: url,
      sessionSecret: crypto.randomBytes(32).toString('base64url'),
      countLogLines: true,
      ...(process.env.BENCH_LOG_LEVEL ? { logLevel: process.env.BENCH_LOG_LEVEL } : {}),
      ...(process.env.BENCH_PRODUCT_ROOT ? { root: process.env.BENCH_PRODUCT_ROOT } : {}),
      ...(PROFILE ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] } : {}),
    });
    const productUrl = product.url;
    const owner: Target = {
      label: 'produit, médecin propriétaire',
      base: () => productUrl,
      path: (id) => `/api/dossiers/${id}`,
      cookie: a.ownerCookie,
    };
    const delegate: Target = {
      label: 'produit, délégataire',
      base: () => productUrl,
      path: (id) => `/api/dossiers/${id}?onBehalfOf=${a.owner}`,
      cookie: a.delegateCookie,
    };
    for (const t of [owner, delegate]) {
      const res = await fetch(`${t.base()}${t.path(a.dossierIds[0] as string)}`, {
        headers: { cookie: t.cookie as string },
      });
      if (res.status !== 200) throw new Error(`${t.label} : ${res.status} ${await res.text()}`);
    }

    if (PROFILE) {
      const target = PROFILE === 'owner' ? owner : delegate;
      await fire(target, a.dossierIds, 5);
      const c0 = await commits(db);
      const k0 = await snapshot(product, pgdata);
      const loadStart = Date.now();
      const r = await fire(target, a.dossierIds, SECONDS);
      const loadEnd = Date.now();
      const k1 = await snapshot(product, pgdata);
      // PostgreSQL publishes an idle backend's counters within 10 s.
      await new Promise((res) => setTimeout(res, 11_000));
      const c1 = await commits(db);
      await product.stop();
      const exited = Date.now();
      product = undefined;
      const f = sum([r]);
      console.log(
        `\n${target.label}, ${CONNECTIONS} connexions, ${SECONDS} s sous --cpu-prof : ${f.rps.toFixed(0)} req/s, p50 ${f.p50} ms, p99 ${f.p99} ms, erreurs ${f.errors}`,
      );
      console.log(`transactions PostgreSQL par requête : ${((c1 - c0) / r.requests.total).toFixed(2)}`);
      console.log(`par requête : ${describeCost(minus(k1, k0), r.requests.total)}`);
      const kept = path.join(os.tmpdir(), `dd-floor-${PROFILE}-${Date.now()}.cpuprofile`);
      const profile = await readProfile(profileDir);
      await fs.writeFile(kept, JSON.stringify(profile));
      console.log(`profil : ${kept} (ouvrable dans Chrome DevTools, onglet Performance)\n`);
      // The measured load only, half a second off each end (the profile ends at the exit).
      const window = { fromEndMs: exited - loadStart - 500, toEndMs: exited - loadEnd + 500 };
      printSummary(summarize(profile, window));
      console.log(`\nmachine à la fin : ${machine()}`);
      await db.destroy();
      return;
    }

    minimal = await startMinimalService({ databaseUrl: url });
    const minimalUrl = minimal.url;
    const minimalRead: Target = {
      label: 'minimal, lecture',
      base: () => minimalUrl,
      path: (id) => `/read/${id}`,
    };
    const minimalInsert: Target = {
      label: 'minimal, lecture + insertion',
      base: () => minimalUrl,
      path: (id) => `/read-insert/${id}?actor=${a.delegate}`,
    };
    const targets = [owner, minimalRead, delegate, minimalInsert];
    for (const t of targets) await fire(t, a.dossierIds, 3); // warm-up: JIT, pools, caches
    const results = new Map<Target, autocannon.Result[]>(targets.map((t) => [t, []]));
    let delegateJournal = 0;
    const linesBefore = product.logLines();
    let productRequests = 0;
    const cost = new Map<Target, Counters>();
    for (let round = 0; round < 2; round++) {
      for (const t of targets) {
        const journal0 = t === delegate ? await journalCount(db) : 0;
        const node = t === owner || t === delegate ? product : minimal;
        const k0 = await snapshot(node, pgdata);
        const r = await fire(t, a.dossierIds, SECONDS / 2);
        const k1 = await snapshot(node, pgdata);
        cost.set(t, plus(cost.get(t) ?? { reads: 0, writes: 0, cpu: 0, sys: 0, pgCpu: 0 }, minus(k1, k0)));
        if (t === delegate) delegateJournal += (await journalCount(db)) - journal0;
        if (t === owner || t === delegate) productRequests += r.requests.total;
        results.get(t)?.push(r);
      }
    }
    // The last lines may still be in the pipe.
    await new Promise((r) => setTimeout(r, 500));
    const logLines = product.logLines() - linesBefore;

    const f = new Map(targets.map((t) => [t, sum(results.get(t) ?? [])]));
    console.log(`\n${CONNECTIONS} connexions, ${SECONDS} s par profil (2 × ${SECONDS / 2} s, alternés)`);
    for (const t of targets) {
      const r = f.get(t) as Figures;
      console.log(
        `${t.label.padEnd(30)} ${r.rps.toFixed(0).padStart(6)} req/s   p50 ${r.p50} ms   p99 ${r.p99} ms   erreurs ${r.errors}`,
      );
    }
    const ratio = (x: Target, y: Target) =>
      ((f.get(x) as Figures).rps / (f.get(y) as Figures).rps).toFixed(2);
    console.log(
      `rapport propriétaire / minimal lecture              : ${ratio(owner, minimalRead)} (objectif ≥ 0,50)`,
    );
    console.log(
      `rapport délégataire / minimal lecture + insertion   : ${ratio(delegate, minimalInsert)} (objectif ≥ 0,50)`,
    );
    console.log(
      `entrées de journal du produit : ${delegateJournal} pour ${(f.get(delegate) as Figures).ok} lectures réussies du délégataire`,
    );
    console.log(
      `lignes de journal (stdout) du produit : ${logLines} pour ${productRequests} requêtes (${(logLines / productRequests).toFixed(2)} par requête)`,
    );
    // CPU per request does not depend on how busy the machine is nearly as much as throughput:
    // on a dedicated machine the throughputs would stand roughly in the inverse ratio.
    console.log('coût par requête (service + PostgreSQL) :');
    const cpuOf = (t: Target) => {
      const c = cost.get(t) as Counters;
      return (c.cpu + c.pgCpu) / (f.get(t) as Figures).total;
    };
    for (const t of targets) {
      console.log(
        `  ${t.label.padEnd(30)} ${describeCost(cost.get(t) as Counters, (f.get(t) as Figures).total)}`,
      );
    }
    console.log(
      `rapport des coûts CPU minimal / produit : lecture ${(cpuOf(minimalRead) / cpuOf(owner)).toFixed(2)}, lecture + insertion ${(cpuOf(minimalInsert) / cpuOf(delegate)).toFixed(2)}`,
    );
    // Each profile alone for 5 s, between two quiet readings of pg_stat_database.
    console.log('transactions PostgreSQL par requête (5 s par profil, seul) :');
    for (const t of targets) {
      const perRequest = await transactionsPerRequest(db, async () => {
        const r = await fire(t, a.dossierIds, 5);
        return r.requests.total;
      });
      console.log(`  ${t.label.padEnd(30)} ${perRequest.toFixed(2)}`);
    }
    console.log(`machine à la fin : ${machine()}`);
    await db.destroy();
  } finally {
    await product?.stop();
    await minimal?.stop();
    await pg.stop();
    await fs.rm(dir, { recursive: true, force: true });
  }
}

await main();
