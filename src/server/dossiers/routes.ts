// HTTP routes of the dossiers, of the acting context ("Agir pour le compte de") and of
// "Pourquoi ai-je accès ?". Every dossier route goes through DossierService → access.authorize.
import { z } from 'zod';
import { RIGHT_LABELS } from '../../shared/delegations.js';
import { administrativeSchema, medicalSchema, patientSchema } from '../../shared/dossiers.js';
import {
  ACTION_LABELS,
  actingContexts,
  authorize,
  DOSSIER_ACTIONS,
  dossierNotFound,
  isUuid,
  resolveContext,
} from '../access/index.js';
import type { AppContext } from '../context.js';
import { frenchDate } from '../delegations/rules.js';
import { requireUser } from '../identity/index.js';
import type { App } from '../platform/http.js';
import type { DossierDeps, DossierService } from './service.js';

const context = z.object({ onBehalfOf: z.string().max(64).optional() });
const idParams = z.object({ id: z.string().max(64) });
const error = z.object({ code: z.string(), message: z.string() }).passthrough();
const errors = { 400: error, 401: error, 403: error, 404: error, 409: error, 422: error };
const tags = ['Dossiers'];
// The column is an integer: a larger number must be refused here, not fail in PostgreSQL (500).
const version = z.number().int().min(1).max(2_147_483_647, 'Version inconnue : rechargez la page.');
const RIGHTS = z.array(z.enum(['consulter', 'gerer', 'volet_medical', 'envoyer']));

// Output shapes: what is stored, without the input rules (a name imported from elsewhere may
// not match today's input pattern and must still be shown).
const text = z.string().optional();
const dossierView = z.object({
  id: z.string(),
  reference: z.string(),
  ownerId: z.string(),
  version: z.number(),
  patient: z.object({
    familyName: z.string(),
    givenName: z.string(),
    birthDate: z.string(),
    sex: z.enum(['F', 'M']),
  }),
  administrative: z.object({
    address: text,
    phone: text,
    trustedPerson: text,
    coverage: text,
    livingSituation: text,
  }),
  medical: z
    .object({ antecedents: text, pathologies: text, treatments: text, gir: z.number().nullable().optional() })
    .nullable(),
  status: z.enum(['brouillon', 'complet', 'envoye']),
  requests: z.array(
    z.object({
      id: z.string(),
      establishment: z.string(),
      status: z.string(),
      sentAt: z.string(),
      updatedAt: z.string(),
    }),
  ),
  rights: RIGHTS,
  via: z.enum(['owner', 'delegation']),
  updatedAt: z.string(),
});

export function dossierRoutes(
  app: App,
  ctx: AppContext & Pick<DossierDeps, 'journal'>,
  service: DossierService,
) {
  const who = async (request: { query: { onBehalfOf?: string } } & Parameters<typeof requireUser>[0]) => {
    const user = requireUser(request);
    return { user, onBehalfOf: await resolveContext(ctx.db, ctx.clock, user, request.query.onBehalfOf) };
  };

  app.get(
    '/api/access/contexts',
    {
      schema: {
        tags,
        summary: 'Pour le compte de qui la personne connectée peut agir (soi-même, délégations actives)',
        response: {
          200: z.object({
            self: z.boolean(),
            delegated: z.array(
              z.object({
                delegatorId: z.string(),
                familyName: z.string(),
                givenName: z.string(),
                specialty: z.string().nullable(),
                delegationId: z.string(),
                kind: z.enum(['staff', 'peer']),
                rights: RIGHTS,
                endsOn: z.string().nullable(),
              }),
            ),
          }),
          ...errors,
        },
      },
    },
    async (request) => actingContexts(ctx.db, ctx.clock, requireUser(request)),
  );

  app.get(
    '/api/access/explain',
    {
      schema: {
        tags,
        summary:
          'Pourquoi ai-je accès ? — la délégation, le droit et la date de fin qui permettent une action',
        querystring: context.extend({ dossier: z.string().max(64), action: z.enum(DOSSIER_ACTIONS) }),
        response: {
          200: z.object({
            allowed: z.literal(true),
            via: z.enum(['owner', 'delegation']),
            delegationId: z.string().nullable(),
            kind: z.enum(['staff', 'peer']).nullable(),
            right: z.string().nullable(),
            until: z.string().nullable(),
            message: z.string(),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const { user, onBehalfOf } = await who(request);
      const { dossier: id, action } = request.query;
      if (!isUuid(id)) throw dossierNotFound();
      const row = await ctx.db
        .selectFrom('dossiers')
        .select(['id', 'owner_id'])
        .where('id', '=', id)
        .executeTakeFirst();
      if (!row) throw dossierNotFound();
      const { decision } = await authorize(ctx, user, onBehalfOf, action, { id, ownerId: row.owner_id });
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
            ? `Une délégation de droits entre médecins vous permet de ${ACTION_LABELS[action]}, avec les mêmes droits que le médecin, ${until}.`
            : `Votre délégation de droits vous permet de ${ACTION_LABELS[action]} (droit « ${RIGHT_LABELS[decision.right]} »), ${until}.`,
      };
    },
  );

  app.get(
    '/api/dossiers',
    {
      schema: {
        tags,
        summary: 'Les dossiers du médecin pour le compte duquel on agit',
        querystring: context,
        response: {
          200: z.object({
            onBehalfOf: z.string(),
            rights: RIGHTS,
            dossiers: z.array(
              z.object({
                id: z.string(),
                reference: z.string(),
                patient: z.object({ familyName: z.string(), givenName: z.string(), birthDate: z.string() }),
                status: z.enum(['brouillon', 'complet', 'envoye']),
                requestsInProgress: z.number(),
                updatedAt: z.string(),
              }),
            ),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const { user, onBehalfOf } = await who(request);
      return { onBehalfOf, ...(await service.list(user, onBehalfOf)) };
    },
  );

  app.post(
    '/api/dossiers',
    {
      schema: {
        tags,
        summary: 'Créer un dossier (droit « Créer et modifier les dossiers »)',
        querystring: context,
        body: z.object({ patient: patientSchema, administrative: administrativeSchema.optional() }),
        response: { 201: z.object({ id: z.string(), reference: z.string() }), ...errors },
      },
    },
    async (request, reply) => {
      const { user, onBehalfOf } = await who(request);
      return reply.status(201).send(await service.create(user, onBehalfOf, request.body));
    },
  );

  app.get(
    '/api/dossiers/:id',
    {
      schema: {
        tags,
        summary: 'Un dossier (le volet médical seulement avec le droit « volet médical »)',
        params: idParams,
        querystring: context,
        response: { 200: dossierView, ...errors },
      },
    },
    async (request) => {
      const { user, onBehalfOf } = await who(request);
      return service.get(user, onBehalfOf, request.params.id);
    },
  );

  app.put(
    '/api/dossiers/:id/administrative',
    {
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
      const { user, onBehalfOf } = await who(request);
      return service.updateAdministrative(user, onBehalfOf, request.params.id, request.body);
    },
  );

  app.put(
    '/api/dossiers/:id/medical',
    {
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
      const { user, onBehalfOf } = await who(request);
      return service.updateMedical(user, onBehalfOf, request.params.id, request.body);
    },
  );

  app.post(
    '/api/dossiers/:id/requests',
    {
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
      const { user, onBehalfOf } = await who(request);
      return reply
        .status(201)
        .send(await service.sendRequest(user, onBehalfOf, request.params.id, request.body.establishment));
    },
  );

  app.post(
    '/api/dossiers/:id/requests/:requestId/cancel',
    {
      schema: {
        tags,
        summary: 'Annuler une demande en cours (droit « Envoyer les demandes »)',
        params: idParams.extend({ requestId: z.string().max(64) }),
        querystring: context,
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      const { user, onBehalfOf } = await who(request);
      await service.cancelRequest(user, onBehalfOf, request.params.id, request.params.requestId);
      return reply.status(204).send(null);
    },
  );
}
