// Each test file gets its own database, cloned from the migrated template in milliseconds.

import crypto from 'node:crypto';
import type pg from 'pg';
import { inject } from 'vitest';
import type { Database, Db } from '../../src/server/context.js';
import { createDb, createPool, ensureDatabase } from '../../src/server/platform/database.js';

export interface TestDatabase {
  url: string;
  pool: pg.Pool;
  db: Db;
  close(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `t_${crypto.randomBytes(6).toString('hex')}`;
  const url = await ensureDatabase(inject('pgServerUrl'), name, inject('templateDb'));
  const pool = createPool(url, 10);
  const db = createDb<Database>(pool);
  return {
    url,
    pool,
    db,
    async close() {
      await db.destroy();
    },
  };
}
