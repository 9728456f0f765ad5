// Access I/O around the one decision: resolve "pour le compte de qui" the actor acts, load the
// facts from the database at every request (no rights cached anywhere), decide, journal the
// delegate's access (refusals included), and turn a refusal into 404 or 403.
import { type Selectable, sql } from 'kysely';
import type { Db } from '../context.js';
import { normalizeRights, RIGHTS, type Right, statusOf } from '../delegations/rules.js';
import type { DelegationsTable } from '../delegations/tables.js';
import type { JournalAction, JournalBatcher } from '../journal/store.js';
import type { Clock } from '../platform/clock.js';
import { DomainError } from '../platform/errors.js';
import {
  ACTION_LABELS,
  type Decision,
  type DelegationForDecision,
  type DossierAction,
  decide,
  knowsContext,
} from './decide.js';

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

export function toDecisionDelegation(row: Selectable<DelegationsTable>): DelegationForDecision {
  return {
    id: row.id,
    kind: row.kind,
    startsOn: row.starts_on,
    endsOn: row.ends_on,
    deletedAt: row.deleted_at,
    acceptedAt: row.accepted_at,
    invitationExpiresAt: row.invitation_expires_at,
    rights: normalizeRights(row.kind, row.rights),
  };
}

/**
 * Every delegation from a doctor to this person, deleted ones included, so that a refused access
 * after a deletion is decided (and journaled) as such (index delegations_by_delegate).
 */
export function delegationsBetween(db: Db, delegatorId: string, delegateNationalId: string) {
  return db
    .selectFrom('delegations')
    .selectAll()
    .where('delegate_national_id', '=', delegateNationalId)
    .where('delegator_id', '=', delegatorId)
    .execute();
}

/** The delegations the decision needs for this actor in this context (none when acting for oneself). */
export async function delegationsFor(db: Db, user: AccessUser, onBehalfOfId: string) {
  return onBehalfOfId === user.id ? [] : delegationsBetween(db, onBehalfOfId, user.subjectNameId);
}

/**
 * The same delegations as delegationsFor(), as a JSON column of another query: the hot read of a
 * dossier by a delegate then costs one round trip to the database instead of two.
 */
export function delegationsJson(user: AccessUser, onBehalfOfId: string) {
  if (onBehalfOfId === user.id) return sql<DelegationJson[]>`'[]'::json`;
  return sql<DelegationJson[]>`coalesce((select json_agg(json_build_object(
      'id', g.id, 'kind', g.kind, 'startsOn', g.starts_on, 'endsOn', g.ends_on, 'deletedAt', g.deleted_at,
      'acceptedAt', g.accepted_at, 'invitationExpiresAt', g.invitation_expires_at, 'rights', g.rights))
    from delegations g where g.delegate_national_id = ${user.subjectNameId} and g.delegator_id = ${onBehalfOfId}), '[]')`;
}

interface DelegationJson {
  id: string;
  kind: 'staff' | 'peer';
  startsOn: string;
  endsOn: string | null;
  deletedAt: string | null;
  acceptedAt: string | null;
  invitationExpiresAt: string | null;
  rights: Right[];
}

const dateOrNull = (v: string | null) => (v === null ? null : new Date(v));

export function fromDelegationJson(j: DelegationJson): DelegationForDecision {
  return {
    id: j.id,
    kind: j.kind,
    startsOn: j.startsOn,
    endsOn: j.endsOn,
    deletedAt: dateOrNull(j.deletedAt),
    acceptedAt: dateOrNull(j.acceptedAt),
    invitationExpiresAt: dateOrNull(j.invitationExpiresAt),
    rights: normalizeRights(j.kind, j.rights),
  };
}

/** Whom can this person act for now: themselves if a doctor, and every active delegation. */
export async function actingContexts(db: Db, clock: Clock, user: AccessUser) {
  const now = clock.now();
  const rows = await db
    .selectFrom('delegations as d')
    .innerJoin('users as u', 'u.id', 'd.delegator_id')
    .selectAll('d')
    .select(['u.family_name', 'u.given_name', 'u.specialty_label'])
    .where('d.delegate_national_id', '=', user.subjectNameId)
    .where('d.deleted_at', 'is', null)
    .execute();
  const delegated = rows
    .filter((r) => statusOf(toDecisionDelegation(r), now) === 'active')
    .map((r) => ({
      delegatorId: r.delegator_id,
      familyName: r.family_name,
      givenName: r.given_name,
      specialty: r.specialty_label,
      delegationId: r.id,
      kind: r.kind,
      rights: normalizeRights(r.kind, r.rights),
      endsOn: r.ends_on,
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
  /** The application's journal writer (group commit of the accesses). */
  journal: Pick<JournalBatcher, 'append'>;
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
  /** The delegations, when the caller loaded them with the dossier (delegationsJson()). */
  preloaded?: DelegationForDecision[],
): Promise<Authorized> {
  const now = deps.clock.now();
  const delegations =
    preloaded ?? (await delegationsFor(deps.db, user, onBehalfOfId)).map(toDecisionDelegation);
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
    await deps.journal.append({
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
