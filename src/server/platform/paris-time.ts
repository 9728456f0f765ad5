// The instants of a calendar day in Europe/Paris (daylight-saving changes included), with
// Temporal: the periods of delegations, the journal's date filters and its CSV export read
// every date there. A day's bounds are computed once per process and date: every decision
// checks its delegations' periods (statusOf) and Temporal's time-zone arithmetic was a fifth of
// the server's JavaScript time under load (bench/README.md). Only the calendar is remembered —
// a date's instants never change —, never a delegation, a right or a decision.
import { Temporal } from 'temporal-polyfill';
import { CALENDAR_DATE, type CalendarDate } from '../../shared/calendar.js';

export const ZONE = 'Europe/Paris';

/** A calendar date that exists ('2026-02-30' does not), else undefined. */
export function parseDate(value: string): Temporal.PlainDate | undefined {
  if (!CALENDAR_DATE.test(value)) return undefined;
  try {
    return Temporal.PlainDate.from(value, { overflow: 'reject' });
  } catch {
    return undefined;
  }
}

/** Dates whose bounds are remembered; past it the memory starts again (a long import, say). */
export const REMEMBERED_DAYS = 4096;

/** `compute` once per date; at most REMEMBERED_DAYS dates kept. */
function rememberedByDate(compute: (date: CalendarDate) => number): (date: CalendarDate) => number {
  const known = new Map<CalendarDate, number>();
  return (date) => {
    let value = known.get(date);
    if (value === undefined) {
      value = compute(date);
      if (known.size >= REMEMBERED_DAYS) known.clear();
      known.set(date, value);
    }
    return value;
  };
}

/** The first instant of a Paris calendar day (DST-aware: 00:00 local, whatever the offset). */
export const startOfDay = rememberedByDate(
  (date) => Temporal.PlainDate.from(date).toZonedDateTime({ timeZone: ZONE }).epochMilliseconds,
);

/** The first instant after a Paris calendar day: a period's end is inclusive up to 23:59:59.999. */
export const endOfDayExclusive = rememberedByDate(
  (date) =>
    Temporal.PlainDate.from(date).add({ days: 1 }).toZonedDateTime({ timeZone: ZONE }).epochMilliseconds,
);

/** The last day asked for, with its bounds: most instants asked for fall in it. */
let lastDay: { date: CalendarDate; from: number; to: number } | undefined;

export function todayInParis(now: Date): CalendarDate {
  const t = now.getTime();
  if (lastDay && t >= lastDay.from && t < lastDay.to) return lastDay.date;
  const date = Temporal.Instant.fromEpochMilliseconds(t).toZonedDateTimeISO(ZONE).toPlainDate().toString();
  lastDay = { date, from: startOfDay(date), to: endOfDayExclusive(date) };
  return date;
}

export function addDays(date: CalendarDate, days: number): CalendarDate {
  return Temporal.PlainDate.from(date).add({ days }).toString();
}

/** An instant as a French reader in Paris writes it: '05/01/2026 14:03:09'. */
export function parisDateTime(iso: string): string {
  const z = Temporal.Instant.from(iso).toZonedDateTimeISO(ZONE);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(z.day)}/${p(z.month)}/${z.year} ${p(z.hour)}:${p(z.minute)}:${p(z.second)}`;
}
