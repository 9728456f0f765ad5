// French words of the journal, for the page and the CSV export.
import type { JournalOutcome } from './store.js';

export { ACTION_LABELS } from '../../shared/journal.js';

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
  psc_required: 'connexion par carte CPx ou e-CPS exigée',
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
