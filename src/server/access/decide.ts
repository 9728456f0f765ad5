// The one authorization decision: (actor, action, dossier) → allowed or denied, with the reason
// and the delegation that allowed it. Pure: the caller loads the facts at every request.
import { DOSSIER_ACTIONS, type DossierAction } from '../../shared/access.js';
import { frenchDate } from '../../shared/calendar.js';
import { type DelegationStatus, normalizeRights, type Right } from '../../shared/rights.js';
import { type DelegationGrant, statusOf } from '../delegations/facts.js';
import { todayInParis } from '../platform/paris-time.js';
import type { SignedInUser } from '../platform/signed-in-user.js';

export { DOSSIER_ACTIONS, type DossierAction };

/** The right each action needs; every right implies "consulter". A new right is named here. */
export const REQUIRED_RIGHT: Record<DossierAction, Right> = {
  list: 'consulter',
  read: 'consulter',
  read_medical: 'volet_medical',
  create: 'gerer',
  write_admin: 'gerer',
  write_medical: 'volet_medical',
  send: 'envoyer',
};

/** Each action as the end of a French sentence (« Vos droits ne vous permettent pas de … »). */
export const ACTION_PHRASES: Record<DossierAction, string> = {
  list: 'consulter la liste des dossiers',
  read: 'consulter le dossier',
  read_medical: 'consulter le volet médical',
  create: 'créer un dossier',
  write_admin: 'modifier le volet administratif',
  write_medical: 'compléter le volet médical',
  send: 'envoyer ou annuler une demande',
};

export interface DecisionInput {
  /**
   * The signed-in person: who, whether a doctor, and how strong the session is (Pro Santé
   * Connect, or a password with a second factor).
   */
  actor: Pick<SignedInUser, 'id' | 'isDoctor'> & { signIn: Pick<SignedInUser['signIn'], 'strength'> };
  /** The doctor the actor acts for ("Agir pour le compte de"); the actor's own id for a doctor. */
  onBehalfOfId: string;
  action: DossierAction;
  /** The owner of the dossier concerned; undefined for actions on no dossier (list, create). */
  dossierOwnerId?: string;
  /** The delegations from onBehalfOfId to the actor that are not deleted (any status). */
  delegations: DelegationGrant[];
  now: Date;
}

export type DenialReason =
  | 'not_in_context' // the dossier belongs to another doctor
  | 'not_a_doctor' // a non-doctor acting for himself has no dossiers
  | 'no_delegation'
  | `delegation_${Exclude<DelegationStatus, 'active'>}`
  | 'missing_right'
  | 'psc_required'; // the delegation requires a CPx card or e-CPS sign-in

export type Decision =
  | { allowed: true; via: 'owner'; action: DossierAction }
  | {
      allowed: true;
      via: 'delegation';
      action: DossierAction;
      delegationId: string;
      kind: 'staff' | 'peer';
      right: Right;
      until: string | null;
    }
  | {
      allowed: false;
      action: DossierAction;
      reason: DenialReason;
      delegationId?: string;
      right: Right;
      /** delegation_suspended: since when the delegation was unused. */
      unusedSince?: Date;
    };

/** Of several delegations (an expired one and a new one), the one that counts: active first. */
function pick(delegations: DelegationGrant[], now: Date) {
  const order: DelegationStatus[] = [
    'active',
    'scheduled',
    'suspended',
    'pending',
    'invitation_expired',
    'expired',
    'renounced',
    'deleted',
  ];
  return delegations
    .map((d) => ({ d, status: statusOf(d, now) }))
    .sort((a, b) => order.indexOf(a.status) - order.indexOf(b.status))[0];
}

export function decide(input: DecisionInput): Decision {
  const { actor, onBehalfOfId, action, now } = input;
  const right = REQUIRED_RIGHT[action];
  if (input.dossierOwnerId !== undefined && input.dossierOwnerId !== onBehalfOfId) {
    return { allowed: false, action, reason: 'not_in_context', right };
  }
  if (onBehalfOfId === actor.id) {
    return actor.isDoctor
      ? { allowed: true, via: 'owner', action }
      : { allowed: false, action, reason: 'not_a_doctor', right };
  }
  const chosen = pick(input.delegations, now);
  if (!chosen) return { allowed: false, action, reason: 'no_delegation', right };
  const { d, status } = chosen;
  if (status === 'suspended') {
    return {
      allowed: false,
      action,
      reason: 'delegation_suspended',
      delegationId: d.id,
      right,
      ...(d.suspendedUnusedSince && { unusedSince: d.suspendedUnusedSince }),
    };
  }
  if (status !== 'active')
    return { allowed: false, action, reason: `delegation_${status}`, delegationId: d.id, right };
  if (!normalizeRights(d.kind, d.rights).includes(right)) {
    return { allowed: false, action, reason: 'missing_right', delegationId: d.id, right };
  }
  if (d.pscRequired && actor.signIn.strength !== 'psc') {
    return { allowed: false, action, reason: 'psc_required', delegationId: d.id, right };
  }
  return {
    allowed: true,
    via: 'delegation',
    action,
    delegationId: d.id,
    kind: d.kind,
    right,
    until: d.endsOn,
  };
}

/** The refusal of a suspended delegation, in French. */
export function suspendedReason(unusedSince: Date | undefined): string {
  const since = unusedSince ? ` depuis le ${frenchDate(todayInParis(unusedSince))}` : '';
  return `Délégation suspendue faute d’utilisation${since} ; le médecin peut la réactiver.`;
}

/** May the actor know that dossiers exist in this context? (Decides 403 versus 404.) */
export function knowsContext(decision: Decision): boolean {
  return decision.allowed || decision.reason === 'missing_right' || decision.reason === 'psc_required';
}
