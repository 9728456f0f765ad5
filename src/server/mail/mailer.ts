// The application's way out for email: the SMTP transport to SMTP_URL or, in demo mode without
// it, to the local demo SMTP server this mailer starts. One per application, made by the
// composition root (tests run several applications in one process).
import type { Transporter } from 'nodemailer';
import type pino from 'pino';
import type { Db } from '../context.js';
import { type DemoSmtpServer, startDemoSmtpServer } from './demo-smtp.js';
import { createTransport, MailSendError } from './sender.js';

export class Mailer {
  #transport: Transporter | undefined;
  #demoServer: DemoSmtpServer | undefined;

  constructor(
    private readonly deps: {
      /** smtp:// or smtps://; unset in demo mode: the demo server is started and used. */
      smtpUrl: string | undefined;
      db: Db;
    },
  ) {}

  /** Starts the demo SMTP server when there is no SMTP_URL; returns the stop of everything. */
  async start(logger: pino.Logger): Promise<() => Promise<void>> {
    if (!this.deps.smtpUrl) {
      this.#demoServer = await startDemoSmtpServer({ db: this.deps.db, logger });
      logger.info({ port: this.#demoServer.port }, 'serveur SMTP de démonstration démarré');
    }
    return () => this.stop();
  }

  async stop(): Promise<void> {
    this.#transport?.close();
    this.#transport = undefined;
    await this.#demoServer?.stop();
    this.#demoServer = undefined;
  }

  /** The transport, made at the first send. */
  transport(): Transporter {
    if (!this.#transport) {
      if (this.deps.smtpUrl) this.#transport = createTransport({ url: this.deps.smtpUrl });
      else if (this.#demoServer)
        this.#transport = createTransport({ url: this.#demoServer.url, ignoreTLS: true });
      else {
        const err = new MailSendError('no SMTP server') as MailSendError & { code: string };
        err.code = 'ENOSMTP';
        throw err;
      }
    }
    return this.#transport;
  }
}
