// `npm run bench:access`: 100,000 doctors, 500,000 delegations (10% deleted, varied periods),
// 1,000,000 dossiers. autocannon on GET /api/dossiers/:id as a staff delegate (decision,
// delegation lookup, journal write) and as the owner doctor, in the same run, against the real
// server process (production mode, DATABASE_URL); then p50/p99 of the decision alone.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { sql } from 'kysely';
import { decide, delegationsBetween, toDecisionDelegation } from '../src/server/access/index.js';
import { CURRENT_CHARTER } from '../src/server/identity/charter/index.js';
import { SESSION_COOKIE, sha256 } from '../src/server/identity/sessions.js';
import { createDb, createPool, ensureDatabase, migrate } from '../src/server/platform/database.js';
import { freePort, startEmbeddedPostgres } from '../src/server/platform/embedded-postgres.js';
import { ROOT } from '../src/server/platform/web-build.js';
import { waitForReady } from '../test/helpers/server.js';

const DOCTORS = Number(process.env.BENCH_DOCTORS ?? 100_000);
const STAFF = Math.round(DOCTORS / 2);
const DELEGATIONS = Number(process.env.BENCH_DELEGATIONS ?? 500_000);
const DOSSIERS = Number(process.env.BENCH_DOSSIERS ?? 1_000_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
const ms = (v: number) => `${v.toFixed(3)} ms`;

async function main() {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'dd-bench-access-'));
  const pg = await startEmbeddedPostgres({
    dir: path.join(dir, 'pg'),
    settings: { shared_buffers: '512MB' },
  });
  let server: ReturnType<typeof spawn> | undefined;
  try {
    const url = await ensureDatabase(pg.url, 'bench');
    const pool = createPool(url, 8);
    const db = createDb(pool);
    await migrate(db, pool);

    const t = Date.now();
    console.log(
      `données : ${DOCTORS} médecins, ${STAFF} personnels, ${DELEGATIONS} délégations, ${DOSSIERS} dossiers…`,
    );
    // Doctors 8 + 11 digits; staff CPA identities. One statement each: generate_series.
    await sql`insert into users (subject_name_id, family_name, given_name, card_type, profession_code, email,
        email_verified_at, charter_version, charter_accepted_at, first_signin_completed_at)
      select '8' || lpad(g::text, 11, '0'), 'MEDECIN' || g, 'Prénom', 'CPS', '10', 'dr' || g || '@bench.fr',
        now(), ${CURRENT_CHARTER.version}, now(), now()
      from generate_series(1, ${DOCTORS}) g`.execute(db);
    await sql`insert into users (subject_name_id, family_name, given_name, card_type, profession_code, email,
        email_verified_at, charter_version, charter_accepted_at, first_signin_completed_at, declared_profession)
      select '4' || lpad(g::text, 9, '0') || '/CPAT' || g, 'PERSONNEL' || g, 'Prénom', 'CPA', null, 'st' || g || '@bench.fr',
        now(), ${CURRENT_CHARTER.version}, now(), now(), 'secretaire'
      from generate_series(1, ${STAFF}) g`.execute(db);
    await sql`create temp table doc as select row_number() over () as n, id, subject_name_id from users where profession_code = '10'`.execute(
      db,
    );
    await sql`create temp table st as select row_number() over () as n, id, subject_name_id from users where profession_code is null`.execute(
      db,
    );
    // Delegations: 70% staff, 30% peer; periods from 400 days ago to 400 days ahead; 10% deleted.
    await sql`insert into delegations (delegator_id, kind, delegate_family_name, delegate_given_name, delegate_email,
        delegate_national_id, rights, starts_on, ends_on, accepted_at, deleted_at, created_at)
      select d.id, k.kind, 'X', 'Y', 'x@bench.fr',
        case when k.kind = 'peer' then p.subject_name_id else s.subject_name_id end,
        case when k.kind = 'peer' then array['consulter','gerer','volet_medical','envoyer']
             when g % 4 = 0 then array['consulter'] when g % 4 = 1 then array['consulter','gerer']
             when g % 4 = 2 then array['consulter','volet_medical'] else array['consulter','envoyer'] end,
        current_date + ((g * 7919) % 800 - 400), current_date + ((g * 7919) % 800 - 400) + (g % 365),
        now(), case when g % 10 = 0 then now() else null end, now()
      from generate_series(1, ${DELEGATIONS}) g
      cross join lateral (select case when g % 10 < 7 then 'staff' else 'peer' end as kind) k
      join doc d on d.n = 1 + (g * 31) % ${DOCTORS}
      join st s on s.n = 1 + (g * 17) % ${STAFF}
      join doc p on p.n = 1 + (g * 13 + 1) % ${DOCTORS}
      where p.id <> d.id`.execute(db);
    await sql`insert into dossiers (owner_id, reference, patient_family_name, patient_given_name, patient_birth_date,
        patient_sex, administrative, medical, created_by, updated_by)
      select d.id, 'GA-B-' || g, 'PATIENT' || g, 'Prénom', date '1930-01-01' + (g % 10000), case when g % 2 = 0 then 'F' else 'M' end,
        '{"address":"1 rue de la Paix, 69003 Lyon","phone":"04 78 00 00 00"}', '{"pathologies":"Démence","gir":3}', d.id, d.id
      from generate_series(1, ${DOSSIERS}) g join doc d on d.n = 1 + g % ${DOCTORS}`.execute(db);
    await sql`analyze`.execute(db);
    console.log(`données générées en ${((Date.now() - t) / 1000).toFixed(1)} s`);

    // The measured pair: doctor n°1 and a staff member with an active consulter+gerer delegation.
    const owner = await db
      .selectFrom('users')
      .select(['id'])
      .where('subject_name_id', '=', `8${'1'.padStart(11, '0')}`)
      .executeTakeFirstOrThrow();
    const delegate =
      (await db
        .selectFrom('users')
        .select(['id', 'subject_name_id'])
        .where('subject_name_id', '=', `4${'999999999'}/CPATBENCH`)
        .executeTakeFirst()) ??
      (await db
        .insertInto('users')
        .values({
          subject_name_id: '4999999999/CPATBENCH',
          family_name: 'DURAND',
          given_name: 'Sophie',
          card_type: 'CPA',
          email: 'bench@bench.fr',
          charter_version: CURRENT_CHARTER.version,
          first_signin_completed_at: new Date(),
          charter_accepted_at: new Date(),
        } as never)
        .returning(['id', 'subject_name_id'])
        .executeTakeFirstOrThrow());
    await db
      .insertInto('delegations')
      .values({
        delegator_id: owner.id,
        kind: 'staff',
        delegate_family_name: 'DURAND',
        delegate_given_name: 'Sophie',
        delegate_email: 'bench@bench.fr',
        delegate_national_id: delegate.subject_name_id,
        rights: ['consulter', 'gerer'],
        starts_on: '2020-01-01',
        ends_on: null,
        accepted_at: new Date(),
      })
      .execute();
    const dossierIds = (
      await db.selectFrom('dossiers').select('id').where('owner_id', '=', owner.id).execute()
    ).map((r) => r.id);

    const secret = crypto.randomBytes(32).toString('base64url');
    const session = async (userId: string) => {
      const raw = crypto.randomBytes(32).toString('base64url');
      await db
        .insertInto('sessions')
        .values({
          id_hash: sha256(raw),
          user_id: userId,
          method: 'psc',
          id_token: null,
          return_to: null,
          created_at: new Date(),
          last_seen_at: new Date(),
          expires_at: new Date(Date.now() + 8 * 3600_000),
        })
        .execute();
      return `${SESSION_COOKIE}=${raw}`;
    };
    const ownerCookie = await session(owner.id);
    const delegateCookie = await session(delegate.id);

    // The real server, production mode.
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    server = spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts'], {
      cwd: ROOT,
      env: {
        ...process.env,
        DATABASE_URL: url,
        DEMO: 'false',
        PORT: String(port),
        PUBLIC_URL: base,
        SESSION_SECRET: secret,
        SMTP_URL: 'smtp://127.0.0.1:9',
        LOG_LEVEL: 'warn',
        SKIP_WEB_BUILD: 'true',
        DATABASE_POOL_SIZE: '20',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    await waitForReady(base, 60_000, server);

    const run = (cookie: string, query: string, duration: number) =>
      new Promise<autocannon.Result>((resolve, reject) => {
        let i = 0;
        autocannon(
          {
            url: base,
            connections: CONNECTIONS,
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
    const probes: [string, string, string][] = [
      ['owner', ownerCookie, ''],
      ['delegate', delegateCookie, `?onBehalfOf=${owner.id}`],
    ];
    for (const [who, cookie, query] of probes) {
      const probe = await fetch(`${base}/api/dossiers/${dossierIds[0]}${query}`, { headers: { cookie } });
      if (probe.status !== 200) throw new Error(`${who}: ${probe.status} ${await probe.text()}`);
    }
    const journalBefore =
      (await sql<{ n: number }>`select count(*)::int as n from journal_entries`.execute(db)).rows[0]?.n ?? 0;
    await run(ownerCookie, '', 3);
    await run(delegateCookie, `?onBehalfOf=${owner.id}`, 3);
    const ownerRes = await run(ownerCookie, '', SECONDS);
    const delegateRes = await run(delegateCookie, `?onBehalfOf=${owner.id}`, SECONDS);
    const journalAfter =
      (await sql<{ n: number }>`select count(*)::int as n from journal_entries`.execute(db)).rows[0]?.n ?? 0;
    for (const [label, r] of [
      ['médecin (propriétaire)', ownerRes],
      ['délégataire (secrétaire)', delegateRes],
    ] as const) {
      console.log(
        `${label.padEnd(26)} ${r.requests.average.toFixed(0).padStart(6)} req/s   p50 ${r.latency.p50} ms   p99 ${r.latency.p99} ms   erreurs ${r.errors + r.non2xx}`,
      );
    }
    const ratio = delegateRes.requests.average / ownerRes.requests.average;
    console.log(`débit délégataire / médecin : ${ratio.toFixed(2)} (objectif ≥ 0,70)`);
    console.log(
      `entrées de journal écrites pendant les mesures délégataire : ${journalAfter - journalBefore}`,
    );

    // The decision alone: lookup of the delegations between a random pair, then decide().
    const pairs = await sql<{ delegator_id: string; delegate_national_id: string; id: string }>`
      select delegator_id, delegate_national_id, u.id from delegations d join users u on u.subject_name_id = d.delegate_national_id
      order by random() limit 2000`.execute(db);
    const withLookup: number[] = [];
    const pure: number[] = [];
    const now = new Date();
    for (let round = 0; round < 5; round++) {
      for (const p of pairs.rows) {
        const t0 = performance.now();
        const rows = await delegationsBetween(db, p.delegator_id, p.delegate_national_id);
        const t1 = performance.now();
        const delegations = rows.map(toDecisionDelegation);
        decide({
          actor: { id: p.id, isDoctor: false },
          onBehalfOfId: p.delegator_id,
          action: 'read',
          dossierOwnerId: p.delegator_id,
          delegations,
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
      `decide (pure)                 p50 ${ms(pct(pure, 50))}   p99 ${ms(pct(pure, 99))}   (${pure.length} décisions)`,
    );
    console.log(
      `decide + lecture délégations  p50 ${ms(pct(withLookup, 50))}   p99 ${ms(pct(withLookup, 99))}   (objectif p99 ≤ 1 ms)`,
    );
    await db.destroy();
  } finally {
    server?.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 500));
    await pg.stop();
    await fs.rm(dir, { recursive: true, force: true });
  }
}

await main();
