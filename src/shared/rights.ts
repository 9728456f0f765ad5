// The words of a delegation, one definition each, for the server (rules, decision, emails) and
// the web app (forms, badges): the rights and their labels, the kinds, the statuses and their
// labels, and how rights imply one another. Adding a right means adding it here and naming, in
// access/decide.ts, the actions that need it.
import { z } from 'zod';

export const RIGHTS = ['consulter', 'gerer', 'volet_medical', 'envoyer'] as const;
export type Right = (typeof RIGHTS)[number];
export const rightCode = z.enum(RIGHTS, { message: 'Droit inconnu.' });

export const RIGHT_LABELS: Record<Right, string> = {
  consulter: 'Consulter les dossiers',
  gerer: 'Créer et modifier les dossiers',
  volet_medical: 'Consulter et compléter le volet médical',
  envoyer: 'Envoyer les demandes aux établissements',
};
/** The compact labels of the tables (the full label is read out to screen readers). */
export const RIGHT_SHORT_LABELS: Record<Right, string> = {
  consulter: 'Consulter',
  gerer: 'Créer et modifier',
  volet_medical: 'Volet médical',
  envoyer: 'Envoyer les demandes',
};

/** A staff member of the practice (invited by email) or a colleague doctor (from the directory). */
export const DELEGATION_KINDS = ['staff', 'peer'] as const;
export type DelegationKind = (typeof DELEGATION_KINDS)[number];

/** Derived from timestamps, never stored (delegations/rules.ts statusOf). */
export const DELEGATION_STATUSES = [
  'pending',
  'invitation_expired',
  'scheduled',
  'active',
  'suspended',
  'expired',
  'renounced',
  'deleted',
] as const;
export type DelegationStatus = (typeof DELEGATION_STATUSES)[number];
export const DELEGATION_STATUS_LABELS: Record<DelegationStatus, string> = {
  pending: 'En attente de finalisation',
  invitation_expired: 'Invitation expirée',
  scheduled: 'Programmée',
  active: 'Active',
  suspended: 'Suspendue',
  expired: 'Expirée',
  renounced: 'Renoncée',
  deleted: 'Supprimée',
};

/** Every right implies "Consulter"; a peer delegation carries all of them. In RIGHTS order. */
export function normalizeRights(kind: DelegationKind, rights: readonly Right[]): Right[] {
  if (kind === 'peer') return [...RIGHTS];
  const set = new Set<Right>(rights);
  set.add('consulter');
  return RIGHTS.filter((r) => set.has(r));
}
