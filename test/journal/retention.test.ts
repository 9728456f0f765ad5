// Retention: old entries are archived to a file and purged behind a signed checkpoint; the chain
// stays verifiable across the purge, the archive verifies up to the checkpoint, and any forgery
// (unsigned checkpoint, edited archive) is caught.
import crypto from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { purgeJournal, verifyArchive } from '../../src/server/journal/retention.js';
import { appendJournal, verifyJournal } from '../../src/server/journal/store.js';
import { fixedClock } from '../../src/server/platform/clock.js';
import { createTestDatabase } from '../helpers/db.js';

describe('journal retention', async () => {
  const t = await createTestDatabase();
  const archiveDir = await fs.mkdtemp(path.join(os.tmpdir(), 'dd-archive-'));
  afterAll(async () => {
    await t.close();
    await fs.rm(archiveDir, { recursive: true, force: true });
  });
  const clock = fixedClock(new Date('2025-01-10T10:00:00Z'));
  const signingKey = 'k'.repeat(40);
  const deps = { db: t.db, clock, archiveDir, retentionDays: 365, signingKey };
  const doctor = crypto.randomUUID();

  async function appendDays(count: number) {
    for (let i = 0; i < count; i++) {
      await appendJournal(t.db, {
        at: clock.now(),
        actorId: crypto.randomUUID(),
        onBehalfOfId: doctor,
        dossierId: crypto.randomUUID(),
        action: 'dossier.read',
        outcome: 'allowed',
        details: { right: 'consulter' },
      });
      clock.advance(86_400_000 / 4);
    }
  }

  it('archives and purges entries past the retention period; the rest still verifies', async () => {
    await appendDays(40); // ten days of entries in early 2025
    clock.set(new Date('2026-01-05T12:00:00Z'));
    await appendDays(20);
    const before = (await sql<{ n: number }>`select count(*)::int n from journal_entries`.execute(t.db))
      .rows[0]?.n;
    const result = await purgeJournal(deps);
    expect(result.entries).toBeGreaterThan(0);
    expect(result.entries).toBeLessThan(before as number);
    const left = (
      await sql<{
        n: number;
        oldest: Date;
      }>`select count(*)::int n, min(at) oldest from journal_entries`.execute(t.db)
    ).rows[0];
    expect(left?.n).toBe((before as number) - result.entries);
    expect(left?.oldest.getTime()).toBeGreaterThanOrEqual(clock.now().getTime() - 365 * 86_400_000);
    expect(await verifyJournal(t.db, { signingKey })).toMatchObject({ ok: true, checked: left?.n });
    // Running again purges nothing more.
    expect((await purgeJournal(deps)).entries).toBe(0);
  });

  it('verifies each archive up to its checkpoint, and detects an edited archive', async () => {
    const cps = await t.db.selectFrom('journal_checkpoints').selectAll().execute();
    expect(cps.length).toBeGreaterThan(0);
    for (const cp of cps) expect(await verifyArchive(archiveDir, cp)).toEqual({ ok: true });
    const cp = cps[0] as (typeof cps)[number];
    const file = path.join(archiveDir, cp.archive_file);
    const text = await fs.readFile(file, 'utf8');
    await fs.writeFile(file, text.replace('"allowed"', '"denied"'));
    expect((await verifyArchive(archiveDir, cp)).ok).toBe(false);
    await fs.writeFile(file, text);
  });

  it('refuses a checkpoint signed with another key or forged in SQL', async () => {
    expect((await verifyJournal(t.db, { signingKey: 'x'.repeat(40) })).firstBroken?.reason).toBe(
      'point de contrôle non signé ou signature invalide',
    );
    await t.db.connection().execute(async (conn) => {
      await sql`set session_replication_role = replica`.execute(conn);
      await sql`update journal_checkpoints set seq = seq + 1`.execute(conn);
      await sql`set session_replication_role = origin`.execute(conn);
    });
    expect((await verifyJournal(t.db, { signingKey })).ok).toBe(false);
  });

  it('keeps checkpoints append-only', async () => {
    await expect(sql`delete from journal_checkpoints`.execute(t.db)).rejects.toThrow(/append-only/);
    await expect(sql`update journal_entries set outcome = 'x'`.execute(t.db)).rejects.toThrow(/append-only/);
    // The purge switch lets a delete through only inside the retention transaction.
    await expect(sql`delete from journal_entries`.execute(t.db)).rejects.toThrow(/append-only/);
  });
});
