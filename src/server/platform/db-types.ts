// The database as Kysely sees it: each feature declares its own tables and they meet here.
import type { ColumnType, Generated } from 'kysely';
import type { DelegationTables } from '../delegations/tables.js';
import type { DirectoryTables } from '../directory/tables.js';
import type { DossierTables } from '../dossiers/tables.js';
import type { IdentityTables } from '../identity/tables.js';
import type { JournalTables } from '../journal/store.js';
import type { MailTables } from '../mail/tables.js';

export type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

interface PlatformTables {
  app_settings: { key: string; value: string; updated_at: Generated<Date> };
}

export interface Database
  extends PlatformTables,
    IdentityTables,
    MailTables,
    JournalTables,
    DelegationTables,
    DossierTables,
    DirectoryTables {}
export type { Generated };
