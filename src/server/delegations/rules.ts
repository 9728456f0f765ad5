// The rules of delegations, from plain values and an instant: status, periods in Europe/Paris,
// what a change may do. No I/O here: property tests hammer it. The words (rights, statuses) are
// in src/shared/rights.ts, the Paris calendar in platform/paris-time.ts.
import { Temporal } from 'temporal-polyfill';
import type { CalendarDate } from '../../shared/calendar.js';
import { END_DATE_REQUIRED, PEER_END_DATE_REQUIRED } from '../../shared/delegations.js';
import {
  type DelegationKind,
  type DelegationStatus,
  normalizeRights,
  RIGHTS,
  type Right,
} from '../../shared/rights.js';
import { DomainError } from '../platform/errors.js';
import { endOfDayExclusive, parseDate, startOfDay, todayInParis, ZONE } from '../platform/paris-time.js';

export const INVITATION_VALIDITY_DAYS = 7;
export const REMINDER_DAYS_BEFORE_END = 7;

export interface DelegationFacts {
  kind: DelegationKind;
  startsOn: CalendarDate;
  endsOn: CalendarDate | null;
  deletedAt: Date | null;
  /** Staff only: when the invitation was finalised. Peer delegations need no acceptance. */
  acceptedAt: Date | null;
  /** Staff only: the current invitation link's expiry. */
  invitationExpiresAt: Date | null;
  /** The delegate gave it up (« Renoncer »): final, like a deletion. */
  renouncedAt?: Date | null;
  /** Suspended by the daily job (SUSPEND_UNUSED_DAYS), unused since suspendedUnusedSince. */
  suspendedAt?: Date | null;
  suspendedUnusedSince?: Date | null;
  /** The doctor's last « Réactiver »: the unused clock starts again from there. */
  reactivatedAt?: Date | null;
}

/** The status, derived from timestamps only — never from a job having run. */
export function statusOf(d: DelegationFacts, now: Date): DelegationStatus {
  if (d.deletedAt && d.deletedAt.getTime() <= now.getTime()) return 'deleted';
  if (d.renouncedAt && d.renouncedAt.getTime() <= now.getTime()) return 'renounced';
  const t = now.getTime();
  if (d.endsOn !== null && t >= endOfDayExclusive(d.endsOn)) return 'expired';
  if (d.suspendedAt && d.suspendedAt.getTime() <= t) return 'suspended';
  if (d.kind === 'staff' && !d.acceptedAt) {
    return d.invitationExpiresAt && d.invitationExpiresAt.getTime() > t ? 'pending' : 'invitation_expired';
  }
  return t < startOfDay(d.startsOn) ? 'scheduled' : 'active';
}

export function invalid(code: string, message: string, field?: string): DomainError {
  return new DomainError(code, message, 422, field ? { fields: [{ path: field, message }] } : undefined);
}

/** Rights chosen for a staff delegation: at least one, each known; "Consulter" added. */
export function validateRights(rights: readonly string[]): Right[] {
  if (rights.length === 0) {
    throw invalid('rights_required', 'Choisissez au moins un droit d’accès.', 'rights');
  }
  const unknown = rights.filter((r) => !(RIGHTS as readonly string[]).includes(r));
  if (unknown.length > 0) throw invalid('rights_unknown', 'Un des droits demandés n’existe pas.', 'rights');
  return normalizeRights('staff', rights as Right[]);
}

export interface PeriodInput {
  startsOn: string;
  endsOn: string | null;
}

/**
 * A period chosen by the doctor. The start may not be in the past (Paris date), except that a
 * modification may keep the start date the delegation already has.
 */
export function validatePeriod(
  kind: DelegationKind,
  input: PeriodInput,
  now: Date,
  keepStartOn?: CalendarDate,
): { startsOn: CalendarDate; endsOn: CalendarDate | null } {
  const start = parseDate(input.startsOn);
  if (!start)
    throw invalid('period_start_invalid', 'La date de début n’est pas une date valide.', 'startsOn');
  const today = Temporal.PlainDate.from(todayInParis(now));
  const keeping = keepStartOn !== undefined && start.toString() === keepStartOn;
  if (!keeping && Temporal.PlainDate.compare(start, today) < 0) {
    throw invalid('period_start_past', 'La date de début ne peut pas être dans le passé.', 'startsOn');
  }
  const maxDate = today.add({ years: 10 });
  if (Temporal.PlainDate.compare(start, maxDate) > 0) {
    throw invalid('period_too_far', 'La date de début est trop lointaine (10 ans au plus).', 'startsOn');
  }
  // A blank end date is a forgotten field, never "no end": only an explicit null (the form's
  // « Sans date de fin ») means an open-ended staff delegation.
  if (input.endsOn === '') {
    throw invalid(
      'period_end_required',
      kind === 'peer' ? PEER_END_DATE_REQUIRED : END_DATE_REQUIRED,
      'endsOn',
    );
  }
  if (input.endsOn === null) {
    if (kind === 'peer') {
      throw invalid('period_end_required', PEER_END_DATE_REQUIRED, 'endsOn');
    }
    return { startsOn: start.toString(), endsOn: null };
  }
  const end = parseDate(input.endsOn);
  if (!end) throw invalid('period_end_invalid', 'La date de fin n’est pas une date valide.', 'endsOn');
  if (Temporal.PlainDate.compare(end, start) < 0) {
    throw invalid(
      'period_end_before_start',
      'La date de fin doit être postérieure ou égale à la date de début.',
      'endsOn',
    );
  }
  if (Temporal.PlainDate.compare(end, today) < 0) {
    throw invalid('period_end_past', 'La date de fin ne peut pas être dans le passé.', 'endsOn');
  }
  if (Temporal.PlainDate.compare(end, today.add({ years: 10 })) > 0) {
    throw invalid('period_too_far', 'La date de fin est trop lointaine (10 ans au plus).', 'endsOn');
  }
  return { startsOn: start.toString(), endsOn: end.toString() };
}

export type DelegationAction = 'modify' | 'delete' | 'resend' | 'reactivate';

/** What the doctor may still do with a delegation in a given status. */
export function allowedActions(kind: DelegationKind, status: DelegationStatus): DelegationAction[] {
  if (status === 'deleted') return [];
  if (status === 'expired' || status === 'renounced') return ['delete'];
  if (status === 'suspended') return ['reactivate', 'modify', 'delete'];
  const actions: DelegationAction[] = ['modify', 'delete'];
  if (kind === 'staff' && (status === 'pending' || status === 'invitation_expired')) actions.push('resend');
  return actions;
}

export function assertAllowed(
  kind: DelegationKind,
  status: DelegationStatus,
  action: DelegationAction,
): void {
  if (allowedActions(kind, status).includes(action)) return;
  const messages: Record<DelegationAction, string> = {
    modify:
      status === 'deleted'
        ? 'Cette délégation a été supprimée : elle ne peut plus être modifiée.'
        : status === 'renounced'
          ? 'La personne habilitée a renoncé à cette délégation : elle ne peut plus être modifiée.'
          : 'Cette délégation est expirée : elle ne peut plus être modifiée.',
    delete: 'Cette délégation a déjà été supprimée.',
    reactivate:
      status === 'active'
        ? 'Cette délégation est déjà active.'
        : 'Seule une délégation suspendue peut être réactivée.',
    resend: 'L’invitation ne peut être renvoyée que pour une délégation en attente de finalisation.',
  };
  throw new DomainError(`delegation_${action}_not_allowed`, messages[action], 409);
}

/** Does a delegation still count for the "one delegation per delegate" rule? */
export function blocksAnother(status: DelegationStatus): boolean {
  return status !== 'deleted' && status !== 'expired' && status !== 'renounced';
}

/** The delegate may give up a delegation that gives, or will give, access: never a final one. */
export function canRenounce(status: DelegationStatus): boolean {
  return status === 'active' || status === 'scheduled' || status === 'suspended';
}

/**
 * Names compared as a person would: without accents, case, hyphens, apostrophes or extra spaces
 * ("Jean-Pierre" = "JEAN PIERRE", "Lefèvre" = "LEFEVRE").
 */
export function normalizeName(value: string): string {
  return value
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .replace(/[‐-―'’`´-]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .toUpperCase();
}

export function sameIdentity(
  a: { familyName: string; givenName: string },
  b: { familyName: string; givenName: string },
): boolean {
  return (
    normalizeName(a.familyName) === normalizeName(b.familyName) &&
    normalizeName(a.givenName) === normalizeName(b.givenName)
  );
}

/** When the reminder to the doctor is due: 7 days before the end date, at 08:00 Paris time. */
export function reminderDueAt(endsOn: CalendarDate): Date {
  const day = Temporal.PlainDate.from(endsOn).subtract({ days: REMINDER_DAYS_BEFORE_END });
  return new Date(
    day.toZonedDateTime({ timeZone: ZONE, plainTime: Temporal.PlainTime.from('08:00') }).epochMilliseconds,
  );
}

export function invitationExpiry(sentAt: Date): Date {
  return new Date(sentAt.getTime() + INVITATION_VALIDITY_DAYS * 24 * 3600 * 1000);
}

export interface DelegationState extends DelegationFacts {
  rights: Right[];
  version: number;
}

export type DelegationChange =
  | { type: 'modify'; period: PeriodInput; rights?: readonly string[] }
  | { type: 'delete' }
  | { type: 'renounce' }
  | { type: 'suspend'; unusedSince: Date }
  | { type: 'reactivate' };

/**
 * The one place a change to an existing delegation is decided: allowed in the current status,
 * period and rights valid; a deletion is final. The service applies the result in a transaction.
 */
export function applyChange(state: DelegationState, change: DelegationChange, now: Date): DelegationState {
  const status = statusOf(state, now);
  if (change.type === 'renounce') {
    if (!canRenounce(status)) {
      throw new DomainError(
        'delegation_renounce_not_allowed',
        status === 'renounced'
          ? 'Vous avez déjà renoncé à cette délégation.'
          : 'Cette délégation n’est plus en cours : il n’y a rien à abandonner.',
        409,
      );
    }
    return { ...state, renouncedAt: now, version: state.version + 1 };
  }
  if (change.type === 'suspend') {
    if (status !== 'active') {
      throw new DomainError(
        'delegation_suspend_not_allowed',
        'Seule une délégation active peut être suspendue.',
        409,
      );
    }
    return {
      ...state,
      suspendedAt: now,
      suspendedUnusedSince: change.unusedSince,
      version: state.version + 1,
    };
  }
  if (change.type === 'reactivate') {
    assertAllowed(state.kind, status, 'reactivate');
    return {
      ...state,
      suspendedAt: null,
      suspendedUnusedSince: null,
      reactivatedAt: now,
      version: state.version + 1,
    };
  }
  if (change.type === 'delete') {
    assertAllowed(state.kind, status, 'delete');
    return { ...state, deletedAt: now, version: state.version + 1 };
  }
  assertAllowed(state.kind, status, 'modify');
  const period = validatePeriod(state.kind, change.period, now, state.startsOn);
  const rights =
    state.kind === 'peer'
      ? normalizeRights('peer', [])
      : change.rights
        ? validateRights(change.rights)
        : state.rights;
  return { ...state, ...period, rights, version: state.version + 1 };
}

/** A delegation nobody used for this many days is flagged « Inutilisée depuis le … ». */
export const UNUSED_DAYS = 90;

/**
 * Since when an active delegation has gone unused, if for UNUSED_DAYS or more: its last use, or
 * when it became usable (finalised, its first day, or its last reactivation) if later.
 */
export function unusedSince(
  d: DelegationFacts,
  lastUsedAt: Date | null,
  now: Date,
  days: number = UNUSED_DAYS,
): Date | null {
  if (statusOf(d, now) !== 'active') return null;
  const usable = Math.max(
    startOfDay(d.startsOn),
    d.acceptedAt?.getTime() ?? 0,
    d.reactivatedAt?.getTime() ?? 0,
  );
  const since = lastUsedAt ? Math.max(lastUsedAt.getTime(), usable) : usable;
  return now.getTime() - since >= days * 24 * 3600 * 1000 ? new Date(since) : null;
}

/**
 * When the next access review is due: ACCESS_REVIEW_MONTHS after the last one started, or after
 * the oldest delegation still active began when there was none.
 */
export function reviewDueAt(lastStartedAt: Date | null, oldestActiveSince: Date, months: number): Date {
  const from = lastStartedAt ?? oldestActiveSince;
  const zoned = Temporal.Instant.fromEpochMilliseconds(from.getTime()).toZonedDateTimeISO(ZONE);
  return new Date(zoned.add({ months }).epochMilliseconds);
}
