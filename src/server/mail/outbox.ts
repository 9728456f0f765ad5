// Queueing: the email is a row of mail_outbox plus a job, both written on the caller's
// transaction, so the email exists if and only if the change that causes it commits.
import type { Kysely } from 'kysely';
import type { Database } from '../context.js';
import { enqueue } from '../platform/jobs.js';
import { checkEmail, type OutgoingEmail } from './message.js';

export const SEND_EMAIL_TASK = 'mail_send';
/** graphile-worker's backoff (exp(min(attempt, 10)) s, then every 6 h) spreads 25 attempts over about 4 days. */
export const SEND_MAX_ATTEMPTS = 25;

export interface SendEmailPayload {
  outboxId: string;
}

/** `db`: the caller's transaction (or the database: then a transaction of its own). */
export async function queueEmail(db: Kysely<Database>, message: OutgoingEmail): Promise<void> {
  await queueEmailReturningId(db, message);
}

/** Same as queueEmail, also returns the outbox id (tests, features that keep a reference). */
export async function queueEmailReturningId(db: Kysely<Database>, message: OutgoingEmail): Promise<string> {
  const m = checkEmail(message);
  // Without a caller's transaction, the row and its job still go together.
  if (!db.isTransaction) return db.transaction().execute((trx) => queueEmailReturningId(trx, m));
  const row = await db
    .insertInto('mail_outbox')
    .values({ kind: m.kind, to_address: m.to, subject: m.subject, text_body: m.text, html_body: m.html })
    .returning('id')
    .executeTakeFirstOrThrow();
  const payload: SendEmailPayload = { outboxId: row.id };
  await enqueue(db, SEND_EMAIL_TASK, payload, { jobKey: `mail:${row.id}`, maxAttempts: SEND_MAX_ATTEMPTS });
  return row.id;
}
