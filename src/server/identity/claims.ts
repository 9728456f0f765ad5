// Pro Santé Connect userinfo → the identity this service keeps. Accounts are keyed on
// SubjectNameID (the national identifier), never on `sub` (a federated id). Pure rules only:
// the shapes are those of the real service (test/identity/fixtures/psc-samples).
import { z } from 'zod';
import type { CardType } from '../../shared/identity.js';

const text = z.string().max(500);

const activity = z
  .object({
    codeModeExercice: text.optional(),
    codeSecteurDactivite: text.optional(),
    codeRole: text.optional(),
    codeGenreActivite: text.optional(),
    raisonSocialeSite: text.optional(),
    enseigneCommercialeSite: text.optional(),
    codePostal: text.optional(),
    bureauCedex: text.optional(),
    identifiantTechniqueDeLaStructure: text.optional(),
    numeroFinessSite: text.optional(),
    numeroFinessetablissementJuridique: text.optional(),
    numeroSiretSite: text.optional(),
    numeroSirenSite: text.optional(),
    adresseEMail: text.optional(),
  })
  .loose();

const exercice = z
  .object({
    codeProfession: text.optional(),
    codeCategorieProfessionnelle: text.optional(),
    codeSavoirFaire: text.optional(),
    nomDexercice: text.optional(),
    prenomDexercice: text.optional(),
    activities: z.array(activity).max(100).optional(),
  })
  .loose();

/**
 * Every national identifier PSC issues: RPPS `8…`, ADELI `0…`, staff `1/3/4/5/6…/CPxT…`, and
 * the `ANS…` identities of the ANS EDIT tool (sandbox). Letters, digits and `/ . _ -`, at most
 * 100 characters, starting with a letter or a digit. Its shape says nothing this service uses.
 */
export const SUBJECT_NAME_ID = /^[0-9A-Za-z][0-9A-Za-z/._-]{1,99}$/;

const userinfoSchema = z
  .object({
    given_name: z.string().max(200).optional(),
    family_name: z.string().max(200).optional(),
    email: z.string().max(500).optional(),
    SubjectOrganizationID: text.optional(),
    SubjectRole: z.array(text).max(50).optional(),
    Secteur_Activite: text.optional(),
    Palier_Authentification: text.optional(),
    SubjectRefPro: z
      .object({ exercices: z.array(exercice).max(20).optional() })
      .loose()
      .optional(),
  })
  .loose();

/** A place of practice (one `activities[]` entry of an exercice). */
export interface PscPlace {
  name: string | null;
  postalCode: string | null;
  town: string | null;
  /** codeSecteurDactivite (TRE_R02), e.g. SA07 cabinet, SA01 hospital. */
  sectorCode: string | null;
  /** codeModeExercice: L libéral, S salarié, B bénévole. */
  modeCode: string | null;
  /** codeRole of the activity, when PSC gives one. */
  roleCode: string | null;
  structureId: string | null;
  professionCode: string | null;
}

export interface PscIdentity {
  subjectNameId: string;
  familyName: string;
  givenName: string;
  cardType: CardType | null;
  professionCode: string | null;
  specialtyCode: string | null;
  specialtyLabel: string | null;
  postalCode: string | null;
  email: string | null;
  /** Every place of practice of every exercice, the main one first. */
  places: PscPlace[];
  /** Secteur_Activite: the sector of the activity chosen at sign-in (e.g. SA07). */
  sectorCode: string | null;
  /** Palier_Authentification: the authentication level's code (e.g. APPPRIP3). */
  authLevel: string | null;
}

/** Savoir-faire codes (TRE_R38) the demo meets; others keep their code only. */
const SPECIALTIES: Record<string, string> = {
  SM54: 'Médecine générale',
  SM04: 'Cardiologie et maladies vasculaires',
  SM26: 'Qualifié en médecine générale',
  SM53: 'Spécialiste en médecine générale',
  SM15: 'Gériatrie',
};

const CONTROL = /\p{Cc}/gu;
const clean = (s: string | undefined, max = 200) => (s ?? '').replace(CONTROL, '').trim().slice(0, max);
const orNull = (s: string | undefined, max = 200) => clean(s, max) || null;
const emailLike = /^[^\s@<>]{1,64}@[^\s@<>]{1,190}\.[^\s@<>]{2,}$/;
const CODE = /^[0-9A-Za-z_.-]{1,40}$/;

/** `SA07^1.2.250.1.71.4.2.4` → `SA07`: a code list value followed by its OID. */
export function codeOf(value: string | undefined): string | null {
  const code = clean(value).split('^')[0] ?? '';
  return CODE.test(code) ? code : null;
}

type Exercice = z.infer<typeof exercice>;
type Activity = z.infer<typeof activity>;

/**
 * The card type, from the claims (never from the identifier's shape): a health profession
 * makes a CPS (a CPF for a student, category E); staff without one hold a CPE when their
 * structure is an establishment (FINESS), else a CPA (practice or company).
 */
export function cardTypeFromClaims(exercices: Exercice[]): CardType | null {
  const professional = exercices.find((e) => clean(e.codeProfession) !== '');
  if (professional) return clean(professional.codeCategorieProfessionnelle) === 'E' ? 'CPF' : 'CPS';
  const activities = exercices.flatMap((e) => e.activities ?? []);
  if (activities.length === 0) return null;
  const establishment = activities.some(
    (a) =>
      clean(a.numeroFinessSite) !== '' ||
      clean(a.numeroFinessetablissementJuridique) !== '' ||
      clean(a.identifiantTechniqueDeLaStructure).startsWith('F'),
  );
  return establishment ? 'CPE' : 'CPA';
}

function placeOf(a: Activity, professionCode: string | null): PscPlace {
  const postalCode = orNull(a.codePostal, 10);
  // bureauCedex is "75009 PARIS" or just "PARIS": the town without the postal code.
  const town = clean(a.bureauCedex)
    .replace(/^\d{5}\s+/, '')
    .trim();
  return {
    name: orNull(a.raisonSocialeSite) ?? orNull(a.enseigneCommercialeSite),
    postalCode,
    town: town || null,
    sectorCode: codeOf(a.codeSecteurDactivite),
    modeCode: codeOf(a.codeModeExercice),
    roleCode: codeOf(a.codeRole),
    structureId: orNull(a.identifiantTechniqueDeLaStructure, 50),
    professionCode,
  };
}

/** Why the claims cannot make an identity (logged as is: no personal data in it). */
export type ClaimsProblem =
  | 'userinfo_not_an_object'
  | 'subject_name_id_missing'
  | 'subject_name_id_invalid'
  | 'names_missing'
  | 'claims_malformed';

export class ClaimsError extends Error {
  override name = 'ClaimsError';
  constructor(readonly reason: ClaimsProblem) {
    super(reason);
  }
}

export function identityFromUserinfo(claims: unknown): PscIdentity {
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) {
    throw new ClaimsError('userinfo_not_an_object');
  }
  const raw = (claims as Record<string, unknown>).SubjectNameID;
  if (raw === undefined || raw === null || raw === '') throw new ClaimsError('subject_name_id_missing');
  if (typeof raw !== 'string' || !SUBJECT_NAME_ID.test(raw)) throw new ClaimsError('subject_name_id_invalid');
  const parsed = userinfoSchema.safeParse(claims);
  if (!parsed.success) throw new ClaimsError('claims_malformed');
  const u = parsed.data;

  const exercices = u.SubjectRefPro?.exercices ?? [];
  const roleProfession = (u.SubjectRole ?? [])
    .map((r) => /^(\d{2})\^/.exec(r)?.[1])
    .find((c): c is string => c !== undefined);
  // A doctor with several exercices is a doctor: prefer the '10' one.
  const main =
    exercices.find((e) => clean(e.codeProfession) === '10') ??
    exercices.find((e) => clean(e.codeProfession) !== '') ??
    exercices[0];
  const professionCode = codeOf(main?.codeProfession) ?? roleProfession ?? null;

  const sectorCode = codeOf(u.Secteur_Activite);
  const organization = clean(u.SubjectOrganizationID);
  // The main place: the structure chosen at sign-in (SubjectOrganizationID), else the main
  // exercice's place in the sector of activity, else its first place.
  const tagged = exercices.flatMap((e) =>
    (e.activities ?? []).map((a) => ({ a, e, place: placeOf(a, codeOf(e.codeProfession)) })),
  );
  const chosen =
    (organization ? tagged.find((t) => t.place.structureId === organization) : undefined) ??
    tagged.find((t) => t.e === main && sectorCode !== null && t.place.sectorCode === sectorCode) ??
    tagged.find((t) => t.e === main) ??
    tagged[0];
  const places = chosen ? [chosen.place, ...tagged.filter((t) => t !== chosen).map((t) => t.place)] : [];

  const givenName = clean(u.given_name) || clean(main?.prenomDexercice);
  const familyName = clean(u.family_name) || clean(main?.nomDexercice);
  if (!givenName || !familyName) throw new ClaimsError('names_missing');
  const email = [u.email, ...tagged.map((t) => t.a.adresseEMail)]
    .map((e) => clean(e, 254))
    .find((e) => emailLike.test(e));
  const specialtyCode = codeOf(main?.codeSavoirFaire);
  return {
    subjectNameId: raw,
    familyName,
    givenName,
    cardType: cardTypeFromClaims(exercices),
    professionCode,
    specialtyCode,
    specialtyLabel: specialtyCode ? (SPECIALTIES[specialtyCode] ?? null) : null,
    postalCode: chosen?.place.postalCode ?? null,
    email: email ?? null,
    places: places.slice(0, 20),
    sectorCode,
    authLevel: codeOf(u.Palier_Authentification),
  };
}

/** eIDAS levels accepted: substantial and high are above eidas1. */
const ACCEPTED_ACR = new Set(['eidas1', 'eidas2', 'eidas3']);
export function acrAccepted(acr: unknown): boolean {
  return typeof acr === 'string' && ACCEPTED_ACR.has(acr);
}

export type AcrDecision =
  | { ok: true; acr: string; source: 'id_token' | 'access_token' }
  | { ok: false; reason: 'acr_missing' | 'acr_insufficient' };

/**
 * The authentication level of a sign-in: the ID token's `acr`, else the access token's (PSC
 * puts it there, and in introspection), else none and the sign-in is refused. A level given
 * by the ID token decides, even when the access token says otherwise.
 */
export function authenticationLevel(idTokenAcr: unknown, accessTokenAcr: unknown): AcrDecision {
  const present = (v: unknown) => v !== undefined && v !== null && v !== '';
  if (present(idTokenAcr)) {
    return acrAccepted(idTokenAcr)
      ? { ok: true, acr: idTokenAcr as string, source: 'id_token' }
      : { ok: false, reason: 'acr_insufficient' };
  }
  if (present(accessTokenAcr)) {
    return acrAccepted(accessTokenAcr)
      ? { ok: true, acr: accessTokenAcr as string, source: 'access_token' }
      : { ok: false, reason: 'acr_insufficient' };
  }
  return { ok: false, reason: 'acr_missing' };
}
