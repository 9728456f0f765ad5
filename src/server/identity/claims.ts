// Pro Santé Connect userinfo → the identity this service keeps. Accounts are keyed on
// SubjectNameID (the national identifier), never on `sub` (a federated id).
import { z } from 'zod';

const activity = z
  .object({
    codeModeExercice: z.string().optional(),
    codePostal: z.string().optional(),
    adresseEMail: z.string().optional(),
  })
  .loose();

const exercice = z
  .object({
    codeProfession: z.string().optional(),
    codeSavoirFaire: z.string().optional(),
    nomDexercice: z.string().optional(),
    prenomDexercice: z.string().optional(),
    activities: z.array(activity).optional(),
  })
  .loose();

const userinfoSchema = z
  .object({
    sub: z.string(),
    SubjectNameID: z.string().regex(/^[0-9][0-9A-Za-z/._-]{1,99}$/),
    given_name: z.string().max(200).optional(),
    family_name: z.string().max(200).optional(),
    email: z.string().optional(),
    SubjectRefPro: z
      .object({ exercices: z.array(exercice).optional() })
      .loose()
      .optional(),
  })
  .loose();

export interface PscIdentity {
  subjectNameId: string;
  familyName: string;
  givenName: string;
  cardType: string | null;
  professionCode: string | null;
  specialtyCode: string | null;
  specialtyLabel: string | null;
  postalCode: string | null;
  email: string | null;
}

/** Savoir-faire codes (TRE_R38) the demo meets; others keep their code only. */
const SPECIALTIES: Record<string, string> = {
  SM54: 'Médecine générale',
  SM04: 'Cardiologie et maladies vasculaires',
  SM26: 'Qualifié en médecine générale',
  SM53: 'Spécialiste en médecine générale',
  SM15: 'Gériatrie',
};

/**
 * The card type is not a claim of its own: the identifier's first character tells it
 * (8 RPPS / 0 ADELI: a health professional's CPS; 1 / 3: establishment staff, CPE;
 * 4 / 5 / 6: authorised staff of a practice, CPA).
 */
export function cardTypeOf(subjectNameId: string): string | null {
  const first = subjectNameId[0];
  if (first === '8' || first === '0') return 'CPS';
  if (first === '1' || first === '3') return 'CPE';
  if (first === '4' || first === '5' || first === '6') return 'CPA';
  return null;
}

const CONTROL = /\p{Cc}/gu;
const clean = (s: string | undefined) => (s ?? '').replace(CONTROL, '').trim().slice(0, 200);
const emailLike = /^[^\s@<>]{1,64}@[^\s@<>]{1,190}\.[^\s@<>]{2,}$/;

export class ClaimsError extends Error {
  override name = 'ClaimsError';
}

export function identityFromUserinfo(claims: unknown): PscIdentity {
  const parsed = userinfoSchema.safeParse(claims);
  if (!parsed.success) throw new ClaimsError('userinfo without a usable SubjectNameID');
  const u = parsed.data;
  const exercices = u.SubjectRefPro?.exercices ?? [];
  // A doctor with several exercices is a doctor: prefer the '10' one.
  const main = exercices.find((e) => e.codeProfession === '10') ?? exercices[0];
  const activities = exercices.flatMap((e) => e.activities ?? []);
  const mainActivity = main?.activities?.[0] ?? activities[0];
  const givenName = clean(u.given_name) || clean(main?.prenomDexercice);
  const familyName = clean(u.family_name) || clean(main?.nomDexercice);
  if (!givenName || !familyName) throw new ClaimsError('userinfo without names');
  const email = [u.email, ...activities.map((a) => a.adresseEMail)]
    .map((e) => clean(e))
    .find((e) => emailLike.test(e) && e.length <= 254);
  const specialtyCode = clean(main?.codeSavoirFaire) || null;
  return {
    subjectNameId: u.SubjectNameID,
    familyName,
    givenName,
    cardType: cardTypeOf(u.SubjectNameID),
    professionCode: clean(main?.codeProfession) || null,
    specialtyCode,
    specialtyLabel: specialtyCode ? (SPECIALTIES[specialtyCode] ?? null) : null,
    postalCode: clean(mainActivity?.codePostal) || null,
    email: email ?? null,
  };
}

/** eIDAS levels accepted: substantial and high are above eidas1. */
const ACCEPTED_ACR = new Set(['eidas1', 'eidas2', 'eidas3']);
export function acrAccepted(acr: unknown): boolean {
  return typeof acr === 'string' && ACCEPTED_ACR.has(acr);
}
