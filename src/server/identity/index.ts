// Identity: sign-in with Pro Santé Connect (and by password for staff), accounts keyed on the
// national identifier, server-side sessions, CSRF, first sign-in; in demo mode, a local Pro
// Santé Connect. Other features call requireUser(request) in their routes.
import cookie from '@fastify/cookie';
import type { FastifyRequest } from 'fastify';
import { DomainError, notFound, unauthorized } from '../platform/errors.js';
import type { Feature } from '../platform/feature.js';
import { isApiRoute } from '../platform/http.js';
import type { SignedInUser } from '../platform/signed-in-user.js';
import { firstSignInComplete, isDoctor, seedDemoAccounts } from './accounts.js';
import { backchannelLogoutRoutes } from './backchannel-logout.js';
import { identityRoutes, incomplete } from './routes.js';
import { strengthOf, totpAvailable } from './second-factor.js';
import type { IdentityContext } from './service.js';
import { secondFactorRequired } from './session-guards.js';
import {
  BROWSER_COOKIE,
  expectedCsrfToken,
  loadSession,
  readCookie,
  SESSION_COOKIE,
  sameToken,
} from './sessions.js';

export type { InvitationResolver, InvitedPerson } from './accounts.js';
export { LOCAL_PSC_PATH } from './local-psc/settings.js';
export { resetSecondFactors } from './mfa.js';
export { createPscClient, type PscClient } from './psc-client.js';
export { type IdentityContext, IdentityService } from './service.js';
export {
  idleLimitAt,
  type LoadedSession,
  readCookie,
  SESSION_COOKIE,
  type SessionRow,
  sessionOfRow,
  sessionSelection,
  sha256,
} from './sessions.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * A GET route that reads the session itself, in its own statement (dossiers/hot-read.ts):
     * the identity hook then reads only the cookies. The route sets request.identity.session.
     */
    sessionInRoute?: boolean;
  }
}

/** The signed-in user, read from the database at each request (the session's row). */
function signedInUserOf(request: FastifyRequest): SignedInUser | undefined {
  const session = request.identity?.session;
  const u = session?.user;
  if (!session || !u) return undefined;
  const strength = strengthOf(session);
  // A password without its second factor opens nothing (PGSSI-S 2026).
  if (!strength) return undefined;
  return {
    id: u.id,
    subjectNameId: u.subject_name_id,
    familyName: u.family_name,
    givenName: u.given_name,
    cardType: u.card_type,
    professionCode: u.profession_code,
    isDoctor: isDoctor(u),
    email: u.email,
    emailVerified: u.email !== null && u.email_verified_at !== null,
    firstSignInComplete: firstSignInComplete(u),
    signIn: { method: session.method, strength, acr: session.acr, authLevel: session.authLevel },
  };
}

/**
 * The signed-in user whose first sign-in is complete. Throws a 401 DomainError when nobody is
 * signed in, a 403 when the first sign-in (or a new charter) is still to be done.
 */
export function requireUser(request: FastifyRequest): SignedInUser {
  const user = signedInUserOf(request);
  if (!user) throw request.identity?.session ? secondFactorRequired() : unauthorized();
  if (!user.firstSignInComplete) throw incomplete();
  return user;
}

/** The signed-in user even before first sign-in is complete (e.g. an invitation landing page). */
export function optionalUser(request: FastifyRequest): SignedInUser | undefined {
  return signedInUserOf(request);
}

/** Whom a per-caller rate limit counts: the session when there is one, else the address. */
export function rateLimitCaller(request: FastifyRequest): string {
  const session = request.identity?.session;
  return session ? sessionCaller(session.idHash) : addressCaller(request.ip);
}

/** The caller a rate limit counts for a session (by the sha256 of its id), or for an address. */
export const sessionCaller = (idHash: Buffer) => `session:${idHash.toString('base64url')}`;
export const addressCaller = (ip: string) => `address:${ip}`;

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const csrfRefused = () =>
  new DomainError(
    'csrf_invalid',
    'La requête n’a pas pu être vérifiée (jeton de sécurité absent ou invalide). Rechargez la page et réessayez.',
    403,
  );

export const identityFeature: Feature<IdentityContext> = {
  name: 'identity',

  async demoSeed(ctx) {
    await seedDemoAccounts(ctx);
  },

  async routes(app, ctx) {
    if (!app.hasRequestDecorator('cookies')) await app.register(cookie);
    app.decorateRequest('identity', null as never);

    // Every request but static files and the local provider: who is this (one indexed query,
    // only when a session cookie is present), and for a state-changing API call, the CSRF token.
    // Decided on the route the router matched, never on the raw URL, which may spell the same
    // route differently (`/%61pi/…`).
    app.addHook('onRequest', async (request) => {
      request.identity = {};
      const api = isApiRoute(request);
      if (request.routeOptions.url?.startsWith('/demo/psc/')) return;
      if (!api && /\.[A-Za-z0-9]+$/.test(request.url.split('?')[0] ?? '')) return;
      request.identity.browserId = readCookie(request, BROWSER_COOKIE);
      const sid = readCookie(request, SESSION_COOKIE);
      const byRoute = request.routeOptions.config.sessionInRoute && !STATE_CHANGING.has(request.method);
      if (sid && !byRoute) request.identity.session = await loadSession(ctx, sid);
      if (STATE_CHANGING.has(request.method) && api) {
        const expected = expectedCsrfToken(ctx, request.identity);
        const given = request.headers['x-csrf-token'];
        if (!expected || typeof given !== 'string' || !sameToken(given, expected)) throw csrfRefused();
      }
    });

    if (ctx.config.demo) {
      // Loaded only in demo mode: production never imports the provider at all.
      const { mountLocalPsc } = await import('./local-psc/provider.js');
      await mountLocalPsc(app, { ctx });
    } else {
      // Without demo mode the local provider does not exist: not even the web app's page
      // fallback answers under its path.
      app.all('/demo/psc/*', { schema: { hide: true } }, async () => {
        throw notFound();
      });
      if (ctx.config.passwordLogin && !totpAvailable(ctx.config)) {
        ctx.logger.warn(
          'MFA_ENCRYPTION_KEY non défini : second facteur par clé d’accès uniquement (pas d’application d’authentification)',
        );
      }
      if (!ctx.identity.pscAvailable) {
        ctx.logger.warn('PSC_ISSUER non défini : la connexion avec Pro Santé Connect est indisponible');
      }
    }
    await identityRoutes(app, ctx);
    await backchannelLogoutRoutes(app, ctx);
  },
};
