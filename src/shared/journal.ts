// The journal's API shapes, shared by the server (response schemas, OpenAPI) and the web page.
import { z } from 'zod';

export const journalEntrySchema = z.object({
  id: z.number(),
  at: z.string(),
  actor: z.string().nullable(),
  actorId: z.string().nullable(),
  onBehalfOf: z.string().nullable(),
  delegationId: z.string().nullable(),
  delegate: z.string().nullable(),
  dossierId: z.string().nullable(),
  dossier: z.string().nullable(),
  action: z.string(),
  actionLabel: z.string(),
  outcome: z.string(),
  outcomeLabel: z.string(),
  detail: z.string().nullable(),
});
export const journalPageSchema = z.object({
  entries: z.array(journalEntrySchema),
  next: z.number().nullable(),
});
export const journalActorsSchema = z.object({
  actors: z.array(z.object({ id: z.string(), givenName: z.string(), familyName: z.string() })),
});
export type JournalEntry = z.infer<typeof journalEntrySchema>;
