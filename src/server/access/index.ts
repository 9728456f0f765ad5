// Access: the one authorization decision (decide.ts), its gate on every dossier route
// (authorize.ts: facts read from the database at each request, journaled), the acting context
// resolved once per request (context.ts) and the routes /api/access/* (routes.ts).
import type { Feature } from '../app.js';
import { registerActingContext } from './context.js';
import { accessRoutes } from './routes.js';

export {
  type Authorized,
  authorize,
  delegationsForAsJson,
  dossierNotFound,
  isUuid,
  recordWrite,
} from './authorize.js';
export { type ActingContext, actingContextQuery, actingOf } from './context.js';
export { DOSSIER_ACTIONS, type DossierAction, decide } from './decide.js';

export const accessFeature: Feature = {
  name: 'access',
  routes(app, ctx) {
    const deps = { db: ctx.db, clock: ctx.clock };
    registerActingContext(app, deps);
    accessRoutes(app, deps);
  },
};
