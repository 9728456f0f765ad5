// HTTP routes of "Mes délégations", "Délégations reçues" and the invitation link.
import rateLimit from '@fastify/rate-limit';
import { z } from 'zod';
import {
  delegationsResponse,
  invitationView,
  modifyDelegationInput,
  peerDelegationInput,
  receivedDelegationView,
  staffDelegationInput,
} from '../../shared/delegations.js';
import type { AppContext } from '../context.js';
import { optionalUser, requireUser } from '../identity/index.js';
import { type DomainError, errorResponses, unauthorized } from '../platform/errors.js';
import type { App } from '../platform/http.js';
import { rateLimitOptions, scaledMax } from '../platform/rate-limit.js';
import type { DelegationService } from './service.js';

const idParams = z.object({ id: z.string().max(64) });
const tokenParams = z.object({ token: z.string().max(200) });
const created = z.object({ id: z.string() });
const versioned = z.object({ id: z.string(), version: z.number() });
const errors = errorResponses(400, 401, 403, 404, 409, 410, 422, 429);
const tags = ['Délégations'];

export async function delegationRoutes(root: App, service: DelegationService, ctx: AppContext) {
  await root.register(async (app: App) => {
    await app.register(rateLimit, rateLimitOptions(ctx, 'delegations'));
    app.get(
      '/api/delegations',
      {
        schema: {
          tags,
          summary: 'Mes délégations (données par le médecin connecté), par section',
          response: { 200: delegationsResponse, ...errors },
        },
      },
      async (request) => {
        const all = await service.listGiven(requireUser(request));
        return { staff: all.filter((d) => d.kind === 'staff'), peer: all.filter((d) => d.kind === 'peer') };
      },
    );

    app.get(
      '/api/delegations/received',
      {
        schema: {
          tags,
          summary: 'Délégations reçues par la personne connectée',
          response: { 200: z.object({ delegations: z.array(receivedDelegationView) }), ...errors },
        },
      },
      async (request) => ({ delegations: await service.listReceived(requireUser(request)) }),
    );

    app.post(
      '/api/delegations/staff',
      {
        schema: {
          tags,
          summary: 'Ajouter une délégation de droits à un personnel de cabinet (envoie l’invitation)',
          body: staffDelegationInput,
          response: { 201: created, ...errors },
        },
      },
      async (request, reply) =>
        reply.status(201).send(await service.createStaff(requireUser(request), request.body)),
    );

    app.post(
      '/api/delegations/peer',
      {
        schema: {
          tags,
          summary: 'Ajouter une délégation de droits à un confrère de l’annuaire national',
          body: peerDelegationInput,
          response: { 201: created, ...errors },
        },
      },
      async (request, reply) =>
        reply.status(201).send(await service.createPeer(requireUser(request), request.body)),
    );

    app.patch(
      '/api/delegations/:id',
      {
        schema: {
          tags,
          summary: 'Modifier une délégation (droits, période) — version attendue pour éviter les conflits',
          params: idParams,
          body: modifyDelegationInput,
          response: { 200: versioned, ...errors },
        },
      },
      async (request) => service.modify(requireUser(request), request.params.id, request.body),
    );

    app.delete(
      '/api/delegations/:id',
      {
        schema: {
          tags,
          summary: 'Supprimer une délégation (effet immédiat)',
          params: idParams,
          response: { 204: z.null(), ...errors },
        },
      },
      async (request, reply) => {
        await service.remove(requireUser(request), request.params.id);
        return reply.status(204).send(null);
      },
    );

    app.post(
      '/api/delegations/:id/resend',
      {
        schema: {
          tags,
          summary: 'Renvoyer l’invitation (le lien précédent devient invalide)',
          params: idParams,
          response: { 204: z.null(), ...errors },
        },
      },
      async (request, reply) => {
        await service.resendInvitation(requireUser(request), request.params.id);
        return reply.status(204).send(null);
      },
    );

    app.post(
      '/api/delegations/:id/second-factor-reset',
      {
        schema: {
          tags,
          summary: 'Réinitialiser le second facteur de connexion de la personne (journalisé, courriel)',
          params: idParams,
          response: { 204: z.null(), ...errors },
        },
      },
      async (request, reply) => {
        await service.resetSecondFactor(requireUser(request), request.params.id);
        return reply.status(204).send(null);
      },
    );

    // The invitation link: what it is about (for its holder), and its finalisation.
    const invitationLimit = { max: scaledMax(ctx.config, 20), timeWindow: '1 minute' };
    app.get(
      '/api/invitations/:token',
      {
        config: { rateLimit: invitationLimit },
        schema: {
          tags,
          summary: 'Ce que propose un lien d’invitation',
          params: tokenParams,
          response: { 200: invitationView, ...errors },
        },
      },
      async (request) => {
        const found = await service.describeInvitation(request.params.token);
        if (!found.invitation) throw found.problem as DomainError;
        const inv = found.invitation;
        return {
          delegator: { familyName: inv.delegatorFamilyName, givenName: inv.delegatorGivenName },
          invited: { familyName: inv.delegate_family_name, givenName: inv.delegate_given_name },
          rights: inv.rights,
          startsOn: inv.starts_on,
          endsOn: inv.ends_on,
          problem: found.problem ? { code: found.problem.code, message: found.problem.message } : null,
          others: found.problem ? [] : await service.joinedTo(inv.delegationId),
        };
      },
    );

    app.post(
      '/api/invitations/:token/accept',
      {
        config: { rateLimit: invitationLimit },
        schema: {
          tags,
          summary: 'Finaliser la délégation (personne connectée avec sa carte CPx, première connexion faite)',
          params: tokenParams,
          response: {
            200: z.object({ delegationId: z.string(), joined: z.array(z.string()).optional() }),
            ...errors,
          },
        },
      },
      async (request) => {
        if (!optionalUser(request))
          throw unauthorized('Connectez-vous avec votre carte CPx pour finaliser la délégation.');
        return service.acceptInvitation(requireUser(request), request.params.token);
      },
    );
  });
}
