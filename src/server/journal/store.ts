// Journal I/O: append inside the caller's transaction (the chain head's row lock serialises a
// chain), group commit for the hot path, verify the chains. Reading with filters: queries.ts.
import crypto from 'node:crypto';
import { type Kysely, type QueryExecutorProvider, sql } from 'kysely';
import type { JournalActionCode } from '../../shared/journal.js';
import type { Database } from '../context.js';
import { chainHash, type EntryContent, entryContent, GENESIS, SHARDS } from './chain.js';
import { checkpointValid } from './retention.js';

/** What happened. Actions are stable codes (labels in French are chosen when shown). */
export type JournalAction = JournalActionCode;

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

/**
 * A doctor's entries go to one of SHARDS chains, chosen by the actor: one person's entries stay
 * in one chain (a transaction appending twice locks one head), different people's spread out.
 */
export function chainOf(onBehalfOfId: string | null, actorId: string | null): string {
  if (!onBehalfOfId) return 'system';
  const shard = actorId ? crypto.hash('sha256', actorId, 'buffer').readUInt32BE(0) % SHARDS : 0;
  return `${onBehalfOfId}:${shard}`;
}

function toAppend(entry: JournalEntryInput) {
  const e: EntryContent = {
    chain: chainOf(entry.onBehalfOfId, entry.actorId),
    at: entry.at,
    actorId: entry.actorId,
    onBehalfOfId: entry.onBehalfOfId,
    delegationId: entry.delegationId ?? null,
    dossierId: entry.dossierId ?? null,
    action: entry.action,
    outcome: entry.outcome,
    details: entry.details ?? {},
  };
  return { ...e, at: e.at.toISOString(), content: entryContent(e) };
}

/** One statement for any number of entries (journal_append, migrations 0010 and 0022), heads locked in chain order. */
async function appendMany(db: QueryExecutorProvider, entries: JournalEntryInput[]): Promise<void> {
  const rows = entries.map(toAppend).sort((a, b) => (a.chain < b.chain ? -1 : a.chain > b.chain ? 1 : 0));
  await sql`select journal_append(${JSON.stringify(rows)}::jsonb)`.execute(db);
}

/**
 * Appends one entry inside the caller's transaction (delegation events): the chain head's row
 * lock is held until that transaction ends, so the entry commits with the change it records.
 */
export async function appendJournal(db: QueryExecutorProvider, entry: JournalEntryInput): Promise<void> {
  await appendMany(db, [entry]);
}

/** Journals an event that happened (outcome « ok »), in the caller's transaction. */
export function appendEvent(
  db: QueryExecutorProvider,
  entry: Omit<JournalEntryInput, 'outcome'>,
): Promise<void> {
  return appendJournal(db, { ...entry, outcome: 'ok' });
}

/**
 * Group commit for the hot path (every dossier access by a delegate): entries arriving while a
 * write is under way go together in the next one. Each caller still waits until its own entry is
 * committed before answering, so an access is never answered without its journal entry. Appends
 * outside any transaction; one per application, made by the composition root.
 */
export class JournalBatcher {
  private queue: { entry: JournalEntryInput; resolve: () => void; reject: (e: unknown) => void }[] = [];
  private writing = false;
  constructor(private readonly db: Kysely<Database>) {}

  append(entry: JournalEntryInput): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ entry, resolve, reject });
      if (!this.writing) {
        // Started at the end of this turn: the entries of one request (« Tous mes médecins »
        // journals one per doctor) go in one commit.
        this.writing = true;
        queueMicrotask(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, 500);
      try {
        await appendMany(
          this.db,
          batch.map((b) => b.entry),
        );
        for (const b of batch) b.resolve();
      } catch (err) {
        for (const b of batch) b.reject(err);
      }
    }
    this.writing = false;
  }
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
