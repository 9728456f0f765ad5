// The directory tables as Kysely sees them (see migrations/0004_directory.sql). The three
// directory_* tables are replaced as a whole by each import; directory_import is its journal.
import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;

export interface DirectoryPersonTable {
  id: number;
  national_id: string;
  id_type: string;
  identifier: string;
  civility_code: string;
  civility: string;
  practice_civility_code: string;
  practice_civility: string;
  family_name: string;
  given_name: string;
  profession_code: string;
  profession: string;
  specialty_code: string;
  specialty: string;
  name_key: string;
  given_name_key: string;
  /** Every profession of the person, in code order (profession_code is the first). */
  professions: string[];
  profession_labels: string[];
}

export interface DirectoryPlaceTable {
  person_id: number;
  position: number;
  name: string;
  address: string;
  postal_code: string;
  commune: string;
  department: string | null;
  mode_code: string;
  mode: string;
  /** The person's professions, copied so that a search within a department reads this table only. */
  professions: string[];
  name_key: string;
}

/** One part of a compound family name ("lopez" of GARCÍA-LÓPEZ) per place of the person. */
export interface DirectoryNamePartTable {
  person_id: number;
  /** The part, a space, the given name's key: "lopez maria". */
  part_key: string;
  professions: string[];
  department: string | null;
  postal_code: string;
}

export interface DirectoryFamilyNameTable {
  key: string;
  label: string;
  people: number;
  professions: string[];
}

export interface DirectoryImportTable {
  id: Generated<number>;
  file_name: string;
  extract_at: Date | null;
  status: 'running' | 'succeeded' | 'failed';
  started_at: ColumnType<Date, Date | string | undefined, Date | string>;
  finished_at: Timestamp | null;
  duration_ms: number | null;
  lines: number | null;
  rows: number | null;
  people: number | null;
  places: number | null;
  rejected: number | null;
  latin1_lines: number | null;
  duplicates: number | null;
  extract_date_source: 'file_name' | 'url' | 'last_modified' | 'import' | null;
  error: string | null;
}

export interface DirectoryTables {
  directory_person: DirectoryPersonTable;
  directory_place: DirectoryPlaceTable;
  directory_name_part: DirectoryNamePartTable;
  directory_family_name: DirectoryFamilyNameTable;
  directory_import: DirectoryImportTable;
}
