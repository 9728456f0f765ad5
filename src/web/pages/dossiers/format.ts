// Dates and times as French readers expect them, in Paris time whatever the browser's zone.
const dateTime = new Intl.DateTimeFormat('fr-FR', {
  timeZone: 'Europe/Paris',
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});
const dateTimeSeconds = new Intl.DateTimeFormat('fr-FR', {
  timeZone: 'Europe/Paris',
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

/** An instant → '05/01/2026 14:03' (Paris). */
export function parisDateTime(iso: string, seconds = false): string {
  return (seconds ? dateTimeSeconds : dateTime).format(new Date(iso)).replace(',', '');
}

export function personName(p: { givenName: string; familyName: string }): string {
  return `${p.givenName} ${p.familyName.toLocaleUpperCase('fr-FR')}`;
}

/** An instant in a sentence: 'le 05/01/2026 à 14:03' (Paris). */
export function parisDateTimeWords(iso: string): string {
  const [date, time] = parisDateTime(iso).split(' ');
  return `le ${date} à ${time}`;
}
