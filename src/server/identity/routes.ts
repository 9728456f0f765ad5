// HTTP routes of identity: Pro Santé Connect sign-in (browser navigations under /auth), the
// JSON API under /api (session, me, password sign-in, sign-out, first sign-in, account).
import rateLimit from '@fastify/rate-limit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import * as oidc from 'openid-client';
import { z } from 'zod';
import {
  emailChangeResultSchema,
  emailChangeSchema,
  emailConfirmResultSchema,
  emailConfirmSchema,
  firstSignInInfoSchema,
  firstSignInResultSchema,
  firstSignInSchema,
  meSchema,
  passwordSignInSchema,
  redirectSchema,
  safeReturnTo,
  sessionInfoSchema,
} from '../../shared/identity.js';
import type { AppContext } from '../app.js';
import { DomainError, unauthorized } from '../platform/errors.js';
import type { App } from '../platform/http.js';
import {
  changeEmail,
  completeFirstSignIn,
  confirmEmail,
  firstSignInComplete,
  firstSignInInfo,
  toMe,
  upsertFromPsc,
} from './accounts.js';
import { ClaimsError, identityFromUserinfo } from './claims.js';
import { afterFailure, throttleState, verifyPassword } from './passwords.js';
import { AcrRefused, PscClient, pscSettings } from './psc-client.js';
import {
  BROWSER_COOKIE,
  createSession,
  endSession,
  ensureBrowserId,
  expectedCsrfToken,
  type LoadedSession,
  readCookie,
  sha256,
} from './sessions.js';

const TRANSACTION_MINUTES = 10;

const errorBody = z.object({
  code: z.string(),
  message: z.string(),
  fields: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  requestId: z.string().optional(),
});
const errors = { 400: errorBody, 401: errorBody, 403: errorBody, 409: errorBody, 429: errorBody };

const clients = new WeakMap<AppContext, PscClient | null>();
export function pscClientOf(ctx: AppContext): PscClient | undefined {
  if (!clients.has(ctx)) {
    const settings = pscSettings(ctx);
    clients.set(ctx, settings ? new PscClient(settings) : null);
  }
  return clients.get(ctx) ?? undefined;
}

export function signedIn(request: FastifyRequest): LoadedSession {
  const session = request.identity?.session;
  if (!session) throw unauthorized();
  return session;
}

const signInRedirect = (reply: FastifyReply, code: string) =>
  reply.redirect(`/connexion?erreur=${code}`, 302);

export function identityRoutes(app: App, ctx: AppContext) {
  const { config, db } = ctx;
  // Per address and route, against spraying; a guessed password is stopped per identifier by
  // the delays and the lockout, whatever the address.
  const limits = {
    signIn: { max: 30, timeWindow: '1 minute' },
    password: { max: 60, timeWindow: '1 minute' },
    form: { max: 60, timeWindow: '1 minute' },
  };

  return app.register(async (plugin) => {
    await plugin.register(rateLimit, { global: false });
    const scope = plugin.withTypeProvider<ZodTypeProvider>();

    // ---- Pro Santé Connect: browser navigations ------------------------------------------
    scope.get(
      '/auth/psc/start',
      {
        config: { rateLimit: limits.signIn },
        schema: {
          summary: 'Commencer la connexion avec Pro Santé Connect (redirection)',
          tags: ['Identité'],
          querystring: z.object({ returnTo: z.string().max(500).optional() }),
        },
      },
      async (request, reply) => {
        const psc = pscClientOf(ctx);
        if (!psc) return signInRedirect(reply, 'indisponible');
        const browserId = ensureBrowserId(ctx, request, reply);
        const now = ctx.clock.now();
        const checks = {
          state: oidc.randomState(),
          nonce: oidc.randomNonce(),
          codeVerifier: oidc.randomPKCECodeVerifier(),
        };
        let url: URL;
        try {
          url = await psc.authorizationUrl(checks);
        } catch (err) {
          request.log.warn({ err: { type: (err as Error).name } }, 'Pro Santé Connect injoignable');
          return signInRedirect(reply, 'indisponible');
        }
        await db
          .insertInto('psc_transactions')
          .values({
            state: checks.state,
            browser_hash: sha256(browserId),
            nonce: checks.nonce,
            code_verifier: checks.codeVerifier,
            return_to: safeReturnTo(request.query.returnTo, config.publicUrl) ?? null,
            created_at: now,
            expires_at: new Date(now.getTime() + TRANSACTION_MINUTES * 60_000),
          })
          .execute();
        return reply.redirect(url.toString(), 302);
      },
    );

    scope.get(
      '/auth/psc/callback',
      {
        config: { rateLimit: limits.signIn },
        schema: {
          summary: 'Retour de Pro Santé Connect (redirection)',
          tags: ['Identité'],
          querystring: z.object({
            code: z.string().max(2000).optional(),
            state: z.string().max(200).optional(),
            iss: z.string().max(500).optional(),
            session_state: z.string().max(500).optional(),
            error: z.string().max(200).optional(),
            error_description: z.string().max(2000).optional(),
          }),
        },
      },
      async (request, reply) => {
        const psc = pscClientOf(ctx);
        if (!psc) return signInRedirect(reply, 'indisponible');
        const { state, error } = request.query;
        const browserId = readCookie(request, BROWSER_COOKIE);
        const now = ctx.clock.now();
        if (!state || !browserId) return signInRedirect(reply, 'etat');
        // Single use, bound to this browser: a replayed or forged callback finds nothing.
        const tx = await db
          .deleteFrom('psc_transactions')
          .where('state', '=', state)
          .where('browser_hash', '=', sha256(browserId))
          .returningAll()
          .executeTakeFirst();
        if (!tx || tx.expires_at.getTime() <= now.getTime()) return signInRedirect(reply, 'etat');
        if (error) return signInRedirect(reply, error === 'access_denied' ? 'annulee' : 'echec');

        let result: Awaited<ReturnType<PscClient['finish']>>;
        let identity: ReturnType<typeof identityFromUserinfo>;
        try {
          result = await psc.finish(new URL(request.url, config.publicUrl), {
            state: tx.state,
            nonce: tx.nonce,
            codeVerifier: tx.code_verifier,
          });
          identity = identityFromUserinfo(result.userinfo);
        } catch (err) {
          const e = err as { name?: string; code?: string; error?: string };
          // Codes only: an OAuth error body or a claim could carry personal data.
          request.log.warn({ err: { type: e.name, code: e.code, error: e.error } }, 'connexion PSC refusée');
          if (err instanceof AcrRefused) return signInRedirect(reply, 'niveau');
          if (err instanceof ClaimsError) return signInRedirect(reply, 'echec');
          return signInRedirect(reply, 'echec');
        }

        const user = await db.transaction().execute(async (trx) => {
          const u = await upsertFromPsc(trx, identity, now);
          await createSession(trx, ctx, reply, request.identity.session, {
            userId: u.id,
            method: 'psc',
            idToken: result.idToken,
            returnTo: tx.return_to,
          });
          return u;
        });
        request.log.info({ userId: user.id, method: 'psc' }, 'connexion');
        if (!firstSignInComplete(user)) return reply.redirect('/premiere-connexion', 302);
        return reply.redirect(safeReturnTo(tx.return_to, config.publicUrl) ?? '/', 302);
      },
    );

    // ---- JSON API ------------------------------------------------------------------------
    scope.get(
      '/api/session',
      {
        schema: {
          summary: 'Session courante et jeton CSRF',
          description:
            'Renvoie l’utilisateur connecté (ou null) et le jeton CSRF à renvoyer dans l’en-tête x-csrf-token de toute requête POST, PUT, PATCH ou DELETE.',
          tags: ['Identité'],
          response: { 200: sessionInfoSchema },
        },
      },
      async (request, reply) => {
        if (!request.identity.session) ensureBrowserId(ctx, request, reply);
        return {
          user: request.identity.session ? toMe(request.identity.session.user) : null,
          csrfToken: expectedCsrfToken(ctx, request.identity) as string,
          passwordLogin: config.passwordLogin,
          pscAvailable: pscClientOf(ctx) !== undefined,
          demo: config.demo,
        };
      },
    );

    scope.get(
      '/api/me',
      {
        schema: {
          summary: 'L’utilisateur connecté',
          tags: ['Identité'],
          security: [{ session: [] }],
          response: { 200: meSchema, 401: errorBody },
        },
      },
      async (request) => toMe(signedIn(request).user),
    );

    scope.post(
      '/api/auth/password',
      {
        config: { rateLimit: limits.password },
        schema: {
          summary: 'Se connecter avec son mot de passe',
          description:
            'Pour les comptes qui ont choisi un mot de passe à la première connexion. Identifiant : l’adresse électronique du compte. Une réponse identique pour un compte inconnu et un mauvais mot de passe ; délai croissant puis blocage de 15 minutes après 5 échecs.',
          tags: ['Identité'],
          security: [{ csrf: [] }],
          body: passwordSignInSchema,
          response: { 200: redirectSchema, ...errors, 404: errorBody },
        },
      },
      async (request, reply) => {
        if (!config.passwordLogin) {
          throw new DomainError(
            'password_login_disabled',
            'La connexion par mot de passe n’est pas disponible : connectez-vous avec Pro Santé Connect.',
            404,
          );
        }
        const identifier = request.body.identifier.trim().toLowerCase();
        const now = ctx.clock.now();
        const wrong = () =>
          new DomainError('invalid_credentials', 'Identifiant ou mot de passe incorrect.', 401);
        const throttled = (s: { locked: boolean; retryAfterSeconds: number }) => {
          reply.header('retry-after', String(s.retryAfterSeconds));
          return s.locked
            ? new DomainError(
                'password_locked',
                'Trop de tentatives infructueuses : la connexion par mot de passe est bloquée pendant 15 minutes. Vous pouvez vous connecter avec Pro Santé Connect.',
                429,
              )
            : new DomainError(
                'password_throttled',
                `Trop de tentatives : veuillez patienter ${s.retryAfterSeconds} seconde${s.retryAfterSeconds > 1 ? 's' : ''} avant de réessayer.`,
                429,
              );
        };

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

        if (!user) {
          // Unknown identifier: the same checks, the same delays and the same answers.
          const key = sha256(`password:${identifier}`);
          const row = await db
            .selectFrom('password_throttle')
            .selectAll()
            .where('identifier_hash', '=', key)
            .executeTakeFirst();
          const state = throttleState(
            { failures: row?.failed_attempts ?? 0, lockedUntil: row?.locked_until ?? null },
            now,
          );
          if (!state.allowed) throw throttled(state);
          await verifyPassword(null, request.body.password);
          const next = afterFailure(row?.failed_attempts ?? 0, now);
          await db
            .insertInto('password_throttle')
            .values({
              identifier_hash: key,
              failed_attempts: next.failures,
              locked_until: next.lockedUntil,
              updated_at: now,
            })
            .onConflict((oc) =>
              oc.column('identifier_hash').doUpdateSet({
                failed_attempts: next.failures,
                locked_until: next.lockedUntil,
                updated_at: now,
              }),
            )
            .execute();
          throw wrong();
        }

        const state = throttleState(
          { failures: user.failed_password_attempts, lockedUntil: user.locked_until },
          now,
        );
        if (!state.allowed) throw throttled(state);
        const ok = await verifyPassword(user.password_hash, request.body.password);
        if (!ok) {
          // Counted in SQL, so that parallel attempts cannot each start from the same count.
          const updated = await db
            .updateTable('users')
            .set((eb) => ({ failed_password_attempts: eb('failed_password_attempts', '+', 1) }))
            .where('id', '=', user.id)
            .returning('failed_password_attempts')
            .executeTakeFirstOrThrow();
          const next = afterFailure(updated.failed_password_attempts - 1, now);
          await db
            .updateTable('users')
            .set({ locked_until: next.lockedUntil })
            .where('id', '=', user.id)
            .execute();
          request.log.info({ userId: user.id, failures: next.failures }, 'mot de passe refusé');
          throw wrong();
        }
        await db.transaction().execute(async (trx) => {
          await trx
            .updateTable('users')
            .set({ failed_password_attempts: 0, locked_until: null, last_signin_at: now })
            .where('id', '=', user.id)
            .execute();
          await createSession(trx, ctx, reply, request.identity.session, {
            userId: user.id,
            method: 'password',
          });
        });
        request.log.info({ userId: user.id, method: 'password' }, 'connexion');
        return { redirectTo: firstSignInComplete(user) ? '/' : '/premiere-connexion' };
      },
    );

    scope.post(
      '/api/auth/logout',
      {
        schema: {
          summary: 'Se déconnecter',
          description:
            'Termine la session locale et renvoie l’adresse de déconnexion de Pro Santé Connect, vers laquelle le navigateur doit aller.',
          tags: ['Identité'],
          security: [{ session: [], csrf: [] }],
          response: { 200: redirectSchema, 403: errorBody },
        },
      },
      async (request, reply) => {
        const session = request.identity.session;
        await endSession(ctx, reply, session);
        const psc = pscClientOf(ctx);
        const redirectTo =
          session?.method === 'psc' && psc ? ((await psc.endSessionUrl(session.idToken)) ?? '/') : '/';
        return { redirectTo };
      },
    );

    scope.get(
      '/api/first-sign-in',
      {
        schema: {
          summary: 'Ce que la première connexion demande encore',
          tags: ['Identité'],
          security: [{ session: [] }],
          response: { 200: firstSignInInfoSchema, 401: errorBody },
        },
      },
      async (request) => {
        const session = signedIn(request);
        return firstSignInInfo(ctx, session.user, session.returnTo);
      },
    );

    scope.post(
      '/api/first-sign-in',
      {
        config: { rateLimit: limits.form },
        schema: {
          summary: 'Terminer la première connexion',
          description:
            'Mot de passe et profession (personnel non médecin), acceptation de la charte, adresse électronique de notification.',
          tags: ['Identité'],
          security: [{ session: [], csrf: [] }],
          body: firstSignInSchema,
          response: { 200: firstSignInResultSchema, ...errors },
        },
      },
      async (request) => {
        const session = signedIn(request);
        const result = await completeFirstSignIn(
          ctx,
          session.user,
          session.idHash,
          session.returnTo,
          request.body,
        );
        return { redirectTo: safeReturnTo(session.returnTo, config.publicUrl) ?? '/', ...result };
      },
    );

    scope.post(
      '/api/account/email',
      {
        config: { rateLimit: limits.form },
        schema: {
          summary: 'Changer d’adresse électronique de notification',
          tags: ['Identité'],
          security: [{ session: [], csrf: [] }],
          body: emailChangeSchema,
          response: { 200: emailChangeResultSchema, ...errors },
        },
      },
      async (request) => {
        const session = signedIn(request);
        if (!firstSignInComplete(session.user)) throw incomplete();
        return changeEmail(ctx, session.userId, request.body.email);
      },
    );

    scope.post(
      '/api/account/email/confirm',
      {
        config: { rateLimit: limits.form },
        schema: {
          summary: 'Confirmer une adresse électronique (lien reçu par courriel)',
          tags: ['Identité'],
          security: [{ csrf: [] }],
          body: emailConfirmSchema,
          response: { 200: emailConfirmResultSchema, 400: errorBody, 403: errorBody, 410: errorBody },
        },
      },
      async (request) => confirmEmail(ctx, request.body.token),
    );
  });
}

export const incomplete = () =>
  new DomainError(
    'first_signin_required',
    'Terminez d’abord votre première connexion (mot de passe, profession, charte d’utilisation, adresse électronique).',
    403,
  );
