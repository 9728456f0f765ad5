// Patients' dossiers under delegated access (the access feature decides and gives the acting context).
import type { AppContext } from '../context.js';
import { rateLimitCaller } from '../identity/index.js';
import type { Feature } from '../platform/feature.js';
import { rateLimitedRoutes } from '../platform/rate-limit.js';
import { seedDemoDossiers } from './demo.js';
import { dossierRoutes } from './routes.js';
import type { DossierDeps, DossierService } from './service.js';

export { type DossierDeps, DossierService } from './service.js';

/** What the dossiers feature needs: the platform's context, its service and the journal writer. */
export type DossiersContext = AppContext & { dossiers: DossierService; journal: DossierDeps['journal'] };

export const dossiersFeature: Feature<DossiersContext> = {
  name: 'dossiers',
  demoSeed: seedDemoDossiers,
  routes(app, ctx) {
    // Far above what a person clicking through dossiers asks, far below a bulk download.
    const limit = { name: 'dossiers', max: 300, windowMs: 60_000, caller: rateLimitCaller };
    return rateLimitedRoutes(app, ctx, limit, (scope) => dossierRoutes(scope, ctx.dossiers));
  },
};
