// Delegation schemas shared by the server (validation, OpenAPI) and the web app (forms, types).
// The words (rights, kinds, statuses and their labels) are in rights.ts.
import { z } from 'zod';
import { isoDate, personName } from './fields.js';
import { DELEGATION_KINDS, DELEGATION_STATUSES, RIGHTS, rightCode } from './rights.js';

export const STAFF_PROFESSIONS = [
  'Secrétaire médical(e)',
  'Assistant(e) médical(e)',
  'Infirmier(e)',
  'Autre',
] as const;

/** A blank end date is refused (never read as "no end"); `null` is « Sans date de fin ». */
export const END_DATE_REQUIRED = 'Indiquez une date de fin, ou cochez « Sans date de fin ».';
export const PEER_END_DATE_REQUIRED = 'La date de fin est obligatoire pour une délégation à un confrère.';
const optionalDate = z.union([isoDate, z.literal(''), z.null()]);

export const staffDelegationInput = z.object({
  familyName: personName,
  givenName: personName,
  email: z.email({ message: 'Adresse électronique invalide.' }).max(254, 'Adresse électronique trop longue.'),
  profession: z.string().trim().min(1, 'Indiquez la profession.').max(100, '100 caractères au plus.'),
  rights: z.array(rightCode).max(RIGHTS.length),
  startsOn: isoDate,
  endsOn: optionalDate,
  /** « Connexion par carte CPx ou e-CPS obligatoire ». */
  pscRequired: z.boolean().optional(),
});

export const peerDelegationInput = z.object({
  rpps: z.string().regex(/^\d{11}$/, 'Le numéro RPPS comporte 11 chiffres.'),
  startsOn: isoDate,
  endsOn: optionalDate,
});

export const modifyDelegationInput = z.object({
  version: z.number().int().min(1),
  rights: z.array(rightCode).max(RIGHTS.length).optional(),
  startsOn: isoDate,
  endsOn: optionalDate,
  pscRequired: z.boolean().optional(),
});

export const delegationView = z.object({
  id: z.string(),
  kind: z.enum(DELEGATION_KINDS),
  delegate: z.object({
    familyName: z.string(),
    givenName: z.string(),
    email: z.string().nullable(),
    profession: z.string().nullable(),
    places: z.array(
      z.object({
        name: z.string().nullable(),
        postalCode: z.string().nullable(),
        city: z.string().nullable(),
      }),
    ),
    nationalId: z.string().nullable(),
    /** The card that accepted the invitation (CPS, CPF, CPE, CPA), once accepted. */
    cardType: z.string().nullable().optional(),
    /** Another card holder with the same names has an account: the doctor checks the identifier. */
    namesake: z.boolean().optional(),
    /** The delegate's account, once known (« Voir ses actions » filters the journal on it). */
    userId: z.string().nullable().optional(),
    /** How the delegate last signed in (SIGN_IN_METHOD_LABELS) and when. */
    lastSignIn: z.object({ method: z.string().nullable(), at: z.string() }).nullable().optional(),
    /** The delegate signs in with a password too: the doctor may reset the second factor. */
    hasPassword: z.boolean().optional(),
  }),
  /** The delegate's last access through this delegation (from the journal). */
  lastUsedAt: z.string().nullable().optional(),
  /** Set when an active delegation has not been used for 90 days: since when. */
  unusedSince: z.string().nullable().optional(),
  rights: z.array(rightCode),
  /** « Connexion par carte CPx ou e-CPS obligatoire ». */
  pscRequired: z.boolean().optional(),
  startsOn: z.string(),
  endsOn: z.string().nullable(),
  status: z.enum(DELEGATION_STATUSES),
  actions: z.array(z.enum(['modify', 'delete', 'resend', 'reactivate'])),
  /** Suspended for lack of use (SUSPEND_UNUSED_DAYS): unused since then. */
  suspendedUnusedSince: z.string().nullable().optional(),
  invitationExpiresAt: z.string().nullable(),
  acceptedAt: z.string().nullable(),
  version: z.number(),
});

export const receivedDelegationView = delegationView.extend({
  delegator: z.object({
    id: z.string(),
    familyName: z.string(),
    givenName: z.string(),
    specialty: z.string().nullable(),
  }),
});

export const delegationsResponse = z.object({
  staff: z.array(delegationView),
  peer: z.array(delegationView),
});

export const invitationView = z.object({
  delegator: z.object({ familyName: z.string(), givenName: z.string() }),
  invited: z.object({ familyName: z.string(), givenName: z.string() }),
  rights: z.array(rightCode),
  startsOn: z.string(),
  endsOn: z.string().nullable(),
  problem: z.object({ code: z.string(), message: z.string() }).nullable(),
  /** Colleagues of the cabinet whose delegations this one finalisation also finalises. */
  others: z
    .array(
      z.object({
        delegator: z.object({ familyName: z.string(), givenName: z.string() }),
        rights: z.array(rightCode),
        startsOn: z.string(),
        endsOn: z.string().nullable(),
      }),
    )
    .optional(),
});

export type DelegationView = z.infer<typeof delegationView>;
export type ReceivedDelegationView = z.infer<typeof receivedDelegationView>;
export type InvitationView = z.infer<typeof invitationView>;

/** A card type as the doctor reads it. */
export const CARD_TYPE_LABELS: Record<string, string> = {
  CPS: 'carte CPS (professionnel de santé)',
  CPF: 'carte CPF (professionnel de santé en formation)',
  CPE: 'carte CPE (personnel d’établissement)',
  CPA: 'carte CPA (personnel autorisé d’un cabinet)',
};
export const cardTypeLabel = (t: string | null | undefined) =>
  t ? (CARD_TYPE_LABELS[t] ?? `carte ${t}`) : 'carte inconnue';
