// Access: the one authorization decision (decide.ts), its gate on every dossier route
// (authorize.ts: facts read from the database at each request, journaled), the acting context
// resolved once per request (context.ts) and the routes /api/access/* (routes.ts).
import type { AppContext } from '../context.js';
import { rateLimitCaller } from '../identity/index.js';
import type { Feature } from '../platform/feature.js';
import { rateLimitedRoutes } from '../platform/rate-limit.js';
import type { AuthorizeDeps } from './authorize.js';
import { registerActingContext } from './context.js';
import { accessRoutes } from './routes.js';

export {
  type AuthorizeDeps,
  type Authorized,
  authorize,
  delegationsForAsJson,
  dossierNotFound,
  isUuid,
  recordWrite,
} from './authorize.js';
export { type ActingContext, actingContextQuery, actingOf, resolveContext } from './context.js';
export { DOSSIER_ACTIONS, type DossierAction, decide } from './decide.js';

/**
 * One budget per caller for everything about dossiers (their routes and /api/access/*): far
 * above what a person clicking through dossiers asks, far below a bulk download.
 */
export const DOSSIER_RATE_LIMIT = { name: 'dossiers', max: 300, windowMs: 60_000, caller: rateLimitCaller };

/** What the access feature needs: the platform's context and the journal writer. */
export type AccessContext = AppContext & Pick<AuthorizeDeps, 'journal'>;

export const accessFeature: Feature<AccessContext> = {
  name: 'access',
  routes(app, ctx) {
    const deps = { db: ctx.db, clock: ctx.clock, journal: ctx.journal };
    registerActingContext(app, deps);
    return rateLimitedRoutes(app, ctx, DOSSIER_RATE_LIMIT, (scope) => accessRoutes(scope, deps));
  },
};
