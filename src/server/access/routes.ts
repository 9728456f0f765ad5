// The HTTP face of access: for whom the signed-in person may act (« Agir pour le compte de »)
// and « Pourquoi ai-je accès ? » (which delegation, which right, until when).
import { z } from 'zod';
import { accessExplanationView, actingContextsView, DOSSIER_ACTIONS } from '../../shared/access.js';
import { frenchDate } from '../../shared/calendar.js';
import { RIGHT_LABELS } from '../../shared/rights.js';
import { requireUser } from '../identity/index.js';

import { errorResponses } from '../platform/errors.js';
import type { App } from '../platform/http.js';
import { type AuthorizeDeps, authorize, dossierNotFound, isUuid } from './authorize.js';
import { actingContextQuery, actingContexts, actingOf } from './context.js';
import { ACTION_PHRASES } from './decide.js';

const errors = errorResponses(400, 401, 403, 404, 409, 422);
const tags = ['Dossiers'];

export function accessRoutes(app: App, deps: AuthorizeDeps) {
  app.get(
    '/api/access/contexts',
    {
      schema: {
        tags,
        summary: 'Pour le compte de qui la personne connectée peut agir (soi-même, délégations actives)',
        response: { 200: actingContextsView, ...errors },
      },
    },
    async (request) => actingContexts(deps.db, deps.clock, requireUser(request)),
  );

  app.get(
    '/api/access/explain',
    {
      config: { actingContext: true },
      schema: {
        tags,
        summary:
          'Pourquoi ai-je accès ? — la délégation, le droit et la date de fin qui permettent une action',
        querystring: actingContextQuery.extend({
          dossier: z.string().max(64),
          action: z.enum(DOSSIER_ACTIONS),
        }),
        response: { 200: accessExplanationView, ...errors },
      },
    },
    async (request) => {
      const { user, onBehalfOfId } = actingOf(request);
      const { dossier: id, action } = request.query;
      if (!isUuid(id)) throw dossierNotFound();
      const row = await deps.db
        .selectFrom('dossiers')
        .select(['id', 'owner_id'])
        .where('id', '=', id)
        .executeTakeFirst();
      if (!row) throw dossierNotFound();
      const { decision } = await authorize(
        deps,
        user,
        onBehalfOfId,
        action,
        { id, ownerId: row.owner_id },
        undefined,
        { explain: true },
      );
      if (decision.via === 'owner') {
        return {
          allowed: true as const,
          via: 'owner' as const,
          delegationId: null,
          kind: null,
          right: null,
          until: null,
          message: 'Vous êtes le médecin traitant de ce patient : ce dossier est le vôtre.',
        };
      }
      const until = decision.until ? `jusqu’au ${frenchDate(decision.until)} inclus` : 'sans date de fin';
      return {
        allowed: true as const,
        via: 'delegation' as const,
        delegationId: decision.delegationId,
        kind: decision.kind,
        right: decision.right,
        until: decision.until,
        message:
          decision.kind === 'peer'
            ? `Une délégation de droits entre médecins vous permet de ${ACTION_PHRASES[action]}, avec les mêmes droits que le médecin, ${until}.`
            : `Votre délégation de droits vous permet de ${ACTION_PHRASES[action]} (droit « ${RIGHT_LABELS[decision.right]} »), ${until}.`,
      };
    },
  );
}
