// Journal I/O: append inside the caller's transaction (serialised per chain by an advisory
// lock), verify the chains, read entries with filters.
import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database } from '../platform/db-types.js';
import { type ChainedContent, entryHash, GENESIS } from './chain.js';

export interface JournalTables {
  journal_entries: {
    id: import('kysely').Generated<number>;
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
}

/** What happened. Actions are stable codes (labels in French are chosen when shown). */
export type JournalAction =
  | 'delegation.created'
  | 'delegation.modified'
  | 'delegation.deleted'
  | 'delegation.expired'
  | 'invitation.sent'
  | 'invitation.resent'
  | 'invitation.accepted'
  | 'invitation.refused_identity'
  | 'dossier.read'
  | 'dossier.create'
  | 'dossier.write'
  | 'dossier.write_medical'
  | 'dossier.read_medical'
  | 'dossier.send'
  | 'dossier.list';

export type JournalOutcome = 'ok' | 'allowed' | 'denied';

export interface JournalEntryInput {
  at: Date;
  actorId: string | null;
  onBehalfOfId: string | null;
  delegationId?: string | null;
  dossierId?: string | null;
  action: JournalAction;
  outcome: JournalOutcome;
  details?: Record<string, unknown>;
}

/** Entries about a doctor's dossiers and delegations chain under that doctor. */
export const chainOf = (e: JournalEntryInput) => e.onBehalfOfId ?? 'system';

export async function appendJournal(trx: Transaction<Database>, entry: JournalEntryInput): Promise<void> {
  const chain = chainOf(entry);
  await sql`select pg_advisory_xact_lock(hashtextextended(${`journal:${chain}`}, 0))`.execute(trx);
  const last = await trx
    .selectFrom('journal_entries')
    .select(['seq', 'hash'])
    .where('chain', '=', chain)
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  const content: ChainedContent = {
    chain,
    seq: (last?.seq ?? 0) + 1,
    at: entry.at,
    actorId: entry.actorId,
    onBehalfOfId: entry.onBehalfOfId,
    delegationId: entry.delegationId ?? null,
    dossierId: entry.dossierId ?? null,
    action: entry.action,
    outcome: entry.outcome,
    details: entry.details ?? {},
  };
  const prevHash = last?.hash ?? GENESIS;
  await trx
    .insertInto('journal_entries')
    .values({
      chain,
      seq: content.seq,
      at: content.at,
      actor_id: content.actorId,
      on_behalf_of_id: content.onBehalfOfId,
      delegation_id: content.delegationId,
      dossier_id: content.dossierId,
      action: content.action,
      outcome: content.outcome,
      details: JSON.stringify(content.details) as unknown as Record<string, unknown>,
      prev_hash: prevHash,
      hash: entryHash(prevHash, content),
    })
    .execute();
}

export interface VerifyResult {
  ok: boolean;
  checked: number;
  chains: number;
  /** The first entry whose hash or link does not match, in (chain, seq) order. */
  firstBroken?: { id: number; chain: string; seq: number; reason: string };
}

/** Walks every chain in order, recomputing each hash; stops at the first broken entry. */
export async function verifyJournal(db: Kysely<Database>, batch = 5000): Promise<VerifyResult> {
  let checked = 0;
  let chains = 0;
  let cursor: { chain: string; seq: number } | undefined;
  let prev: { chain: string; seq: number; hash: string } | undefined;
  for (;;) {
    let q = db.selectFrom('journal_entries').selectAll().orderBy('chain').orderBy('seq').limit(batch);
    if (cursor) {
      const c = cursor;
      q = q.where((eb) =>
        eb.or([eb('chain', '>', c.chain), eb.and([eb('chain', '=', c.chain), eb('seq', '>', c.seq)])]),
      );
    }
    const rows = await q.execute();
    if (rows.length === 0) break;
    for (const row of rows) {
      const firstOfChain = !prev || prev.chain !== row.chain;
      if (firstOfChain) chains++;
      const expectedPrev = firstOfChain ? GENESIS : (prev as { hash: string }).hash;
      const expectedSeq = firstOfChain ? 1 : (prev as { seq: number }).seq + 1;
      const broken = (reason: string): VerifyResult => ({
        ok: false,
        checked,
        chains,
        firstBroken: { id: row.id, chain: row.chain, seq: row.seq, reason },
      });
      if (row.seq !== expectedSeq) return broken(`entrée manquante avant la séquence ${row.seq}`);
      if (row.prev_hash !== expectedPrev) return broken('lien vers l’entrée précédente rompu');
      const hash = entryHash(expectedPrev, {
        chain: row.chain,
        seq: row.seq,
        at: row.at,
        actorId: row.actor_id,
        onBehalfOfId: row.on_behalf_of_id,
        delegationId: row.delegation_id,
        dossierId: row.dossier_id,
        action: row.action,
        outcome: row.outcome,
        details: row.details,
      });
      if (hash !== row.hash) return broken('contenu modifié (empreinte différente)');
      checked++;
      prev = { chain: row.chain, seq: row.seq, hash: row.hash };
    }
    const last = rows[rows.length - 1] as { chain: string; seq: number };
    cursor = { chain: last.chain, seq: last.seq };
  }
  return { ok: true, checked, chains };
}
