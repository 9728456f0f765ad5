// One data directory, one running application: with `npm start`'s entry point running on a
// DATA_DIR, a second start on it refuses (naming the running one) instead of stopping its
// database as an orphan, and every command-line tool works on the running database and leaves
// it running: the application stays ready throughout.
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, isAlive } from '../../src/server/platform/embedded-postgres.js';
import { ROOT } from '../../src/server/platform/web-build.js';
import { startServer } from '../helpers/server.js';

/** Runs a process to its end (or kills it after `timeoutMs`): exit code and output. */
function run(
  args: string[],
  env: Record<string, string>,
  timeoutMs = 90_000,
): Promise<{ code: number | null; out: string; timedOut: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGINT');
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out, timedOut });
    });
  });
}

describe('one DATA_DIR, one running application', { timeout: 240_000 }, async () => {
  const a = await startServer({ readyTimeoutMs: 120_000 });
  afterAll(async () => {
    await a.stop();
    await fs.rm(a.dataDir, { recursive: true, force: true });
  });
  const lock = async () => {
    const text = await fs.readFile(path.join(a.dataDir, 'pg', 'postmaster.pid'), 'utf8');
    const lines = text.split('\n');
    return { pid: Number(lines[0]), port: Number(lines[3]) };
  };
  const db = await lock();
  const stillServing = async () => {
    expect(await lock()).toEqual(db);
    expect(isAlive(db.pid)).toBe(true);
    const ready = await fetch(`${a.url}/ready`);
    expect(ready.status).toBe(200);
    // and a request that needs the database answers
    expect((await fetch(`${a.url}/api/session`)).status).toBe(200);
  };
  const tool = { DATA_DIR: a.dataDir, DATABASE_URL: '', LOG_LEVEL: 'warn' };

  it('a second start on the same DATA_DIR refuses, naming the running pid and port; the first stays ready', async () => {
    const port = await freePort();
    const b = await run(['src/server/main.ts'], {
      DATA_DIR: a.dataDir,
      PORT: String(port),
      PUBLIC_URL: `http://localhost:${port}`,
      SKIP_WEB_BUILD: 'true',
    });
    expect(b.timedOut, b.out).toBe(false);
    expect(b.code, b.out).toBe(78);
    expect(b.out).toContain('est déjà utilisé par une instance de l’application en cours d’exécution');
    expect(b.out).toContain(`processus ${a.child.pid}`);
    expect(b.out).toContain(`port ${db.port}`);
    await stillServing();
  });

  it('npm run migrate uses the running database and leaves it running', async () => {
    const r = await run(['scripts/migrate.ts'], tool);
    expect(r.code, r.out).toBe(0);
    await stillServing();
  });

  it('npm run journal:verify uses the running database and leaves it running', async () => {
    const r = await run(['scripts/journal-verify.ts'], tool);
    expect(r.out).toMatch(/Journal intègre : \d+ entrées vérifiées/);
    expect(r.code, r.out).toBe(0);
    const archives = await run(['scripts/journal-verify.ts', '--archives'], tool);
    expect(archives.code, archives.out).toBe(0);
    await stillServing();
  });
});
