// Identity use cases: sign-in with Pro Santé Connect (start, callback), sign-in by password,
// sign-out, and the account ones (first sign-in, notification address). No HTTP here: the routes
// read the request, call one method, and set the cookies. Each use case writes in one
// transaction; slow or remote work (a password hash, a call to Pro Santé Connect) happens
// before it, so that no row lock waits on it.

import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import type { FastifyBaseLogger } from 'fastify';
import * as oidc from 'openid-client';
import { type FirstSignIn, safeReturnTo } from '../../shared/identity.js';
import type { AppContext } from '../context.js';
import { DomainError } from '../platform/errors.js';
import {
  type AccountDeps,
  changeEmail,
  completeFirstSignIn,
  confirmEmail,
  firstSignInComplete,
  firstSignInInfo,
  upsertFromPsc,
} from './accounts.js';
import { ClaimsError, identityFromUserinfo } from './claims.js';
import * as mfa from './mfa.js';
import { afterFailure, throttleState, verifyPassword } from './passwords.js';
import { type PscClient, PscRefused } from './psc-client.js';
import { createSession, endSession, type LoadedSession, sha256 } from './sessions.js';

const TRANSACTION_MINUTES = 10;
/** Where a right password leads: the second factor (or its enrolment), before anything else. */
export const SECOND_FACTOR_PAGE = '/connexion/second-facteur';

/** What identity needs: the account dependencies and the application's Pro Santé Connect client. */
export type IdentityDeps = AccountDeps &
  Pick<AppContext, 'pool'> & {
    /** Undefined when sign-in with Pro Santé Connect is not configured. */
    psc: PscClient | undefined;
  };

/** What the identity feature needs: the platform's context and the identity service. */
export type IdentityContext = AppContext & { identity: IdentityService; psc: PscClient | undefined };

/** Pro Santé Connect could not be reached to start a sign-in. */
export class PscUnreachable extends Error {
  override name = 'PscUnreachable';
  constructor(readonly causeType: string) {
    super('Pro Santé Connect unreachable');
  }
}

/** Too many failed password attempts: the answer carries a Retry-After. */
export class PasswordThrottled extends DomainError {
  constructor(
    readonly retryAfterSeconds: number,
    locked: boolean,
  ) {
    super(
      locked ? 'password_locked' : 'password_throttled',
      locked
        ? 'Trop de tentatives infructueuses : la connexion par mot de passe est bloquée pendant 15 minutes. Vous pouvez vous connecter avec Pro Santé Connect.'
        : `Trop de tentatives : veuillez patienter ${retryAfterSeconds} seconde${retryAfterSeconds > 1 ? 's' : ''} avant de réessayer.`,
      429,
    );
  }
}

/** A session just created: its raw id goes into the cookie, the browser goes to redirectTo. */
export interface SignedIn {
  userId: string;
  sessionId: string;
  redirectTo: string;
}

/** Why a Pro Santé Connect callback did not sign anyone in (the code of /connexion?erreur=). */
export type PscFailure = 'indisponible' | 'etat' | 'annulee' | 'echec' | 'niveau' | 'emetteur' | 'profil';

type Log = Pick<FastifyBaseLogger, 'info' | 'warn'>;

export class IdentityService {
  constructor(private readonly deps: IdentityDeps) {}

  get pscAvailable(): boolean {
    return this.deps.psc !== undefined;
  }

  /**
   * Step 1 of Pro Santé Connect: the provider's authorization URL, and the transaction (state,
   * nonce, PKCE verifier) kept for the callback, bound to this browser. Throws PscUnreachable.
   */
  async startPscSignIn(browserId: string, returnTo: string | undefined): Promise<URL> {
    const psc = this.deps.psc;
    if (!psc) throw new PscUnreachable('PscNotConfigured');
    const now = this.deps.clock.now();
    const checks = {
      state: oidc.randomState(),
      nonce: oidc.randomNonce(),
      codeVerifier: oidc.randomPKCECodeVerifier(),
    };
    let url: URL;
    try {
      url = await psc.authorizationUrl(checks);
    } catch (err) {
      throw new PscUnreachable((err as Error).name);
    }
    await this.deps.db
      .insertInto('psc_transactions')
      .values({
        state: checks.state,
        browser_hash: sha256(browserId),
        nonce: checks.nonce,
        code_verifier: checks.codeVerifier,
        return_to: returnTo ?? null,
        created_at: now,
        expires_at: new Date(now.getTime() + TRANSACTION_MINUTES * 60_000),
      })
      .execute();
    return url;
  }

  /**
   * Step 2: the provider's callback. The transaction is consumed first (single use, bound to
   * this browser: a replayed or forged callback finds nothing), then the code is exchanged with
   * the provider, then the account and the new session are written in one transaction.
   */
  async finishPscSignIn(
    callback: {
      url: URL;
      state: string | undefined;
      error: string | undefined;
      browserId: string | undefined;
      previous: LoadedSession | undefined;
    },
    log: Log,
  ): Promise<SignedIn | { failure: PscFailure }> {
    const { db, clock } = this.deps;
    const psc = this.deps.psc;
    if (!psc) return { failure: 'indisponible' };
    const now = clock.now();
    if (!callback.state || !callback.browserId) return { failure: 'etat' };
    const tx = await db
      .deleteFrom('psc_transactions')
      .where('state', '=', callback.state)
      .where('browser_hash', '=', sha256(callback.browserId))
      .returningAll()
      .executeTakeFirst();
    if (!tx || tx.expires_at.getTime() <= now.getTime()) return { failure: 'etat' };
    if (callback.error) return { failure: callback.error === 'access_denied' ? 'annulee' : 'echec' };

    let result: Awaited<ReturnType<PscClient['finish']>>;
    let identity: ReturnType<typeof identityFromUserinfo>;
    try {
      result = await psc.finish(callback.url, {
        state: tx.state,
        nonce: tx.nonce,
        codeVerifier: tx.code_verifier,
      });
      identity = identityFromUserinfo(result.userinfo);
    } catch (err) {
      const e = err as { name?: string; code?: string; error?: string };
      // Codes only: an OAuth error body or a claim could carry personal data.
      const reason = err instanceof PscRefused || err instanceof ClaimsError ? err.reason : undefined;
      log.warn({ err: { type: e.name, code: e.code, error: e.error }, reason }, 'connexion PSC refusée');
      if (err instanceof PscRefused) return { failure: err.signInError };
      if (err instanceof ClaimsError) return { failure: 'profil' };
      return { failure: 'echec' };
    }

    const { user, sessionId } = await db.transaction().execute(async (trx) => {
      const u = await upsertFromPsc(trx, identity, now);
      await trx.updateTable('users').set({ last_signin_method: 'psc' }).where('id', '=', u.id).execute();
      const id = await createSession(trx, this.deps, callback.previous, {
        userId: u.id,
        method: 'psc',
        idToken: result.idToken,
        returnTo: tx.return_to,
        psc: { sid: result.pscSid, sub: result.pscSub, acr: result.acr, authLevel: identity.authLevel },
      });
      return { user: u, sessionId: id };
    });
    log.info({ userId: user.id, method: 'psc' }, 'connexion');
    return {
      userId: user.id,
      sessionId,
      redirectTo: firstSignInComplete(user)
        ? (safeReturnTo(tx.return_to, this.deps.config.publicUrl) ?? '/')
        : '/premiere-connexion',
    };
  }

  /**
   * Sign-in by password (identifier: the account's email). The same checks, delays and answers
   * for an unknown identifier as for a wrong password; increasing delays then a 15-minute lockout.
   * The hash is checked before any write; the failure count and the lockout are then written
   * together, under the account's row lock, so that parallel attempts each count.
   */
  async passwordSignIn(
    input: { identifier: string; password: string; previous: LoadedSession | undefined },
    log: Log,
  ): Promise<SignedIn> {
    const { db, clock } = this.deps;
    if (!this.deps.config.passwordLogin) {
      throw new DomainError(
        'password_login_disabled',
        'La connexion par mot de passe n’est pas disponible : connectez-vous avec Pro Santé Connect.',
        404,
      );
    }
    const identifier = input.identifier.trim().toLowerCase();
    const now = clock.now();
    const wrong = () => new DomainError('invalid_credentials', 'Identifiant ou mot de passe incorrect.', 401);
    const throttled = (s: { locked: boolean; retryAfterSeconds: number }) =>
      new PasswordThrottled(s.retryAfterSeconds, s.locked);

    const user = await db
      .selectFrom('users')
      .select([
        'id',
        'password_hash',
        'failed_password_attempts',
        'locked_until',
        'first_signin_completed_at',
        'charter_version',
      ])
      .where((eb) => eb(eb.fn('lower', ['email']), '=', identifier))
      // Only a confirmed address identifies an account (an unconfirmed one may be a squatter's).
      .where('email_verified_at', 'is not', null)
      .where('password_hash', 'is not', null)
      .executeTakeFirst();

    // The attempt is reserved before the password is checked: counted as a failure, with its
    // delay or lockout, in one transaction under a row lock. Parallel guesses therefore queue on
    // that lock and find the delay set by the one before: a burst verifies one guess, not twenty.
    // A right password then clears the count it reserved.
    if (!user) {
      // Unknown identifier: the same checks, the same delays and the same answers.
      const key = sha256(`password:${identifier}`);
      const reserved = await db.transaction().execute(async (trx) => {
        await trx
          .insertInto('password_throttle')
          .values({ identifier_hash: key, failed_attempts: 0, locked_until: null, updated_at: now })
          .onConflict((oc) => oc.column('identifier_hash').doNothing())
          .execute();
        const row = await trx
          .selectFrom('password_throttle')
          .select(['failed_attempts', 'locked_until'])
          .where('identifier_hash', '=', key)
          .forUpdate()
          .executeTakeFirstOrThrow();
        const state = throttleState({ failures: row.failed_attempts, lockedUntil: row.locked_until }, now);
        if (!state.allowed) return state;
        const next = afterFailure(row.failed_attempts, now);
        await trx
          .updateTable('password_throttle')
          .set({ failed_attempts: next.failures, locked_until: next.lockedUntil, updated_at: now })
          .where('identifier_hash', '=', key)
          .execute();
        return state;
      });
      if (!reserved.allowed) throw throttled(reserved);
      await verifyPassword(null, input.password);
      throw wrong();
    }

    const reserved = await db.transaction().execute(async (trx) => {
      const current = await trx
        .selectFrom('users')
        .select(['failed_password_attempts', 'locked_until'])
        .where('id', '=', user.id)
        .forUpdate()
        .executeTakeFirstOrThrow();
      const state = throttleState(
        { failures: current.failed_password_attempts, lockedUntil: current.locked_until },
        now,
      );
      if (!state.allowed) return state;
      const next = afterFailure(current.failed_password_attempts, now);
      await trx
        .updateTable('users')
        .set({ failed_password_attempts: next.failures, locked_until: next.lockedUntil })
        .where('id', '=', user.id)
        .execute();
      return { ...state, failures: next.failures };
    });
    if (!reserved.allowed) throw throttled(reserved);
    const ok = await verifyPassword(user.password_hash, input.password);
    if (!ok) {
      log.info({ userId: user.id, failures: reserved.failures }, 'mot de passe refusé');
      throw wrong();
    }
    // A right password opens a session that can only prove (or, with none yet, enrol) a second
    // factor: nothing else is reachable with it. The failure it reserved is given back, but the
    // count is not cleared: only the second factor clears it, so that guessing the second factor
    // after a right password still counts towards the lockout.
    const sessionId = await db.transaction().execute(async (trx) => {
      await trx
        .updateTable('users')
        .set({ failed_password_attempts: Math.max(0, reserved.failures - 1), locked_until: null })
        .where('id', '=', user.id)
        .execute();
      return createSession(trx, this.deps, input.previous, {
        userId: user.id,
        method: 'password',
        secondFactor: null,
      });
    });
    log.info({ userId: user.id, method: 'password' }, 'mot de passe accepté, second facteur attendu');
    return { userId: user.id, sessionId, redirectTo: SECOND_FACTOR_PAGE };
  }

  /** Ends the local session; returns where the browser goes next (PSC's sign-out for a PSC session). */
  async signOut(session: LoadedSession | undefined): Promise<{ redirectTo: string }> {
    await endSession(this.deps, session);
    const psc = this.deps.psc;
    const redirectTo =
      session?.method === 'psc' && psc ? ((await psc.endSessionUrl(session.idToken)) ?? '/') : '/';
    return { redirectTo };
  }

  firstSignInInfo(session: LoadedSession) {
    return firstSignInInfo(this.deps, session.user, session.returnTo);
  }

  completeFirstSignIn(session: LoadedSession, input: FirstSignIn) {
    return completeFirstSignIn(this.deps, session.user, session.idHash, session.returnTo, input);
  }

  secondFactorState(session: LoadedSession) {
    return mfa.secondFactorState(this.deps, session);
  }

  startTotpEnrolment(session: LoadedSession) {
    return mfa.startTotpEnrolment(this.deps, session);
  }

  confirmTotpEnrolment(session: LoadedSession, code: string) {
    return mfa.confirmTotpEnrolment(this.deps, session, code);
  }

  verifyTotp(session: LoadedSession, code: string) {
    return mfa.verifyTotp(this.deps, session, code);
  }

  verifyRecoveryCode(session: LoadedSession, code: string) {
    return mfa.verifyRecoveryCode(this.deps, session, code);
  }

  passkeyRegistrationOptions(session: LoadedSession) {
    return mfa.passkeyRegistrationOptions(this.deps, session);
  }

  finishPasskeyRegistration(
    session: LoadedSession,
    input: { response: RegistrationResponseJSON; name: string },
  ) {
    return mfa.finishPasskeyRegistration(this.deps, session, input);
  }

  passkeyAuthenticationOptions(session: LoadedSession) {
    return mfa.passkeyAuthenticationOptions(this.deps, session);
  }

  verifyPasskey(session: LoadedSession, response: AuthenticationResponseJSON) {
    return mfa.verifyPasskey(this.deps, session, response);
  }

  removePasskey(session: LoadedSession, passkeyId: string) {
    return mfa.removePasskey(this.deps, session, passkeyId);
  }

  changeEmail(userId: string, email: string) {
    return changeEmail(this.deps, userId, email);
  }

  confirmEmail(token: string) {
    return confirmEmail(this.deps, token);
  }
}
