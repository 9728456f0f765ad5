// Identity: sign-in with Pro Santé Connect (and by password for staff), accounts keyed on the
// national identifier, server-side sessions, CSRF, first sign-in; in demo mode, a local Pro
// Santé Connect. Other features call requireUser(request) in their routes.
import cookie from '@fastify/cookie';
import type { FastifyRequest } from 'fastify';
import type { Feature } from '../app.js';
import { DomainError, notFound, unauthorized } from '../platform/errors.js';
import { firstSignInComplete, isDoctor, seedDemoAccounts } from './accounts.js';
import { identityRoutes, incomplete, pscClientOf } from './routes.js';
import {
  BROWSER_COOKIE,
  expectedCsrfToken,
  loadSession,
  readCookie,
  SESSION_COOKIE,
  sameToken,
} from './sessions.js';

export {
  type InvitationResolver,
  type InvitedPerson,
  registerInvitationResolver,
} from './accounts.js';
export { LOCAL_PSC_PATH } from './local-psc/settings.js';

/** The signed-in user, as every feature sees it. Read from the database at each request. */
export interface CurrentUser {
  id: string;
  subjectNameId: string;
  familyName: string;
  givenName: string;
  cardType: string | null;
  professionCode: string | null;
  /** Profession code '10' in the national directory. */
  isDoctor: boolean;
  email: string | null;
  emailVerified: boolean;
  firstSignInComplete: boolean;
}

function currentUserOf(request: FastifyRequest): CurrentUser | undefined {
  const u = request.identity?.session?.user;
  if (!u) return undefined;
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
  };
}

/**
 * The signed-in user whose first sign-in is complete. Throws a 401 DomainError when nobody is
 * signed in, a 403 when the first sign-in (or a new charter) is still to be done.
 */
export function requireUser(request: FastifyRequest): CurrentUser {
  const user = currentUserOf(request);
  if (!user) throw unauthorized();
  if (!user.firstSignInComplete) throw incomplete();
  return user;
}

/** The signed-in user even before first sign-in is complete (e.g. an invitation landing page). */
export function optionalUser(request: FastifyRequest): CurrentUser | undefined {
  return currentUserOf(request);
}

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const csrfRefused = () =>
  new DomainError(
    'csrf_invalid',
    'La requête n’a pas pu être vérifiée (jeton de sécurité absent ou invalide). Rechargez la page et réessayez.',
    403,
  );

export const identityFeature: Feature = {
  name: 'identity',

  async demoSeed(ctx) {
    await seedDemoAccounts(ctx);
  },

  async routes(app, ctx) {
    if (!app.hasRequestDecorator('cookies')) await app.register(cookie);
    app.decorateRequest('identity', null as never);

    // Every request but static files and the local provider: who is this (one indexed query,
    // only when a session cookie is present), and for a state-changing API call, the CSRF token.
    app.addHook('onRequest', async (request) => {
      request.identity = {};
      const path = request.url.split('?')[0] ?? '';
      if (path.startsWith('/demo/psc/')) return;
      if (!path.startsWith('/api/') && /\.[A-Za-z0-9]+$/.test(path)) return;
      request.identity.browserId = readCookie(request, BROWSER_COOKIE);
      const sid = readCookie(request, SESSION_COOKIE);
      if (sid) request.identity.session = await loadSession(ctx, sid);
      if (STATE_CHANGING.has(request.method) && path.startsWith('/api/')) {
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
      if (!pscClientOf(ctx)) {
        ctx.logger.warn('PSC_ISSUER non défini : la connexion avec Pro Santé Connect est indisponible');
      }
    }
    await identityRoutes(app, ctx);
  },
};
