// The delegation emails, in French: pure functions from facts to { subject, html, text }.
import { frenchDate, periodLabel } from '../../shared/calendar.js';
import { cardTypeLabel } from '../../shared/delegations.js';
import { ofName, toName } from '../../shared/names.js';
import { RIGHT_LABELS, type Right } from '../../shared/rights.js';
import { renderEmail } from '../mail/index.js';

export interface DoctorName {
  familyName: string;
  givenName: string;
}

const dr = (d: DoctorName) => `Dr ${d.givenName} ${d.familyName.toUpperCase()}`;
const rightsList = (rights: readonly Right[]) => rights.map((r) => RIGHT_LABELS[r]).join(', ');

/** A delegation of another doctor of the cabinet, finalised with the same invitation. */
export interface JoinedDelegation {
  delegator: DoctorName;
  rights: Right[];
  startsOn: string;
  endsOn: string | null;
}

/** After what changed, the delegation as it now stands. */
const nowInForce = (p: { rights: Right[]; startsOn: string; endsOn: string | null }) => [
  `Droits désormais accordés : ${rightsList(p.rights)}.`,
  `Période désormais en vigueur : ${periodLabel(p.startsOn, p.endsOn)}.`,
];

const joinedLine = (j: JoinedDelegation) =>
  `${dr(j.delegator)} : ${rightsList(j.rights)} (${periodLabel(j.startsOn, j.endsOn)}).`;

export function invitationEmail(p: {
  delegator: DoctorName;
  rights: Right[];
  startsOn: string;
  endsOn: string | null;
  link: string;
  expiresAt: Date;
  /** Colleagues of the cabinet who accepted the same delegation so far (finalised together). */
  others?: JoinedDelegation[];
}) {
  const others = p.others ?? [];
  return {
    subject: `${dr(p.delegator)} vous confie la gestion de ses dossiers`,
    ...renderEmail({
      title: 'Finalisez votre délégation de droits',
      paragraphs: [
        `${dr(p.delegator)} souhaite que vous l’assistiez dans la gestion de ses dossiers.`,
        `Droits accordés : ${rightsList(p.rights)}.`,
        `Période : ${periodLabel(p.startsOn, p.endsOn)}.`,
        ...(others.length > 0
          ? [
              `Les médecins suivants de son cabinet vous confient aussi leurs dossiers ; une seule finalisation vaut pour tous : ${others.map(joinedLine).join(' ')}`,
            ]
          : []),
        'Pour finaliser la création de la délégation, connectez-vous avec votre carte CPx (CPS, CPE ou CPA) grâce à Pro Santé Connect. À la première connexion, vous choisirez un mot de passe, indiquerez votre profession, puis lirez et accepterez la charte d’utilisation.',
      ],
      action: { label: 'Finaliser la délégation', url: p.link },
      notes: [
        `Ce lien est personnel, utilisable une seule fois, et valable jusqu’au ${frenchDate(p.expiresAt.toISOString())}.`,
        'Si vous ne vous attendiez pas à ce message, ignorez-le.',
      ],
    }),
  };
}

export function acceptedEmail(p: {
  delegateName: string;
  /** The card that accepted (names alone can be shared by two people): type and identifier. */
  cardType: string | null;
  nationalId: string;
  startsOn: string;
  endsOn: string | null;
  link: string;
}) {
  return {
    subject: `${p.delegateName} a finalisé la délégation de droits`,
    ...renderEmail({
      title: 'Délégation de droits finalisée',
      paragraphs: [
        `${p.delegateName} a finalisé la délégation de droits que vous lui avez accordée.`,
        `Carte utilisée : ${cardTypeLabel(p.cardType)}, identifiant national ${p.nationalId}.`,
        'Si cet identifiant n’est pas celui de la personne que vous avez invitée (un homonyme), supprimez la délégation depuis « Mes délégations ».',
        `Période : ${periodLabel(p.startsOn, p.endsOn)}.`,
        'Vous pouvez modifier ou supprimer à tout moment une délégation de droits depuis la page « Mes délégations ».',
      ],
      action: { label: 'Voir mes délégations', url: p.link },
    }),
  };
}

export function peerNotificationEmail(p: {
  delegator: DoctorName;
  startsOn: string;
  endsOn: string;
  link: string;
}) {
  return {
    subject: `${dr(p.delegator)} vous a habilité(e) à gérer ses dossiers`,
    ...renderEmail({
      title: 'Nouvelle délégation de droits',
      paragraphs: [
        `${dr(p.delegator)} vous a habilité(e) à gérer ses dossiers, avec les mêmes droits que lui ou elle, ${periodLabel(p.startsOn, p.endsOn)}.`,
        'Connectez-vous avec Pro Santé Connect : la délégation apparaît dans « Délégations reçues ».',
      ],
      action: { label: 'Voir les délégations reçues', url: p.link },
    }),
  };
}

export function modifiedEmail(p: {
  delegator: DoctorName;
  rights: Right[];
  startsOn: string;
  endsOn: string | null;
  link: string;
  /** What changed, in words (rights added, removed, period before → after). */
  changes?: string[];
}) {
  return {
    subject: `${dr(p.delegator)} a modifié votre délégation de droits`,
    ...renderEmail({
      title: 'Délégation de droits modifiée',
      paragraphs: [
        `${dr(p.delegator)} a modifié la délégation de droits qu’il ou elle vous a accordée.`,
        ...(p.changes ?? []),
        ...nowInForce(p),
      ],
      action: { label: 'Voir les délégations reçues', url: p.link },
    }),
  };
}

/** The doctor's own copy of a modification: what changed, for whom (a hijacked session shows). */
export function modificationReceiptEmail(p: {
  delegateName: string;
  rights: Right[];
  startsOn: string;
  endsOn: string | null;
  link: string;
  changes: string[];
}) {
  return {
    subject: `Vous avez modifié la délégation de droits ${ofName(p.delegateName)}`,
    ...renderEmail({
      title: 'Délégation de droits modifiée',
      paragraphs: [
        `Vous avez modifié la délégation de droits accordée ${toName(p.delegateName)}.`,
        ...p.changes,
        ...nowInForce(p),
      ],
      action: { label: 'Voir mes délégations', url: p.link },
      notes: [
        'Si vous n’êtes pas à l’origine de cette modification, supprimez cette délégation et contactez le support.',
      ],
    }),
  };
}

export function deletedEmail(p: { delegator: DoctorName; link: string }) {
  return {
    subject: `${dr(p.delegator)} a supprimé votre délégation de droits`,
    ...renderEmail({
      title: 'Délégation de droits supprimée',
      paragraphs: [
        `${dr(p.delegator)} a supprimé la délégation de droits qu’il ou elle vous avait accordée.`,
        'Vous n’avez plus accès à ses dossiers.',
      ],
      action: { label: 'Voir les délégations reçues', url: p.link },
    }),
  };
}

/** A change to an invitation not yet accepted: the person never had access, the link still works. */
export function invitationModifiedEmail(p: {
  delegator: DoctorName;
  rights: Right[];
  startsOn: string;
  endsOn: string | null;
}) {
  return {
    subject: `${dr(p.delegator)} a modifié son invitation à gérer ses dossiers`,
    ...renderEmail({
      title: 'Invitation modifiée',
      paragraphs: [
        `${dr(p.delegator)} a modifié l’invitation à gérer ses dossiers qu’il ou elle vous a envoyée.`,
        `Droits proposés : ${rightsList(p.rights)}.`,
        `Période : ${periodLabel(p.startsOn, p.endsOn)}.`,
        'Le lien reçu dans le courriel d’invitation reste valable : utilisez-le pour finaliser la délégation.',
      ],
    }),
  };
}

/** An invitation withdrawn before it was accepted: nothing to lose, the link no longer works. */
export function invitationCancelledEmail(p: { delegator: DoctorName }) {
  return {
    subject: `${dr(p.delegator)} a annulé son invitation à gérer ses dossiers`,
    ...renderEmail({
      title: 'Invitation annulée',
      paragraphs: [
        `${dr(p.delegator)} a annulé l’invitation à gérer ses dossiers qu’il ou elle vous avait envoyée.`,
        'Le lien reçu dans le courriel d’invitation n’est plus valable. Vous n’avez rien à faire.',
      ],
    }),
  };
}

export function endReminderEmail(p: { delegateName: string; endsOn: string; link: string }) {
  return {
    subject: `La délégation de droits de ${p.delegateName} se termine le ${frenchDate(p.endsOn)}`,
    ...renderEmail({
      title: 'Une délégation de droits se termine bientôt',
      paragraphs: [
        `La délégation de droits accordée à ${p.delegateName} se termine le ${frenchDate(p.endsOn)}.`,
        'Pour la prolonger, modifiez sa période depuis la page « Mes délégations ».',
      ],
      action: { label: 'Voir mes délégations', url: p.link },
    }),
  };
}

export function yearlyReviewEmail(p: { delegateName: string; startsOn: string; link: string }) {
  return {
    subject: `Revue annuelle : la délégation de droits de ${p.delegateName}`,
    ...renderEmail({
      title: 'Revue annuelle d’une délégation sans date de fin',
      paragraphs: [
        `La délégation de droits accordée à ${p.delegateName} depuis le ${frenchDate(p.startsOn)} n’a pas de date de fin.`,
        'Vérifiez qu’elle est toujours nécessaire ; vous pouvez la modifier ou la supprimer à tout moment depuis la page « Mes délégations ».',
      ],
      action: { label: 'Voir mes délégations', url: p.link },
    }),
  };
}

/** A colleague of the cabinet joined a pending invitation: the same link finalises both. */
export function invitationJoinedEmail(p: {
  delegator: DoctorName;
  rights: Right[];
  startsOn: string;
  endsOn: string | null;
  expiresAt: Date;
}) {
  return {
    subject: `${dr(p.delegator)} vous confie aussi la gestion de ses dossiers`,
    ...renderEmail({
      title: 'Une délégation de plus dans votre invitation',
      paragraphs: [
        `${dr(p.delegator)}, du même cabinet, vous confie aussi la gestion de ses dossiers.`,
        `Droits accordés : ${rightsList(p.rights)}.`,
        `Période : ${periodLabel(p.startsOn, p.endsOn)}.`,
        'Elle est ajoutée à l’invitation que vous avez déjà reçue : en la finalisant avec le lien de ce premier courriel, vous finaliserez toutes ces délégations à la fois.',
      ],
      notes: [`Cette invitation est valable jusqu’au ${frenchDate(p.expiresAt.toISOString())}.`],
    }),
  };
}

/** A colleague of the cabinet accepted the same delegation once the person was identified: effective now. */
export function colleagueAddedEmail(p: {
  delegator: DoctorName;
  rights: Right[];
  startsOn: string;
  endsOn: string | null;
  link: string;
}) {
  return {
    subject: `${dr(p.delegator)} vous confie la gestion de ses dossiers`,
    ...renderEmail({
      title: 'Nouvelle délégation de droits',
      paragraphs: [
        `${dr(p.delegator)}, du même cabinet, vous confie la gestion de ses dossiers.`,
        `Droits accordés : ${rightsList(p.rights)}.`,
        `Période : ${periodLabel(p.startsOn, p.endsOn)}.`,
        'Votre identité ayant déjà été vérifiée, cette délégation prend effet sans autre démarche.',
      ],
      action: { label: 'Voir mes délégations reçues', url: p.link },
    }),
  };
}

/** To the staff member whose second factor the delegating doctor reset. */
export function secondFactorResetEmail(p: { delegator: DoctorName; link: string }) {
  return {
    subject: `${dr(p.delegator)} a réinitialisé votre second facteur de connexion`,
    ...renderEmail({
      title: 'Second facteur de connexion réinitialisé',
      paragraphs: [
        `${dr(p.delegator)} a réinitialisé votre second facteur de connexion (clés d’accès, application d’authentification et codes de secours) au service Délégations de droits.`,
        'À votre prochaine connexion avec votre mot de passe, vous enregistrerez une nouvelle clé d’accès ou une nouvelle application d’authentification avant toute autre chose. Vous pouvez aussi vous connecter avec votre carte CPx ou votre e-CPS (Pro Santé Connect).',
      ],
      action: { label: 'Se connecter', url: p.link },
      notes: ['Si vous n’avez pas demandé cette réinitialisation, prévenez ce médecin sans attendre.'],
    }),
  };
}
