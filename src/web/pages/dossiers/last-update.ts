// « Dernière mise à jour le 05/01/2026 à 14:03 par Nadia BENALI pour votre compte » and the link
// to the dossier's journal (the journal filtered on its reference), as the reader sees them.
import type { DossierView } from '../../../shared/dossiers';
import { parisDateTimeWords } from './format';

type Dossier = Pick<DossierView, 'lastUpdate' | 'via' | 'reference'>;

export function lastUpdateText(d: Dossier): string {
  const u = d.lastUpdate;
  const when = `Dernière mise à jour ${parisDateTimeWords(u.at)}`;
  const doctor = u.ownerName ? `du Dr ${u.ownerName}` : 'du médecin';
  if (u.by === 'you') return `${when} par vous.`;
  if (u.by === 'owner') return `${when} par le Dr ${u.ownerName ?? ''}`.trimEnd().concat('.');
  const who = u.name ?? 'une personne habilitée';
  return d.via === 'owner'
    ? `${when} par ${who} pour votre compte.`
    : `${when} par ${who} pour le compte ${doctor}.`;
}

/** The doctor's journal of this dossier, or the delegate's own actions on it. */
export function dossierJournalLink(d: Dossier): string {
  const params = new URLSearchParams();
  if (d.via !== 'owner') params.set('vue', 'actions');
  params.set('dossier', d.reference);
  return `/journal?${params.toString()}`;
}
