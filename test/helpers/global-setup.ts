// Once per test run: one embedded PostgreSQL, a migrated template database that every test
// file clones, and an up-to-date web build for the end-to-end tests.
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { createDb, createPool, ensureDatabase, migrate } from '../../src/server/platform/database.js';
import { startEmbeddedPostgres } from '../../src/server/platform/embedded-postgres.js';
import { ensureWebBuild } from '../../src/server/platform/web-build.js';

export const TEMPLATE_DB = 'template_app';

declare module 'vitest' {
  export interface ProvidedContext {
    pgServerUrl: string;
    templateDb: string;
  }
}

export default async function setup(project: TestProject) {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'dd-test-pg-'));
  const [pg] = await Promise.all([
    startEmbeddedPostgres({
      dir: path.join(dir, 'pg'),
      settings: { fsync: 'off', synchronous_commit: 'off' },
    }),
    ensureWebBuild(),
  ]);
  const url = await ensureDatabase(pg.url, TEMPLATE_DB);
  const pool = createPool(url, 2);
  const db = createDb(pool);
  await migrate(db, pool);
  await db.destroy();
  project.provide('pgServerUrl', pg.url);
  project.provide('templateDb', TEMPLATE_DB);
  return async () => {
    await pg.stop();
    await fs.rm(dir, { recursive: true, force: true });
  };
}
