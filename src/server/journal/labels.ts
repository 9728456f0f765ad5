// French words of the journal, for the page and the CSV export.
import type { JournalAction, JournalOutcome } from './store.js';

export const ACTION_LABELS: Record<JournalAction, string> = {
  'delegation.created': 'Délégation créée',
  'delegation.modified': 'Délégation modifiée',
  'delegation.deleted': 'Délégation supprimée',
  'delegation.expired': 'Délégation expirée',
  'delegation.renounced': 'Délégation abandonnée par le délégataire (« Renoncer »)',
  'delegation.suspended': 'Délégation suspendue faute d’utilisation',
  'delegation.reactivated': 'Délégation réactivée par le médecin',
  'request.created': 'Demande de délégation reçue',
  'request.accepted': 'Demande de délégation acceptée',
  'request.refused': 'Demande de délégation refusée',
  'review.started': 'Revue des délégations commencée',
  'review.decided': 'Revue des délégations : décision sur une délégation',
  'review.completed': 'Revue des délégations terminée',
  'invitation.sent': 'Invitation envoyée',
  'invitation.resent': 'Invitation renvoyée',
  'invitation.accepted': 'Délégation finalisée (invitation acceptée)',
  'invitation.refused_identity': 'Invitation refusée : identité différente de la personne invitée',
  'invitation.joined': 'Délégation ajoutée à l’invitation en attente d’un confrère du cabinet',
  'cabinet.created': 'Cabinet créé',
  'cabinet.invited': 'Confrère invité dans le cabinet',
  'cabinet.joined': 'Cabinet rejoint',
  'cabinet.declined': 'Invitation au cabinet déclinée',
  'cabinet.left': 'Cabinet quitté',
  'cabinet.template_created': 'Modèle de droits créé',
  'cabinet.template_deleted': 'Modèle de droits supprimé',
  'proposal.sent': 'Délégation proposée aux médecins du cabinet',
  'proposal.accepted': 'Délégation proposée par un confrère acceptée',
  'proposal.refused': 'Délégation proposée par un confrère refusée',
  'dossier.list': 'Liste des dossiers consultée',
  'dossier.read': 'Dossier consulté',
  'dossier.read_medical': 'Volet médical consulté',
  'dossier.create': 'Dossier créé',
  'dossier.write': 'Volet administratif modifié',
  'dossier.write_medical': 'Volet médical complété',
  'dossier.send': 'Demande à un établissement envoyée ou annulée',
  'access.explained': 'Droits consultés',
  'access.refusals_throttled':
    'Accès refusés en série : les refus suivants de cette personne ne sont plus journalisés un par un pendant une minute',
};

export const OUTCOME_LABELS: Record<JournalOutcome, string> = {
  ok: 'Effectué',
  allowed: 'Autorisé',
  denied: 'Refusé',
};

export const REASON_LABELS: Record<string, string> = {
  not_in_context: 'dossier d’un autre médecin',
  not_a_doctor: 'pas de dossiers propres',
  no_delegation: 'aucune délégation',
  delegation_pending: 'délégation non finalisée',
  delegation_invitation_expired: 'invitation expirée',
  delegation_scheduled: 'délégation pas encore commencée',
  delegation_expired: 'délégation expirée',
  delegation_deleted: 'délégation supprimée',
  delegation_renounced: 'délégation abandonnée par le délégataire',
  delegation_suspended: 'délégation suspendue faute d’utilisation',
  missing_right: 'droit manquant',
};

/** « Droits consultés » entries: the action the person asked about. */
export const ASKED_LABELS: Record<string, string> = {
  list: 'pour consulter la liste des dossiers',
  read: 'pour consulter le dossier',
  read_medical: 'pour consulter le volet médical',
  create: 'pour créer un dossier',
  write_admin: 'pour modifier le volet administratif',
  write_medical: 'pour compléter le volet médical',
  send: 'pour envoyer ou annuler une demande',
};
