// Patients' dossiers under delegated access (the access feature decides and gives the acting context).
import type { Feature } from '../app.js';
import { rateLimitCaller } from '../identity/index.js';
import { rateLimitedRoutes } from '../platform/rate-limit.js';
import { seedDemoDossiers } from './demo.js';
import { dossierRoutes } from './routes.js';
import { DossierService } from './service.js';

export const dossiersFeature: Feature = {
  name: 'dossiers',
  demoSeed: seedDemoDossiers,
  routes(app, ctx) {
    // Far above what a person clicking through dossiers asks, far below a bulk download.
    const limit = { name: 'dossiers', max: 300, windowMs: 60_000, caller: rateLimitCaller };
    return rateLimitedRoutes(app, ctx, limit, (scope) =>
      dossierRoutes(scope, new DossierService({ db: ctx.db, clock: ctx.clock })),
    );
  },
};
