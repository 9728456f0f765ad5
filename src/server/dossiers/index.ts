// Patients' dossiers under delegated access (the access feature decides and gives the acting context).
import type { Feature } from '../app.js';
import { seedDemoDossiers } from './demo.js';
import { dossierRoutes } from './routes.js';
import { DossierService } from './service.js';

export const dossiersFeature: Feature = {
  name: 'dossiers',
  demoSeed: seedDemoDossiers,
  routes(app, ctx) {
    dossierRoutes(app, new DossierService({ db: ctx.db, clock: ctx.clock }));
  },
};
