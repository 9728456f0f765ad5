// Demo mode and tests: a real SMTP server on loopback that receives what the application sends
// and keeps every message in the demo_mailbox table, so that "Courriels (démo)" shows them,
// after a restart too.
import type { Readable } from 'node:stream';
import { type AddressObject, simpleParser } from 'mailparser';
import type pino from 'pino';
import { SMTPServer } from 'smtp-server';
import type { Db } from '../context.js';
import { freePort } from '../platform/embedded-postgres.js';

/** Well above MAX_BODY_BYTES once encoded (base64/quoted-printable grow by about a third). */
const MAX_MESSAGE_BYTES = 2 * 1024 * 1024;

export interface DemoSmtpServer {
  port: number;
  url: string;
  stop(): Promise<void>;
}

function addresses(value: AddressObject | AddressObject[] | undefined): string | undefined {
  if (!value) return undefined;
  const list = Array.isArray(value) ? value : [value];
  const found = list.flatMap((a) => a.value.map((v) => v.address ?? '')).filter(Boolean);
  return found.length ? found.join(', ') : undefined;
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startDemoSmtpServer(options: {
  db: Db;
  logger?: pino.Logger;
  /** A fixed port (tests restart the server on the same port); a free one by default. */
  port?: number;
}): Promise<DemoSmtpServer> {
  const { db, logger } = options;
  const server = new SMTPServer({
    name: 'localhost',
    banner: 'Délégations de droits — serveur SMTP de démonstration',
    // Loopback only: no TLS, no authentication.
    disabledCommands: ['AUTH', 'STARTTLS'],
    authOptional: true,
    size: MAX_MESSAGE_BYTES,
    logger: false,
    onData(stream, session, callback) {
      readAll(stream)
        .then(async (raw) => {
          if (stream.sizeExceeded) {
            const err = new Error('Message trop volumineux') as Error & { responseCode: number };
            err.responseCode = 552;
            throw err;
          }
          const parsed = await simpleParser(raw, { skipImageLinks: true });
          const envelopeTo = session.envelope.rcptTo.map((r) => r.address).join(', ');
          const envelopeFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
          await db
            .insertInto('demo_mailbox')
            .values({
              message_id: parsed.messageId ?? null,
              from_address: parsed.from?.text ?? envelopeFrom,
              to_addresses: addresses(parsed.to) ?? envelopeTo,
              subject: parsed.subject ?? '',
              text_body: parsed.text ?? null,
              html_body: typeof parsed.html === 'string' ? parsed.html : null,
              size_bytes: raw.length,
            })
            .execute();
          callback();
        })
        .catch((err: Error & { responseCode?: number }) => {
          logger?.warn({ code: err.responseCode ?? 'ERROR' }, 'courriel de démonstration refusé');
          if (!err.responseCode) err.responseCode = 451; // temporary: the sender retries
          callback(err);
        });
    },
  });
  server.on('error', (err: Error & { code?: string }) => {
    logger?.warn({ code: err.code ?? 'ERROR' }, 'serveur SMTP de démonstration : erreur');
  });
  const port = options.port ?? (await freePort());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
      }),
  };
}
