// Journal I/O: append inside the caller's transaction (serialised per chain by an advisory
// lock), verify the chains, read entries with filters.
import crypto from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import type { Database } from '../platform/db-types.js';
import { chainHash, type EntryContent, entryContent, GENESIS, SHARDS } from './chain.js';
import { checkpointValid } from './retention.js';

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
  journal_heads: { chain: string; seq: number; prev_hash: string; hash: string };
  journal_checkpoints: {
    id: import('kysely').Generated<number>;
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

/** A doctor's entries go to one of SHARDS chains, picked at random; others to "system". */
export function chainOf(onBehalfOfId: string | null): string {
  return onBehalfOfId ? `${onBehalfOfId}:${crypto.randomInt(SHARDS)}` : 'system';
}

/**
 * Appends one entry in one statement: the chain's head row is advanced (a row lock held until
 * the caller's transaction ends, if any) and the entry inserted with the hash PostgreSQL computes
 * over the previous hash and the canonical content, exactly as chainHash() does.
 */
// biome-ignore lint/suspicious/noExplicitAny: any transaction or Kysely instance will do.
export async function appendJournal(db: Kysely<any>, entry: JournalEntryInput): Promise<void> {
  const e: EntryContent = {
    chain: chainOf(entry.onBehalfOfId),
    at: entry.at,
    actorId: entry.actorId,
    onBehalfOfId: entry.onBehalfOfId,
    delegationId: entry.delegationId ?? null,
    dossierId: entry.dossierId ?? null,
    action: entry.action,
    outcome: entry.outcome,
    details: entry.details ?? {},
  };
  const content = entryContent(e);
  await sql`
    with head as (
      insert into journal_heads as h (chain, seq, prev_hash, hash)
      values (${e.chain}, 1, ${GENESIS}, encode(sha256(convert_to(${GENESIS} || E'\n' || ${content}, 'UTF8')), 'hex'))
      on conflict (chain) do update
        set seq = h.seq + 1,
            prev_hash = h.hash,
            hash = encode(sha256(convert_to(h.hash || E'\n' || ${content}, 'UTF8')), 'hex')
      returning seq, prev_hash, hash
    )
    insert into journal_entries
      (chain, seq, at, actor_id, on_behalf_of_id, delegation_id, dossier_id, action, outcome, details, prev_hash, hash)
    select ${e.chain}, head.seq, ${e.at}, ${e.actorId}, ${e.onBehalfOfId}, ${e.delegationId}, ${e.dossierId},
      ${e.action}, ${e.outcome}, ${JSON.stringify(e.details)}::jsonb, head.prev_hash, head.hash
    from head`.execute(db);
}

export interface VerifyResult {
  ok: boolean;
  checked: number;
  chains: number;
  /** The first entry whose hash or link does not match, in (chain, seq) order. */
  firstBroken?: { id: number; chain: string; seq: number; reason: string };
}

export interface VerifyOptions {
  batch?: number;
  /** The checkpoint signing key: a chain purged by retention resumes at its signed checkpoint. */
  signingKey?: string;
}

/**
 * Walks every chain in order, recomputing each hash; stops at the first broken entry. A chain
 * whose beginning was archived starts after its latest checkpoint, whose signature must hold.
 */
export async function verifyJournal(
  db: Kysely<Database>,
  options: VerifyOptions = {},
): Promise<VerifyResult> {
  const batch = options.batch ?? 5000;
  const checkpoints = new Map<string, { seq: number; hash: string }>();
  const cps = await db
    .selectFrom('journal_checkpoints')
    .selectAll()
    .orderBy('chain')
    .orderBy('seq')
    .execute();
  for (const cp of cps) {
    if (!options.signingKey || !checkpointValid(options.signingKey, cp)) {
      return {
        ok: false,
        checked: 0,
        chains: 0,
        firstBroken: {
          id: 0,
          chain: cp.chain,
          seq: cp.seq,
          reason: 'point de contrôle non signé ou signature invalide',
        },
      };
    }
    checkpoints.set(cp.chain, { seq: cp.seq, hash: cp.hash });
  }
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
      const start = checkpoints.get(row.chain) ?? { seq: 0, hash: GENESIS };
      const expectedPrev = firstOfChain ? start.hash : (prev as { hash: string }).hash;
      const expectedSeq = firstOfChain ? start.seq + 1 : (prev as { seq: number }).seq + 1;
      const broken = (reason: string): VerifyResult => ({
        ok: false,
        checked,
        chains,
        firstBroken: { id: row.id, chain: row.chain, seq: row.seq, reason },
      });
      if (row.seq !== expectedSeq) return broken(`entrée manquante avant la séquence ${row.seq}`);
      if (row.prev_hash !== expectedPrev) return broken('lien vers l’entrée précédente rompu');
      const hash = chainHash(
        expectedPrev,
        entryContent({
          chain: row.chain,
          at: row.at,
          actorId: row.actor_id,
          onBehalfOfId: row.on_behalf_of_id,
          delegationId: row.delegation_id,
          dossierId: row.dossier_id,
          action: row.action,
          outcome: row.outcome,
          details: row.details,
        }),
      );
      if (hash !== row.hash) return broken('contenu modifié (empreinte différente)');
      checked++;
      prev = { chain: row.chain, seq: row.seq, hash: row.hash };
    }
    const last = rows[rows.length - 1] as { chain: string; seq: number };
    cursor = { chain: last.chain, seq: last.seq };
  }
  // The heads record each chain's last entry: a removed tail or a removed chain shows here (a
  // chain wholly archived ends at its checkpoint).
  const heads = await db.selectFrom('journal_heads').selectAll().orderBy('chain').execute();
  for (const head of heads) {
    const last =
      (await db
        .selectFrom('journal_entries')
        .select(['id', 'seq', 'hash'])
        .where('chain', '=', head.chain)
        .orderBy('seq', 'desc')
        .limit(1)
        .executeTakeFirst()) ??
      (checkpoints.has(head.chain)
        ? { id: 0, ...(checkpoints.get(head.chain) as { seq: number; hash: string }) }
        : undefined);
    if (!last || last.seq !== head.seq || last.hash !== head.hash) {
      return {
        ok: false,
        checked,
        chains,
        firstBroken: {
          id: last?.id ?? 0,
          chain: head.chain,
          seq: head.seq,
          reason: 'fin de chaîne manquante (entrées supprimées)',
        },
      };
    }
  }
  return { ok: true, checked, chains };
}
