// Calendar dates as strings, 'AAAA-MM-JJ' (always read in Europe/Paris), and how French readers
// see them. Pure string work, for the server (emails, messages) and the web app alike; the
// instants of a Paris day are in src/server/platform/paris-time.ts.

/** A calendar date 'YYYY-MM-DD', always read in Europe/Paris. */
export type CalendarDate = string;

/** The shape of a calendar date (whether the day exists is checked by the server's parseDate). */
export const CALENDAR_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** 'AAAA-MM-JJ' (or an ISO instant's date part) → 'JJ/MM/AAAA'. */
export function frenchDate(date: CalendarDate): string {
  const [y, m, d] = date.slice(0, 10).split('-');
  return `${d}/${m}/${y}`;
}

/** A period in words: « du 01/12/2026 au 31/12/2026 », « à partir du 01/12/2026, sans date de fin ». */
export function periodLabel(startsOn: CalendarDate, endsOn: CalendarDate | null): string {
  return endsOn
    ? `du ${frenchDate(startsOn)} au ${frenchDate(endsOn)}`
    : `à partir du ${frenchDate(startsOn)}, sans date de fin`;
}
