// The cabinet emails, in French: pure functions from facts to { subject, html, text }.
import { periodLabel } from '../../shared/calendar.js';
import { RIGHT_LABELS, type Right } from '../../shared/rights.js';
import { renderEmail } from '../mail/index.js';

interface Name {
  familyName: string;
  givenName: string;
}

const dr = (d: Name) => `Dr ${d.givenName} ${d.familyName.toUpperCase()}`;

export function cabinetInvitationEmail(p: {
  inviter: Name;
  cabinet: { name: string; address: string };
  link: string;
}) {
  return {
    subject: `${dr(p.inviter)} vous invite à rejoindre le cabinet « ${p.cabinet.name} »`,
    ...renderEmail({
      title: 'Invitation à rejoindre un cabinet',
      paragraphs: [
        `${dr(p.inviter)} vous invite à rejoindre le cabinet « ${p.cabinet.name} » (${p.cabinet.address}).`,
        'Les médecins d’un même cabinet peuvent se proposer les délégations de droits de leur personnel : chacun reste seul à décider de ce qui est délégué sur ses propres dossiers.',
      ],
      action: { label: 'Répondre à l’invitation', url: p.link },
      notes: ['Si vous ne connaissez pas ce confrère, ignorez ce message.'],
    }),
  };
}

export function proposalEmail(p: {
  proposer: Name;
  cabinet: string;
  delegate: Name;
  rights: Right[];
  startsOn: string;
  endsOn: string | null;
  link: string;
}) {
  const person = `${p.delegate.givenName} ${p.delegate.familyName.toUpperCase()}`;
  return {
    subject: `${dr(p.proposer)} vous propose une délégation de droits pour ${person}`,
    ...renderEmail({
      title: 'Délégation de droits proposée par un confrère',
      paragraphs: [
        `${dr(p.proposer)}, de votre cabinet « ${p.cabinet} », a confié la gestion de ses dossiers à ${person} et vous propose d’en faire autant.`,
        `Droits proposés : ${p.rights.map((r) => RIGHT_LABELS[r]).join(', ')}.`,
        `Période proposée : ${periodLabel(p.startsOn, p.endsOn)}.`,
        'Rien n’est délégué sur vos dossiers tant que vous n’avez pas accepté. Vous pouvez modifier les droits et la période avant d’accepter, ou refuser.',
      ],
      action: { label: 'Répondre dans « Mes délégations »', url: p.link },
    }),
  };
}
