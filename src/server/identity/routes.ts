// HTTP routes of identity: Pro Santé Connect sign-in (browser navigations under /auth), the
// JSON API under /api (session, me, password sign-in, sign-out, first sign-in, account).
import rateLimit from '@fastify/rate-limit';
import type { FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
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
import { DomainError } from '../platform/errors.js';
import type { App } from '../platform/http.js';
import { rateLimitOptions, scaledMax } from '../platform/rate-limit.js';
import { firstSignInComplete, toMe } from './accounts.js';
import { secondFactorRoutes } from './second-factor-routes.js';
import { type IdentityContext, PasswordThrottled, PscUnreachable } from './service.js';
import { awaitsSecondFactor, signedIn } from './session-guards.js';
import {
  BROWSER_COOKIE,
  clearSessionCookie,
  ensureBrowserId,
  expectedCsrfToken,
  readCookie,
  setSessionCookie,
} from './sessions.js';

const errorBody = z.object({
  code: z.string(),
  message: z.string(),
  fields: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  requestId: z.string().optional(),
});
const errors = { 400: errorBody, 401: errorBody, 403: errorBody, 409: errorBody, 429: errorBody };

const signInRedirect = (reply: FastifyReply, code: string) =>
  reply.redirect(`/connexion?erreur=${code}`, 302);

export function identityRoutes(app: App, ctx: IdentityContext) {
  const { config, identity: service } = ctx;
  // Per address and route, against spraying; a guessed password is stopped per identifier by
  // the delays and the lockout, whatever the address.
  const limits = {
    signIn: { max: scaledMax(config, 30), timeWindow: '1 minute' },
    password: { max: scaledMax(config, 60), timeWindow: '1 minute' },
    form: { max: scaledMax(config, 60), timeWindow: '1 minute' },
  };

  return app.register(async (plugin) => {
    await plugin.register(rateLimit, rateLimitOptions(ctx, 'identity'));
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
        if (!service.pscAvailable) return signInRedirect(reply, 'indisponible');
        const browserId = ensureBrowserId(ctx, request, reply);
        try {
          const url = await service.startPscSignIn(
            browserId,
            safeReturnTo(request.query.returnTo, config.publicUrl),
          );
          return reply.redirect(url.toString(), 302);
        } catch (err) {
          if (!(err instanceof PscUnreachable)) throw err;
          request.log.warn({ err: { type: err.causeType } }, 'Pro Santé Connect injoignable');
          return signInRedirect(reply, 'indisponible');
        }
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
        const result = await service.finishPscSignIn(
          {
            url: new URL(request.url, config.publicUrl),
            state: request.query.state,
            error: request.query.error,
            browserId: readCookie(request, BROWSER_COOKIE),
            previous: request.identity.session,
          },
          request.log,
        );
        if ('failure' in result) return signInRedirect(reply, result.failure);
        setSessionCookie(ctx, reply, result.sessionId);
        return reply.redirect(result.redirectTo, 302);
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
          user:
            request.identity.session && !awaitsSecondFactor(request.identity.session)
              ? toMe(request.identity.session.user)
              : null,
          secondFactorPending: request.identity.session
            ? awaitsSecondFactor(request.identity.session)
            : false,
          csrfToken: expectedCsrfToken(ctx, request.identity) as string,
          passwordLogin: config.passwordLogin,
          pscAvailable: service.pscAvailable,
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
        try {
          const result = await service.passwordSignIn(
            { ...request.body, previous: request.identity.session },
            request.log,
          );
          setSessionCookie(ctx, reply, result.sessionId);
          return { redirectTo: result.redirectTo };
        } catch (err) {
          if (err instanceof PasswordThrottled) reply.header('retry-after', String(err.retryAfterSeconds));
          throw err;
        }
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
        const result = await service.signOut(request.identity.session);
        clearSessionCookie(ctx, reply);
        return result;
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
      async (request) => service.firstSignInInfo(signedIn(request)),
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
        const result = await service.completeFirstSignIn(session, request.body);
        const next = safeReturnTo(session.returnTo, config.publicUrl) ?? '/';
        // A password was just chosen: its second factor is chosen right after it.
        const enrol = config.passwordLogin && result.passwordSet;
        return {
          redirectTo: enrol ? `/second-facteur?retour=${encodeURIComponent(next)}` : next,
          emailConfirmationSent: result.emailConfirmationSent,
        };
      },
    );

    await secondFactorRoutes(scope, ctx, limits.form);

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
        return service.changeEmail(session.userId, request.body.email);
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
      async (request) => service.confirmEmail(request.body.token),
    );
  });
}

export const incomplete = () =>
  new DomainError(
    'first_signin_required',
    'Terminez d’abord votre première connexion (mot de passe, profession, charte d’utilisation, adresse électronique).',
    403,
  );
