// The Paris calendar remembers each date's bounds and the last day asked for (paris-time.ts):
// what it answers must be what Temporal computes afresh, in any order of instants (backwards in
// time, across midnights and daylight-saving changes) and after its memory has been emptied.
import fc from 'fast-check';
import { Temporal } from 'temporal-polyfill';
import { describe, expect, it } from 'vitest';
import {
  endOfDayExclusive,
  REMEMBERED_DAYS,
  startOfDay,
  todayInParis,
  ZONE,
} from '../../src/server/platform/paris-time.js';

const fresh = {
  start: (d: string) => Temporal.PlainDate.from(d).toZonedDateTime({ timeZone: ZONE }).epochMilliseconds,
  end: (d: string) =>
    Temporal.PlainDate.from(d).add({ days: 1 }).toZonedDateTime({ timeZone: ZONE }).epochMilliseconds,
  today: (t: number) =>
    Temporal.Instant.fromEpochMilliseconds(t).toZonedDateTimeISO(ZONE).toPlainDate().toString(),
};
const days = (from: string, count: number) =>
  Array.from({ length: count }, (_, i) => Temporal.PlainDate.from(from).add({ days: i }).toString());

describe('Paris calendar, remembered', () => {
  it('gives every day’s bounds as computed afresh, past the memory’s size (its clearing included)', () => {
    const all = days('2019-01-01', REMEMBERED_DAYS + 500);
    for (const round of [all, [...all].reverse()]) {
      for (const d of round) {
        expect(startOfDay(d)).toBe(fresh.start(d));
        expect(endOfDayExclusive(d)).toBe(fresh.end(d));
      }
    }
    // A 23-hour and a 25-hour day.
    expect(endOfDayExclusive('2026-03-29') - startOfDay('2026-03-29')).toBe(23 * 3600_000);
    expect(endOfDayExclusive('2026-10-25') - startOfDay('2026-10-25')).toBe(25 * 3600_000);
  });

  it('names the day of any instant, in any order, around midnights and DST changes', () => {
    const midnights = days('2026-03-27', 5)
      .concat(days('2026-10-23', 5))
      .map((d) => fresh.start(d));
    const instant = fc.oneof(
      fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2100, 0, 1) }),
      fc.tuple(fc.constantFrom(...midnights), fc.integer({ min: -2, max: 2 })).map(([m, d]) => m + d),
      fc
        .tuple(fc.constantFrom(...midnights), fc.integer({ min: -3 * 3600_000, max: 3 * 3600_000 }))
        .map(([m, d]) => m + d),
    );
    fc.assert(
      fc.property(fc.array(instant, { minLength: 1, maxLength: 30 }), (ts) => {
        for (const t of ts) expect(todayInParis(new Date(t))).toBe(fresh.today(t));
      }),
      { numRuns: 500 },
    );
    // The last millisecond of a day and the first of the next, both ways.
    const m = fresh.start('2026-10-25');
    expect(todayInParis(new Date(m - 1))).toBe('2026-10-24');
    expect(todayInParis(new Date(m))).toBe('2026-10-25');
    expect(todayInParis(new Date(m - 1))).toBe('2026-10-24');
  });
});
