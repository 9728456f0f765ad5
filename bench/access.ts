// `npm run bench:access`: 100,000 doctors, 500,000 delegations (10% deleted, varied periods),
// 1,000,000 dossiers. autocannon on GET /api/dossiers/:id as a staff delegate (decision,
// delegation lookup, journal write) and as the owner doctor, in the same run, against the real
// server process (production mode, DATABASE_URL); then p50/p99 of the decision alone.
// Alternated with them at each connection count, the floor of bench:floor on the same data (a
// minimal Fastify + `pg` service: a read by primary key, and the same read then one durable
// journal row): what one durable write per read costs on this machine, whatever the code.
import crypto from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { sql } from 'kysely';
import { decide } from '../src/server/access/index.js';
import { delegationsBetween } from '../src/server/delegations/facts.js';
import { startEmbeddedPostgres } from '../src/server/platform/embedded-postgres.js';
import {
  type BenchNode,
  benchActors,
  machine,
  prepareBenchDatabase,
  sessionCookie,
  startBenchNode,
  startMinimalService,
} from './lib/setup.js';

const DOCTORS = Number(process.env.BENCH_DOCTORS ?? 100_000);
const SIZE = {
  doctors: DOCTORS,
  staff: Math.round(DOCTORS / 2),
  delegations: Number(process.env.BENCH_DELEGATIONS ?? 500_000),
  dossiers: Number(process.env.BENCH_DOSSIERS ?? 1_000_000),
};
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
/** A lightly loaded service (latency-bound) and a saturated one (throughput-bound). */
const CONNECTIONS = (process.env.BENCH_CONNECTIONS ?? '10,50')
  .split(',')
  .map(Number)
  .filter((n) => n > 0);

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
  let minimal: BenchNode | undefined;
  try {
    const { url, db } = await prepareBenchDatabase(pg.url, SIZE);

    // The measured pair: the first doctor and a secretary with an active consulter + gerer delegation.
    const { owner, delegate, dossierIds, ownerCookie, delegateCookie } = await benchActors(db, 'BENCH');

    node = await startBenchNode({
      databaseUrl: url,
      sessionSecret: crypto.randomBytes(32).toString('base64url'),
      logLevel: 'warn',
    });
    minimal = await startMinimalService({ databaseUrl: url });
    /** A load profile: where its requests go, and with which cookie. */
    interface Profile {
      base: string;
      cookie: string;
      path: (id: string) => string;
    }
    const run = (p: Profile, duration: number, connections: number) =>
      new Promise<autocannon.Result>((resolve, reject) => {
        let i = 0;
        autocannon(
          {
            url: p.base,
            connections,
            duration,
            headers: { cookie: p.cookie },
            requests: [
              {
                method: 'GET',
                setupRequest: (req) => ({
                  ...req,
                  path: p.path(dossierIds[i++ % dossierIds.length] as string),
                }),
              },
            ],
          },
          (err, result) => (err ? reject(err) : resolve(result)),
        );
      });
    const base = node.url;
    const ownerRead: Profile = { base, cookie: ownerCookie, path: (id) => `/api/dossiers/${id}` };
    const delegateRead: Profile = {
      base,
      cookie: delegateCookie,
      path: (id) => `/api/dossiers/${id}?onBehalfOf=${owner}`,
    };
    const floorRead: Profile = { base: minimal.url, cookie: '', path: (id) => `/read/${id}` };
    const floorInsert: Profile = {
      base: minimal.url,
      cookie: '',
      path: (id) => `/read-insert/${id}?actor=${delegate}`,
    };
    const profiles = [ownerRead, delegateRead, floorRead, floorInsert];
    for (const p of profiles) {
      const probe = await fetch(`${p.base}${p.path(dossierIds[0] as string)}`, {
        headers: { cookie: p.cookie },
      });
      if (probe.status !== 200) throw new Error(`${p.path('…')}: ${probe.status} ${await probe.text()}`);
    }
    // The product's entries only (the floor writes its own rows on its own chain).
    const journalCount = async () => {
      const r = await sql<{ n: number }>`select count(*)::int as n from journal_entries
        where chain not like 'floor:%'`.execute(db);
      return r.rows[0]?.n ?? 0;
    };
    const sum = (rs: autocannon.Result[]) => ({
      rps: rs.reduce((a, r) => a + r.requests.total, 0) / rs.reduce((a, r) => a + r.duration, 0),
      p50: Math.max(...rs.map((r) => r.latency.p50)),
      p99: Math.max(...rs.map((r) => r.latency.p99)),
      errors: rs.reduce((a, r) => a + r.errors + r.non2xx, 0),
      ok: rs.reduce((a, r) => a + r['2xx'], 0),
    });
    for (const connections of CONNECTIONS) {
      for (const p of profiles) await run(p, 3, connections);
      // The four profiles alternated twice, so that none profits from a quieter moment.
      const results = new Map<Profile, autocannon.Result[]>(profiles.map((p) => [p, []]));
      let journalWritten = 0;
      for (let round = 0; round < 2; round++) {
        for (const p of profiles) {
          const before = p === delegateRead ? await journalCount() : 0;
          results.get(p)?.push(await run(p, SECONDS / 2, connections));
          if (p === delegateRead) journalWritten += (await journalCount()) - before;
        }
      }
      const [o, d, fr, fi] = profiles.map((p) => sum(results.get(p) ?? []));
      if (!o || !d || !fr || !fi) throw new Error('profil sans mesure');
      console.log(`\n${connections} connexions, ${SECONDS} s par profil`);
      for (const [label, r] of [
        ['médecin (propriétaire)', o],
        ['délégataire (secrétaire)', d],
        ['plancher : lecture', fr],
        ['plancher : + insertion', fi],
      ] as const) {
        console.log(
          `${label.padEnd(26)} ${r.rps.toFixed(0).padStart(6)} req/s   p50 ${r.p50} ms   p99 ${r.p99} ms   erreurs ${r.errors}`,
        );
      }
      console.log(`débit délégataire / médecin : ${(d.rps / o.rps).toFixed(2)} (objectif ≥ 0,70)`);
      console.log(
        `plancher, lecture + insertion durable / lecture seule : ${(fi.rps / fr.rps).toFixed(2)} (ce que coûte une écriture durable par lecture sur cette machine)`,
      );
      console.log(
        `entrées de journal écrites : ${journalWritten} pour ${d.ok} lectures réussies du délégataire`,
      );
    }

    // « Tous mes médecins »: a secretary with active delegations from 10 doctors, 1,000 dossiers
    // between them (100 each), listing them all: one decision per doctor (each journaled in its
    // doctor's journal), one query for the rows. One person listing: 1 connection by default
    // (BENCH_ALL_DOCTORS_CONNECTIONS for more).
    const team = await sql<{ id: string }>`
      insert into users (subject_name_id, family_name, given_name, card_type, profession_code, email,
        email_verified_at, charter_version, charter_accepted_at, first_signin_completed_at)
      select '8' || lpad((99000000000 + g)::text, 11, '0'), 'CABINET' || g, 'Prénom', 'CPS', '10', 'cab' || g || '@bench.fr',
        now(), charter_version, now(), now()
      from generate_series(1, 10) g, (select charter_version from users limit 1) c
      returning id`.execute(db);
    const secretary = await sql<{ id: string; subject_name_id: string }>`
      insert into users (subject_name_id, family_name, given_name, card_type, email, charter_version,
        charter_accepted_at, first_signin_completed_at)
      select '4999999998/CPATTEAM', 'SECRETAIRE', 'Cabinet', 'CPA', 'team@bench.fr', charter_version, now(), now()
      from (select charter_version from users limit 1) c
      returning id, subject_name_id`.execute(db);
    const sec = secretary.rows[0] as { id: string; subject_name_id: string };
    for (const [i, doctor] of team.rows.entries()) {
      await sql`insert into delegations (delegator_id, kind, delegate_family_name, delegate_given_name, delegate_email,
          delegate_national_id, rights, starts_on, ends_on, accepted_at)
        values (${doctor.id}, 'staff', 'SECRETAIRE', 'Cabinet', 'team@bench.fr', ${sec.subject_name_id},
          ${i % 2 === 0 ? ['consulter', 'gerer'] : ['consulter']}, current_date - 30, null, now())`.execute(
        db,
      );
      await sql`insert into dossiers (owner_id, reference, patient_family_name, patient_given_name, patient_birth_date,
          patient_sex, administrative, medical, created_by, updated_by)
        select ${doctor.id}, 'GA-T-' || ${i} || '-' || g, 'PATIENT' || g, 'Prénom', date '1930-01-01' + g, 'F',
          '{"address":"1 rue de la Paix, 69003 Lyon"}', '{"pathologies":"Démence","gir":3}', ${doctor.id}, ${doctor.id}
        from generate_series(1, 100) g`.execute(db);
    }
    await sql`vacuum (analyze) dossiers`.execute(db);
    // The read profiles above wrote some 100,000 journal entries: their autovacuum and the spread
    // checkpoint would otherwise run during this measurement (as bench:directory, steady state).
    await sql`vacuum (analyze) journal_entries, journal_heads`.execute(db);
    await sql`checkpoint`.execute(db);
    const teamCookie = await sessionCookie(db, sec.id);
    const allDoctors = `${base}/api/dossiers/all-doctors`;
    const probe = await fetch(allDoctors, { headers: { cookie: teamCookie } });
    const listed = (await probe.json()) as { doctors: unknown[]; dossiers: unknown[] };
    if (probe.status !== 200 || listed.doctors.length !== 10 || listed.dossiers.length !== 1000) {
      throw new Error(
        `« Tous mes médecins »: ${probe.status}, ${listed.doctors?.length} médecins, ${listed.dossiers?.length} dossiers`,
      );
    }
    const ALL_DOCTORS_CONNECTIONS = Number(process.env.BENCH_ALL_DOCTORS_CONNECTIONS ?? 1);
    const listAll = (duration: number) =>
      new Promise<autocannon.Result>((resolve, reject) => {
        autocannon(
          {
            url: allDoctors,
            connections: ALL_DOCTORS_CONNECTIONS,
            duration,
            headers: { cookie: teamCookie },
          },
          (err, result) => (err ? reject(err) : resolve(result)),
        );
      });
    await listAll(3);
    const all = await listAll(SECONDS);
    console.log(
      `\n« Tous mes médecins » (10 médecins, 1 000 dossiers), ${ALL_DOCTORS_CONNECTIONS} connexions, ${SECONDS} s : ` +
        `${(all.requests.total / all.duration).toFixed(0)} req/s   p50 ${all.latency.p50} ms   p99 ${all.latency.p99} ms   ` +
        `erreurs ${all.errors + all.non2xx}   (objectif p99 ≤ 50 ms ; charge ${os.loadavg()[0]?.toFixed(1)})`,
    );

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
    await minimal?.stop();
    await node?.stop();
    await pg.stop();
    await fs.rm(dir, { recursive: true, force: true });
  }
}

await main();
