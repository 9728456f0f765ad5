// The cabinet tables as Kysely sees them (see migrations/0017_cabinets.sql).
import type { ColumnType, Generated } from 'kysely';
import type { Right } from '../../shared/rights.js';

type NullableTimestamp = ColumnType<Date | null, Date | null | undefined, Date | null>;

export interface CabinetsTable {
  id: Generated<string>;
  name: string;
  address: string;
  finess: string | null;
  siret: string | null;
  created_by: string;
  created_at: Generated<Date>;
}

export interface CabinetMembersTable {
  id: Generated<string>;
  cabinet_id: string;
  user_id: string;
  joined_at: Date;
  left_at: NullableTimestamp;
}

export interface CabinetInvitationsTable {
  id: Generated<string>;
  cabinet_id: string;
  invited_national_id: string;
  invited_family_name: string;
  invited_given_name: string;
  invited_by: string;
  created_at: Date;
  answered_at: NullableTimestamp;
  outcome: 'accepted' | 'declined' | 'cancelled' | null;
}

export interface RightsTemplatesTable {
  id: Generated<string>;
  cabinet_id: string;
  name: string;
  rights: ColumnType<Right[], Right[], Right[]>;
  created_by: string;
  created_at: Date;
  deleted_at: NullableTimestamp;
}

export interface DelegationProposalsTable {
  id: Generated<string>;
  cabinet_id: string;
  origin_delegation_id: string;
  proposer_id: string;
  colleague_id: string;
  rights: ColumnType<Right[], Right[], Right[]>;
  starts_on: ColumnType<string, string, string>;
  ends_on: ColumnType<string | null, string | null, string | null>;
  created_at: Date;
  answered_at: NullableTimestamp;
  outcome: 'accepted' | 'refused' | 'withdrawn' | null;
  delegation_id: string | null;
}

export interface CabinetTables {
  cabinets: CabinetsTable;
  cabinet_members: CabinetMembersTable;
  cabinet_invitations: CabinetInvitationsTable;
  rights_templates: RightsTemplatesTable;
  delegation_proposals: DelegationProposalsTable;
}
