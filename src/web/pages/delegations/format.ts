// How delegations read in French: compact periods, people, places (dates and periods in words:
// src/shared/calendar.ts).
import { frenchDate } from '../../../shared/calendar';
import type { DelegationView } from '../../../shared/delegations';

const parisDay = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/Paris',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** Today's calendar date in Paris, 'AAAA-MM-JJ' (the server reads every date there). */
export function todayInParis(now = new Date()): string {
  return parisDay.format(now);
}

/** The compact period of the tables: "01/12/2026 → —", "01/12 → 31/12/2026". */
export function shortPeriod(startsOn: string, endsOn: string | null): string {
  if (!endsOn) return `${frenchDate(startsOn)} → —`;
  const sameYear = startsOn.slice(0, 4) === endsOn.slice(0, 4);
  return `${sameYear ? frenchDate(startsOn).slice(0, 5) : frenchDate(startsOn)} → ${frenchDate(endsOn)}`;
}

/** "LYON" → "Lyon", "SAINT-ÉTIENNE" → "Saint-Étienne". */
function titleCase(value: string): string {
  return value
    .toLocaleLowerCase('fr-FR')
    .replace(/(^|[\s'’-])(\p{L})/gu, (_, sep, c) => sep + c.toUpperCase());
}

export function placeLabel(place: { postalCode: string | null; city: string | null }): string {
  return [place.city ? titleCase(place.city) : null, place.postalCode].filter(Boolean).join(' ');
}

export function personName(p: { givenName: string; familyName: string }): string {
  return `${p.givenName} ${p.familyName.toLocaleUpperCase('fr-FR')}`;
}

export function delegateName(d: Pick<DelegationView, 'kind' | 'delegate'>): string {
  return `${d.kind === 'peer' ? 'Dr ' : ''}${personName(d.delegate)}`;
}
