// The rules of delegation requests (« Demander une délégation de droits »), from plain values and
// an instant: a request's status, the limits on asking, what a decision may do. No I/O here:
// property tests hammer it (test/delegations/request-rules.test.ts).
import { frenchDate } from '../../shared/calendar.js';
import { DomainError } from '../platform/errors.js';
import { todayInParis } from '../platform/paris-time.js';

export const REQUEST_VALIDITY_DAYS = 30;
export const MAX_OPEN_REQUESTS = 3;
/** After this many refusals by one doctor, the requester waits SILENCE_DAYS before asking again. */
export const REFUSALS_BEFORE_SILENCE = 2;
export const SILENCE_DAYS = 30;
export const MESSAGE_MAX = 500;

const DAY = 24 * 3600 * 1000;

export type RequestStatus = 'open' | 'accepted' | 'refused' | 'expired';
export type RequestDecision = 'accepted' | 'refused';

export interface RequestFacts {
  doctorId: string;
  createdAt: Date;
  expiresAt: Date;
  decidedAt: Date | null;
  decision: RequestDecision | null;
}

/** Derived from timestamps, never stored: a decided request keeps its decision for ever. */
export function requestStatus(r: RequestFacts, now: Date): RequestStatus {
  if (r.decision && r.decidedAt && r.decidedAt.getTime() <= now.getTime()) return r.decision;
  return r.expiresAt.getTime() > now.getTime() ? 'open' : 'expired';
}

export function requestExpiry(createdAt: Date): Date {
  return new Date(createdAt.getTime() + REQUEST_VALIDITY_DAYS * DAY);
}

/**
 * May this person ask this doctor now, given every request he or she has made? At most
 * MAX_OPEN_REQUESTS open, none open to the same doctor, and SILENCE_DAYS of silence after
 * REFUSALS_BEFORE_SILENCE refusals by that doctor (counted from the last refusal).
 */
export function assertMayRequest(mine: readonly RequestFacts[], doctorId: string, now: Date): void {
  const open = mine.filter((r) => requestStatus(r, now) === 'open');
  if (open.some((r) => r.doctorId === doctorId)) {
    throw new DomainError(
      'request_already_open',
      'Vous avez déjà adressé une demande à ce médecin : attendez sa réponse (30 jours au plus).',
      409,
    );
  }
  if (open.length >= MAX_OPEN_REQUESTS) {
    throw new DomainError(
      'request_limit',
      `Vous avez déjà ${MAX_OPEN_REQUESTS} demandes en attente de réponse : attendez qu’un médecin y réponde avant d’en faire une nouvelle.`,
      409,
    );
  }
  const until = silenceUntil(mine, doctorId, now);
  if (until) {
    throw new DomainError(
      'request_silence',
      `Ce médecin a refusé vos ${REFUSALS_BEFORE_SILENCE} dernières demandes : vous pourrez lui en adresser une nouvelle à partir du ${frenchDate(todayInParis(until))}.`,
      409,
      { until: until.toISOString() },
    );
  }
}

/** The end of the silence after repeated refusals by this doctor, if it is not over. */
export function silenceUntil(mine: readonly RequestFacts[], doctorId: string, now: Date): Date | undefined {
  const refusals = mine
    .filter((r) => r.doctorId === doctorId && requestStatus(r, now) === 'refused')
    .map((r) => (r.decidedAt as Date).getTime())
    .sort((a, b) => b - a);
  if (refusals.length < REFUSALS_BEFORE_SILENCE) return undefined;
  const until = (refusals[0] as number) + SILENCE_DAYS * DAY;
  return until > now.getTime() ? new Date(until) : undefined;
}

/**
 * The one place a decision on a request is taken: only an open request can be decided, once.
 * A refused, accepted or expired request never becomes open or accepted again.
 */
export function decideRequest(r: RequestFacts, decision: RequestDecision, now: Date): RequestFacts {
  const status = requestStatus(r, now);
  if (status !== 'open') {
    const messages: Record<Exclude<RequestStatus, 'open'>, string> = {
      accepted: 'Cette demande a déjà été acceptée.',
      refused: 'Cette demande a déjà été refusée.',
      expired: 'Cette demande a expiré (30 jours sans réponse) : elle ne peut plus être acceptée ni refusée.',
    };
    throw new DomainError(`request_${status}`, messages[status], 409);
  }
  return { ...r, decision, decidedAt: now };
}

/** A free text as stored: trimmed, line breaks kept, at most MESSAGE_MAX characters. */
export function cleanMessage(value: string | null | undefined): string {
  const text = (value ?? '').replace(/\r\n?/g, '\n').trim();
  if ([...text].length > MESSAGE_MAX) {
    throw new DomainError(
      'message_too_long',
      `Le message ne peut pas dépasser ${MESSAGE_MAX} caractères.`,
      422,
      {
        fields: [{ path: 'message', message: `${MESSAGE_MAX} caractères au plus.` }],
      },
    );
  }
  return text;
}
