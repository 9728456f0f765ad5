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
  /** « Connexion par carte CPx ou e-CPS obligatoire ». */
  psc_required: Generated<boolean>;
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

export interface DelegationTables {
  delegations: DelegationsTable;
  invitations: InvitationsTable;
  delegation_notices: DelegationNoticesTable;
}
