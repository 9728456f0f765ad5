// Cabinet (group practice) schemas shared by the server (validation, OpenAPI) and the web app.
import { z } from 'zod';
import { staffDelegationInput } from './delegations.js';
import { isoDate } from './fields.js';
import { RIGHTS, rightCode } from './rights.js';

const text = (max: number, required: string) =>
  z.string().trim().min(1, required).max(max, `${max} caractères au plus.`);
const optionalCode = (max: number) =>
  z
    .string()
    .max(max, `${max} caractères au plus.`)
    .transform((v) => v.replace(/\s+/g, '').toUpperCase())
    .optional()
    .nullable();
const uuid = z.string().regex(/^[0-9a-f-]{36}$/i, 'Identifiant invalide.');
const optionalDate = z.union([isoDate, z.literal(''), z.null()]);

export const createCabinetInput = z.object({
  name: text(120, 'Indiquez le nom du cabinet.'),
  address: text(300, 'Indiquez l’adresse du cabinet.'),
  finess: optionalCode(20),
  siret: optionalCode(30),
});

export const inviteColleagueInput = z.object({
  rpps: z.string().regex(/^\d{11}$/, 'Le numéro RPPS comporte 11 chiffres.'),
});

export const templateInput = z.object({
  name: text(80, 'Indiquez le nom du modèle.'),
  rights: z.array(rightCode).min(1, 'Choisissez au moins un droit d’accès.').max(RIGHTS.length),
});

/** A staff delegation proposed at once to chosen colleagues of one of the doctor's cabinets. */
export const sharedStaffDelegationInput = staffDelegationInput.extend({
  cabinetId: uuid,
  colleagueIds: z
    .array(uuid)
    .min(1, 'Choisissez au moins un médecin du cabinet.')
    .max(50, '50 médecins au plus.'),
});

export const answerProposalInput = z.object({
  rights: z.array(rightCode).max(RIGHTS.length),
  startsOn: isoDate,
  endsOn: optionalDate,
});

const person = z.object({ familyName: z.string(), givenName: z.string() });

export const cabinetView = z.object({
  id: z.string(),
  name: z.string(),
  address: z.string(),
  finess: z.string().nullable(),
  siret: z.string().nullable(),
  members: z.array(
    person.extend({
      id: z.string(),
      specialty: z.string().nullable(),
      joinedAt: z.string(),
      isMe: z.boolean(),
    }),
  ),
  invitations: z.array(person.extend({ id: z.string(), sentAt: z.string() })),
  templates: z.array(z.object({ id: z.string(), name: z.string(), rights: z.array(rightCode) })),
});

export const cabinetsResponse = z.object({ cabinets: z.array(cabinetView) });

export const cabinetInvitationView = z.object({
  id: z.string(),
  cabinet: z.object({ id: z.string(), name: z.string(), address: z.string() }),
  invitedBy: person,
  sentAt: z.string(),
});

export const proposalView = z.object({
  id: z.string(),
  cabinet: z.object({ id: z.string(), name: z.string() }),
  proposer: person,
  delegate: person.extend({ profession: z.string().nullable(), email: z.string().nullable() }),
  rights: z.array(rightCode),
  startsOn: z.string(),
  endsOn: z.string().nullable(),
  sentAt: z.string(),
});

export type CabinetView = z.infer<typeof cabinetView>;
export type CabinetInvitationView = z.infer<typeof cabinetInvitationView>;
export type ProposalView = z.infer<typeof proposalView>;
