// HTTP routes of « Mon cabinet », the cabinet invitations, the rights templates and the
// delegations proposed to the colleagues of a cabinet.
import { z } from 'zod';
import {
  answerProposalInput,
  cabinetInvitationView,
  cabinetsResponse,
  createCabinetInput,
  inviteColleagueInput,
  proposalView,
  sharedStaffDelegationInput,
  templateInput,
} from '../../shared/cabinets.js';
import { requireUser } from '../identity/index.js';
import { errorResponses } from '../platform/errors.js';
import type { App } from '../platform/http.js';
import type { CabinetService } from './service.js';

const idParams = z.object({ id: z.string().max(64) });
const created = z.object({ id: z.string() });
const errors = errorResponses(400, 401, 403, 404, 409, 422, 429);
const tags = ['Cabinets'];
const noContent = { 204: z.null(), ...errors };

export function cabinetRoutes(app: App, service: CabinetService) {
  app.get(
    '/api/cabinets',
    {
      schema: {
        tags,
        summary:
          'Mon cabinet : les cabinets du médecin connecté, leurs membres, invitations et modèles de droits',
        response: { 200: cabinetsResponse, ...errors },
      },
    },
    async (request) => ({ cabinets: await service.listMine(requireUser(request)) }),
  );

  app.post(
    '/api/cabinets',
    {
      schema: {
        tags,
        summary: 'Créer un cabinet (nom, adresse, FINESS et SIRET facultatifs)',
        body: createCabinetInput,
        response: { 201: created, ...errors },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await service.create(requireUser(request), request.body)),
  );

  app.post(
    '/api/cabinets/:id/invitations',
    {
      schema: {
        tags,
        summary: 'Inviter un confrère de l’annuaire national à rejoindre le cabinet',
        params: idParams,
        body: inviteColleagueInput,
        response: { 201: created, ...errors },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await service.invite(requireUser(request), request.params.id, request.body)),
  );

  app.post(
    '/api/cabinets/:id/leave',
    {
      schema: {
        tags,
        summary: 'Quitter le cabinet (les délégations déjà acceptées restent en place)',
        params: idParams,
        response: noContent,
      },
    },
    async (request, reply) => {
      await service.leave(requireUser(request), request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/cabinets/:id/templates',
    {
      schema: {
        tags,
        summary: 'Ajouter un modèle de droits au cabinet',
        params: idParams,
        body: templateInput,
        response: { 201: created, ...errors },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(await service.createTemplate(requireUser(request), request.params.id, request.body)),
  );

  app.delete(
    '/api/cabinet-templates/:id',
    {
      schema: { tags, summary: 'Supprimer un modèle de droits', params: idParams, response: noContent },
    },
    async (request, reply) => {
      await service.deleteTemplate(requireUser(request), request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/cabinet-invitations',
    {
      schema: {
        tags,
        summary: 'Les invitations à rejoindre un cabinet qui attendent la réponse du médecin connecté',
        response: { 200: z.object({ invitations: z.array(cabinetInvitationView) }), ...errors },
      },
    },
    async (request) => ({ invitations: await service.myInvitations(requireUser(request)) }),
  );

  for (const [verb, accept] of [
    ['accept', true],
    ['decline', false],
  ] as const) {
    app.post(
      `/api/cabinet-invitations/:id/${verb}`,
      {
        schema: {
          tags,
          summary: accept ? 'Rejoindre le cabinet' : 'Décliner l’invitation au cabinet',
          params: idParams,
          response: noContent,
        },
      },
      async (request, reply) => {
        await service.answerInvitation(requireUser(request), request.params.id, accept);
        return reply.status(204).send(null);
      },
    );
  }

  app.post(
    '/api/cabinets/shared-delegations',
    {
      schema: {
        tags,
        summary:
          'Ajouter une délégation à un personnel de cabinet et la proposer aux médecins choisis du cabinet (chacun accepte ou refuse)',
        body: sharedStaffDelegationInput,
        response: { 201: z.object({ id: z.string(), proposals: z.array(z.string()) }), ...errors },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await service.createSharedStaff(requireUser(request), request.body)),
  );

  app.get(
    '/api/delegation-proposals',
    {
      schema: {
        tags,
        summary: 'Les délégations proposées au médecin connecté par un confrère de son cabinet',
        response: { 200: z.object({ proposals: z.array(proposalView) }), ...errors },
      },
    },
    async (request) => ({ proposals: await service.proposalsForMe(requireUser(request)) }),
  );

  app.post(
    '/api/delegation-proposals/:id/accept',
    {
      schema: {
        tags,
        summary:
          'Accepter une délégation proposée (droits et période modifiables) : elle ne vaut qu’à partir de là',
        params: idParams,
        body: answerProposalInput,
        response: {
          200: z.object({
            delegationId: z.string(),
            joined: z.enum(['identified', 'pending_invitation', 'own_invitation']),
          }),
          ...errors,
        },
      },
    },
    async (request) => service.acceptProposal(requireUser(request), request.params.id, request.body),
  );

  app.post(
    '/api/delegation-proposals/:id/refuse',
    {
      schema: { tags, summary: 'Refuser une délégation proposée', params: idParams, response: noContent },
    },
    async (request, reply) => {
      await service.refuseProposal(requireUser(request), request.params.id);
      return reply.status(204).send(null);
    },
  );
}
