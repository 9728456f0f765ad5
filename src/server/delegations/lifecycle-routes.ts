// HTTP routes of a delegation's life (issue 16): requests (ask, list, accept, refuse), « Renoncer »
// and the optional notifications of « Mon compte ». Thin: the use cases are in requests.ts and
// service.ts, the rules in request-rules.ts and rules.ts.
import { z } from 'zod';
import { reviewResponse } from '../../shared/access-review.js';
import {
  acceptRequestInput,
  createRequestInput,
  notificationPreferences,
  refuseRequestInput,
  requestsResponse,
  requestView,
} from '../../shared/delegation-requests.js';
import type { AppContext } from '../context.js';
import { rateLimitCaller, requireUser } from '../identity/index.js';
import { errorResponses } from '../platform/errors.js';
import type { App } from '../platform/http.js';
import { rateLimitedRoutes } from '../platform/rate-limit.js';
import { enabledNotifications, setEnabledNotifications } from './notify.js';
import type { RequestService } from './requests.js';
import type { ReviewService } from './review.js';
import type { DelegationService } from './service.js';

const idParams = z.object({ id: z.string().max(64) });
const errors = errorResponses(400, 401, 403, 404, 409, 422, 429);
const tags = ['Délégations'];

export function lifecycleRoutes(
  root: App,
  delegations: DelegationService,
  requests: RequestService,
  reviews: ReviewService,
  ctx: AppContext,
) {
  const limit = { name: 'delegation-lifecycle', max: 120, windowMs: 60_000, caller: rateLimitCaller };
  return rateLimitedRoutes(root, ctx, limit, (app) => {
    app.post(
      '/api/delegation-requests',
      {
        schema: {
          tags,
          summary:
            'Demander une délégation de droits à un médecin (3 demandes en attente au plus, une par médecin, 30 jours d’attente après 2 refus ; expire après 30 jours)',
          body: createRequestInput,
          response: { 201: z.object({ id: z.string() }), ...errors },
        },
      },
      async (request, reply) =>
        reply.status(201).send(await requests.create(requireUser(request), request.body)),
    );

    app.get(
      '/api/delegation-requests/sent',
      {
        schema: {
          tags,
          summary: 'Les demandes de délégation faites par la personne connectée',
          response: { 200: requestsResponse, ...errors },
        },
      },
      async (request) => ({ requests: await requests.listSent(requireUser(request)) }),
    );

    app.get(
      '/api/delegation-requests/received',
      {
        schema: {
          tags,
          summary: 'Demandes reçues (en attente de réponse) par le médecin connecté',
          response: { 200: requestsResponse, ...errors },
        },
      },
      async (request) => ({ requests: await requests.listReceived(requireUser(request)) }),
    );

    app.get(
      '/api/delegation-requests/:id',
      {
        schema: {
          tags,
          summary: 'Une demande reçue (pour le formulaire d’ajout pré-rempli)',
          params: idParams,
          response: { 200: requestView, ...errors },
        },
      },
      async (request) => requests.get(requireUser(request), request.params.id),
    );

    app.post(
      '/api/delegation-requests/:id/accept',
      {
        schema: {
          tags,
          summary:
            'Accepter une demande : crée la délégation avec les droits et la période choisis par le médecin (active sans invitation)',
          params: idParams,
          body: acceptRequestInput,
          response: { 200: z.object({ delegationId: z.string() }), ...errors },
        },
      },
      async (request) => requests.accept(requireUser(request), request.params.id, request.body),
    );

    app.post(
      '/api/delegation-requests/:id/refuse',
      {
        schema: {
          tags,
          summary: 'Refuser une demande, avec un motif facultatif (500 caractères au plus)',
          params: idParams,
          body: refuseRequestInput,
          response: { 204: z.null(), ...errors },
        },
      },
      async (request, reply) => {
        await requests.refuse(requireUser(request), request.params.id, request.body);
        return reply.status(204).send(null);
      },
    );

    app.post(
      '/api/delegations/received/:id/renounce',
      {
        schema: {
          tags,
          summary: 'Renoncer à une délégation reçue (effet immédiat, statut « Renoncée », médecin prévenu)',
          params: idParams,
          response: { 204: z.null(), ...errors },
        },
      },
      async (request, reply) => {
        await delegations.renounce(requireUser(request), request.params.id);
        return reply.status(204).send(null);
      },
    );

    app.post(
      '/api/delegations/:id/reactivate',
      {
        schema: {
          tags,
          summary:
            'Réactiver une délégation suspendue faute d’utilisation (SUSPEND_UNUSED_DAYS) : accès rendu, délégataire prévenu',
          params: idParams,
          response: { 204: z.null(), ...errors },
        },
      },
      async (request, reply) => {
        await delegations.reactivate(requireUser(request), request.params.id);
        return reply.status(204).send(null);
      },
    );

    app.get(
      '/api/access-review',
      {
        schema: {
          tags,
          summary:
            'Revue des délégations en cours (tous les ACCESS_REVIEW_MONTHS mois) : chaque délégation active, sa dernière utilisation, ses accès, la décision prise',
          response: { 200: reviewResponse, ...errors },
        },
      },
      async (request) => reviews.current(requireUser(request)),
    );

    app.post(
      '/api/access-review/start',
      {
        schema: {
          tags,
          summary: 'Commencer la revue des délégations maintenant',
          response: { 201: z.object({ id: z.string() }), ...errors },
        },
      },
      async (request, reply) => reply.status(201).send(await reviews.start(requireUser(request))),
    );

    app.post(
      '/api/access-review/items/:id/keep',
      {
        schema: {
          tags,
          summary:
            'Revue : « Conserver » une délégation (« Modifier » et « Supprimer » passent par PATCH et DELETE /api/delegations/:id)',
          params: idParams,
          response: { 200: z.object({ completed: z.boolean() }), ...errors },
        },
      },
      async (request) => reviews.keep(requireUser(request), request.params.id),
    );

    app.get(
      '/api/account/notifications',
      {
        schema: {
          tags,
          summary:
            'Notifications facultatives activées (les notifications de sécurité — délégation créée, droits élargis, délégation supprimée — sont toujours envoyées)',
          response: { 200: notificationPreferences, ...errors },
        },
      },
      async (request) => ({ enabled: await enabledNotifications(ctx.db, requireUser(request).id) }),
    );

    app.put(
      '/api/account/notifications',
      {
        schema: {
          tags,
          summary: 'Choisir les notifications facultatives',
          body: notificationPreferences,
          response: { 200: notificationPreferences, ...errors },
        },
      },
      async (request) => ({
        enabled: await setEnabledNotifications(ctx.db, requireUser(request).id, request.body.enabled),
      }),
    );
  });
}
