// Email, used by every feature: queueEmail() on the caller's transaction, renderEmail() for
// the common French layout, and the worker task that sends through SMTP. In demo mode without
// SMTP_URL, a local SMTP server receives everything and "Courriels (démo)" shows it.
import type { Transporter } from 'nodemailer';
import type { AppContext, Feature } from '../app.js';
import { demoMailboxRoutes } from './demo-routes.js';
import { type DemoSmtpServer, startDemoSmtpServer } from './demo-smtp.js';
import { SEND_EMAIL_TASK, type SendEmailPayload } from './outbox.js';
import { createTransport, MailSendError, sendOutboxMessage } from './sender.js';

export { type EmailContent, renderEmail } from './layout.js';
export { checkEmail, MAX_BODY_BYTES, type OutgoingEmail } from './message.js';
export { queueEmail, queueEmailReturningId, SEND_EMAIL_TASK } from './outbox.js';

interface MailState {
  transport?: Transporter;
  demoServer?: DemoSmtpServer;
}

// One state per application context: tests run several applications in one process.
const states = new WeakMap<AppContext, MailState>();

function stateOf(ctx: AppContext): MailState {
  let state = states.get(ctx);
  if (!state) {
    state = {};
    states.set(ctx, state);
  }
  return state;
}

function transportOf(ctx: AppContext): Transporter {
  const state = stateOf(ctx);
  if (!state.transport) {
    if (ctx.config.smtpUrl) state.transport = createTransport({ url: ctx.config.smtpUrl });
    else if (state.demoServer)
      state.transport = createTransport({ url: state.demoServer.url, ignoreTLS: true });
    else {
      const err = new MailSendError('no SMTP server') as MailSendError & { code: string };
      err.code = 'ENOSMTP';
      throw err;
    }
  }
  return state.transport;
}

export const mailFeature: Feature = {
  name: 'mail',

  async start(ctx) {
    const state = stateOf(ctx);
    if (!ctx.config.smtpUrl) {
      state.demoServer = await startDemoSmtpServer({ db: ctx.db, logger: ctx.logger });
      ctx.logger.info({ port: state.demoServer.port }, 'serveur SMTP de démonstration démarré');
    }
    return async () => {
      state.transport?.close();
      state.transport = undefined;
      await state.demoServer?.stop();
      state.demoServer = undefined;
    };
  },

  routes(app, ctx) {
    if (ctx.config.demo) demoMailboxRoutes(app, ctx);
  },

  tasks(ctx) {
    return {
      [SEND_EMAIL_TASK]: async (payload) => {
        await sendOutboxMessage(
          {
            db: ctx.db,
            clock: ctx.clock,
            logger: ctx.logger,
            mailFrom: ctx.config.mailFrom,
            transport: () => transportOf(ctx),
          },
          payload as SendEmailPayload,
        );
      },
    };
  },
};
