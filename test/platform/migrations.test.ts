import crypto from 'node:crypto';
import { promises as fs } from 'node:fs';
import { sql } from 'kysely';
import { afterAll, describe, expect, inject, it } from 'vitest';
import {
  createDb,
  createPool,
  ensureDatabase,
  MIGRATIONS_DIR,
  migrate,
  migrationsApplied,
} from '../../src/server/platform/database.js';

describe('migrations', async () => {
  const url = await ensureDatabase(inject('pgServerUrl'), `m_${crypto.randomBytes(5).toString('hex')}`);
  const pool = createPool(url, 4);
  const db = createDb(pool);
  afterAll(() => db.destroy());

  it('apply every SQL file to an empty database, once, in order', async () => {
    expect(await migrationsApplied(db).catch(() => false)).toBe(false);
    const files = (await fs.readdir(MIGRATIONS_DIR)).filter((f) => f.endsWith('.sql')).sort();
    const applied = await migrate(db, pool);
    expect(applied).toEqual(files.map((f) => f.replace(/\.sql$/, '')));
    expect(await migrationsApplied(db)).toBe(true);
    expect(await migrate(db, pool)).toEqual([]);
  });

  it('install the extensions the features rely on and the job queue schema', async () => {
    const { rows } = await sql<{ extname: string }>`select extname from pg_extension`.execute(db);
    expect(rows.map((r) => r.extname)).toEqual(expect.arrayContaining(['pg_trgm', 'unaccent', 'btree_gist']));
    const jobs = await sql<{ n: number }>`select count(*)::int as n from graphile_worker.jobs`.execute(db);
    expect(jobs.rows[0]?.n).toBe(0);
  });

  it('are safe when two nodes migrate at the same time', async () => {
    const url2 = await ensureDatabase(inject('pgServerUrl'), `m_${crypto.randomBytes(5).toString('hex')}`);
    const nodes = [0, 1].map(() => {
      const p = createPool(url2, 2);
      return { pool: p, db: createDb(p) };
    });
    const results = await Promise.all(nodes.map((n) => migrate(n.db, n.pool)));
    expect(results.flat().length).toBe(
      (await fs.readdir(MIGRATIONS_DIR)).filter((f) => f.endsWith('.sql')).length,
    );
    await Promise.all(nodes.map((n) => n.db.destroy()));
  });
});
