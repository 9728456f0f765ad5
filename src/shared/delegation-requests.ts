// Delegation requests, renunciation and notification preferences (issue 16): the API shapes both
// sides use (validation, OpenAPI, the pages' types) and the words of the optional notifications.
import { z } from 'zod';
import { isoDate } from './fields.js';
import { DELEGATION_KINDS, RIGHTS, rightCode } from './rights.js';

export const MESSAGE_MAX = 500;
const freeText = (what: string) =>
  z
    .string()
    .max(MESSAGE_MAX, `${what} ne peut pas dépasser ${MESSAGE_MAX} caractères.`)
    .optional()
    .default('');
const optionalDate = z.union([isoDate, z.literal(''), z.null()]);

export const createRequestInput = z.object({
  /** The doctor asked, by his or her RPPS number (from the directory search). */
  rpps: z.string().regex(/^\d{11}$/, 'Le numéro RPPS comporte 11 chiffres.'),
  rights: z.array(rightCode).max(RIGHTS.length).optional().default([]),
  startsOn: isoDate,
  endsOn: optionalDate,
  message: freeText('Le message'),
});

export const acceptRequestInput = z.object({
  rights: z.array(rightCode).max(RIGHTS.length).optional(),
  startsOn: isoDate,
  endsOn: optionalDate,
});

export const refuseRequestInput = z.object({ reason: freeText('Le motif') });

export const REQUEST_STATUSES = ['open', 'accepted', 'refused', 'expired'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];
export const REQUEST_STATUS_LABELS: Record<RequestStatus, string> = {
  open: 'En attente de réponse',
  accepted: 'Acceptée',
  refused: 'Refusée',
  expired: 'Expirée',
};

const person = z.object({
  id: z.string(),
  familyName: z.string(),
  givenName: z.string(),
  profession: z.string().nullable(),
  cardType: z.string().nullable(),
  isDoctor: z.boolean(),
});

export const requestView = z.object({
  id: z.string(),
  kind: z.enum(DELEGATION_KINDS),
  requester: person,
  doctor: person,
  rights: z.array(rightCode),
  startsOn: z.string(),
  endsOn: z.string().nullable(),
  message: z.string(),
  createdAt: z.string(),
  expiresAt: z.string(),
  status: z.enum(REQUEST_STATUSES),
  decidedAt: z.string().nullable(),
  refusalReason: z.string().nullable(),
  delegationId: z.string().nullable(),
  /**
   * What the doctor granted: the current rights and period of the delegation created from this
   * request (null if none), which may be narrower than what was asked.
   */
  granted: z
    .object({ rights: z.array(rightCode), startsOn: z.string(), endsOn: z.string().nullable() })
    .nullable(),
});
export const requestsResponse = z.object({ requests: z.array(requestView) });
export type RequestView = z.infer<typeof requestView>;

/**
 * The notifications one may turn off in « Mon compte ». The security ones (a delegation created,
 * rights widened, a delegation deleted) are always sent and are not listed here.
 */
export const OPTIONAL_NOTIFICATIONS = [
  'delegation_modified',
  'delegation_finalised',
  'delegation_expired',
  'delegation_renounced',
  'request_received',
  'request_answered',
] as const;
export type OptionalNotification = (typeof OPTIONAL_NOTIFICATIONS)[number];
export const OPTIONAL_NOTIFICATION_LABELS: Record<OptionalNotification, string> = {
  delegation_modified: 'Une délégation est modifiée sans élargir les droits (période, droits retirés)',
  delegation_finalised: 'Une personne invitée finalise sa délégation',
  delegation_expired: 'Une délégation arrive à son terme',
  delegation_renounced: 'Une personne habilitée renonce à sa délégation',
  request_received: 'Je reçois une demande de délégation',
  request_answered: 'Un médecin accepte ou refuse ma demande de délégation',
};
export const notificationPreferences = z.object({
  enabled: z.array(z.enum(OPTIONAL_NOTIFICATIONS, { message: 'Notification inconnue.' })).max(20),
});
