// Starting and stopping the infrastructure: the database (embedded or DATABASE_URL), the pool,
// migrations, secrets kept under DATA_DIR in demo mode. Used by the server and the CLI scripts.
import crypto from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Kysely } from 'kysely';
import type pg from 'pg';
import pino from 'pino';
import type { Config } from './config.js';
import { createDb, createPool, ensureDatabase, migrate } from './database.js';
import {
  type EmbeddedPostgresHandle,
  runningEmbeddedPostgres,
  startEmbeddedPostgres,
} from './embedded-postgres.js';

export const EMBEDDED_DB_NAME = 'delegations';

/** `DB`: the database type composed from the features' tables (../context.ts). */
export interface Runtime<DB> {
  config: Config & { sessionSecret: string };
  logger: pino.Logger;
  pool: pg.Pool;
  db: Kysely<DB>;
  embedded?: EmbeddedPostgresHandle;
  /** Closes the pool then stops the embedded database. */
  close(): Promise<void>;
}

/**
 * An Error logged by anyone (Fastify, a library, our code): its type, code and stack frames
 * only. Its message and other properties can quote personal data: a driver's message quotes the
 * values of a row, and Node's HTTP parse errors carry the raw request (URL, cookies) in rawPacket.
 */
export function safeError(err: unknown): unknown {
  if (!(err instanceof Error)) return err;
  const code = (err as { code?: unknown }).code;
  return {
    type: err.name,
    ...(typeof code === 'string' || typeof code === 'number' ? { code } : {}),
    stack: err.stack?.split('\n').slice(1, 8).join('\n'),
  };
}

/**
 * Standard output for the logs, off the request path. pino's destination (SonicBoom, asynchronous:
 * the write itself happens on libuv's thread pool) hands a write over as soon as none is under
 * way, which under load is about one hand-off and one system call per request line. Lines are
 * gathered here until the end of the current turn of the event loop and handed over together:
 * no timer, so a line is never held back longer than that turn, at rest as under load.
 *
 * At exit (a stop, a crash) what is gathered is written synchronously, so nothing is lost. A
 * collector that stops reading does not stop the service: lines wait in memory, up to 16 MiB,
 * beyond which new ones are dropped. One per process: every logger shares it.
 */
class LineBatcher implements pino.DestinationStream {
  private pending = '';
  private scheduled = false;
  private readonly out = pino.destination({ dest: 1, sync: false, maxLength: 16 * 1024 * 1024 });

  constructor() {
    process.on('exit', () => {
      this.handOver();
      this.out.flushSync();
    });
  }

  write(line: string): void {
    this.pending += line;
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.handOver);
    }
  }

  /** pino's `logger.flush()`. */
  flush(cb?: (err?: Error) => void): void {
    this.handOver();
    this.out.flush(cb);
  }

  private readonly handOver = () => {
    this.scheduled = false;
    if (!this.pending) return;
    const lines = this.pending;
    this.pending = '';
    this.out.write(lines);
  };
}

let stdout: LineBatcher | undefined;

export function createLogger(config: Pick<Config, 'logLevel'>): pino.Logger {
  stdout ??= new LineBatcher();
  return pino(
    {
      level: config.logLevel,
      base: { service: 'delegations-de-droits' },
      timestamp: pino.stdTimeFunctions.isoTime,
      serializers: { err: safeError },
      // `log.error(err)` would otherwise take the error's message as the line's message.
      hooks: {
        logMethod(args, method) {
          if (args[0] instanceof Error && typeof args[1] !== 'string') {
            return method.apply(this, [args[0], 'erreur (message non journalisé)']);
          }
          return method.apply(this, args);
        },
      },
      // Belt and braces: should a personal field ever reach a log call, it is censored.
      redact: {
        paths: [
          '*.email',
          '*.password',
          '*.family_name',
          '*.given_name',
          '*.familyName',
          '*.givenName',
          '*.token',
        ],
        censor: '[masqué]',
      },
    },
    stdout,
  );
}

/** In demo mode the session secret is generated once and kept under DATA_DIR. */
async function demoSecret(dataDir: string): Promise<string> {
  const file = path.join(dataDir, 'session-secret');
  const existing = await fs.readFile(file, 'utf8').catch(() => undefined);
  if (existing && existing.trim().length >= 32) return existing.trim();
  const secret = crypto.randomBytes(48).toString('base64url');
  await fs.mkdir(dataDir, { recursive: true });
  await fs.writeFile(file, secret, { mode: 0o600 });
  return secret;
}

export async function startRuntime<DB>(
  config: Config,
  options: {
    migrate?: boolean;
    /**
     * Command-line tools: use the embedded PostgreSQL of a running application if there is one
     * (and leave it running). Without it — the application itself — a database whose owner is
     * alive is never taken over: the start is refused (DataDirInUseError).
     */
    reuseRunning?: boolean;
  } = {},
): Promise<Runtime<DB>> {
  const logger = createLogger(config);
  let embedded: EmbeddedPostgresHandle | undefined;
  let url = config.databaseUrl;
  if (!url) {
    const running = options.reuseRunning
      ? await runningEmbeddedPostgres(path.join(config.dataDir, 'pg'))
      : undefined;
    embedded =
      running ??
      (await startEmbeddedPostgres({
        dir: path.join(config.dataDir, 'pg'),
        // The server listens on PORT only later: PostgreSQL must not take it meanwhile.
        avoidPorts: [config.port],
        log: (m) => logger.info(m),
      }));
    url = await ensureDatabase(embedded.url, EMBEDDED_DB_NAME);
    logger.info(
      { port: embedded.port },
      running ? 'PostgreSQL embarqué déjà en service' : 'PostgreSQL embarqué démarré',
    );
  }
  const sessionSecret = config.sessionSecret ?? (await demoSecret(config.dataDir));
  const pool = createPool(url, config.databasePoolSize);
  const db = createDb<DB>(pool);
  try {
    if (options.migrate !== false) {
      const applied = await migrate(db, pool);
      if (applied.length) logger.info({ applied }, 'migrations appliquées');
    }
  } catch (err) {
    await db.destroy().catch(() => {});
    await embedded?.stop();
    throw err;
  }
  return {
    config: { ...config, sessionSecret },
    logger,
    pool,
    db,
    embedded,
    async close() {
      await db.destroy().catch(() => {});
      await embedded?.stop();
    },
  };
}
