// What the features work with, composed here above them: the database type (each feature
// declares its own tables in its tables.ts) and the platform context typed with it. Types only:
// the composition root that builds them is composition.ts.
import type { Kysely } from 'kysely';
import type { CabinetTables } from './cabinets/tables.js';
import type { DelegationTables } from './delegations/tables.js';
import type { DirectoryTables } from './directory/tables.js';
import type { DossierTables } from './dossiers/tables.js';
import type { IdentityTables } from './identity/tables.js';
import type { JournalTables } from './journal/tables.js';
import type { MailTables } from './mail/tables.js';
import type { PlatformContext } from './platform/feature.js';
import type { PlatformTables } from './platform/tables.js';

export interface Database
  extends PlatformTables,
    IdentityTables,
    MailTables,
    JournalTables,
    DelegationTables,
    CabinetTables,
    DossierTables,
    DirectoryTables {}

export type Db = Kysely<Database>;

/** What every feature receives from the platform: configuration, database, clock, logger, metrics. */
export type AppContext = PlatformContext<Database>;
