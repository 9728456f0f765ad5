// HTTP routes of the dossiers. Each runs in the acting context (resolved by the access feature's
// hook) and goes through DossierService → access.authorize.
import { z } from 'zod';
import {
  acrossDoctorsQuery,
  acrossDoctorsView,
  administrativeSchema,
  dossierListView,
  dossierView,
  medicalSchema,
  patientSchema,
} from '../../shared/dossiers.js';
import { actingContextQuery, actingOf } from '../access/index.js';
import type { AppContext } from '../context.js';
import { requireUser } from '../identity/index.js';
import { errorResponses } from '../platform/errors.js';
import { type App, sendJson } from '../platform/http.js';
import { readDossier } from './hot-read.js';
import type { DossierService } from './service.js';

const context = actingContextQuery;
const inContext = { actingContext: true };
const idParams = z.object({ id: z.string().max(64) });
const errors = errorResponses(400, 401, 403, 404, 409, 422);
const tags = ['Dossiers'];
// The column is an integer: a larger number must be refused here, not fail in PostgreSQL (500).
const version = z.number().int().min(1).max(2_147_483_647, 'Version inconnue : rechargez la page.');

export function dossierRoutes(app: App, service: DossierService, ctx: AppContext) {
  app.get(
    '/api/dossiers',
    {
      config: inContext,
      schema: {
        tags,
        summary: 'Les dossiers du médecin pour le compte duquel on agit',
        querystring: context,
        response: {
          200: dossierListView,
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const { user, onBehalfOfId } = actingOf(request);
      return sendJson(reply, dossierListView, {
        onBehalfOf: onBehalfOfId,
        ...(await service.list(user, onBehalfOfId)),
      });
    },
  );

  // No acting context here: each row is decided for its own doctor, and nothing is written from
  // this list (opening a dossier sets the acting context to its doctor).
  app.get(
    '/api/dossiers/all-doctors',
    {
      schema: {
        tags,
        summary:
          '« Tous mes médecins » : les dossiers de chaque médecin qui a délégué ses droits à la personne connectée',
        querystring: acrossDoctorsQuery,
        response: { 200: acrossDoctorsView, ...errors },
      },
    },
    async (request, reply) =>
      sendJson(
        reply,
        acrossDoctorsView,
        await service.listAcrossDoctors(requireUser(request), {
          doctorId: request.query.doctor,
          patient: request.query.patient || undefined,
        }),
      ),
  );

  app.post(
    '/api/dossiers',
    {
      config: inContext,
      schema: {
        tags,
        summary: 'Créer un dossier (droit « Créer et modifier les dossiers »)',
        querystring: context,
        body: z.object({ patient: patientSchema, administrative: administrativeSchema.optional() }),
        response: { 201: z.object({ id: z.string(), reference: z.string() }), ...errors },
      },
    },
    async (request, reply) => {
      const { user, onBehalfOfId } = actingOf(request);
      return reply.status(201).send(await service.create(user, onBehalfOfId, request.body));
    },
  );

  app.get(
    '/api/dossiers/:id',
    {
      // The hot path: session, rate limit, dossier and delegations in one statement (hot-read.ts).
      config: { sessionInRoute: true, rateLimit: false },
      schema: {
        tags,
        summary: 'Un dossier (le volet médical seulement avec le droit « volet médical »)',
        params: idParams,
        querystring: context,
        response: { 200: dossierView, ...errors },
      },
    },
    async (request, reply) =>
      readDossier(ctx, service, request, reply, {
        id: request.params.id,
        onBehalfOf: request.query.onBehalfOf,
      }),
  );

  app.put(
    '/api/dossiers/:id/administrative',
    {
      config: inContext,
      schema: {
        tags,
        summary: 'Modifier le volet administratif (et l’identité du patient)',
        params: idParams,
        querystring: context,
        body: z.object({
          version,
          patient: patientSchema.optional(),
          administrative: administrativeSchema,
        }),
        response: { 200: z.object({ version: z.number() }), ...errors },
      },
    },
    async (request) => {
      const { user, onBehalfOfId } = actingOf(request);
      return service.updateAdministrative(user, onBehalfOfId, request.params.id, request.body);
    },
  );

  app.put(
    '/api/dossiers/:id/medical',
    {
      config: inContext,
      schema: {
        tags,
        summary: 'Compléter le volet médical (droit « volet médical »)',
        params: idParams,
        querystring: context,
        body: z.object({ version, medical: medicalSchema }),
        response: { 200: z.object({ version: z.number() }), ...errors },
      },
    },
    async (request) => {
      const { user, onBehalfOfId } = actingOf(request);
      return service.updateMedical(user, onBehalfOfId, request.params.id, request.body);
    },
  );

  app.post(
    '/api/dossiers/:id/requests',
    {
      config: inContext,
      schema: {
        tags,
        summary: 'Envoyer une demande à un établissement (droit « Envoyer les demandes »)',
        params: idParams,
        querystring: context,
        body: z.object({
          establishment: z
            .string()
            .trim()
            .min(2, '2 caractères au moins.')
            .max(200, '200 caractères au plus.'),
        }),
        response: { 201: z.object({ id: z.string() }), ...errors },
      },
    },
    async (request, reply) => {
      const { user, onBehalfOfId } = actingOf(request);
      return reply
        .status(201)
        .send(await service.sendRequest(user, onBehalfOfId, request.params.id, request.body.establishment));
    },
  );

  app.post(
    '/api/dossiers/:id/requests/:requestId/cancel',
    {
      config: inContext,
      schema: {
        tags,
        summary: 'Annuler une demande en cours (droit « Envoyer les demandes »)',
        params: idParams.extend({ requestId: z.string().max(64) }),
        querystring: context,
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      const { user, onBehalfOfId } = actingOf(request);
      await service.cancelRequest(user, onBehalfOfId, request.params.id, request.params.requestId);
      return reply.status(204).send(null);
    },
  );
}
