// Email, used by every feature: queueEmail() on the caller's transaction, renderEmail() for
// the common French layout, and the worker task that sends through SMTP. In demo mode without
// SMTP_URL, a local SMTP server receives everything and "Courriels (démo)" shows it.
import type { AppContext } from '../context.js';
import type { Feature } from '../platform/feature.js';
import { demoMailboxRoutes } from './demo-routes.js';
import type { Mailer } from './mailer.js';
import { SEND_EMAIL_TASK, type SendEmailPayload } from './outbox.js';
import { sendOutboxMessage } from './sender.js';

export { type EmailContent, renderEmail } from './layout.js';
export { Mailer } from './mailer.js';
export { checkEmail, MAX_BODY_BYTES, type OutgoingEmail } from './message.js';
export { queueEmail, queueEmailReturningId, SEND_EMAIL_TASK } from './outbox.js';

/** What the mail feature needs: the platform's context and the application's mailer. */
export type MailContext = AppContext & { mailer: Mailer };

export const mailFeature: Feature<MailContext> = {
  name: 'mail',

  start: (ctx) => ctx.mailer.start(ctx.logger),

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
            transport: () => ctx.mailer.transport(),
          },
          payload as SendEmailPayload,
        );
      },
    };
  },
};
