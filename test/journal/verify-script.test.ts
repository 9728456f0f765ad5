// `npm run journal:verify` as an operator runs it: exit 0 on an intact journal, exit 1 naming the
// first broken entry after a row was altered directly in SQL.
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { appendJournal } from '../../src/server/journal/store.js';
import { ROOT } from '../../src/server/platform/web-build.js';
import { createTestDatabase } from '../helpers/db.js';

describe('npm run journal:verify', async () => {
  const t = await createTestDatabase();
  afterAll(() => t.close());
  const env = {
    ...process.env,
    DATABASE_URL: t.url,
    SESSION_SECRET: 's'.repeat(40),
    PUBLIC_URL: 'http://localhost',
    LOG_LEVEL: 'warn',
  };
  const verify = () =>
    spawnSync(process.execPath, ['--import', 'tsx', 'scripts/journal-verify.ts'], {
      cwd: ROOT,
      env,
      encoding: 'utf8',
    });
  const doctor = crypto.randomUUID();
  for (let i = 0; i < 30; i++) {
    await appendJournal(t.db, {
      at: new Date(),
      actorId: crypto.randomUUID(),
      onBehalfOfId: doctor,
      action: 'dossier.read',
      outcome: 'allowed',
    });
  }

  it('exits 0 on an intact journal', () => {
    const r = verify();
    expect(r.stdout).toContain('Journal intègre : 30 entrées vérifiées');
    expect(r.status).toBe(0);
  });

  it('exits 1 and names the first altered entry', async () => {
    const target = await t.db
      .selectFrom('journal_entries')
      .select(['id', 'chain', 'seq'])
      .orderBy('chain')
      .orderBy('seq')
      .offset(3)
      .limit(1)
      .executeTakeFirstOrThrow();
    await t.db.connection().execute(async (conn) => {
      await sql`set session_replication_role = replica`.execute(conn);
      await sql`update journal_entries set action = 'dossier.write' where id = ${target.id}`.execute(conn);
      await sql`set session_replication_role = origin`.execute(conn);
    });
    const r = verify();
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`id=${target.id}`);
    expect(r.stderr).toContain('contenu modifié');
  });
});
