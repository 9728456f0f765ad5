// The demo mailbox API, registered only in demo mode: with DEMO off these addresses do not
// exist (404), whatever the database holds.
import { z } from 'zod';
import { demoEmailListSchema, demoEmailSchema } from '../../shared/demo-mail.js';
import type { AppContext } from '../context.js';
import { notFound } from '../platform/errors.js';
import type { App } from '../platform/http.js';

const errorSchema = z.object({ code: z.string(), message: z.string(), requestId: z.string().optional() });

/** The newest messages only: the page is a demo aid, not an archive. */
const LIST_LIMIT = 200;

export function demoMailboxRoutes(app: App, ctx: AppContext) {
  app.get(
    '/api/demo/emails',
    {
      schema: {
        tags: ['démo'],
        summary: 'Courriels reçus par le serveur SMTP de démonstration, du plus récent au plus ancien',
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(LIST_LIMIT).default(LIST_LIMIT) }),
        response: { 200: demoEmailListSchema },
      },
    },
    async (request) => {
      const rows = await ctx.db
        .selectFrom('demo_mailbox')
        .select(['id', 'received_at', 'from_address', 'to_addresses', 'subject'])
        .orderBy('received_at', 'desc')
        .orderBy('id', 'desc')
        .limit(request.query.limit)
        .execute();
      return {
        emails: rows.map((r) => ({
          id: r.id,
          receivedAt: r.received_at.toISOString(),
          from: r.from_address,
          to: r.to_addresses,
          subject: r.subject,
        })),
      };
    },
  );

  app.get(
    '/api/demo/emails/:id',
    {
      schema: {
        tags: ['démo'],
        summary: 'Un courriel reçu par le serveur SMTP de démonstration',
        params: z.object({ id: z.uuid() }),
        response: { 200: demoEmailSchema, 404: errorSchema },
      },
    },
    async (request) => {
      const r = await ctx.db
        .selectFrom('demo_mailbox')
        .selectAll()
        .where('id', '=', request.params.id)
        .executeTakeFirst();
      if (!r) throw notFound('Ce courriel est introuvable.');
      return {
        id: r.id,
        receivedAt: r.received_at.toISOString(),
        from: r.from_address,
        to: r.to_addresses,
        subject: r.subject,
        messageId: r.message_id,
        text: r.text_body,
        html: r.html_body,
      };
    },
  );
}
