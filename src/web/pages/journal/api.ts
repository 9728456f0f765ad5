// The journal API as the page uses it: a page of entries (newest first, `before` for the next
// page) and the CSV export link with the same filters.
import { z } from 'zod';
import {
  journalActorsSchema as actorsSchema,
  type JournalEntry,
  journalEntrySchema,
  journalPageSchema as pageSchema,
} from '../../../shared/journal';
import { apiGet } from '../../api/client';

export type { JournalEntry };

export interface JournalFilters {
  scope: 'mine' | 'actions';
  delegate?: string;
  dossier?: string;
  action?: string;
  from?: string;
  to?: string;
}

export const PAGE_SIZE = 50;

function query(f: JournalFilters, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  params.set('scope', f.scope);
  if (f.delegate) params.set('delegate', f.delegate);
  if (f.dossier) params.set('dossier', f.dossier);
  if (f.action) params.set('action', f.action);
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

/** « Changements récents »: what others did to my delegations, given or received, in 30 days. */
export const recentChangesKey = (side: 'given' | 'received') => ['journal', 'recent', side] as const;
export const fetchRecentChanges = async (side: 'given' | 'received') =>
  (await apiGet(`/api/journal/recent?side=${side}`, z.object({ entries: z.array(journalEntrySchema) })))
    .entries;
