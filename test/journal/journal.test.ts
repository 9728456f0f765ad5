import crypto from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { chainHash, entryContent, GENESIS } from '../../src/server/journal/chain.js';
import { appendJournal, JournalBatcher, verifyJournal } from '../../src/server/journal/store.js';
import { createTestDatabase } from '../helpers/db.js';

describe('journal hash chains', async () => {
  const t = await createTestDatabase();
  afterAll(() => t.close());
  const doctorA = crypto.randomUUID();
  const doctorB = crypto.randomUUID();
  const delegate = crypto.randomUUID();

  const append = (onBehalfOfId: string, i: number) =>
    appendJournal(t.db, {
      at: new Date(Date.UTC(2026, 10, 25, 10, 0, i)),
      actorId: delegate,
      onBehalfOfId,
      dossierId: crypto.randomUUID(),
      action: 'dossier.read',
      outcome: 'allowed',
      details: { right: 'consulter', nested: { b: 1, a: 'é « ü » \\ "q"' } },
    });

  const tampered = (statement: ReturnType<typeof sql>) =>
    t.db.connection().execute(async (conn) => {
      await sql`set session_replication_role = replica`.execute(conn);
      await statement.execute(conn);
      await sql`set session_replication_role = origin`.execute(conn);
    });

  it('computes in PostgreSQL the same hash as the reference implementation', async () => {
    await append(doctorA, 0);
    const row = await t.db.selectFrom('journal_entries').selectAll().executeTakeFirstOrThrow();
    const content = entryContent({
      chain: row.chain,
      at: row.at,
      actorId: row.actor_id,
      onBehalfOfId: row.on_behalf_of_id,
      delegationId: row.delegation_id,
      dossierId: row.dossier_id,
      action: row.action,
      outcome: row.outcome,
      details: row.details,
    });
    expect(row.prev_hash).toBe(GENESIS);
    expect(row.hash).toBe(chainHash(GENESIS, content));
    expect(row.chain).toMatch(new RegExp(`^${doctorA}:[0-7]$`));
  });

  it('keeps every chain gapless and verifiable under concurrent appends', async () => {
    await Promise.all(Array.from({ length: 80 }, (_, i) => append(i % 2 ? doctorA : doctorB, i + 1)));
    const rows = await t.db
      .selectFrom('journal_entries')
      .select(['chain', 'seq'])
      .orderBy('chain')
      .orderBy('seq')
      .execute();
    const byChain = new Map<string, number[]>();
    for (const r of rows) byChain.set(r.chain, [...(byChain.get(r.chain) ?? []), r.seq]);
    for (const seqs of byChain.values()) expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    expect(await verifyJournal(t.db, { batch: 7 })).toEqual({ ok: true, checked: 81, chains: byChain.size });
  });

  it('groups concurrent appends (group commit) and keeps the chains verifiable', async () => {
    const before = (
      await t.db
        .selectFrom('journal_entries')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n;
    const journal = new JournalBatcher(t.db);
    await Promise.all(
      Array.from({ length: 120 }, (_, i) =>
        journal.append({
          at: new Date(Date.UTC(2026, 10, 25, 11, 0, i % 60)),
          actorId: [delegate, crypto.randomUUID()][i % 2] as string,
          onBehalfOfId: i % 3 ? doctorA : doctorB,
          dossierId: crypto.randomUUID(),
          action: 'dossier.read',
          outcome: 'allowed',
        }),
      ),
    );
    const after = (
      await t.db
        .selectFrom('journal_entries')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n;
    expect(after - before).toBe(120);
    expect((await verifyJournal(t.db)).ok).toBe(true);
  });

  it('commits the entries appended in one turn of the event loop together (one transaction)', async () => {
    const journal = new JournalBatcher(t.db);
    const ids = Array.from({ length: 10 }, () => crypto.randomUUID());
    await Promise.all(
      ids.map((dossierId) =>
        journal.append({
          at: new Date(),
          actorId: delegate,
          onBehalfOfId: doctorA,
          dossierId,
          action: 'dossier.list',
          outcome: 'allowed',
        }),
      ),
    );
    const { rows } = await sql<{
      transactions: number;
    }>`select count(distinct xmin::text)::int as transactions
      from journal_entries where dossier_id = any(${ids}::uuid[])`.execute(t.db);
    expect(rows[0]?.transactions).toBe(1);
  });

  it('cannot be updated, deleted or truncated through SQL by the application', async () => {
    await expect(sql`update journal_entries set outcome = 'denied'`.execute(t.db)).rejects.toThrow(
      /append-only/,
    );
    await expect(sql`delete from journal_entries`.execute(t.db)).rejects.toThrow(/append-only/);
    await expect(sql`truncate journal_entries`.execute(t.db)).rejects.toThrow(/append-only/);
  });

  it('names the first broken entry when a row is altered directly in SQL (triggers bypassed)', async () => {
    const target = await t.db
      .selectFrom('journal_entries')
      .select(['id', 'seq', 'chain'])
      .where('seq', '=', 3)
      .orderBy('chain')
      .limit(1)
      .executeTakeFirstOrThrow();
    await tampered(sql`update journal_entries set outcome = 'denied' where id = ${target.id}`);
    const result = await verifyJournal(t.db);
    expect(result.ok).toBe(false);
    expect(result.firstBroken).toEqual({
      id: target.id,
      chain: target.chain,
      seq: 3,
      reason: 'contenu modifié (empreinte différente)',
    });
    await tampered(sql`update journal_entries set outcome = 'allowed' where id = ${target.id}`);
    expect((await verifyJournal(t.db)).ok).toBe(true);
  });

  it('detects a removed entry in the middle and a removed tail', async () => {
    const chain = await t.db
      .selectFrom('journal_heads')
      .select(['chain', 'seq'])
      .where('seq', '>=', 4)
      .orderBy('chain')
      .executeTakeFirstOrThrow();
    await tampered(sql`delete from journal_entries where chain = ${chain.chain} and seq = ${chain.seq}`);
    expect((await verifyJournal(t.db)).firstBroken).toMatchObject({
      chain: chain.chain,
      reason: 'fin de chaîne manquante (entrées supprimées)',
    });
    await tampered(sql`delete from journal_entries where chain = ${chain.chain} and seq = 2`);
    expect((await verifyJournal(t.db)).firstBroken).toMatchObject({
      chain: chain.chain,
      seq: 3,
      reason: 'entrée manquante avant la séquence 3',
    });
  });
});
