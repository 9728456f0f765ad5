// Email through the queue to a real SMTP server on loopback: delivered iff the change commits,
// retried while the server is down, sent once whatever the crashes and duplicate runs.
import { Writable } from 'node:stream';
import type { Runner } from 'graphile-worker';
import { sql } from 'kysely';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { collectTasks } from '../../src/server/app.js';
import { type DemoSmtpServer, startDemoSmtpServer } from '../../src/server/mail/demo-smtp.js';
import {
  mailFeature,
  queueEmail,
  queueEmailReturningId,
  renderEmail,
  SEND_EMAIL_TASK,
} from '../../src/server/mail/index.js';
import { loadConfig } from '../../src/server/platform/config.js';
import { freePort } from '../../src/server/platform/embedded-postgres.js';
import { DomainError } from '../../src/server/platform/errors.js';
import { enqueue, startWorker } from '../../src/server/platform/jobs.js';
import { createTestApp, type TestApp } from '../helpers/app.js';

const TO = 'camille.martin@example.fr';

function invitation(to = TO) {
  const { html, text } = renderEmail({
    title: 'Invitation à finaliser une délégation de droits',
    paragraphs: [
      'Bonjour,',
      'Le Dr Camille MARTIN vous a habilité(e) à gérer ses dossiers. Pour finaliser la délégation, connectez-vous avec votre carte CPx.',
    ],
    action: { label: 'Finaliser la délégation', url: 'http://localhost:3000/invitation/abc123' },
    notes: ['Ce lien est valable 7 jours.'],
  });
  return { to, subject: 'Délégation de droits : invitation à finaliser', text, html, kind: 'invitation' };
}

async function until<T>(fn: () => Promise<T>, ok: (v: T) => boolean, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`condition not met after ${ms} ms (last: ${JSON.stringify(v)})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function counts(t: TestApp) {
  const { rows } = await sql<{ outbox: number; sent: number; jobs: number; received: number }>`
    select (select count(*) from mail_outbox)::int as outbox,
           (select count(*) from mail_outbox where sent_at is not null)::int as sent,
           (select count(*) from graphile_worker.jobs)::int as jobs,
           (select count(*) from demo_mailbox)::int as received`.execute(t.ctx.db);
  return rows[0] as { outbox: number; sent: number; jobs: number; received: number };
}

// The SMTP server stores a message before the worker records it as sent and ends its job:
// wait for both, so that a snapshot taken now does not move on its own.
function settled(t: TestApp, received: number) {
  return until(
    () => counts(t),
    (c) => c.received === received && c.sent === c.outbox && c.jobs === 0,
  );
}

function worker(t: TestApp): Promise<Runner> {
  const { tasks } = collectTasks(t.ctx, [mailFeature]);
  return startWorker({ pool: t.ctx.pool, tasks, pollInterval: 100 });
}

describe('email in demo mode: the local SMTP server and "Courriels (démo)"', () => {
  let t: TestApp;
  let runner: Runner | undefined;
  beforeAll(async () => {
    t = await createTestApp({ features: [mailFeature], startFeatures: true });
  });
  afterAll(async () => {
    await runner?.stop();
    await t?.close();
  });

  it('delivers a message queued in a committed transaction, in French, HTML and text, with its link', async () => {
    const id = await t.ctx.db.transaction().execute((trx) => queueEmailReturningId(trx, invitation()));
    runner = await worker(t);
    await settled(t, 1);

    const list = await t.app.inject({ method: 'GET', url: '/api/demo/emails' });
    expect(list.statusCode).toBe(200);
    const { emails } = list.json() as { emails: { id: string; subject: string; to: string; from: string }[] };
    expect(emails).toHaveLength(1);
    expect(emails[0]).toMatchObject({
      subject: 'Délégation de droits : invitation à finaliser',
      to: TO,
      from: expect.stringContaining('Délégations de droits'),
    });

    const one = await t.app.inject({ method: 'GET', url: `/api/demo/emails/${emails[0]?.id}` });
    expect(one.statusCode).toBe(200);
    const email = one.json() as { html: string; text: string; messageId: string };
    expect(email.messageId).toBe(`<${id}@localhost>`);
    expect(email.html).toContain('<html lang="fr">');
    expect(email.html).toContain('href="http://localhost:3000/invitation/abc123"');
    expect(email.html).toContain('Finaliser la délégation');
    expect(email.text).toContain('Finaliser la délégation :\nhttp://localhost:3000/invitation/abc123');
    expect(email.text).toContain('Ce lien est valable 7 jours.');
    expect(email.text).not.toContain('<');

    const row = await t.ctx.db
      .selectFrom('mail_outbox')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row.sent_at).not.toBeNull();
    expect(row.attempts).toBe(1);
  });

  it('lists the newest message first and answers 404 in French for an unknown one', async () => {
    await queueEmail(t.ctx.db, { ...invitation(), subject: 'Deuxième message' });
    await settled(t, 2);
    const { emails } = (await t.app.inject({ method: 'GET', url: '/api/demo/emails' })).json() as {
      emails: { subject: string }[];
    };
    expect(emails.map((e) => e.subject)).toEqual([
      'Deuxième message',
      'Délégation de droits : invitation à finaliser',
    ]);
    const missing = await t.app.inject({
      method: 'GET',
      url: '/api/demo/emails/00000000-0000-4000-8000-000000000000',
    });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().message).toBe('Ce courriel est introuvable.');
    const bad = await t.app.inject({ method: 'GET', url: '/api/demo/emails/pas-un-id' });
    expect(bad.statusCode).toBe(400);
  });

  it('never sends a message queued in a rolled-back transaction', async () => {
    const before = await settled(t, 2);
    await expect(
      t.ctx.db.transaction().execute(async (trx) => {
        await queueEmail(trx, { ...invitation(), subject: 'Jamais envoyé' });
        throw new Error('the change fails after the email was queued');
      }),
    ).rejects.toThrow(/change fails/);
    await new Promise((r) => setTimeout(r, 1000)); // the running worker polls every 100 ms
    expect(await counts(t)).toEqual(before);
    const subjects = await t.ctx.db.selectFrom('demo_mailbox').select('subject').execute();
    expect(subjects.map((s) => s.subject)).not.toContain('Jamais envoyé');
  });

  it('refuses header injection in the recipient or the subject, in French, and keeps nothing', async () => {
    const before = await counts(t);
    const attempts = [
      { ...invitation(), to: `${TO}\r\nBcc: victime@example.org` },
      { ...invitation(), to: `${TO}\nBcc: victime@example.org` },
      { ...invitation(), to: `${TO}, victime@example.org` },
      { ...invitation(), subject: 'Bonjour\r\nBcc: victime@example.org' },
      { ...invitation(), subject: 'Bonjour\nX-Injected: oui' },
    ];
    for (const message of attempts) {
      const err = await t.ctx.db
        .transaction()
        .execute((trx) => queueEmail(trx, message))
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DomainError);
      expect((err as DomainError).code).toBe('mail_header_injection');
      expect((err as DomainError).message).toMatch(/retour à la ligne|caractères interdits/);
      expect((err as DomainError).status).toBe(422);
    }
    const invalid = await queueEmail(t.ctx.db, { ...invitation(), to: 'pas une adresse' }).catch((e) => e);
    expect((invalid as DomainError).code).toBe('mail_invalid_recipient');
    expect((invalid as DomainError).message).toMatch(/adresse électronique du destinataire est invalide/);
    expect(await counts(t)).toEqual(before);
    // The table refuses them too, should a feature ever write it directly.
    await expect(
      t.ctx.db
        .insertInto('mail_outbox')
        .values({
          ...{ kind: 'x', text_body: 't', html_body: 'h' },
          to_address: 'a@b.fr\nBcc: c@d.fr',
          subject: 's',
        })
        .execute(),
    ).rejects.toThrow(/mail_outbox_to_address_check/);
  });

  it('refuses an oversized message with a French error (413) and keeps nothing', async () => {
    const before = await counts(t);
    const big = { ...invitation(), html: `<p>${'é'.repeat(300_000)}</p>` };
    const err = await queueEmail(t.ctx.db, big).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).code).toBe('mail_too_large');
    expect((err as DomainError).status).toBe(413);
    expect((err as DomainError).message).toMatch(/^Le courriel est trop volumineux/);
    expect(await counts(t)).toEqual(before);
  });
});

describe('email delivery through SMTP_URL: retries, crashes, duplicates', () => {
  let t: TestApp;
  let port: number;
  let smtp: DemoSmtpServer | undefined;
  let runner: Runner | undefined;
  const logs: string[] = [];
  beforeAll(async () => {
    port = await freePort();
    t = await createTestApp({ env: { SMTP_URL: `smtp://127.0.0.1:${port}` }, features: [mailFeature] });
    t.ctx.logger = pino(
      { level: 'info' },
      new Writable({
        write(chunk, _enc, cb) {
          logs.push(String(chunk));
          cb();
        },
      }),
    );
  });
  afterEach(async () => {
    await runner?.stop();
    runner = undefined;
    await smtp?.stop();
    smtp = undefined;
    await t.ctx.db.deleteFrom('demo_mailbox').execute();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('retries while the SMTP server is down and delivers exactly once when it is back', async () => {
    const id = await t.ctx.db.transaction().execute((trx) => queueEmailReturningId(trx, invitation()));
    runner = await worker(t);
    // graphile-worker's own backoff: 2.7 s after the first failure, 7.4 s after the second.
    const failed = await until(
      () => t.ctx.db.selectFrom('mail_outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow(),
      (r) => r.attempts >= 2,
      20_000,
    );
    expect(failed.sent_at).toBeNull();
    expect(failed.last_error).toMatch(/^E[A-Z]+/);
    const job = await sql<{ attempts: number; last_error: string }>`
      select attempts, last_error from graphile_worker.jobs`.execute(t.ctx.db);
    expect(job.rows[0]?.attempts).toBe(2);
    expect(job.rows[0]?.last_error).not.toContain(TO);

    smtp = await startDemoSmtpServer({ db: t.ctx.db, port });
    const sent = await until(
      () => t.ctx.db.selectFrom('mail_outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow(),
      (r) => r.sent_at !== null,
      30_000,
    );
    expect(sent.attempts).toBe(3);
    expect(sent.last_error).toBeNull();
    await new Promise((r) => setTimeout(r, 500));
    expect(await counts(t)).toMatchObject({ jobs: 0, received: 1 });

    // Logs name the outbox row and the error code, never the person.
    const text = logs.join('');
    expect(text).toContain(id);
    expect(text).toMatch(/envoi de courriel en échec/);
    expect(text).not.toContain(TO);
    expect(text).not.toContain('Camille');
    expect(text).not.toContain('invitation à finaliser');
  });

  it('sends exactly once what was committed while no worker ran (crash between commit and send)', async () => {
    smtp = await startDemoSmtpServer({ db: t.ctx.db, port });
    const ids = await t.ctx.db
      .transaction()
      .execute(async (trx) => [
        await queueEmailReturningId(trx, { ...invitation(), subject: 'Avant la panne 1' }),
        await queueEmailReturningId(trx, { ...invitation(), subject: 'Avant la panne 2' }),
      ]);
    // The application "died" here: the jobs are in the database, nothing was sent.
    await new Promise((r) => setTimeout(r, 300));
    expect(await counts(t)).toMatchObject({ jobs: 2, received: 0 });

    runner = await worker(t);
    await until(
      () => counts(t),
      (c) => c.received === 2 && c.jobs === 0,
    );
    await runner.stop();
    // A second start of the worker finds nothing more to do.
    runner = await worker(t);
    await new Promise((r) => setTimeout(r, 800));
    const received = await t.ctx.db.selectFrom('demo_mailbox').select(['subject', 'message_id']).execute();
    expect(received.map((r) => r.subject).sort()).toEqual(['Avant la panne 1', 'Avant la panne 2']);
    expect(received.map((r) => r.message_id).sort()).toEqual(ids.map((id) => `<${id}@localhost>`).sort());
  });

  it('sends once when the task runs twice for one message, at the same time or later', async () => {
    smtp = await startDemoSmtpServer({ db: t.ctx.db, port });
    const id = await t.ctx.db.transaction().execute((trx) => queueEmailReturningId(trx, invitation()));
    // The queued job is set aside: this test drives the task by hand.
    await sql`delete from graphile_worker._private_jobs`.execute(t.ctx.db);
    const task = collectTasks(t.ctx, [mailFeature]).tasks[SEND_EMAIL_TASK];
    if (!task) throw new Error('no mail task');
    // biome-ignore lint/suspicious/noExplicitAny: the task does not use graphile-worker's helpers.
    const helpers = {} as any;
    await Promise.all([task({ outboxId: id }, helpers), task({ outboxId: id }, helpers)]);
    await task({ outboxId: id }, helpers);
    // And two jobs for the same message through the real worker.
    await t.ctx.db.transaction().execute(async (trx) => {
      await enqueue(trx, SEND_EMAIL_TASK, { outboxId: id });
      await enqueue(trx, SEND_EMAIL_TASK, { outboxId: id });
    });
    runner = await worker(t);
    await until(
      () => counts(t),
      (c) => c.jobs === 0,
    );
    const rows = await t.ctx.db.selectFrom('demo_mailbox').select('message_id').execute();
    expect(rows).toEqual([{ message_id: `<${id}@localhost>` }]);
    const row = await t.ctx.db
      .selectFrom('mail_outbox')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row.attempts).toBe(1);
  });
});

describe('email with DEMO off', () => {
  it('has no demo mailbox API (404) and requires SMTP_URL in the configuration', async () => {
    const env = {
      DEMO: 'false',
      SESSION_SECRET: 's'.repeat(40),
      PUBLIC_URL: 'https://delegations.example.fr',
    };
    expect(() => loadConfig(env)).toThrow(/SMTP_URL: obligatoire hors mode démo/);
    const t = await createTestApp({
      env: { ...env, SMTP_URL: 'smtp://127.0.0.1:9' },
      features: [mailFeature],
    });
    try {
      const res = await t.app.inject({ method: 'GET', url: '/api/demo/emails' });
      expect(res.statusCode).toBe(404);
      expect(res.json().message).toBe('Ressource introuvable.');
      expect((await t.app.inject({ method: 'GET', url: '/api/demo/emails/x' })).statusCode).toBe(404);
      expect(t.ctx.config.mailFrom).toBe('Délégations de droits <no-reply@delegations.example.fr>');
    } finally {
      await t.close();
    }
  });
});
