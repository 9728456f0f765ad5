import crypto from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { appendJournal, verifyJournal } from '../../src/server/journal/store.js';
import { createTestDatabase } from '../helpers/db.js';

describe('journal hash chains', async () => {
  const t = await createTestDatabase();
  afterAll(() => t.close());
  const doctorA = crypto.randomUUID();
  const doctorB = crypto.randomUUID();
  const delegate = crypto.randomUUID();

  async function append(onBehalfOfId: string, i: number) {
    await t.db.transaction().execute((trx) =>
      appendJournal(trx, {
        at: new Date(Date.UTC(2026, 10, 25, 10, 0, i)),
        actorId: delegate,
        onBehalfOfId,
        dossierId: crypto.randomUUID(),
        action: 'dossier.read',
        outcome: 'allowed',
        details: { right: 'consulter', nested: { b: 1, a: 'é' } },
      }),
    );
  }

  it('chains entries per doctor, in order, even when appended concurrently', async () => {
    await Promise.all(Array.from({ length: 40 }, (_, i) => append(i % 2 ? doctorA : doctorB, i)));
    const rows = await t.db
      .selectFrom('journal_entries')
      .select(['chain', 'seq'])
      .orderBy('chain')
      .orderBy('seq')
      .execute();
    expect(rows.filter((r) => r.chain === doctorA).map((r) => r.seq)).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
    const result = await verifyJournal(t.db, 7);
    expect(result).toEqual({ ok: true, checked: 40, chains: 2 });
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
      .select(['id', 'seq'])
      .where('chain', '=', doctorA)
      .where('seq', '=', 5)
      .executeTakeFirstOrThrow();
    await t.db.connection().execute(async (conn) => {
      await sql`set session_replication_role = replica`.execute(conn);
      await sql`update journal_entries set outcome = 'denied' where id = ${target.id}`.execute(conn);
      await sql`set session_replication_role = origin`.execute(conn);
    });
    const result = await verifyJournal(t.db);
    expect(result.ok).toBe(false);
    expect(result.firstBroken).toMatchObject({
      id: target.id,
      seq: 5,
      reason: 'contenu modifié (empreinte différente)',
    });
  });

  it('detects a removed entry', async () => {
    await t.db.connection().execute(async (conn) => {
      await sql`set session_replication_role = replica`.execute(conn);
      await sql`delete from journal_entries where chain = ${doctorB} and seq = 3`.execute(conn);
      await sql`set session_replication_role = origin`.execute(conn);
    });
    const result = await verifyJournal(t.db);
    // doctorA's chain or doctorB's, whichever sorts first, is reported: both are broken now.
    expect(result.ok).toBe(false);
    expect(['entrée manquante avant la séquence 4', 'contenu modifié (empreinte différente)']).toContain(
      result.firstBroken?.reason,
    );
  });
});
