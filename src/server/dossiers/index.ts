// Patients' dossiers under delegated access (the access feature decides and gives the acting context).

import { DOSSIER_RATE_LIMIT } from '../access/index.js';
import type { AppContext } from '../context.js';
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
    return rateLimitedRoutes(app, ctx, DOSSIER_RATE_LIMIT, (scope) =>
      dossierRoutes(scope, ctx.dossiers, ctx),
    );
  },
};
