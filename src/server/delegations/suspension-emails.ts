// The emails of a suspension for lack of use (SUSPEND_UNUSED_DAYS) and of its reactivation, in
// French. Security notices: always sent, « Mon compte » cannot turn them off.
import { frenchDate } from '../../shared/calendar.js';
import { renderEmail } from '../mail/index.js';
import { todayInParis } from '../platform/paris-time.js';

const day = (at: Date) => frenchDate(todayInParis(at));

export function suspendedDoctorEmail(p: { delegateName: string; unusedSince: Date; link: string }) {
  return {
    subject: `La délégation de droits de ${p.delegateName} est suspendue faute d’utilisation`,
    ...renderEmail({
      title: 'Délégation de droits suspendue',
      paragraphs: [
        `${p.delegateName} n’a pas utilisé la délégation de droits que vous lui avez accordée depuis le ${day(p.unusedSince)} : elle est suspendue automatiquement.`,
        'Cette personne n’a plus accès à vos dossiers. Si elle en a encore besoin, cliquez sur « Réactiver » dans « Mes délégations » ; sinon, vous pouvez la supprimer.',
      ],
      action: { label: 'Voir mes délégations', url: p.link },
    }),
  };
}

export function suspendedDelegateEmail(p: { doctorName: string; unusedSince: Date; link: string }) {
  return {
    subject: `Votre délégation de droits du ${p.doctorName} est suspendue faute d’utilisation`,
    ...renderEmail({
      title: 'Délégation de droits suspendue',
      paragraphs: [
        `Vous n’avez pas utilisé la délégation de droits du ${p.doctorName} depuis le ${day(p.unusedSince)} : elle est suspendue automatiquement.`,
        'Vous n’avez plus accès à ses dossiers. Si vous en avez encore besoin, demandez-lui de la réactiver depuis « Mes délégations ».',
      ],
      action: { label: 'Voir les délégations reçues', url: p.link },
    }),
  };
}

export function reactivatedEmail(p: { doctorName: string; link: string }) {
  return {
    subject: `Le ${p.doctorName} a réactivé votre délégation de droits`,
    ...renderEmail({
      title: 'Délégation de droits réactivée',
      paragraphs: [
        `Le ${p.doctorName} a réactivé la délégation de droits qui avait été suspendue faute d’utilisation.`,
        'Vous avez de nouveau accès à ses dossiers, avec les mêmes droits et pour la même période.',
      ],
      action: { label: 'Voir les délégations reçues', url: p.link },
    }),
  };
}
