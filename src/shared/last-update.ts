// « Dernière mise à jour le … par Nadia BENALI pour votre compte » and the link to the dossier's
// journal (the journal filtered on its reference), as the reader of a dossier sees them. Pure: the
// instant comes formatted (« le 05/01/2026 à 14:03 », Paris time).
import type { DossierView } from './dossiers.js';

type Dossier = Pick<DossierView, 'lastUpdate' | 'via' | 'reference'>;

export function lastUpdateText(d: Dossier, when: string): string {
  const u = d.lastUpdate;
  const start = `Dernière mise à jour ${when}`;
  if (u.by === 'you') return `${start} par vous.`;
  if (u.by === 'owner')
    return u.ownerName ? `${start} par le Dr ${u.ownerName}.` : `${start} par le médecin.`;
  const who = u.name ?? 'une personne habilitée';
  const doctor = u.ownerName ? `du Dr ${u.ownerName}` : 'du médecin';
  return d.via === 'owner'
    ? `${start} par ${who} pour votre compte.`
    : `${start} par ${who} pour le compte ${doctor}.`;
}

/** The doctor's journal of this dossier, or the delegate's own actions on it. */
export function dossierJournalLink(d: Pick<Dossier, 'via' | 'reference'>): string {
  const params = new URLSearchParams();
  if (d.via !== 'owner') params.set('vue', 'actions');
  params.set('dossier', d.reference);
  return `/journal?${params.toString()}`;
}
