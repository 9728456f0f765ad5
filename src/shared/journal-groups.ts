// Repeated reads in the journal's view: consecutive consultations of one dossier by one person
// within 10 minutes are shown as one line (« 5 consultations entre 10 h 02 et 10 h 09 ») that
// opens onto every entry. The journal itself keeps every entry; this only shapes the view. Pure.

export const READ_GROUP_WINDOW_MS = 10 * 60_000;

/** The fields the rule looks at. */
export interface GroupableEntry {
  at: string;
  actorId: string | null;
  dossierId: string | null;
  action: string;
  outcome: string;
}

export type JournalItem<E> = { kind: 'entry'; entry: E } | { kind: 'reads'; entries: E[] };

const isRead = (e: GroupableEntry) =>
  e.action === 'dossier.read' && e.outcome === 'allowed' && e.actorId !== null && e.dossierId !== null;

/** Same person, same dossier, both allowed reads. */
export function sameRead(a: GroupableEntry, b: GroupableEntry): boolean {
  return isRead(a) && isRead(b) && a.actorId === b.actorId && a.dossierId === b.dossierId;
}

/**
 * The entries in their order (the journal's: newest first), with each run of consecutive reads of
 * one dossier by one person whose earliest and latest are at most `windowMs` apart made one group.
 * Every entry appears exactly once, in its place; a group has at least two entries.
 */
export function groupReads<E extends GroupableEntry>(
  entries: readonly E[],
  windowMs = READ_GROUP_WINDOW_MS,
): JournalItem<E>[] {
  const items: JournalItem<E>[] = [];
  let i = 0;
  while (i < entries.length) {
    const first = entries[i] as E;
    const run: E[] = [first];
    let min = Date.parse(first.at);
    let max = min;
    let j = i + 1;
    while (j < entries.length) {
      const next = entries[j] as E;
      if (!sameRead(first, next)) break;
      const t = Date.parse(next.at);
      if (Math.max(max, t) - Math.min(min, t) > windowMs) break;
      min = Math.min(min, t);
      max = Math.max(max, t);
      run.push(next);
      j++;
    }
    items.push(run.length > 1 ? { kind: 'reads', entries: run } : { kind: 'entry', entry: first });
    i = j;
  }
  return items;
}
