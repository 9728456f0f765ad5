// The platform's own table as Kysely sees it (see migrations/0001_foundation.sql).
import type { Generated } from 'kysely';

export interface PlatformTables {
  app_settings: { key: string; value: string; updated_at: Generated<Date> };
}
