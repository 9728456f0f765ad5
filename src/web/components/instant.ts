// An instant as French users read it, in Paris time: « 01/12/2026 à 22:30 ».
const DATE = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'short', timeZone: 'Europe/Paris' });
const TIME = new Intl.DateTimeFormat('fr-FR', {
  hour: '2-digit',
  minute: '2-digit',
  timeZone: 'Europe/Paris',
});

export function frenchInstant(iso: string): string {
  const d = new Date(iso);
  return `${DATE.format(d)} à ${TIME.format(d)}`;
}
