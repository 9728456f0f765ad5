// The emails of a delegation's life (issue 16), in French: requests, their answers, renunciation,
// the detail of a modification. Pure functions from facts to { subject, html, text }.
import { periodLabel } from '../../shared/calendar.js';
import { RIGHT_LABELS, type Right } from '../../shared/rights.js';
import { renderEmail } from '../mail/index.js';
import type { DoctorName } from './emails.js';

const dr = (d: DoctorName) => `Dr ${d.givenName} ${d.familyName.toUpperCase()}`;
const name = (p: DoctorName) => `${p.givenName} ${p.familyName.toUpperCase()}`;
const rightsList = (rights: readonly Right[]) => rights.map((r) => RIGHT_LABELS[r]).join(', ');

export function requestReceivedEmail(p: {
  requester: DoctorName & { isDoctor: boolean; profession: string | null };
  rights: Right[];
  startsOn: string;
  endsOn: string | null;
  message: string;
  link: string;
}) {
  const who = p.requester.isDoctor ? dr(p.requester) : name(p.requester);
  return {
    subject: `${who} vous demande une délégation de droits`,
    ...renderEmail({
      title: 'Demande de délégation de droits',
      paragraphs: [
        `${who}${p.requester.profession ? ` (${p.requester.profession})` : ''} vous demande de pouvoir gérer vos dossiers.`,
        p.requester.isDoctor
          ? 'Droits demandés : les mêmes droits que vous (délégation entre médecins).'
          : `Droits demandés : ${rightsList(p.rights)}.`,
        `Période demandée : ${periodLabel(p.startsOn, p.endsOn)}.`,
        ...(p.message ? [`Son message : « ${p.message} »`] : []),
        'Vous pouvez accepter cette demande (en modifiant si besoin les droits et la période) ou la refuser depuis « Mes délégations ». Sans réponse, elle expire dans 30 jours.',
      ],
      action: { label: 'Voir la demande', url: p.link },
    }),
  };
}

export function requestAcceptedEmail(p: {
  doctor: DoctorName;
  kind: 'staff' | 'peer';
  rights: Right[];
  startsOn: string;
  endsOn: string | null;
  link: string;
}) {
  return {
    subject: `${dr(p.doctor)} a accepté votre demande de délégation de droits`,
    ...renderEmail({
      title: 'Demande de délégation acceptée',
      paragraphs: [
        `${dr(p.doctor)} a accepté votre demande : vous êtes habilité(e) à gérer ses dossiers.`,
        p.kind === 'peer'
          ? `Droits accordés : les mêmes droits que le ${dr(p.doctor)}.`
          : `Droits accordés : ${rightsList(p.rights)}.`,
        `Période : ${periodLabel(p.startsOn, p.endsOn)}.`,
        'La délégation apparaît dans « Délégations reçues ». Vous pouvez y renoncer à tout moment.',
      ],
      action: { label: 'Voir les délégations reçues', url: p.link },
    }),
  };
}

export function requestRefusedEmail(p: { doctor: DoctorName; reason: string; link: string }) {
  return {
    subject: `${dr(p.doctor)} a refusé votre demande de délégation de droits`,
    ...renderEmail({
      title: 'Demande de délégation refusée',
      paragraphs: [
        `${dr(p.doctor)} a refusé votre demande de délégation de droits.`,
        p.reason ? `Motif indiqué : « ${p.reason} »` : 'Aucun motif n’a été indiqué.',
      ],
      action: { label: 'Voir les délégations reçues', url: p.link },
    }),
  };
}

export function renouncedEmail(p: { delegateName: string; link: string }) {
  return {
    subject: `${p.delegateName} a renoncé à sa délégation de droits`,
    ...renderEmail({
      title: 'Renonciation à une délégation de droits',
      paragraphs: [
        `${p.delegateName} a renoncé à la délégation de droits que vous lui aviez accordée.`,
        'La délégation a pris fin immédiatement : cette personne n’a plus accès à vos dossiers. Elle apparaît avec le statut « Renoncée » dans « Mes délégations », et la renonciation est inscrite dans votre journal.',
      ],
      action: { label: 'Voir mes délégations', url: p.link },
    }),
  };
}

/** What a modification changed, in words: rights added and removed, the period before → after. */
export function changeLines(
  before: { rights: Right[]; startsOn: string; endsOn: string | null },
  after: { rights: Right[]; startsOn: string; endsOn: string | null },
): string[] {
  const added = after.rights.filter((r) => !before.rights.includes(r));
  const removed = before.rights.filter((r) => !after.rights.includes(r));
  const lines: string[] = [];
  if (added.length) lines.push(`Droits ajoutés : ${rightsList(added)}.`);
  if (removed.length) lines.push(`Droits retirés : ${rightsList(removed)}.`);
  if (before.startsOn !== after.startsOn || before.endsOn !== after.endsOn) {
    lines.push(
      `Période : ${periodLabel(before.startsOn, before.endsOn)} → ${periodLabel(after.startsOn, after.endsOn)}.`,
    );
  }
  return lines;
}
