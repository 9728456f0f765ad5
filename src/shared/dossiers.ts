// Dossier schemas shared by the server (validation, OpenAPI) and the web app (forms, display).
// Input shapes carry today's rules; output shapes (…View) are lenient: what is stored is shown,
// even a name imported from elsewhere that today's input pattern would refuse.
import { z } from 'zod';
import { isoDate, personName } from './fields.js';
import { rightCode } from './rights.js';

const text = (max: number) => z.string().trim().max(max, `${max} caractères au plus.`);

export const LIVING_SITUATIONS = ['domicile_seul', 'domicile_entoure', 'etablissement'] as const;
export type LivingSituation = (typeof LIVING_SITUATIONS)[number];

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
  livingSituation: z.enum(LIVING_SITUATIONS).optional(),
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
export type DossierStatus = (typeof DOSSIER_STATUSES)[number];
export const REQUEST_STATUSES = ['envoyee', 'acceptee', 'refusee', 'annulee'] as const;
export const REQUEST_STATUS_LABELS: Record<(typeof REQUEST_STATUSES)[number], string> = {
  envoyee: 'Envoyée',
  acceptee: 'Acceptée',
  refusee: 'Refusée',
  annulee: 'Annulée',
};

export const LIVING_SITUATION_LABELS: Record<LivingSituation, string> = {
  domicile_seul: 'À domicile, seul(e)',
  domicile_entoure: 'À domicile, entouré(e)',
  etablissement: 'En établissement',
};
export const isLivingSituation = (code: string | undefined): code is LivingSituation =>
  (LIVING_SITUATIONS as readonly (string | undefined)[]).includes(code);

// Output shapes: stored values as they are (no pattern, no length rule the database does not
// hold), codes the database constrains as enums.
const stored = z.string().optional();

export const dossierSummaryView = z.object({
  id: z.string(),
  reference: z.string(),
  patient: z.object({ familyName: z.string(), givenName: z.string(), birthDate: z.string() }),
  status: z.enum(DOSSIER_STATUSES),
  requestsInProgress: z.number(),
  updatedAt: z.string(),
});

/** GET /api/dossiers: the dossiers of the doctor one acts for, and one's rights there. */
export const dossierListView = z.object({
  onBehalfOf: z.string(),
  rights: z.array(rightCode),
  dossiers: z.array(dossierSummaryView),
});

/** GET /api/dossiers/all-doctors: « Tous mes médecins », each doctor with the rights decided for him or her. */
export const acrossDoctorsQuery = z.object({
  doctor: z
    .string()
    .regex(/^[0-9a-f-]{36}$/i, 'Médecin inconnu.')
    .optional(),
  patient: z.string().trim().max(100, '100 caractères au plus.').optional(),
});

export const acrossDoctorsView = z.object({
  doctors: z.array(
    z.object({
      id: z.string(),
      familyName: z.string(),
      givenName: z.string(),
      specialty: z.string().nullable(),
      rights: z.array(rightCode),
    }),
  ),
  dossiers: z.array(dossierSummaryView.extend({ doctorId: z.string() })),
  truncated: z.boolean(),
});
export type AcrossDoctors = z.infer<typeof acrossDoctorsView>;

export const administrativeView = z.object({
  address: stored,
  phone: stored,
  trustedPerson: stored,
  coverage: stored,
  /** A code, kept as stored: an unknown one is shown as is. */
  livingSituation: stored,
});

export const medicalView = z.object({
  antecedents: stored,
  pathologies: stored,
  treatments: stored,
  gir: z.number().nullable().optional(),
});

/** GET /api/dossiers/:id: the dossier as the acting context may see it (medical part or null). */
export const dossierView = z.object({
  id: z.string(),
  reference: z.string(),
  ownerId: z.string(),
  version: z.number(),
  patient: z.object({
    familyName: z.string(),
    givenName: z.string(),
    birthDate: z.string(),
    sex: z.enum(['F', 'M']),
  }),
  administrative: administrativeView,
  medical: medicalView.nullable(),
  status: z.enum(DOSSIER_STATUSES),
  requests: z.array(
    z.object({
      id: z.string(),
      establishment: z.string(),
      status: z.enum(REQUEST_STATUSES),
      sentAt: z.string(),
      updatedAt: z.string(),
    }),
  ),
  rights: z.array(rightCode),
  via: z.enum(['owner', 'delegation']),
  updatedAt: z.string(),
  /** Who made the last change, as the viewer reads it (names formatted: « Nadia BENALI »). */
  lastUpdate: z.object({
    at: z.string(),
    by: z.enum(['you', 'owner', 'delegate']),
    name: z.string().nullable(),
    ownerName: z.string().nullable(),
  }),
});

export type Patient = z.infer<typeof patientSchema>;
export type Administrative = z.infer<typeof administrativeSchema>;
export type Medical = z.infer<typeof medicalSchema>;
export type DossierList = z.infer<typeof dossierListView>;
export type DossierView = z.infer<typeof dossierView>;
export type AdministrativeView = z.infer<typeof administrativeView>;
export type MedicalView = z.infer<typeof medicalView>;
