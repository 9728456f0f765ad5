// Dossier schemas shared by the server (validation, OpenAPI) and the web app (forms).
import { z } from 'zod';
import { isoDate, personName } from './fields.js';

const text = (max: number) => z.string().trim().max(max, `${max} caractères au plus.`);

export const patientSchema = z.object({
  familyName: personName,
  givenName: personName,
  birthDate: isoDate,
  sex: z.enum(['F', 'M'], { message: 'Indiquez le sexe du patient : Femme ou Homme.' }),
});

export const administrativeSchema = z.object({
  address: text(300).optional(),
  phone: z
    .string()
    .trim()
    .max(20)
    .regex(/^[0-9 +().-]*$/, 'Numéro de téléphone invalide.')
    .optional(),
  trustedPerson: text(200).optional(),
  coverage: text(100).optional(),
  livingSituation: z.enum(['domicile_seul', 'domicile_entoure', 'etablissement']).optional(),
});

export const medicalSchema = z.object({
  antecedents: text(4000).optional(),
  pathologies: text(4000).optional(),
  treatments: text(4000).optional(),
  gir: z.number().int().min(1, 'Le GIR va de 1 à 6.').max(6, 'Le GIR va de 1 à 6.').nullable().optional(),
});

export const DOSSIER_STATUSES = ['brouillon', 'complet', 'envoye'] as const;
export const DOSSIER_STATUS_LABELS: Record<(typeof DOSSIER_STATUSES)[number], string> = {
  brouillon: 'Brouillon',
  complet: 'Complet',
  envoye: 'Envoyé',
};
export const REQUEST_STATUS_LABELS = {
  envoyee: 'Envoyée',
  acceptee: 'Acceptée',
  refusee: 'Refusée',
  annulee: 'Annulée',
} as const;

export const LIVING_SITUATION_LABELS = {
  domicile_seul: 'À domicile, seul(e)',
  domicile_entoure: 'À domicile, entouré(e)',
  etablissement: 'En établissement',
} as const;

export type Patient = z.infer<typeof patientSchema>;
export type Administrative = z.infer<typeof administrativeSchema>;
export type Medical = z.infer<typeof medicalSchema>;
