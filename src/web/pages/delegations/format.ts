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

/** The compact period of the tables: "01/12 → 31/12/2026", "01/12/2026 → Sans date de fin". */
export function shortPeriod(startsOn: string, endsOn: string | null): string {
  if (!endsOn) return `${frenchDate(startsOn)} → Sans date de fin`;
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
  return titled(d.kind, personName(d.delegate));
}

export { ofName, toName } from '../../../shared/names';

import { titled } from '../../../shared/names';

/** The dossiers a delegation reaches, counted when the count is known: « vos 30 dossiers ». */
function yourDossiers(count: number | undefined): string {
  if (count === undefined || count >= 500) return 'vos dossiers';
  if (count === 0) return 'vos dossiers (vous n’en avez encore aucun)';
  return count === 1 ? 'votre dossier' : `vos ${count} dossiers`;
}

/**
 * What a delegation will let its person do, in one plain sentence, shown before « Ajouter »:
 * « Nadia BENALI pourra consulter vos 31 dossiers et consulter et compléter leur volet médical,
 * du 01/12/2026 au 31/01/2027. »
 */
export function delegationSentence(p: {
  who: string;
  kind: 'staff' | 'peer';
  rights: readonly string[];
  startsOn: string;
  endsOn: string | null;
  dossiers: number | undefined;
}): string {
  const period = /^\d{4}-\d{2}-\d{2}$/.test(p.startsOn)
    ? p.endsOn === null
      ? `, à partir du ${frenchDate(p.startsOn)}, sans date de fin`
      : /^\d{4}-\d{2}-\d{2}$/.test(p.endsOn)
        ? `, du ${frenchDate(p.startsOn)} au ${frenchDate(p.endsOn)}`
        : ''
    : '';
  if (p.kind === 'peer') {
    return `${p.who} pourra gérer ${yourDossiers(p.dossiers)} avec les mêmes droits que vous${period}.`;
  }
  const doing = [`consulter ${yourDossiers(p.dossiers)}`];
  if (p.rights.includes('gerer')) doing.push('en créer et les modifier');
  if (p.rights.includes('volet_medical')) doing.push('consulter et compléter leur volet médical');
  if (p.rights.includes('envoyer')) doing.push('envoyer les demandes aux établissements');
  const list = doing.length === 1 ? doing[0] : `${doing.slice(0, -1).join(', ')} et ${doing.at(-1)}`;
  return `${p.who} pourra ${list}${period}.`;
}
