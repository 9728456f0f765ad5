// Second-factor use cases: enrolment (passkey or TOTP app, with 10 recovery codes), proof after
// a right password, the factors of « Mon compte », and the reset a delegating doctor asks for.
// Each use case writes in one transaction; WebAuthn and TOTP checks happen before it or under
// the account's row lock. Wrong second factors count on the account's lockout (passwords.ts)
// and on a rate limit shared by every node.
import {
  type AuthenticationResponseJSON,
  generateAuthenticationOptions,
  generateRegistrationOptions,
  type RegistrationResponseJSON,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';
import { type Kysely, sql } from 'kysely';
import QRCode from 'qrcode';
import type { SecondFactorState } from '../../shared/second-factor.js';
import type { AppContext, Database } from '../context.js';
import { DomainError } from '../platform/errors.js';
import { hitRateLimit, rateLimited, scaledMax } from '../platform/rate-limit.js';
import type { SessionStrength } from '../platform/signed-in-user.js';
import { throttleState } from './passwords.js';
import {
  acceptedTotpStep,
  afterSecondFactorFailure,
  decryptSecret,
  encryptSecret,
  newRecoveryCodes,
  newTotpSecret,
  recoveryCodeHash,
  relyingParty,
  totpAvailable,
  totpFor,
} from './second-factor.js';
import type { LoadedSession } from './sessions.js';
import type { SecondFactor } from './tables.js';

export type MfaDeps = Pick<AppContext, 'config' | 'db' | 'clock' | 'pool'>;
type Tx = Kysely<Database>;

/** Wrong second factors per account and 15 minutes, all nodes together (the lockout comes first). */
export const SECOND_FACTOR_LIMIT = 20;
const CHALLENGE_MINUTES = 5;

export class SecondFactorLocked extends DomainError {
  constructor(readonly retryAfterSeconds: number) {
    super(
      'second_factor_locked',
      'Trop de tentatives infructueuses : la connexion par mot de passe est bloquée pendant 15 minutes. Vous pouvez vous connecter avec Pro Santé Connect.',
      429,
    );
  }
}

const wrongCode = () =>
  new DomainError(
    'second_factor_invalid',
    'Code incorrect ou déjà utilisé. Saisissez le code affiché maintenant.',
    401,
  );
const wrongPasskey = () =>
  new DomainError('passkey_invalid', 'La clé d’accès n’a pas pu être vérifiée. Veuillez réessayer.', 401);
const nothingPending = () =>
  new DomainError(
    'second_factor_not_pending',
    'Aucune connexion n’attend de second facteur : connectez-vous d’abord avec votre mot de passe.',
    409,
  );

/** The person's factors, for the page that asks for one or enrols one and for « Mon compte ». */
export async function secondFactorState(deps: MfaDeps, session: LoadedSession): Promise<SecondFactorState> {
  const { db } = deps;
  const [user, passkeys, recovery] = await Promise.all([
    db
      .selectFrom('users')
      .select(['totp_secret', 'totp_created_at'])
      .where('id', '=', session.userId)
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('passkeys')
      .select(['id', 'name', 'created_at', 'last_used_at'])
      .where('user_id', '=', session.userId)
      .orderBy('created_at')
      .execute(),
    db
      .selectFrom('recovery_codes')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('user_id', '=', session.userId)
      .where('used_at', 'is', null)
      .executeTakeFirstOrThrow(),
  ]);
  return {
    pending: session.method === 'password' && session.secondFactor === null,
    strength:
      session.method === 'psc' ? 'psc' : session.secondFactor ? `password+${session.secondFactor}` : null,
    totp: user.totp_secret !== null ? { createdAt: user.totp_created_at?.toISOString() ?? null } : null,
    passkeys: passkeys.map((p) => ({
      id: p.id,
      name: p.name,
      createdAt: p.created_at.toISOString(),
      lastUsedAt: p.last_used_at?.toISOString() ?? null,
    })),
    recoveryCodesLeft: Number(recovery.n),
    totpAvailable: totpAvailable(deps.config),
  };
}

async function hasFactor(db: Tx, userId: string): Promise<boolean> {
  const row = await db
    .selectFrom('users')
    .select((eb) => [
      'totp_secret',
      eb.exists(eb.selectFrom('passkeys').select('id').where('user_id', '=', userId)).as('has_passkey'),
    ])
    .where('id', '=', userId)
    .executeTakeFirstOrThrow();
  return row.totp_secret !== null || Boolean(row.has_passkey);
}

/**
 * Who may enrol a factor: a strong session (Pro Santé Connect, or password + a factor), or a
 * password session of an account that has none yet (an account from before 2026, or one whose
 * factor the delegating doctor reset): it enrols one before anything else.
 */
async function assertMayEnrol(deps: MfaDeps, session: LoadedSession): Promise<void> {
  if (session.method === 'psc' || session.secondFactor !== null) return;
  if (await hasFactor(deps.db, session.userId)) {
    throw new DomainError(
      'second_factor_required',
      'Confirmez d’abord votre connexion avec votre second facteur.',
      403,
    );
  }
}

/** Marks the session strong and the sign-in done: the lockout counter starts again. */
async function completeSignIn(trx: Tx, deps: MfaDeps, session: LoadedSession, factor: SecondFactor) {
  const now = deps.clock.now();
  await trx
    .updateTable('sessions')
    .set({ second_factor: factor, webauthn_challenge: null })
    .where('id_hash', '=', session.idHash)
    .execute();
  await trx
    .updateTable('users')
    .set({
      failed_password_attempts: 0,
      locked_until: null,
      last_signin_at: now,
      last_signin_method: `password+${factor}` satisfies SessionStrength,
    })
    .where('id', '=', session.userId)
    .execute();
}

/** Ten new recovery codes (the old ones go); returned once, stored hashed. */
async function replaceRecoveryCodes(trx: Tx, userId: string, now: Date): Promise<string[]> {
  const codes = newRecoveryCodes();
  await trx.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
  await trx
    .insertInto('recovery_codes')
    .values(codes.map((c) => ({ user_id: userId, code_hash: recoveryCodeHash(c), created_at: now })))
    .execute();
  return codes;
}

/** After a factor is enrolled: recovery codes if the person has none left, and a waiting session completed. */
async function afterEnrolment(trx: Tx, deps: MfaDeps, session: LoadedSession, factor: SecondFactor) {
  const now = deps.clock.now();
  const left = await trx
    .selectFrom('recovery_codes')
    .select('code_hash')
    .where('user_id', '=', session.userId)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  const recoveryCodes = left ? null : await replaceRecoveryCodes(trx, session.userId, now);
  if (session.method === 'password' && session.secondFactor === null)
    await completeSignIn(trx, deps, session, factor);
  return { recoveryCodes };
}

// ---- TOTP --------------------------------------------------------------------------------

const totpUnavailable = () =>
  new DomainError(
    'totp_unavailable',
    'L’application d’authentification n’est pas disponible sur ce service : enregistrez une clé d’accès.',
    409,
  );

export async function startTotpEnrolment(deps: MfaDeps, session: LoadedSession) {
  if (!totpAvailable(deps.config)) throw totpUnavailable();
  await assertMayEnrol(deps, session);
  const u = session.user;
  const current = await deps.db
    .selectFrom('users')
    .select('totp_secret')
    .where('id', '=', u.id)
    .executeTakeFirstOrThrow();
  if (current.totp_secret !== null) {
    throw new DomainError(
      'totp_exists',
      'Une application d’authentification est déjà enregistrée pour votre compte.',
      409,
    );
  }
  const secret = newTotpSecret();
  await deps.db
    .updateTable('users')
    .set({ totp_pending_secret: encryptSecret(deps.config, u.id, secret) })
    .where('id', '=', u.id)
    .execute();
  const uri = totpFor(secret, u.email ?? `${u.given_name} ${u.family_name}`).toString();
  const qrSvg = await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return { secret: secret.replace(/(.{4})/g, '$1 ').trim(), uri, qrSvg };
}

export async function confirmTotpEnrolment(deps: MfaDeps, session: LoadedSession, code: string) {
  await assertMayEnrol(deps, session);
  await countAttempt(deps, session.userId);
  const now = deps.clock.now();
  return deps.db.transaction().execute(async (trx) => {
    const u = await trx
      .selectFrom('users')
      .select(['totp_pending_secret', 'totp_secret'])
      .where('id', '=', session.userId)
      .forUpdate()
      .executeTakeFirstOrThrow();
    if (!u.totp_pending_secret || u.totp_secret) {
      throw new DomainError(
        'totp_not_started',
        'Recommencez l’enregistrement de l’application d’authentification.',
        409,
      );
    }
    const secret = decryptSecret(deps.config, session.userId, u.totp_pending_secret);
    const step = acceptedTotpStep(secret, code, now, null);
    if (step === null) throw wrongCode();
    await trx
      .updateTable('users')
      .set({
        totp_secret: u.totp_pending_secret,
        totp_pending_secret: null,
        totp_last_step: step,
        totp_created_at: now,
      })
      .where('id', '=', session.userId)
      .execute();
    return afterEnrolment(trx, deps, session, 'totp');
  });
}

/**
 * Counts one attempt on the shared rate limit (all nodes), then reserves it on the account's
 * lockout under its row lock, before the code is checked: parallel guesses each count, and the
 * fifth locks the account. A right code then clears the count (completeSignIn).
 */
async function reserveSecondFactorAttempt(deps: MfaDeps, session: LoadedSession): Promise<void> {
  if (session.method !== 'password' || session.secondFactor !== null) throw nothingPending();
  await countAttempt(deps, session.userId);
  const now = deps.clock.now();
  const state = await deps.db.transaction().execute(async (trx) => {
    const u = await trx
      .selectFrom('users')
      .select(['failed_password_attempts', 'locked_until'])
      .where('id', '=', session.userId)
      .forUpdate()
      .executeTakeFirstOrThrow();
    const s = throttleState({ failures: u.failed_password_attempts, lockedUntil: u.locked_until }, now);
    if (!s.allowed) return s;
    const next = afterSecondFactorFailure(u.failed_password_attempts, u.locked_until, now);
    await trx
      .updateTable('users')
      .set({ failed_password_attempts: next.failures, locked_until: next.lockedUntil })
      .where('id', '=', session.userId)
      .execute();
    return s;
  });
  if (!state.allowed) throw new SecondFactorLocked(state.retryAfterSeconds);
}

async function countAttempt(deps: MfaDeps, userId: string) {
  const count = await hitRateLimit(deps.pool, 'second-factor', userId, 15 * 60_000);
  if (count.hits > scaledMax(deps.config, SECOND_FACTOR_LIMIT)) {
    throw rateLimited(Math.max(1, Math.ceil(count.resetsInMs / 1000)));
  }
}

export async function verifyTotp(deps: MfaDeps, session: LoadedSession, code: string): Promise<void> {
  await reserveSecondFactorAttempt(deps, session);
  const now = deps.clock.now();
  await deps.db.transaction().execute(async (trx) => {
    const u = await trx
      .selectFrom('users')
      .select(['totp_secret', 'totp_last_step'])
      .where('id', '=', session.userId)
      .forUpdate()
      .executeTakeFirstOrThrow();
    if (!u.totp_secret) throw wrongCode();
    const last = u.totp_last_step === null ? null : Number(u.totp_last_step);
    const step = acceptedTotpStep(decryptSecret(deps.config, session.userId, u.totp_secret), code, now, last);
    if (step === null) throw wrongCode();
    await trx.updateTable('users').set({ totp_last_step: step }).where('id', '=', session.userId).execute();
    await completeSignIn(trx, deps, session, 'totp');
  });
}

export async function verifyRecoveryCode(deps: MfaDeps, session: LoadedSession, code: string): Promise<void> {
  await reserveSecondFactorAttempt(deps, session);
  const now = deps.clock.now();
  await deps.db.transaction().execute(async (trx) => {
    const used = await trx
      .updateTable('recovery_codes')
      .set({ used_at: now })
      .where('user_id', '=', session.userId)
      .where('code_hash', '=', recoveryCodeHash(code))
      .where('used_at', 'is', null)
      .returning('code_hash')
      .executeTakeFirst();
    if (!used) {
      throw new DomainError(
        'recovery_code_invalid',
        'Ce code de secours est incorrect ou a déjà été utilisé.',
        401,
      );
    }
    await completeSignIn(trx, deps, session, 'recovery');
  });
}

// ---- Passkeys (WebAuthn) -----------------------------------------------------------------

async function keepChallenge(deps: MfaDeps, session: LoadedSession, challenge: string) {
  const expires = deps.clock.now().getTime() + CHALLENGE_MINUTES * 60_000;
  await deps.db
    .updateTable('sessions')
    .set({ webauthn_challenge: `${expires}.${challenge}` })
    .where('id_hash', '=', session.idHash)
    .execute();
}

async function challengeOf(deps: MfaDeps, session: LoadedSession): Promise<string | undefined> {
  // Taken (single use) whatever happens next: the old value is returned, null is left.
  const { rows } = await sql<{ challenge: string | null }>`update sessions s set webauthn_challenge = null
    from (select id_hash, webauthn_challenge from sessions where id_hash = ${session.idHash} for update) old
    where s.id_hash = old.id_hash returning old.webauthn_challenge as challenge`.execute(deps.db);
  const row = rows[0];
  const value = row?.challenge;
  if (!value) return undefined;
  const dot = value.indexOf('.');
  if (Number(value.slice(0, dot)) < deps.clock.now().getTime()) return undefined;
  return value.slice(dot + 1);
}

export async function passkeyRegistrationOptions(deps: MfaDeps, session: LoadedSession) {
  await assertMayEnrol(deps, session);
  const rp = relyingParty(deps.config);
  const u = session.user;
  const existing = await deps.db
    .selectFrom('passkeys')
    .select(['credential_id', 'transports'])
    .where('user_id', '=', u.id)
    .execute();
  const options = await generateRegistrationOptions({
    rpName: rp.name,
    rpID: rp.id,
    userName: u.email ?? u.subject_name_id,
    userID: new TextEncoder().encode(u.id),
    userDisplayName: `${u.given_name} ${u.family_name}`,
    attestationType: 'none',
    excludeCredentials: existing.map((p) => ({ id: p.credential_id, transports: p.transports })),
    authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
  });
  await keepChallenge(deps, session, options.challenge);
  return options;
}

export async function finishPasskeyRegistration(
  deps: MfaDeps,
  session: LoadedSession,
  input: { response: RegistrationResponseJSON; name: string },
) {
  await assertMayEnrol(deps, session);
  const challenge = await challengeOf(deps, session);
  if (!challenge) throw wrongPasskey();
  const rp = relyingParty(deps.config);
  let verified: Awaited<ReturnType<typeof verifyRegistrationResponse>>;
  try {
    verified = await verifyRegistrationResponse({
      response: input.response,
      expectedChallenge: challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      requireUserVerification: true,
    });
  } catch {
    throw wrongPasskey();
  }
  if (!verified.verified) throw wrongPasskey();
  const { credential } = verified.registrationInfo;
  const now = deps.clock.now();
  return deps.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('passkeys')
      .values({
        user_id: session.userId,
        credential_id: credential.id,
        public_key: Buffer.from(credential.publicKey),
        counter: credential.counter,
        transports: credential.transports ?? [],
        name: input.name,
        created_at: now,
      })
      .execute();
    return afterEnrolment(trx, deps, session, 'passkey');
  });
}

export async function passkeyAuthenticationOptions(deps: MfaDeps, session: LoadedSession) {
  if (session.method !== 'password' || session.secondFactor !== null) throw nothingPending();
  const passkeys = await deps.db
    .selectFrom('passkeys')
    .select(['credential_id', 'transports'])
    .where('user_id', '=', session.userId)
    .execute();
  const options = await generateAuthenticationOptions({
    rpID: relyingParty(deps.config).id,
    allowCredentials: passkeys.map((p) => ({ id: p.credential_id, transports: p.transports as never })),
    userVerification: 'required',
  });
  await keepChallenge(deps, session, options.challenge);
  return options;
}

/**
 * Checks an assertion against this person's passkey: the challenge given to this session, the
 * origin and RP ID of PUBLIC_URL, user verification, and the signature counter (a counter that
 * does not grow means a cloned authenticator: refused).
 */
export async function verifyPasskey(
  deps: MfaDeps,
  session: LoadedSession,
  response: AuthenticationResponseJSON,
) {
  await reserveSecondFactorAttempt(deps, session);
  const challenge = await challengeOf(deps, session);
  if (!challenge) throw wrongPasskey();
  const passkey = await deps.db
    .selectFrom('passkeys')
    .selectAll()
    .where('user_id', '=', session.userId)
    .where('credential_id', '=', String(response.id))
    .executeTakeFirst();
  if (!passkey) throw wrongPasskey();
  const rp = relyingParty(deps.config);
  let result: Awaited<ReturnType<typeof verifyAuthenticationResponse>>;
  try {
    result = await verifyAuthenticationResponse({
      response,
      expectedChallenge: challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      credential: {
        id: passkey.credential_id,
        publicKey: new Uint8Array(passkey.public_key),
        counter: Number(passkey.counter),
        transports: passkey.transports,
      },
      requireUserVerification: true,
    });
  } catch {
    throw wrongPasskey();
  }
  if (!result.verified) throw wrongPasskey();
  const now = deps.clock.now();
  const newCounter = result.authenticationInfo.newCounter;
  await deps.db.transaction().execute(async (trx) => {
    // The counter only grows: compared again under the row's lock (two assertions in parallel).
    const updated = await trx
      .updateTable('passkeys')
      .set({ counter: newCounter, last_used_at: now })
      .where('id', '=', passkey.id)
      .where(sql<boolean>`(counter < ${newCounter} or (counter = 0 and ${newCounter}::bigint = 0))`)
      .returning('id')
      .executeTakeFirst();
    if (!updated) throw wrongPasskey();
    await completeSignIn(trx, deps, session, 'passkey');
  });
}

/** « Mon compte »: removes one of the person's passkeys, never their last factor. */
export async function removePasskey(deps: MfaDeps, session: LoadedSession, passkeyId: string) {
  await deps.db.transaction().execute(async (trx) => {
    const u = await trx
      .selectFrom('users')
      .select('totp_secret')
      .where('id', '=', session.userId)
      .forUpdate()
      .executeTakeFirstOrThrow();
    const passkeys = await trx
      .selectFrom('passkeys')
      .select('id')
      .where('user_id', '=', session.userId)
      .execute();
    if (!passkeys.some((p) => p.id === passkeyId)) {
      throw new DomainError(
        'passkey_not_found',
        'Cette clé d’accès n’existe pas ou a déjà été supprimée.',
        404,
      );
    }
    if (passkeys.length === 1 && u.totp_secret === null) {
      throw new DomainError(
        'last_factor',
        'C’est votre seul second facteur : enregistrez d’abord une autre clé d’accès ou une application d’authentification avant de supprimer celle-ci.',
        409,
      );
    }
    await trx
      .deleteFrom('passkeys')
      .where('id', '=', passkeyId)
      .where('user_id', '=', session.userId)
      .execute();
  });
}

/**
 * The reset a delegating doctor asks for (delegations/second-factor-reset.ts), inside the
 * caller's transaction: every factor and recovery code goes, and every password session ends.
 * The person enrols a new factor at the next sign-in with the password (or with PSC).
 */
export async function resetSecondFactors(trx: Tx, userId: string): Promise<void> {
  await trx.deleteFrom('passkeys').where('user_id', '=', userId).execute();
  await trx.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
  await trx
    .updateTable('users')
    .set({ totp_secret: null, totp_pending_secret: null, totp_last_step: null, totp_created_at: null })
    .where('id', '=', userId)
    .execute();
  await trx.deleteFrom('sessions').where('user_id', '=', userId).where('method', '=', 'password').execute();
}
