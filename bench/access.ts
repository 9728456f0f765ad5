// `npm run bench:access`: 100,000 doctors, 500,000 delegations (10% deleted, varied periods),
// 1,000,000 dossiers. autocannon on GET /api/dossiers/:id as a staff delegate (decision,
// delegation lookup, journal write) and as the owner doctor, in the same run, against the real
// server process (production mode, DATABASE_URL); then p50/p99 of the decision alone.
import crypto from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { sql } from 'kysely';
import { decide } from '../src/server/access/index.js';
import { delegationsBetween } from '../src/server/delegations/facts.js';
import { startEmbeddedPostgres } from '../src/server/platform/embedded-postgres.js';
import { type BenchNode, benchActors, machine, prepareBenchDatabase, startBenchNode } from './lib/setup.js';

const DOCTORS = Number(process.env.BENCH_DOCTORS ?? 100_000);
const SIZE = {
  doctors: DOCTORS,
  staff: Math.round(DOCTORS / 2),
  delegations: Number(process.env.BENCH_DELEGATIONS ?? 500_000),
  dossiers: Number(process.env.BENCH_DOSSIERS ?? 1_000_000),
};
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
/** A lightly loaded service (latency-bound) and a saturated one (throughput-bound). */
const CONNECTIONS = (process.env.BENCH_CONNECTIONS ?? '10,50').split(',').map(Number);

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
const ms = (v: number) => `${v.toFixed(3)} ms`;

async function main() {
  console.log(`machine : ${machine()}`);
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'dd-bench-access-'));
  const pg = await startEmbeddedPostgres({
    dir: path.join(dir, 'pg'),
    settings: { shared_buffers: '512MB' },
  });
  let node: BenchNode | undefined;
  try {
    const { url, db } = await prepareBenchDatabase(pg.url, SIZE);

    // The measured pair: the first doctor and a secretary with an active consulter + gerer delegation.
    const { owner, dossierIds, ownerCookie, delegateCookie } = await benchActors(db, 'BENCH');

    node = await startBenchNode({
      databaseUrl: url,
      sessionSecret: crypto.randomBytes(32).toString('base64url'),
      logLevel: 'warn',
    });
    const base = node.url;
    const run = (cookie: string, query: string, duration: number, connections: number) =>
      new Promise<autocannon.Result>((resolve, reject) => {
        let i = 0;
        autocannon(
          {
            url: base,
            connections,
            duration,
            headers: { cookie },
            requests: [
              {
                method: 'GET',
                setupRequest: (req) => ({
                  ...req,
                  path: `/api/dossiers/${dossierIds[i++ % dossierIds.length]}${query}`,
                }),
              },
            ],
          },
          (err, result) => (err ? reject(err) : resolve(result)),
        );
      });
    const asDelegate = `?onBehalfOf=${owner}`;
    for (const [who, cookie, query] of [
      ['owner', ownerCookie, ''],
      ['delegate', delegateCookie, asDelegate],
    ] as const) {
      const probe = await fetch(`${base}/api/dossiers/${dossierIds[0]}${query}`, { headers: { cookie } });
      if (probe.status !== 200) throw new Error(`${who}: ${probe.status} ${await probe.text()}`);
    }
    const journalCount = async () =>
      (await sql<{ n: number }>`select count(*)::int as n from journal_entries`.execute(db)).rows[0]?.n ?? 0;
    const sum = (rs: autocannon.Result[]) => ({
      rps: rs.reduce((a, r) => a + r.requests.total, 0) / rs.reduce((a, r) => a + r.duration, 0),
      p50: Math.max(...rs.map((r) => r.latency.p50)),
      p99: Math.max(...rs.map((r) => r.latency.p99)),
      errors: rs.reduce((a, r) => a + r.errors + r.non2xx, 0),
      ok: rs.reduce((a, r) => a + r['2xx'], 0),
    });
    for (const connections of CONNECTIONS) {
      await run(ownerCookie, '', 3, connections);
      await run(delegateCookie, asDelegate, 3, connections);
      // Alternate owner and delegate twice so that neither profits from a quieter moment.
      const owners: autocannon.Result[] = [];
      const delegates: autocannon.Result[] = [];
      const journalBefore = await journalCount();
      for (let round = 0; round < 2; round++) {
        owners.push(await run(ownerCookie, '', SECONDS / 2, connections));
        delegates.push(await run(delegateCookie, asDelegate, SECONDS / 2, connections));
      }
      const journalAfter = await journalCount();
      const o = sum(owners);
      const d = sum(delegates);
      console.log(`\n${connections} connexions, ${SECONDS} s par profil`);
      for (const [label, r] of [
        ['médecin (propriétaire)', o],
        ['délégataire (secrétaire)', d],
      ] as const) {
        console.log(
          `${label.padEnd(26)} ${r.rps.toFixed(0).padStart(6)} req/s   p50 ${r.p50} ms   p99 ${r.p99} ms   erreurs ${r.errors}`,
        );
      }
      console.log(`débit délégataire / médecin : ${(d.rps / o.rps).toFixed(2)} (objectif ≥ 0,70)`);
      console.log(
        `entrées de journal écrites : ${journalAfter - journalBefore} pour ${d.ok} lectures réussies du délégataire`,
      );
    }

    // The decision alone (pure), and with its lookup of the delegations between a random pair.
    const pairs = await sql<{ delegator_id: string; delegate_national_id: string; id: string }>`
      select delegator_id, delegate_national_id, u.id from delegations d
      join users u on u.subject_name_id = d.delegate_national_id
      order by random() limit 2000`.execute(db);
    const withLookup: number[] = [];
    const pure: number[] = [];
    const now = new Date();
    for (let round = 0; round < 5; round++) {
      for (const p of pairs.rows) {
        const t0 = performance.now();
        const rows = await delegationsBetween(db, p.delegator_id, p.delegate_national_id);
        const t1 = performance.now();
        decide({
          actor: { id: p.id, isDoctor: false, signIn: { strength: 'psc' } },
          onBehalfOfId: p.delegator_id,
          action: 'read',
          dossierOwnerId: p.delegator_id,
          delegations: rows,
          now,
        });
        const t2 = performance.now();
        if (round > 0) {
          withLookup.push(t2 - t0);
          pure.push(t2 - t1);
        }
      }
    }
    withLookup.sort((a, b) => a - b);
    pure.sort((a, b) => a - b);
    console.log(
      `decide (seul)                 p50 ${ms(pct(pure, 50))}   p99 ${ms(pct(pure, 99))}   (objectif p99 ≤ 1 ms)`,
    );
    console.log(
      `decide + lecture délégations  p50 ${ms(pct(withLookup, 50))}   p99 ${ms(pct(withLookup, 99))}`,
    );
    await db.destroy();
  } finally {
    await node?.stop();
    await pg.stop();
    await fs.rm(dir, { recursive: true, force: true });
  }
}

await main();
