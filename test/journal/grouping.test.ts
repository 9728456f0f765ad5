// Grouping repeated reads in the journal's view (pure): a property test — whatever the entries,
// grouping loses none, keeps their order, and a group only holds allowed reads of one dossier by
// one person spanning at most 10 minutes — and the cases a reader sees.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type GroupableEntry, groupReads, READ_GROUP_WINDOW_MS } from '../../src/shared/journal-groups.js';

interface E extends GroupableEntry {
  id: number;
}

const T0 = Date.parse('2026-12-01T09:00:00Z');
const entry = fc.record({
  minutes: fc.integer({ min: 0, max: 60 }),
  seconds: fc.integer({ min: 0, max: 59 }),
  actorId: fc.constantFrom('a', 'b', null),
  dossierId: fc.constantFrom('d1', 'd2', null),
  action: fc.constantFrom('dossier.read', 'dossier.read', 'dossier.read_medical', 'dossier.write'),
  outcome: fc.constantFrom('allowed', 'allowed', 'denied'),
});

describe('grouping repeated reads', () => {
  it('never loses, duplicates or reorders an entry; groups only same person + dossier + read within 10 minutes', () => {
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 60 }), fc.boolean(), (raw, sorted) => {
        let entries: E[] = raw.map((r, i) => ({
          id: i,
          at: new Date(T0 + (r.minutes * 60 + r.seconds) * 1000).toISOString(),
          actorId: r.actorId,
          dossierId: r.dossierId,
          action: r.action,
          outcome: r.outcome,
        }));
        if (sorted) entries = [...entries].sort((x, y) => Date.parse(y.at) - Date.parse(x.at));
        const items = groupReads(entries);
        const flat = items.flatMap((it) => (it.kind === 'entry' ? [it.entry] : it.entries));
        expect(flat.map((e) => e.id)).toEqual(entries.map((e) => e.id));
        for (const it of items) {
          if (it.kind !== 'reads') continue;
          expect(it.entries.length).toBeGreaterThanOrEqual(2);
          const [first] = it.entries as [E];
          const times = it.entries.map((e) => Date.parse(e.at));
          expect(Math.max(...times) - Math.min(...times)).toBeLessThanOrEqual(READ_GROUP_WINDOW_MS);
          for (const e of it.entries) {
            expect(e.action).toBe('dossier.read');
            expect(e.outcome).toBe('allowed');
            expect(e.actorId).toBe(first.actorId);
            expect(e.actorId).not.toBeNull();
            expect(e.dossierId).toBe(first.dossierId);
            expect(e.dossierId).not.toBeNull();
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  const read = (id: number, minute: number, actorId = 'a', dossierId = 'd1'): E => ({
    id,
    at: new Date(T0 + minute * 60_000).toISOString(),
    actorId,
    dossierId,
    action: 'dossier.read',
    outcome: 'allowed',
  });

  it('five reads within 7 minutes make one group; the 11th minute starts another', () => {
    const entries = [read(6, 18), read(5, 7), read(4, 5), read(3, 3), read(2, 1), read(1, 0)];
    const items = groupReads(entries);
    expect(items.map((i) => (i.kind === 'reads' ? i.entries.map((e) => e.id) : i.entry.id))).toEqual([
      6,
      [5, 4, 3, 2, 1],
    ]);
  });

  it('another person, another dossier or another action in between breaks the run', () => {
    const write: E = { ...read(3, 2), action: 'dossier.write' };
    const items = groupReads([
      read(5, 4),
      read(4, 3, 'b'),
      read(3, 2),
      read(2, 1, 'a', 'd2'),
      read(1, 0),
      write,
    ]);
    expect(items.every((i) => i.kind === 'entry')).toBe(true);
  });

  it('refused reads are never grouped', () => {
    const denied = (id: number, m: number): E => ({ ...read(id, m), outcome: 'denied' });
    expect(groupReads([denied(2, 1), denied(1, 0)]).every((i) => i.kind === 'entry')).toBe(true);
  });
});
