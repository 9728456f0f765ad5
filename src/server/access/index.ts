// Access I/O around the one decision: resolve "pour le compte de qui" the actor acts, load the
// facts from the database at every request (no rights cached anywhere), decide, journal the
// delegate's access (refusals included), and turn a refusal into 404 or 403.
import { sql } from 'kysely';
import { normalizeRights, RIGHTS, type Right } from '../../shared/rights.js';
import {
  type DelegationFactsRow,
  type DelegationGrant,
  delegationsBetween,
  delegationsBetweenAsJson,
  receivedDelegations,
  statusOf,
} from '../delegations/facts.js';
import { appendJournalGrouped, type JournalAction } from '../journal/store.js';
import type { Clock } from '../platform/clock.js';
import type { Db } from '../platform/database.js';
import { DomainError } from '../platform/errors.js';
import { ACTION_LABELS, type Decision, type DossierAction, decide, knowsContext } from './decide.js';

export * from './decide.js';

export interface AccessUser {
  id: string;
  subjectNameId: string;
  isDoctor: boolean;
}

export const JOURNAL_ACTION: Record<DossierAction, JournalAction> = {
  list: 'dossier.list',
  read: 'dossier.read',
  read_medical: 'dossier.read_medical',
  create: 'dossier.create',
  write_admin: 'dossier.write',
  write_medical: 'dossier.write_medical',
  send: 'dossier.send',
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (v: string) => UUID.test(v);

export const dossierNotFound = () => new DomainError('dossier_not_found', 'Ce dossier est introuvable.', 404);

/** The delegations the decision needs for this actor in this context (none when acting for oneself). */
export async function delegationsFor(db: Db, user: AccessUser, onBehalfOfId: string) {
  return onBehalfOfId === user.id ? [] : delegationsBetween(db, onBehalfOfId, user.subjectNameId);
}

/** The same delegations as delegationsFor(), as a JSON column of another query (map with grantOf). */
export function delegationsForAsJson(user: AccessUser, onBehalfOfId: string) {
  if (onBehalfOfId === user.id) return sql<DelegationFactsRow[]>`'[]'::json`;
  return delegationsBetweenAsJson(onBehalfOfId, user.subjectNameId);
}

/** Whom can this person act for now: themselves if a doctor, and every active delegation. */
export async function actingContexts(db: Db, clock: Clock, user: AccessUser) {
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
  user: AccessUser,
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

export interface AuthorizeDeps {
  db: Db;
  clock: Clock;
}

export interface Authorized {
  decision: Decision & { allowed: true };
  onBehalfOfId: string;
  /** Every right the actor holds in this context now (all of them for the owner). */
  rights: Right[];
}

function refusal(decision: Decision & { allowed: false }, onDossier: boolean): DomainError {
  if (onDossier && !knowsContext(decision)) return dossierNotFound();
  if (decision.reason === 'missing_right') {
    return new DomainError(
      'missing_right',
      `Vos droits ne vous permettent pas de ${ACTION_LABELS[decision.action]} pour ce médecin.`,
      403,
    );
  }
  return new DomainError(
    'no_active_delegation',
    'Vous n’avez pas de délégation de droits active de ce médecin : l’accès à ses dossiers vous est refusé.',
    403,
  );
}

/**
 * The one gate of every dossier route. `dossierOwnerId` comes from the dossier the route loaded
 * (undefined when none: 404 is answered by the caller before calling this).
 */
export async function authorize(
  deps: AuthorizeDeps,
  user: AccessUser,
  onBehalfOfId: string,
  action: DossierAction,
  dossier?: { id: string; ownerId: string },
  /** The delegations, when the caller loaded them with the dossier (delegationsForAsJson()). */
  preloaded?: DelegationGrant[],
): Promise<Authorized> {
  const now = deps.clock.now();
  const delegations = preloaded ?? (await delegationsFor(deps.db, user, onBehalfOfId));
  const decision = decide({
    actor: user,
    onBehalfOfId,
    action,
    dossierOwnerId: dossier?.ownerId,
    delegations,
    now,
  });
  // Journal every access by someone other than the owner, allowed or not, on the chain of the
  // doctor whose dossiers are concerned.
  const concerned = dossier?.ownerId ?? onBehalfOfId;
  if (concerned !== user.id && (delegations.length > 0 || dossier)) {
    await appendJournalGrouped(deps.db, {
      at: now,
      actorId: user.id,
      onBehalfOfId: concerned,
      delegationId: 'delegationId' in decision ? (decision.delegationId ?? null) : null,
      dossierId: dossier?.id ?? null,
      action: JOURNAL_ACTION[action],
      outcome: decision.allowed ? 'allowed' : 'denied',
      details: decision.allowed
        ? { right: decision.via === 'delegation' ? decision.right : null }
        : { reason: decision.reason },
    });
  }
  if (!decision.allowed) throw refusal(decision, dossier !== undefined);
  const via =
    decision.via === 'delegation' ? delegations.find((d) => d.id === decision.delegationId) : undefined;
  return { decision, onBehalfOfId, rights: via ? normalizeRights(via.kind, via.rights) : [...RIGHTS] };
}
