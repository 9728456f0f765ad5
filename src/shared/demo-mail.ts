// "Courriels (démo)": what the demo mailbox API returns, shared by the server and the web app.
import { z } from 'zod';

export const demoEmailSummarySchema = z.object({
  id: z.uuid(),
  receivedAt: z.iso.datetime(),
  from: z.string(),
  to: z.string(),
  subject: z.string(),
});

export const demoEmailListSchema = z.object({
  emails: z.array(demoEmailSummarySchema),
});

export const demoEmailSchema = demoEmailSummarySchema.extend({
  messageId: z.string().nullable(),
  text: z.string().nullable(),
  html: z.string().nullable(),
});

export type DemoEmailSummary = z.infer<typeof demoEmailSummarySchema>;
export type DemoEmail = z.infer<typeof demoEmailSchema>;
