// What a benchmark needs around the real server: an embedded PostgreSQL with a generated data
// set (doctors, staff, delegations, dossiers; one statement each with generate_series), signed-in
// sessions written as the identity feature writes them, and application nodes started as
// `npm start` runs them in production (DATABASE_URL, DEMO=false).

import { type ChildProcess, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import os from 'node:os';
import { sql } from 'kysely';
import type { Database, Db } from '../../src/server/context.js';
import { CURRENT_CHARTER } from '../../src/server/identity/charter/index.js';
import { SESSION_COOKIE, sha256 } from '../../src/server/identity/sessions.js';
import { createDb, createPool, ensureDatabase, migrate } from '../../src/server/platform/database.js';
import { freePort } from '../../src/server/platform/embedded-postgres.js';
import { ROOT } from '../../src/server/platform/web-build.js';
import { waitForReady } from '../../test/helpers/server.js';

export interface DataSetSize {
  doctors: number;
  staff: number;
  delegations: number;
  dossiers: number;
}

/**
 * Doctors (8 + 11 digits), staff (CPA identities), delegations (70% staff, 30% peer; periods
 * from 400 days ago to 400 days ahead; 10% deleted) and dossiers spread over the doctors.
 */
export async function generateData(db: Db, size: DataSetSize): Promise<void> {
  const { doctors, staff, delegations, dossiers } = size;
  await sql`insert into users (subject_name_id, family_name, given_name, card_type, profession_code, email,
      email_verified_at, charter_version, charter_accepted_at, first_signin_completed_at)
    select '8' || lpad(g::text, 11, '0'), 'MEDECIN' || g, 'Prénom', 'CPS', '10', 'dr' || g || '@bench.fr',
      now(), ${CURRENT_CHARTER.version}, now(), now()
    from generate_series(1, ${doctors}) g`.execute(db);
  await sql`insert into users (subject_name_id, family_name, given_name, card_type, profession_code, email,
      email_verified_at, charter_version, charter_accepted_at, first_signin_completed_at, declared_profession)
    select '4' || lpad(g::text, 9, '0') || '/CPAT' || g, 'PERSONNEL' || g, 'Prénom', 'CPA', null, 'st' || g || '@bench.fr',
      now(), ${CURRENT_CHARTER.version}, now(), now(), 'secretaire'
    from generate_series(1, ${staff}) g`.execute(db);
  await sql`create temp table doc as select row_number() over () as n, id, subject_name_id from users where profession_code = '10'`.execute(
    db,
  );
  await sql`create temp table st as select row_number() over () as n, id, subject_name_id from users where profession_code is null`.execute(
    db,
  );
  await sql`insert into delegations (delegator_id, kind, delegate_family_name, delegate_given_name, delegate_email,
      delegate_national_id, rights, starts_on, ends_on, accepted_at, deleted_at, created_at)
    select d.id, k.kind, 'X', 'Y', 'x@bench.fr',
      case when k.kind = 'peer' then p.subject_name_id else s.subject_name_id end,
      case when k.kind = 'peer' then array['consulter','gerer','volet_medical','envoyer']
           when g % 4 = 0 then array['consulter'] when g % 4 = 1 then array['consulter','gerer']
           when g % 4 = 2 then array['consulter','volet_medical'] else array['consulter','envoyer'] end,
      current_date + ((g * 7919) % 800 - 400)::int, current_date + ((g * 7919) % 800 - 400 + g % 365)::int,
      now(), case when g % 10 = 0 then now() else null end, now()
    from generate_series(1::bigint, ${delegations}::bigint) g
    cross join lateral (select case when g % 10 < 7 then 'staff' else 'peer' end as kind) k
    join doc d on d.n = 1 + (g * 31) % ${doctors}
    join st s on s.n = 1 + (g * 17) % ${staff}
    join doc p on p.n = 1 + (g * 13 + 1) % ${doctors}
    where p.id <> d.id`.execute(db);
  await sql`insert into dossiers (owner_id, reference, patient_family_name, patient_given_name, patient_birth_date,
      patient_sex, administrative, medical, created_by, updated_by)
    select d.id, 'GA-B-' || g, 'PATIENT' || g, 'Prénom', date '1930-01-01' + (g % 10000)::int, case when g % 2 = 0 then 'F' else 'M' end,
      '{"address":"1 rue de la Paix, 69003 Lyon","phone":"04 78 00 00 00"}', '{"pathologies":"Démence","gir":3}', d.id, d.id
    from generate_series(1, ${dossiers}) g join doc d on d.n = 1 + g % ${doctors}`.execute(db);
  await sql`drop table doc`.execute(db);
  await sql`drop table st`.execute(db);
  // As a table long in service is: statistics, visibility map and frozen rows done now, not by
  // the autovacuum of a fresh bulk load running under the measurements.
  await sql`vacuum (analyze)`.execute(db);
}

/** A migrated database named "bench" on the given server, filled with generateData(). */
export async function prepareBenchDatabase(
  serverUrl: string,
  size: DataSetSize,
): Promise<{ url: string; db: Db }> {
  const url = await ensureDatabase(serverUrl, 'bench');
  const pool = createPool(url, 4);
  const db = createDb<Database>(pool);
  await migrate(db, pool);
  const t = Date.now();
  console.log(
    `données : ${size.doctors} médecins, ${size.staff} personnels, ${size.delegations} délégations, ${size.dossiers} dossiers…`,
  );
  await generateData(db, size);
  console.log(`données générées en ${((Date.now() - t) / 1000).toFixed(1)} s`);
  return { url, db };
}

/** A signed-in session (the row the identity feature writes at sign-in); returns the cookie. */
export async function sessionCookie(db: Db, userId: string): Promise<string> {
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
}

export interface BenchNode {
  url: string;
  child: ChildProcess;
  /** Lines the process wrote on stdout (its log), when started with `countLogLines`. */
  logLines(): number;
  stop(): Promise<void>;
}

/**
 * An application node in production mode; stderr goes to the terminal. Without `logLevel` the
 * production default applies. With `countLogLines`, stdout is a pipe read as a log collector
 * would (lines counted); otherwise it is discarded. `nodeArgs` go before the entry point
 * (e.g. `--cpu-prof`).
 */
export async function startBenchNode(env: {
  databaseUrl: string;
  sessionSecret: string;
  poolSize?: number;
  logLevel?: string;
  countLogLines?: boolean;
  nodeArgs?: string[];
  /**
   * Another checkout of the application (e.g. an earlier commit, to compare); by default
   * BENCH_PRODUCT_ROOT when set, else this one.
   */
  root?: string;
}): Promise<BenchNode> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const { LOG_LEVEL: _inherited, ...inherited } = process.env;
  const child = spawn(process.execPath, [...(env.nodeArgs ?? []), '--import', 'tsx', 'src/server/main.ts'], {
    cwd: env.root ?? process.env.BENCH_PRODUCT_ROOT ?? ROOT,
    env: {
      ...inherited,
      DATABASE_URL: env.databaseUrl,
      DEMO: 'false',
      PORT: String(port),
      PUBLIC_URL: url,
      SESSION_SECRET: env.sessionSecret,
      // Nothing is sent during a read benchmark; a closed port keeps it that way.
      SMTP_URL: 'smtp://127.0.0.1:9',
      ...(env.logLevel ? { LOG_LEVEL: env.logLevel } : {}),
      SKIP_WEB_BUILD: 'true',
      DATABASE_POOL_SIZE: String(env.poolSize ?? 20),
      // A benchmark reads as fast as it can from a few sessions: the limits stay counted (their
      // cost is measured) but far above what it sends.
      RATE_LIMIT_FACTOR: '1000000',
    },
    stdio: ['ignore', env.countLogLines ? 'pipe' : 'ignore', 'inherit'],
  });
  let lines = 0;
  child.stdout?.on('data', (chunk: Buffer) => {
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  await waitForReady(url, 120_000, child);
  return {
    url,
    child,
    logLines: () => lines,
    async stop() {
      if (child.exitCode === null) child.kill('SIGINT');
      await exited;
    },
  };
}

/** The hand-written Fastify + `pg` service of bench/lib/minimal-service.ts, as its own process. */
export async function startMinimalService(env: {
  databaseUrl: string;
  poolSize?: number;
}): Promise<BenchNode> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/lib/minimal-service.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: env.databaseUrl,
      PORT: String(port),
      DATABASE_POOL_SIZE: String(env.poolSize ?? 20),
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const until = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`service minimal arrêté (code ${child.exitCode})`);
    if ((await fetch(`${url}/health`).catch(() => undefined))?.ok) break;
    if (Date.now() > until) throw new Error('service minimal : pas prêt après 60 s');
    await new Promise((r) => setTimeout(r, 150));
  }
  return {
    url,
    child,
    logLines: () => 0,
    async stop() {
      if (child.exitCode === null) child.kill('SIGINT');
      await exited;
    },
  };
}

export function machine(): string {
  const gib = (os.totalmem() / 1024 ** 3).toFixed(0);
  const load = os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(', ');
  return `${os.cpus().length} cœurs, ${gib} Gio, charge moyenne ${load}`;
}

/** The owner doctor, a secretary with an active consulter + gerer delegation, the owner's dossiers. */
export async function benchActors(db: Db, tag: string) {
  const owner = await db
    .selectFrom('users')
    .select(['id'])
    .where('subject_name_id', '=', `8${'1'.padStart(11, '0')}`)
    .executeTakeFirstOrThrow();
  const delegate = await db
    .insertInto('users')
    .values({
      subject_name_id: `4999999999/CPAT${tag}`,
      family_name: 'DURAND',
      given_name: 'Sophie',
      card_type: 'CPA',
      email: `${tag.toLowerCase()}@bench.fr`,
      charter_version: CURRENT_CHARTER.version,
      charter_accepted_at: new Date(),
      first_signin_completed_at: new Date(),
    } as never)
    .returning(['id', 'subject_name_id'])
    .executeTakeFirstOrThrow();
  await db
    .insertInto('delegations')
    .values({
      delegator_id: owner.id,
      kind: 'staff',
      delegate_family_name: 'DURAND',
      delegate_given_name: 'Sophie',
      delegate_email: `${tag.toLowerCase()}@bench.fr`,
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
  return {
    owner: owner.id,
    delegate: delegate.id,
    dossierIds,
    ownerCookie: await sessionCookie(db, owner.id),
    delegateCookie: await sessionCookie(db, delegate.id),
  };
}
