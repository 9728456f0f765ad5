// The hot path, GET /api/dossiers/:id, in one statement: the session and its user, the dossier
// with its requests, and the delegations between the doctor and the actor, for all the reads
// that reached the node in one turn of its event loop (HotReads); the caller's rate limit
// counted by the node's SharedCounter (no write on the request path far from the limit).
// Compiled once, prepared on each connection; every request reads everything afresh (no
// session, right or count kept between requests). A delegate's read then commits its journal
// entry (authorize(), group commit) before the answer. The decision is the usual one.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type RawBuilder, sql } from 'kysely';
import { DOSSIER_RATE_LIMIT, isUuid, resolveContext } from '../access/index.js';
import type { AppContext, Db } from '../context.js';
import { delegationsBetweenAsJson } from '../delegations/facts.js';
import {
  addressCaller,
  idleLimitAt,
  readCookie,
  requireUser,
  SESSION_COOKIE,
  type SessionRow,
  sessionCaller,
  sessionOfRow,
  sessionSelection,
  sha256,
} from '../identity/index.js';
import { unauthorized } from '../platform/errors.js';
import { prepareStatement } from '../platform/prepared.js';
import { answerCount, rateLimitKey, scaledMax, sharedCounter } from '../platform/rate-limit.js';
import {
  type DossierReadRow,
  type DossierService,
  ownerAsJson,
  type PersonNames,
  requestsAsJson,
  updaterAsJson,
} from './service.js';

/**
 * A person's names as a JSON column: the reader's own from the session row (the owner reading
 * his dossier: the same users row, in the same snapshot), else read by `names`.
 */
function namesOrReader(person: 'd.updated_by' | 'd.owner_id', names: RawBuilder<PersonNames>) {
  return sql<PersonNames>`case when ${sql.ref(person)} = s.id
    then json_build_object('given', s.given_name, 'family', s.family_name) else ${names} end`;
}

/**
 * The reads that reached the node in one turn of its event loop, in one statement: one row per
 * read (`read_index`, its place in the list), each with its own session, dossier and delegations.
 */
export const dossierReadStatement = prepareStatement(
  'dossier_read',
  3,
  (
    db: Db,
    /**
     * The reads, as JSON: `[{ h, r, d, i }]`, the session id's hash in hex, the doctor asked for
     * (onBehalfOf, else null: then the actor himself), the dossier (null when the id is no
     * uuid: no row then), the read's place. One parameter whose length PostgreSQL cannot see:
     * the plan is the same for any number of reads, made once (arrays would make it plan
     * again for each length).
     */
    reads: string,
    now: Date,
    idleLimit: Date,
  ) => {
    const delegator = sql`coalesce(r.requested, s.id)`;
    return (
      db
        .selectFrom(
          sql<{ i: number; id_hash: Buffer; requested: string | null; dossier_id: string | null }>`(
            select decode(u.h, 'hex') as id_hash, u.r as requested, u.d as dossier_id, u.i
            from jsonb_to_recordset(${reads}::jsonb) as u(h text, r uuid, d uuid, i int))`.as('r'),
        )
        // One row per read whether or not its session is alive (then its columns are null).
        // Each read's session and dossier by their keys. `limit 1` (the keys are unique: no
        // change of meaning) keeps each subquery apart, so that PostgreSQL looks them up by
        // their index, read by read, instead of joining every live session.
        .leftJoinLateral(
          sessionSelection(db, sql.ref('r.id_hash'), now, idleLimit).limit(sql.lit(1)).as('s'),
          (join) => join.onTrue(),
        )
        .leftJoinLateral(
          db
            .selectFrom('dossiers')
            .selectAll()
            .where(sql<boolean>`dossiers.id = r.dossier_id and s.id is not null`)
            .limit(sql.lit(1))
            .as('d'),
          (join) => join.onTrue(),
        )
        .select('r.i as read_index')
        .selectAll('s')
        .select([
          'd.id as dossier_id',
          'd.owner_id',
          'd.reference',
          'd.patient_family_name',
          'd.patient_given_name',
          'd.patient_birth_date',
          'd.patient_sex',
          'd.administrative',
          'd.medical',
          'd.version',
          'd.created_by',
          'd.updated_by',
          'd.created_at as dossier_created_at',
          'd.updated_at as dossier_updated_at',
          requestsAsJson.as('requests'),
          namesOrReader('d.updated_by', updaterAsJson).as('updater'),
          namesOrReader('d.owner_id', ownerAsJson).as('owner'),
          // Acting for oneself: no delegation is looked at (as delegationsForAsJson()).
          sql<DossierReadRow['delegations']>`case when d.id is null or ${delegator} = s.id then '[]'::json
            else ${delegationsBetweenAsJson(delegator, sql.ref('s.subject_name_id'))} end`.as('delegations'),
        ])
    );
  },
);

type HotRow = Awaited<ReturnType<typeof dossierReadStatement.run>>[number];

interface PendingRead {
  idHash: Buffer;
  requested: string | null;
  dossierId: string | null;
  resolve: (row: HotRow) => void;
  reject: (err: unknown) => void;
}

/**
 * From this many reads in one turn, two statements share them: two PostgreSQL backends work
 * side by side (a lone statement runs its reads one after the other on one core).
 */
const SPLIT_FROM = 4;

/**
 * Gathers the dossier reads that arrive in one turn of the event loop and sends them when the
 * turn ends (setImmediate), in one statement (two from SPLIT_FROM): one round trip and one plan
 * run for many reads instead of one each (bench/README.md: bench:load 0.09–0.105 → 0.16–0.18).
 * A read is never added to a statement already sent, so every read is answered from a
 * statement that began after its request arrived: nothing is kept between turns (no session,
 * right or row), and a deletion is seen by every read that starts after its commit.
 */
class HotReads {
  private pending: PendingRead[] = [];
  constructor(private readonly ctx: AppContext) {}

  read(idHash: Buffer, requested: string | null, dossierId: string | null): Promise<HotRow> {
    return new Promise((resolve, reject) => {
      if (this.pending.push({ idHash, requested, dossierId, resolve, reject }) === 1) {
        setImmediate(this.send);
      }
    });
  }

  private readonly send = () => {
    const reads = this.pending;
    this.pending = [];
    const parts = reads.length >= SPLIT_FROM ? 2 : 1;
    const size = Math.ceil(reads.length / parts);
    for (let i = 0; i < reads.length; i += size) this.sendPart(reads.slice(i, i + size));
  };

  private sendPart(reads: PendingRead[]): void {
    const now = this.ctx.clock.now();
    const json = JSON.stringify(
      reads.map((r, i) => ({ h: r.idHash.toString('hex'), r: r.requested, d: r.dossierId, i: i + 1 })),
    );
    dossierReadStatement.run(this.ctx, json, now, idleLimitAt(this.ctx, now)).then(
      (rows) => {
        // One row per read (left joins on to-one relations): anything else is a bug, and then
        // no read is answered from this statement.
        if (rows.length !== reads.length) {
          const error = new Error(`dossier_read: ${rows.length} rows for ${reads.length} reads`);
          for (const r of reads) r.reject(error);
          return;
        }
        for (const row of rows) reads[Number(row.read_index) - 1]?.resolve(row);
      },
      (err: unknown) => {
        for (const r of reads) r.reject(err);
      },
    );
  }
}

const hotReads = new WeakMap<AppContext['pool'], HotReads>();

/** The node's gatherer of dossier reads on this database (one per pool). */
function hotReadsOf(ctx: AppContext): HotReads {
  let h = hotReads.get(ctx.pool);
  if (!h) {
    h = new HotReads(ctx);
    hotReads.set(ctx.pool, h);
  }
  return h;
}

function dossierOf(row: HotRow): DossierReadRow | undefined {
  if (row.dossier_id === null) return undefined;
  return {
    id: row.dossier_id,
    owner_id: row.owner_id as string,
    reference: row.reference as string,
    patient_family_name: row.patient_family_name as string,
    patient_given_name: row.patient_given_name as string,
    patient_birth_date: row.patient_birth_date as string,
    patient_sex: row.patient_sex as 'F' | 'M',
    administrative: row.administrative as DossierReadRow['administrative'],
    medical: row.medical as DossierReadRow['medical'],
    version: row.version as number,
    created_by: row.created_by as string,
    updated_by: row.updated_by as string,
    created_at: row.dossier_created_at as Date,
    updated_at: row.dossier_updated_at as Date,
    requests: row.requests,
    delegations: row.delegations,
    updater: row.updater,
    owner: row.owner,
  };
}

/**
 * GET /api/dossiers/:id. The route is declared with `sessionInRoute` (the identity hook leaves
 * the session to it) and without the rate-limit hook (counted here, in the same budget).
 */
export async function readDossier(
  ctx: AppContext,
  service: DossierService,
  request: FastifyRequest,
  reply: FastifyReply,
  input: { id: string; onBehalfOf: string | undefined },
) {
  const max = scaledMax(ctx.config, DOSSIER_RATE_LIMIT.max);
  const windowMs = DOSSIER_RATE_LIMIT.windowMs;
  const counter = sharedCounter(ctx.pool);
  const rawId = readCookie(request, SESSION_COOKIE);
  const address = () => rateLimitKey(DOSSIER_RATE_LIMIT.name, addressCaller(request.ip));
  if (!rawId) {
    // Nobody signed in: counted by address, then 401.
    answerCount(reply, max, await counter.hit(address(), max, windowMs));
    throw unauthorized();
  }
  const now = ctx.clock.now();
  const idHash = sha256(rawId);
  const requested = input.onBehalfOf !== undefined && isUuid(input.onBehalfOf) ? input.onBehalfOf : null;
  const found = await hotReadsOf(ctx).read(idHash, requested, isUuid(input.id) ? input.id : null);
  // The session's counter when the session is alive, else the address's: as the
  // @fastify/rate-limit hook counts on the other routes of the budget.
  const key =
    found.id_hash !== null ? rateLimitKey(DOSSIER_RATE_LIMIT.name, sessionCaller(idHash)) : address();
  answerCount(reply, max, await counter.hit(key, max, windowMs));
  if (found.id_hash !== null) {
    request.identity.session = await sessionOfRow(ctx, found as SessionRow, rawId, now);
  }
  const user = requireUser(request);
  if (requested === null && (input.onBehalfOf !== undefined || !user.isDoctor)) {
    // Not the common case: a context to resolve (refused, or the delegate's only doctor), then
    // the dossier read again for it.
    const onBehalfOfId = await resolveContext(ctx.db, ctx.clock, user, input.onBehalfOf);
    return service.get(user, onBehalfOfId, input.id);
  }
  return service.answerRead(user, requested ?? user.id, dossierOf(found));
}
