// Shared by the production tests (several nodes, faults): a capturing SMTP server on loopback
// that can be stopped, restarted on its port and made to stall; application nodes in
// production mode on a DATABASE_URL; a doctor with a password and a cookie-keeping client.

import crypto from 'node:crypto';
import type { Readable } from 'node:stream';
import { SMTPServer } from 'smtp-server';
import type { Db } from '../../src/server/context.js';
import { hashPassword } from '../../src/server/identity/passwords.js';
import { freePort } from '../../src/server/platform/embedded-postgres.js';
import type { SignedInUser } from '../../src/server/platform/signed-in-user.js';
import { SoftPasskey } from '../helpers/second-factor.js';
import { type RunningServer, startServer } from '../helpers/server.js';
import { createUser } from '../helpers/users.js';

export interface ReceivedEmail {
  messageId: string;
  to: string;
  subject: string;
}

export interface SmtpCapture {
  port: number;
  url: string;
  /** Every message accepted since the capture was created, across restarts. */
  received: ReceivedEmail[];
  /** Messages whose DATA is being held (see stall). */
  stalled(): number;
  /** While true, DATA is read but never answered: the sender waits, mid-send. */
  stall(on: boolean): void;
  /** Stops listening (connections refused) until start(). */
  stop(): Promise<void>;
  start(): Promise<void>;
}

async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function header(raw: string, name: string): string {
  const head = raw.split(/\r?\n\r?\n/)[0] ?? '';
  const unfolded = head.replace(/\r?\n[ \t]+/g, ' ');
  return new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(unfolded)?.[1]?.trim() ?? '';
}

export async function startSmtpCapture(): Promise<SmtpCapture> {
  const port = await freePort();
  const received: ReceivedEmail[] = [];
  let stalling = false;
  let held = 0;
  let server: SMTPServer | undefined;

  const make = () =>
    new SMTPServer({
      authOptional: true,
      disabledCommands: ['AUTH', 'STARTTLS'],
      logger: false,
      onData(stream, session, callback) {
        void readAll(stream).then((raw) => {
          if (stalling) {
            held++; // never answered: the connection dies with the sender
            return;
          }
          received.push({
            messageId: header(raw, 'Message-ID'),
            to: session.envelope.rcptTo.map((r) => r.address).join(','),
            subject: header(raw, 'Subject'),
          });
          callback();
        });
      },
    });

  const capture: SmtpCapture = {
    port,
    url: `smtp://127.0.0.1:${port}`,
    received,
    stalled: () => held,
    stall(on) {
      stalling = on;
    },
    async start() {
      server = make();
      const s = server;
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(port, '127.0.0.1', () => resolve());
      });
      s.on('error', () => {});
    },
    async stop() {
      const s = server;
      server = undefined;
      if (!s) return;
      // close() waits for open sessions; a pooled sender may keep one: end them now.
      const closed = new Promise<void>((r) => s.close(() => r()));
      for (const conn of (s as unknown as { connections: Set<{ close(): void }> }).connections ?? []) {
        conn.close();
      }
      await closed;
    },
  };
  await capture.start();
  return capture;
}

export const SECRET = crypto.randomBytes(36).toString('base64url');

/** An application node in production mode on a shared PostgreSQL. */
export function startNode(options: {
  databaseUrl: string;
  smtpUrl: string;
  env?: Record<string, string>;
  readyTimeoutMs?: number;
}): Promise<RunningServer> {
  return startServer({
    readyTimeoutMs: options.readyTimeoutMs ?? 120_000,
    env: {
      DATABASE_URL: options.databaseUrl,
      DEMO: 'false',
      SESSION_SECRET: SECRET,
      SMTP_URL: options.smtpUrl,
      LOG_LEVEL: 'info',
      DATABASE_POOL_SIZE: '10',
      ...options.env,
    },
  });
}

/** Polls until ok(value), or fails with the last value after the deadline. */
export async function until<T>(
  what: string,
  fn: () => Promise<T>,
  ok: (v: T) => boolean,
  ms = 60_000,
  every = 200,
): Promise<T> {
  const deadline = Date.now() + ms;
  let last: T | undefined;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      last = await fn();
      if (ok(last)) return last;
    } catch (err) {
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, every));
  }
  throw new Error(
    `${what}: not reached after ${ms} ms (last: ${JSON.stringify(last)}${lastError ? `, error: ${String(lastError)}` : ''})`,
  );
}

export const PASSWORD = 'Cheval-Batterie-Agrafe-42!';

export async function createDoctorWithPassword(db: Db, n = 1): Promise<SignedInUser> {
  const user = await createUser(db, {
    subjectNameId: `8${String(10_000_000_000 + n).padStart(11, '0')}`,
    familyName: 'TESTEUR',
    givenName: 'Docteur',
    professionCode: '10',
    email: `docteur${n}@exemple.test`,
  });
  await db
    .updateTable('users')
    .set({ password_hash: await hashPassword(PASSWORD) } as never)
    .where('id', '=', user.id)
    .execute();
  return user;
}

/** A browser-like client: keeps cookies, sends the CSRF token on writes. */
/** Each account's software passkey, registered at its first password sign-in. */
const passkeys = new Map<string, SoftPasskey>();

export class Client {
  cookies = new Map<string, string>();
  csrf = '';

  constructor(public base: string) {}

  private store(res: Response) {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair?.indexOf('=') ?? -1;
      if (pair && eq > 0) this.cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
  }

  get cookieHeader() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async request(method: string, path: string, body?: unknown, base = this.base, timeoutMs = 30_000) {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: {
        cookie: this.cookieHeader,
        ...(method === 'GET' ? {} : { 'x-csrf-token': this.csrf }),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    this.store(res);
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = text;
    }
    return { status: res.status, body: json as Record<string, unknown> };
  }

  async refreshCsrf(base = this.base) {
    const res = await this.request('GET', '/api/session', undefined, base);
    this.csrf = String(res.body.csrfToken);
    return res;
  }

  /**
   * Password sign-in, as the sign-in page does it, then the second factor: a software passkey
   * registered at the account's first password sign-in (it has none), asserted afterwards.
   */
  async signIn(email: string, password = PASSWORD) {
    await this.refreshCsrf();
    const res = await this.request('POST', '/api/auth/password', { identifier: email, password });
    if (res.status !== 200) throw new Error(`sign-in: ${res.status} ${JSON.stringify(res.body)}`);
    await this.refreshCsrf();
    let key = passkeys.get(email);
    const state = await this.request('GET', '/api/second-factor');
    let done: { status: number; body: unknown };
    if ((state.body.passkeys as unknown[]).length === 0 || !key) {
      key = new SoftPasskey();
      passkeys.set(email, key);
      const options = await this.request('POST', '/api/second-factor/passkey/registration-options');
      done = await this.request('POST', '/api/second-factor/passkey/registration', {
        name: 'Clé de test',
        response: key.register(options.body as never, this.base),
      });
    } else {
      const options = await this.request('POST', '/api/second-factor/passkey/authentication-options');
      done = await this.request('POST', '/api/second-factor/passkey', {
        response: key.assert(options.body as never, this.base),
      });
    }
    if (done.status !== 200) throw new Error(`second factor: ${done.status} ${JSON.stringify(done.body)}`);
    await this.refreshCsrf();
  }
}

export function staffInput(i: number, today: string) {
  return {
    familyName: 'Secretaire',
    givenName: `Numero ${String.fromCharCode(65 + (i % 26))}`,
    email: `secretaire${i}@exemple.test`,
    profession: 'Secrétaire médical(e)',
    rights: ['consulter'],
    startsOn: today,
    endsOn: null,
  };
}
