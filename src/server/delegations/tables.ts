// The delegation tables as Kysely sees them (see migrations/0006_delegations.sql).
import type { ColumnType, Generated } from 'kysely';
import type { DelegationKind, Right } from '../../shared/rights.js';

type DateColumn = ColumnType<string, string, string>;
type NullableTimestamp = ColumnType<Date | null, Date | null | undefined, Date | null>;

export interface DelegationsTable {
  id: Generated<string>;
  delegator_id: string;
  kind: DelegationKind;
  delegate_family_name: string;
  delegate_given_name: string;
  delegate_email: string | null;
  delegate_profession: string | null;
  delegate_places: ColumnType<Place[], string | undefined, string>;
  delegate_national_id: string | null;
  rights: ColumnType<Right[], Right[], Right[]>;
  starts_on: DateColumn;
  ends_on: ColumnType<string | null, string | null, string | null>;
  invitation_expires_at: NullableTimestamp;
  accepted_at: NullableTimestamp;
  deleted_at: NullableTimestamp;
  /** A colleague's delegation joined to this delegation's pending invitation (migration 0017). */
  invitation_origin_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** The delegate gave the delegation up (final). */
  renounced_at: NullableTimestamp;
  /** The request this delegation answered, if any. */
  request_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** « Connexion par carte CPx ou e-CPS obligatoire ». */
  psc_required: Generated<boolean>;
  /** Suspended by the daily job, unused since suspended_unused_since (migration 0018). */
  suspended_at: NullableTimestamp;
  suspended_unused_since: NullableTimestamp;
  /** The doctor's last « Réactiver »: the floor of the unused clock. */
  reactivated_at: NullableTimestamp;
  version: Generated<number>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface Place {
  name: string | null;
  postalCode: string | null;
  city: string | null;
}

export interface InvitationsTable {
  id: Generated<string>;
  delegation_id: string;
  token_hash: Buffer;
  sent_at: Date;
  expires_at: Date;
  used_at: NullableTimestamp;
  revoked_at: NullableTimestamp;
}

export interface DelegationNoticesTable {
  delegation_id: string;
  kind: string;
  key: string;
  done_at: Generated<Date>;
}

export interface DelegationRequestsTable {
  id: Generated<string>;
  requester_id: string;
  kind: DelegationKind;
  doctor_id: string;
  rights: ColumnType<Right[], Right[], Right[]>;
  starts_on: DateColumn;
  ends_on: ColumnType<string | null, string | null, string | null>;
  message: string;
  created_at: Date;
  expires_at: Date;
  decided_at: NullableTimestamp;
  decision: ColumnType<'accepted' | 'refused' | null, 'accepted' | 'refused' | null | undefined>;
  refusal_reason: ColumnType<string | null, string | null | undefined, string | null>;
  delegation_id: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface NotificationOptOutsTable {
  user_id: string;
  kind: string;
}

export interface AccessReviewsTable {
  id: Generated<string>;
  delegator_id: string;
  started_at: Date;
  completed_at: NullableTimestamp;
}

export type ReviewDecision = 'kept' | 'modified' | 'deleted';

export interface AccessReviewItemsTable {
  review_id: string;
  delegation_id: string;
  decision: ColumnType<ReviewDecision | null, ReviewDecision | null | undefined, ReviewDecision | null>;
  decided_at: NullableTimestamp;
}

export interface DelegationTables {
  access_reviews: AccessReviewsTable;
  access_review_items: AccessReviewItemsTable;
  delegations: DelegationsTable;
  delegation_requests: DelegationRequestsTable;
  notification_opt_outs: NotificationOptOutsTable;
  invitations: InvitationsTable;
  delegation_notices: DelegationNoticesTable;
}
