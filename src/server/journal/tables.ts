// The journal's tables as Kysely sees them (see migrations/0005_journal.sql and 0008_journal_retention.sql).
import type { Generated } from 'kysely';

export interface JournalTables {
  journal_entries: {
    id: Generated<number>;
    chain: string;
    seq: number;
    at: Date;
    actor_id: string | null;
    on_behalf_of_id: string | null;
    delegation_id: string | null;
    dossier_id: string | null;
    action: string;
    outcome: string;
    details: Record<string, unknown>;
    prev_hash: string;
    hash: string;
  };
  journal_heads: { chain: string; seq: number; prev_hash: string; hash: string };
  journal_checkpoints: {
    id: Generated<number>;
    chain: string;
    seq: number;
    hash: string;
    entries: number;
    first_seq: number;
    archive_file: string;
    archive_sha256: string;
    created_at: Date;
    signature: string;
  };
}
