// The instants of a calendar day in Europe/Paris (daylight-saving changes included), with
// Temporal: the periods of delegations, the journal's date filters and its CSV export read
// every date there.
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

/** The first instant of a Paris calendar day (DST-aware: 00:00 local, whatever the offset). */
export function startOfDay(date: CalendarDate): number {
  return Temporal.PlainDate.from(date).toZonedDateTime({ timeZone: ZONE }).epochMilliseconds;
}

/** The first instant after a Paris calendar day: a period's end is inclusive up to 23:59:59.999. */
export function endOfDayExclusive(date: CalendarDate): number {
  return Temporal.PlainDate.from(date).add({ days: 1 }).toZonedDateTime({ timeZone: ZONE }).epochMilliseconds;
}

export function todayInParis(now: Date): CalendarDate {
  return Temporal.Instant.fromEpochMilliseconds(now.getTime())
    .toZonedDateTimeISO(ZONE)
    .toPlainDate()
    .toString();
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
