// Server-side sessions in PostgreSQL. The cookie holds only a random id; the table holds its
// sha256. The session and its user are read from the database at every request (no rights or
// profile cached in the cookie), so a change or a sign-out is effective at once.
import crypto from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type QueryCreator, type Selectable, sql } from 'kysely';
import type { AppContext, Database, Db } from '../context.js';
import { prepareStatement } from '../platform/prepared.js';
import type { SecondFactor, UsersTable } from './tables.js';

export const SESSION_COOKIE = 'sid';
/** Anonymous browser id: binds pre-sign-in CSRF tokens and Pro Santé Connect sign-ins. */
export const BROWSER_COOKIE = 'dd_browser';

export const sha256 = (value: string): Buffer => crypto.hash('sha256', value, 'buffer');
export const randomToken = (bytes = 32) => crypto.randomBytes(bytes).toString('base64url');
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** The signed-in person's account row, as the session loads it (SignedInUser is what features see). */
export type AccountRow = Omit<
  Selectable<UsersTable>,
  | 'created_at'
  | 'updated_at'
  | 'totp_secret'
  | 'totp_last_step'
  | 'totp_created_at'
  | 'totp_pending_secret'
  | 'last_signin_method'
>;

/** What sessions need of the application: its configuration, database and clock. */
export type SessionDeps = Pick<AppContext, 'config' | 'db' | 'clock'>;

export interface LoadedSession {
  idHash: Buffer;
  userId: string;
  method: 'psc' | 'password';
  /** Password sessions: the second factor proved; null while it is awaited (no access yet). */
  secondFactor: SecondFactor | null;
  idToken: string | null;
  returnTo: string | null;
  /** Pro Santé Connect sign-ins: the eIDAS level accepted and the Palier_Authentification code. */
  acr: string | null;
  authLevel: string | null;
  user: AccountRow;
  /** The raw cookie value: the CSRF token is derived from it. */
  rawId: string;
}

export interface RequestIdentity {
  session?: LoadedSession;
  browserId?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    identity: RequestIdentity;
  }
}

export function cookieOptions(ctx: Pick<SessionDeps, 'config'>, maxAgeSeconds?: number) {
  return {
    path: '/',
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: ctx.config.publicUrl.startsWith('https:'),
    ...(maxAgeSeconds !== undefined ? { maxAge: maxAgeSeconds } : {}),
  };
}

export function readCookie(request: FastifyRequest, name: string): string | undefined {
  const value = request.cookies?.[name];
  return value && TOKEN.test(value) ? value : undefined;
}

/**
 * The session and its user, alive at `now` (absolute limit) and seen since `idleLimit`: one
 * indexed select, read at every request. Also a part of the dossier read's one statement
 * (dossiers/hot-read.ts), so that the session costs no round trip of its own there.
 */
export function sessionSelection(
  qc: QueryCreator<Database>,
  idHash: Buffer | unknown,
  now: Date | unknown,
  idleLimit: Date | unknown,
) {
  return qc
    .selectFrom('sessions as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .select([
      's.id_hash',
      's.method',
      's.id_token',
      's.return_to',
      's.acr',
      's.auth_level',
      's.second_factor',
      's.last_seen_at',
      'u.id',
      'u.subject_name_id',
      'u.family_name',
      'u.given_name',
      'u.card_type',
      'u.profession_code',
      'u.declared_profession',
      'u.declared_profession_other',
      'u.specialty_code',
      'u.specialty_label',
      'u.postal_code',
      'u.claims_email',
      'u.email',
      'u.email_verified_at',
      'u.password_hash',
      'u.charter_version',
      'u.charter_accepted_at',
      'u.first_signin_completed_at',
      'u.failed_password_attempts',
      'u.locked_until',
      'u.last_signin_at',
      'u.psc_places',
    ])
    .where('s.id_hash', '=', idHash as Buffer)
    .where('s.expires_at', '>', now as Date)
    .where('s.last_seen_at', '>', idleLimit as Date);
}

/** A row of sessionSelection(). */
export type SessionRow = Awaited<ReturnType<ReturnType<typeof sessionSelection>['executeTakeFirstOrThrow']>>;

/** Compiled once, prepared on each connection. */
const readSession = prepareStatement(
  'session_read',
  3,
  (db: Db, idHash: Buffer, now: Date, idleLimit: Date) => sessionSelection(db, idHash, now, idleLimit),
);

/** The oldest last activity a live session may have at `now`. */
export function idleLimitAt(ctx: Pick<SessionDeps, 'config'>, now: Date): Date {
  return new Date(now.getTime() - ctx.config.sessionIdleMinutes * 60_000);
}

/** Reads the session named by the cookie, if it is alive (idle and absolute limits). */
export async function loadSession(ctx: AppContext, rawId: string): Promise<LoadedSession | undefined> {
  const now = ctx.clock.now();
  const [row] = await readSession.run(ctx, sha256(rawId), now, idleLimitAt(ctx, now));
  return row ? sessionOfRow(ctx, row, rawId, now) : undefined;
}

/** The session a live row describes; its idle timeout slides (written at most once a minute). */
export async function sessionOfRow(
  ctx: Pick<SessionDeps, 'db'>,
  row: SessionRow,
  rawId: string,
  now: Date,
): Promise<LoadedSession> {
  if (now.getTime() - row.last_seen_at.getTime() > 60_000) {
    await ctx.db
      .updateTable('sessions')
      .set({ last_seen_at: now })
      .where('id_hash', '=', row.id_hash)
      .execute();
  }
  const {
    id_hash,
    method,
    id_token,
    return_to,
    acr,
    auth_level,
    second_factor,
    last_seen_at: _seen,
    ...user
  } = row;
  return {
    idHash: id_hash,
    userId: user.id,
    method,
    secondFactor: second_factor,
    idToken: id_token,
    returnTo: return_to,
    acr,
    authLevel: auth_level,
    user,
    rawId,
  };
}

/**
 * Starts a session for a user who just proved who they are, inside the caller's transaction;
 * returns its id, for setSessionCookie(). Always a new id (the one the browser came with, if
 * any, is deleted): a session id planted before sign-in is useless.
 */
export async function createSession(
  db: Db,
  ctx: SessionDeps,
  previous: LoadedSession | undefined,
  values: {
    userId: string;
    method: 'psc' | 'password';
    /** A password sign-in: the second factor just proved, or null when it is still awaited. */
    secondFactor?: SecondFactor | null;
    idToken?: string | null;
    returnTo?: string | null;
    /** What a Pro Santé Connect sign-in proved (see migrations/0013_psc_session.sql). */
    psc?: { sid: string | null; sub: string | null; acr: string; authLevel: string | null };
  },
): Promise<string> {
  const now = ctx.clock.now();
  const rawId = randomToken();
  if (previous) await db.deleteFrom('sessions').where('id_hash', '=', previous.idHash).execute();
  await db
    .insertInto('sessions')
    .values({
      id_hash: sha256(rawId),
      user_id: values.userId,
      method: values.method,
      second_factor: values.secondFactor ?? null,
      id_token: values.idToken ?? null,
      return_to: values.returnTo ?? null,
      psc_sid: values.psc?.sid ?? null,
      psc_sub: values.psc?.sub ?? null,
      acr: values.psc?.acr ?? null,
      auth_level: values.psc?.authLevel ?? null,
      created_at: now,
      last_seen_at: now,
      expires_at: new Date(now.getTime() + ctx.config.sessionAbsoluteHours * 3_600_000),
    })
    .execute();
  // Old sessions of anyone are swept here rather than by a job: cheap with the index.
  await db.deleteFrom('sessions').where('expires_at', '<', now).execute();
  await sql`delete from psc_transactions where expires_at < ${now}`.execute(db);
  return rawId;
}

export function setSessionCookie(ctx: Pick<SessionDeps, 'config'>, reply: FastifyReply, rawId: string) {
  reply.setCookie(SESSION_COOKIE, rawId, cookieOptions(ctx, ctx.config.sessionAbsoluteHours * 3600));
}

export async function endSession(ctx: SessionDeps, session: LoadedSession | undefined) {
  if (session) await ctx.db.deleteFrom('sessions').where('id_hash', '=', session.idHash).execute();
}

export function clearSessionCookie(ctx: Pick<SessionDeps, 'config'>, reply: FastifyReply) {
  reply.clearCookie(SESSION_COOKIE, cookieOptions(ctx));
}

/**
 * Back-channel logout: ends at once every session opened through the PSC session `sid` (of
 * the person `sub` when the token names both), or every PSC session of `sub` when only the
 * person is named. Returns how many ended.
 */
export async function endPscSessions(db: Db, target: { sid: string | null; sub: string | null }) {
  let query = db.deleteFrom('sessions').where('method', '=', 'psc');
  if (target.sid) {
    query = query.where('psc_sid', '=', target.sid);
    if (target.sub) query = query.where('psc_sub', '=', target.sub);
  } else if (target.sub) {
    query = query.where('psc_sub', '=', target.sub);
  } else {
    return 0;
  }
  const result = await query.executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** The HMAC key of each session secret, imported once (a process has one or two). */
const csrfKeys = new Map<string, crypto.KeyObject>();

/** The CSRF token: derived from the session id, or from the anonymous browser id. */
export function csrfTokenFor(secret: string, kind: 'session' | 'browser', rawId: string): string {
  let key = csrfKeys.get(secret);
  if (!key) {
    key = crypto.createSecretKey(Buffer.from(secret, 'utf8'));
    csrfKeys.set(secret, key);
  }
  return crypto.createHmac('sha256', key).update(`csrf:${kind}:${rawId}`).digest('base64url');
}

export function expectedCsrfToken(
  ctx: Pick<SessionDeps, 'config'>,
  identity: RequestIdentity,
): string | undefined {
  if (identity.session) return csrfTokenFor(ctx.config.sessionSecret, 'session', identity.session.rawId);
  if (identity.browserId) return csrfTokenFor(ctx.config.sessionSecret, 'browser', identity.browserId);
  return undefined;
}

export function sameToken(a: string, b: string): boolean {
  // The length of a token is no secret (43 characters): only equal lengths are compared, in constant time.
  if (Buffer.byteLength(a) !== Buffer.byteLength(b)) return false;
  return crypto.timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

/** Gives the browser its anonymous id when it has none yet. */
export function ensureBrowserId(
  ctx: Pick<SessionDeps, 'config'>,
  request: FastifyRequest,
  reply: FastifyReply,
): string {
  if (request.identity.browserId) return request.identity.browserId;
  const id = randomToken();
  reply.setCookie(BROWSER_COOKIE, id, cookieOptions(ctx, 365 * 24 * 3600));
  request.identity.browserId = id;
  return id;
}
