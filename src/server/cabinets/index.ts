// Group practices (cabinets): members, invitations of colleagues, rights templates, and staff
// delegations proposed to the colleagues of a cabinet — each colleague decides for his or her own
// dossiers (code de déontologie, art. R.4127-72).
import type { AppContext } from '../context.js';
import type { DelegationService } from '../delegations/index.js';
import { findPersonByRpps } from '../directory/index.js';
import { rateLimitCaller } from '../identity/index.js';
import type { Feature } from '../platform/feature.js';
import { rateLimitedRoutes } from '../platform/rate-limit.js';
import { cabinetRoutes } from './routes.js';
import { CabinetService } from './service.js';

export { CabinetService } from './service.js';

export type CabinetsContext = AppContext & { cabinets: CabinetService };

export function cabinetService(
  ctx: Pick<AppContext, 'db' | 'clock' | 'config'>,
  delegations: DelegationService,
): CabinetService {
  return new CabinetService({
    db: ctx.db,
    clock: ctx.clock,
    publicUrl: ctx.config.publicUrl,
    delegations,
    async findByRpps(rpps) {
      const person = await findPersonByRpps(ctx.db, rpps);
      if (!person) return undefined;
      return {
        nationalId: person.nationalId,
        familyName: person.familyName,
        givenName: person.givenName,
        isDoctor: person.professions.some((p) => p.code === '10'),
      };
    },
  });
}

export const cabinetsFeature: Feature<CabinetsContext> = {
  name: 'cabinets',
  routes(app, ctx) {
    const limit = { name: 'cabinets', max: 120, windowMs: 60_000, caller: rateLimitCaller };
    return rateLimitedRoutes(app, ctx, limit, (scope) => cabinetRoutes(scope, ctx.cabinets));
  },
};
