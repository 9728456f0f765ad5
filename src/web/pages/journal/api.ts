// The journal API as the page uses it: a page of entries (newest first, `before` for the next
// page) and the CSV export link with the same filters.
import { z } from 'zod';
import { apiGet } from '../../api/client';

const entrySchema = z.object({
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
export type JournalEntry = z.infer<typeof entrySchema>;
const pageSchema = z.object({ entries: z.array(entrySchema), next: z.number().nullable() });
const actorsSchema = z.object({
  actors: z.array(z.object({ id: z.string(), givenName: z.string(), familyName: z.string() })),
});

export interface JournalFilters {
  scope: 'mine' | 'actions';
  delegate?: string;
  dossier?: string;
  from?: string;
  to?: string;
}

export const PAGE_SIZE = 50;

function query(f: JournalFilters, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  params.set('scope', f.scope);
  if (f.delegate) params.set('delegate', f.delegate);
  if (f.dossier) params.set('dossier', f.dossier);
  if (f.from) params.set('from', f.from);
  if (f.to) params.set('to', f.to);
  for (const [k, v] of Object.entries(extra)) params.set(k, v);
  return params.toString();
}

export const fetchJournalPage = (f: JournalFilters, before?: number) =>
  apiGet(
    `/api/journal?${query(f, { limit: String(PAGE_SIZE), ...(before ? { before: String(before) } : {}) })}`,
    pageSchema,
  );
export const fetchJournalActors = async () => (await apiGet('/api/journal/actors', actorsSchema)).actors;
export const journalCsvHref = (f: JournalFilters) => `/api/journal.csv?${query(f)}`;
