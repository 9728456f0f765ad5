// Sending: the worker task loads the outbox row under a row lock, sends it unless already
// sent, and marks it sent in the same transaction. Two runs for one row (a duplicate job, two
// nodes) wait on the lock and the second finds sent_at set. The remaining window — the SMTP
// server accepted the message and the process died before the commit — is closed as far as
// SMTP allows by a stable Message-ID, which lets receivers drop the repeat.
import { sql } from 'kysely';
import nodemailer, { type Transporter } from 'nodemailer';
import type pino from 'pino';
import type { Db } from '../context.js';
import type { Clock } from '../platform/clock.js';
import { messageIdFor } from './message.js';
import type { SendEmailPayload } from './outbox.js';

export interface SmtpTarget {
  url: string;
  /** The demo server on loopback offers no TLS. */
  ignoreTLS?: boolean;
}

export function createTransport(target: SmtpTarget): Transporter {
  return nodemailer.createTransport({
    url: target.url,
    ignoreTLS: target.ignoreTLS ?? false,
    // Fail fast enough that a dead server does not hold a worker slot and its row lock.
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
    disableFileAccess: true,
    disableUrlAccess: true,
    logger: false,
  });
}

/** Why a send failed, without the server's text (it may quote the address). */
export function errorCode(err: unknown): string {
  const e = err as { code?: unknown; responseCode?: unknown } | undefined;
  const code = typeof e?.code === 'string' && /^[A-Z0-9_]{1,32}$/.test(e.code) ? e.code : 'ERROR';
  return typeof e?.responseCode === 'number' ? `${code} ${e.responseCode}` : code;
}

export class MailSendError extends Error {
  override name = 'MailSendError';
}

export interface SenderDeps {
  db: Db;
  clock: Clock;
  logger: pino.Logger;
  mailFrom: string;
  /** Resolved at every send: the demo SMTP server may start after the worker. */
  transport(): Transporter;
}

export type SendOutcome = 'sent' | 'already-sent' | 'missing';

export async function sendOutboxMessage(deps: SenderDeps, payload: SendEmailPayload): Promise<SendOutcome> {
  const { outboxId } = payload;
  if (typeof outboxId !== 'string' || !/^[0-9a-f-]{36}$/i.test(outboxId)) return 'missing';
  let failure: unknown;
  const outcome = await deps.db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('mail_outbox')
      .selectAll()
      .where('id', '=', outboxId)
      .forUpdate()
      .executeTakeFirst();
    if (!row) return 'missing' as const;
    if (row.sent_at) return 'already-sent' as const;
    const now = deps.clock.now();
    try {
      await deps.transport().sendMail({
        from: deps.mailFrom,
        to: row.to_address,
        subject: row.subject,
        text: row.text_body,
        html: row.html_body,
        messageId: messageIdFor(row.id, deps.mailFrom),
        date: row.created_at,
        headers: { 'Auto-Submitted': 'auto-generated', 'Content-Language': 'fr' },
      });
    } catch (err) {
      failure = err;
      await trx
        .updateTable('mail_outbox')
        .set({ attempts: sql`attempts + 1`, last_attempt_at: now, last_error: errorCode(err) })
        .where('id', '=', outboxId)
        .execute();
      return 'failed' as const;
    }
    await trx
      .updateTable('mail_outbox')
      .set({ sent_at: now, attempts: sql`attempts + 1`, last_attempt_at: now, last_error: null })
      .where('id', '=', outboxId)
      .execute();
    return 'sent' as const;
  });
  if (outcome === 'failed') {
    const code = errorCode(failure);
    deps.logger.warn({ outboxId, code }, 'envoi de courriel en échec, nouvel essai plus tard');
    // graphile-worker keeps this message in its table: the code only, no server reply.
    throw new MailSendError(`échec de l’envoi du courriel (${code})`);
  }
  if (outcome === 'missing') deps.logger.warn({ outboxId }, 'courriel introuvable dans la file');
  if (outcome === 'sent') deps.logger.info({ outboxId }, 'courriel envoyé');
  return outcome;
}
