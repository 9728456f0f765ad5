// The facts of delegations as other features read them (access: the decision and the acting
// contexts): the only reader of delegation rows outside this feature, with one mapper from a row
// to the facts the decision needs, whether the row comes from a query or as JSON inside another
// query. Nothing here is cached: every call reads the database.
import { type Expression, type RawBuilder, type Selectable, sql } from 'kysely';
import { normalizeRights, type Right } from '../../shared/rights.js';
import type { Db } from '../context.js';
import type { DelegationFacts } from './rules.js';
import type { DelegationsTable } from './tables.js';

export { type DelegationFacts, statusOf } from './rules.js';

/** A delegation as the decision sees it: its facts, its id and its rights (implications applied). */
export interface DelegationGrant extends DelegationFacts {
  id: string;
  rights: Right[];
  /** « Connexion par carte CPx ou e-CPS obligatoire »: usable only in a Pro Santé Connect session. */
  pscRequired: boolean;
}

const FACT_COLUMNS = [
  'id',
  'kind',
  'starts_on',
  'ends_on',
  'deleted_at',
  'accepted_at',
  'invitation_expires_at',
  'renounced_at',
  'suspended_at',
  'suspended_unused_since',
  'reactivated_at',
  'rights',
  'psc_required',
] as const;
type Instant = Date | string | null;
/** The columns the facts come from; the instants are ISO strings when the row came as JSON. */
export type DelegationFactsRow = Pick<
  Selectable<DelegationsTable>,
  'id' | 'kind' | 'starts_on' | 'ends_on' | 'rights' | 'psc_required'
> & {
  deleted_at: Instant;
  accepted_at: Instant;
  invitation_expires_at: Instant;
  renounced_at: Instant;
  suspended_at?: Instant;
  suspended_unused_since?: Instant;
  reactivated_at?: Instant;
};

const instant = (v: Instant | undefined) => (v === null || v === undefined ? null : new Date(v));

/** The one mapper: a delegation row → the facts of the decision. */
export function grantOf(row: DelegationFactsRow): DelegationGrant {
  return {
    id: row.id,
    kind: row.kind,
    startsOn: row.starts_on,
    endsOn: row.ends_on,
    deletedAt: instant(row.deleted_at),
    acceptedAt: instant(row.accepted_at),
    invitationExpiresAt: instant(row.invitation_expires_at),
    renouncedAt: instant(row.renounced_at),
    suspendedAt: instant(row.suspended_at),
    suspendedUnusedSince: instant(row.suspended_unused_since),
    reactivatedAt: instant(row.reactivated_at),
    rights: normalizeRights(row.kind, row.rights),
    pscRequired: row.psc_required === true,
  };
}

/**
 * Every delegation from a doctor to this person, deleted ones included, so that a refused access
 * after a deletion is decided (and journaled) as such (index delegations_by_delegate).
 */
export async function delegationsBetween(
  db: Db,
  delegatorId: string,
  delegateNationalId: string,
): Promise<DelegationGrant[]> {
  const rows = await db
    .selectFrom('delegations')
    .select(FACT_COLUMNS)
    .where('delegate_national_id', '=', delegateNationalId)
    .where('delegator_id', '=', delegatorId)
    .execute();
  return rows.map(grantOf);
}

/**
 * The same rows as delegationsBetween(), as a JSON column of another query (map them with
 * grantOf): the hot read of a dossier by a delegate then costs one round trip instead of two.
 */
export function delegationsBetweenAsJson(
  delegatorId: string | Expression<unknown>,
  delegateNationalId: string | Expression<unknown>,
): RawBuilder<DelegationFactsRow[]> {
  const fields = sql.raw(FACT_COLUMNS.map((c) => `'${c}', g.${c}`).join(', '));
  return sql<DelegationFactsRow[]>`coalesce((select json_agg(json_build_object(${fields}))
    from delegations g where g.delegate_national_id = ${delegateNationalId} and g.delegator_id = ${delegatorId}), '[]')`;
}

/** The delegations this person received and that are not deleted, with their doctor. */
export async function receivedDelegations(db: Db, delegateNationalId: string) {
  const rows = await db
    .selectFrom('delegations as d')
    .innerJoin('users as u', 'u.id', 'd.delegator_id')
    .select(FACT_COLUMNS.map((c) => `d.${c}` as const))
    .select(['d.delegator_id', 'u.family_name', 'u.given_name', 'u.specialty_label'])
    .where('d.delegate_national_id', '=', delegateNationalId)
    .where('d.deleted_at', 'is', null)
    .execute();
  return rows.map((r) => ({
    grant: grantOf(r),
    delegator: {
      id: r.delegator_id,
      familyName: r.family_name,
      givenName: r.given_name,
      specialty: r.specialty_label,
    },
  }));
}
