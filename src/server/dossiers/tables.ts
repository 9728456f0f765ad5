// The dossier tables as Kysely sees them (see migrations/0007_dossiers.sql).
import type { ColumnType, Generated } from 'kysely';
import type { Administrative, Medical } from '../../shared/dossiers.js';

export interface DossiersTable {
  id: Generated<string>;
  owner_id: string;
  reference: string;
  patient_family_name: string;
  patient_given_name: string;
  patient_birth_date: string;
  patient_sex: 'F' | 'M';
  administrative: ColumnType<Administrative, string, string>;
  medical: ColumnType<Medical, string, string>;
  version: ColumnType<number, number | undefined, number>;
  created_by: string;
  updated_by: string;
  created_at: ColumnType<Date, Date | undefined, Date>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
  /** Kept by the database (migration 0021) from dossier_requests: never written here. */
  open_requests: ColumnType<number, never, never>;
  sent_requests: ColumnType<number, never, never>;
}

export interface DossierRequestsTable {
  id: Generated<string>;
  dossier_id: string;
  establishment: string;
  status: 'envoyee' | 'acceptee' | 'refusee' | 'annulee';
  sent_by: string;
  sent_at: Date;
  updated_at: Date;
}

export interface DossierTables {
  dossiers: DossiersTable;
  dossier_requests: DossierRequestsTable;
}
