// Patients' dossiers under delegated access, the acting context and "Pourquoi ai-je accès ?".
import type { AppContext } from '../context.js';
import type { Feature } from '../platform/feature.js';
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
    dossierRoutes(app, ctx, ctx.dossiers);
  },
};
