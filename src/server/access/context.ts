// The acting context (« Agir pour le compte de »): for whom the signed-in person acts. Resolved
// once per request, by a hook, for the routes that declare `config: { actingContext: true }`
// (and take `actingContextQuery` in their query string); the route reads it with actingOf().
// The choice is only a context: rights are decided at each request by authorize().
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ActingContexts } from '../../shared/access.js';
import type { Db } from '../context.js';
import { receivedDelegations, statusOf } from '../delegations/facts.js';
import { requireUser } from '../identity/index.js';
import type { Clock } from '../platform/clock.js';
import { DomainError } from '../platform/errors.js';
import type { App } from '../platform/http.js';
import type { SignedInUser } from '../platform/signed-in-user.js';
import { isUuid } from './authorize.js';

export interface ActingContext {
  user: SignedInUser;
  /** The doctor whose dossiers are concerned: the user for a doctor acting for himself. */
  onBehalfOfId: string;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Resolve the acting context before the handler (access/context.ts). */
    actingContext?: boolean;
  }
  interface FastifyRequest {
    acting: ActingContext | null;
  }
}

/** The query parameter of every route in an acting context. */
export const actingContextQuery = z.object({ onBehalfOf: z.string().max(64).optional() });

/** Whom can this person act for now: themselves if a doctor, and every active delegation. */
export async function actingContexts(db: Db, clock: Clock, user: SignedInUser): Promise<ActingContexts> {
  const now = clock.now();
  const received = await receivedDelegations(db, user.subjectNameId);
  const delegated = received
    .filter(({ grant }) => statusOf(grant, now) === 'active')
    .map(({ grant, delegator }) => ({
      delegatorId: delegator.id,
      familyName: delegator.familyName,
      givenName: delegator.givenName,
      specialty: delegator.specialty,
      delegationId: grant.id,
      kind: grant.kind,
      rights: grant.rights,
      endsOn: grant.endsOn,
    }));
  return { self: user.isDoctor, delegated };
}

/**
 * The doctor the actor acts for: the one asked (x-on-behalf-of), else oneself for a doctor,
 * else the only delegator. The choice is only a context: rights are decided per request.
 */
export async function resolveContext(
  db: Db,
  clock: Clock,
  user: SignedInUser,
  requested: string | undefined,
): Promise<string> {
  if (requested) {
    if (!isUuid(requested)) throw contextRequired();
    return requested;
  }
  if (user.isDoctor) return user.id;
  const { delegated } = await actingContexts(db, clock, user);
  const delegators = [...new Set(delegated.map((d) => d.delegatorId))];
  if (delegators.length === 1) return delegators[0] as string;
  throw delegators.length === 0
    ? new DomainError(
        'no_active_delegation',
        'Vous n’avez aucune délégation de droits active : aucun dossier ne peut être affiché.',
        403,
      )
    : contextRequired();
}

const contextRequired = () =>
  new DomainError('context_required', 'Choisissez pour le compte de quel médecin vous agissez.', 409);

/** Resolves the acting context of the routes that ask for it, once per request. */
export function registerActingContext(app: App, deps: { db: Db; clock: Clock }) {
  app.decorateRequest('acting', null);
  app.addHook('preHandler', async (request) => {
    if (!request.routeOptions.config.actingContext) return;
    const user = requireUser(request);
    const requested = (request.query as { onBehalfOf?: string } | undefined)?.onBehalfOf;
    request.acting = { user, onBehalfOfId: await resolveContext(deps.db, deps.clock, user, requested) };
  });
}

/** The acting context of a route declared with `config: { actingContext: true }`. */
export function actingOf(request: FastifyRequest): ActingContext {
  if (!request.acting) throw new Error('route without config.actingContext');
  return request.acting;
}
