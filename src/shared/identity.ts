// Identity: what the sign-in, first sign-in and account API exchange, shared by the server
// (validation, OpenAPI) and the web app (types, forms, password rules shown as the user types).
import { z } from 'zod';

/** Declared at first sign-in by a non-doctor (the seed's "indiquer sa profession"). */
export const DECLARED_PROFESSIONS = [
  { code: 'secretaire', label: 'Secrétaire médical(e)' },
  { code: 'assistant', label: 'Assistant(e) médical(e)' },
  { code: 'infirmier', label: 'Infirmier(e)' },
  { code: 'autre', label: 'Autre — préciser' },
] as const;
export type DeclaredProfession = (typeof DECLARED_PROFESSIONS)[number]['code'];
export const declaredProfessionSchema = z.enum(['secretaire', 'assistant', 'infirmier', 'autre']);

/** The profession a doctor wrote in an invitation (« Secrétaire médical(e) », « Infirmière »…) as a choice of the first sign-in. */
export function declaredProfessionOf(label: string): { code: DeclaredProfession; other: string | null } {
  const plain = label.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().trim();
  if (plain.startsWith('secretaire')) return { code: 'secretaire', other: null };
  if (plain.startsWith('assistant')) return { code: 'assistant', other: null };
  if (plain.startsWith('infirmi')) return { code: 'infirmier', other: null };
  return { code: 'autre', other: label.trim() || null };
}

/** Professions of the national directory (code list TRE_G15), the few this service meets. */
export const PROFESSION_LABELS: Record<string, string> = {
  '10': 'Médecin',
  '21': 'Pharmacien(ne)',
  '40': 'Chirurgien(ne)-dentiste',
  '50': 'Sage-femme',
  '60': 'Infirmier(e)',
  '70': 'Masseur(se)-kinésithérapeute',
  '80': 'Pédicure-podologue',
  '91': 'Orthophoniste',
  '92': 'Orthoptiste',
  '94': 'Ergothérapeute',
  '95': 'Psychomotricien(ne)',
  '96': 'Manipulateur(rice) ERM',
};

export const CARD_TYPES = ['CPS', 'CPF', 'CPE', 'CPA'] as const;
export type CardType = (typeof CARD_TYPES)[number];

// No control characters in any text we keep or show.
const CONTROL = /[\p{Cc}\u2028\u2029]/u;
const text = (max: number) =>
  z
    .string()
    .trim()
    .max(max, `Ce champ ne doit pas dépasser ${max} caractères.`)
    .refine((v) => !CONTROL.test(v), 'Ce champ contient des caractères non autorisés.');

export const emailSchema = z
  .string()
  .trim()
  .max(254, 'L’adresse électronique ne doit pas dépasser 254 caractères.')
  .pipe(z.email('Saisissez une adresse électronique valide, par exemple nom@domaine.fr.'));

/** CNIL deliberation 2022-100: 12+ characters of four kinds, or 14+ of any kind. */
export const PASSWORD_MAX = 128;
export function passwordRuleProblems(password: string): string[] {
  const problems: string[] = [];
  const length = [...password].length;
  if (length > PASSWORD_MAX) return [`Le mot de passe ne doit pas dépasser ${PASSWORD_MAX} caractères.`];
  const kinds = {
    lower: /\p{Ll}/u.test(password),
    upper: /\p{Lu}/u.test(password),
    digit: /\p{Nd}/u.test(password),
    symbol: /[^\p{L}\p{Nd}]/u.test(password),
  };
  if (length >= 14) return problems;
  if (length < 12) {
    problems.push(
      'Le mot de passe doit contenir au moins 12 caractères (majuscule, minuscule, chiffre et caractère spécial) ou au moins 14 caractères.',
    );
    return problems;
  }
  const missing = [
    !kinds.upper && 'une majuscule',
    !kinds.lower && 'une minuscule',
    !kinds.digit && 'un chiffre',
    !kinds.symbol && 'un caractère spécial',
  ].filter(Boolean);
  if (missing.length) {
    problems.push(`Avec moins de 14 caractères, le mot de passe doit aussi contenir ${missing.join(', ')}.`);
  }
  return problems;
}

/** The origin a return path is checked against when the site's address is not known (the web app). */
const SAME_ORIGIN_BASE = 'http://same-origin.invalid';

/**
 * A path of this site to go back to after sign-in (e.g. an invitation link), or undefined (the
 * caller then goes to `/`). The value is resolved against the site's address (PUBLIC_URL on the
 * server) and kept only when it stays on the same origin; the normalised path must itself be a
 * same-origin path — `/.//evil.example`, `/..//` or `/%2e//` normalise into `//evil.example`,
 * which a browser reads as another host. The server and the web app share this one rule.
 */
export function safeReturnTo(value: unknown, base: string = SAME_ORIGIN_BASE): string | undefined {
  if (typeof value !== 'string' || value.length === 0 || value.length > 500) return undefined;
  if (!value.startsWith('/') || CONTROL.test(value) || value.includes('\\')) return undefined;
  try {
    const origin = new URL(base).origin;
    const url = new URL(value, base);
    if (url.origin !== origin) return undefined;
    const path = `${url.pathname}${url.search}${url.hash}`;
    if (!path.startsWith('/') || path.startsWith('//')) return undefined;
    // Stable: read again (as a browser reads a Location header), it names the same place.
    const again = new URL(path, base);
    if (again.origin !== origin || `${again.pathname}${again.search}${again.hash}` !== path) return undefined;
    return path;
  } catch {
    return undefined;
  }
}

export const meSchema = z.object({
  id: z.uuid(),
  subjectNameId: z.string(),
  familyName: z.string(),
  givenName: z.string(),
  cardType: z.string().nullable(),
  professionCode: z.string().nullable(),
  /** What to show: the directory profession, or the declared one for staff. */
  professionLabel: z.string().nullable(),
  specialtyLabel: z.string().nullable(),
  isDoctor: z.boolean(),
  email: z.string().nullable(),
  emailVerified: z.boolean(),
  hasPassword: z.boolean(),
  firstSignInComplete: z.boolean(),
  charterVersion: z.string().nullable(),
  /** Places of practice Pro Santé Connect gave at the last sign-in, the main one first. */
  places: z.array(
    z.object({
      name: z.string().nullable(),
      postalCode: z.string().nullable(),
      town: z.string().nullable(),
      /** codeModeExercice: L, S or B (EXERCISE_MODES). */
      modeCode: z.string().nullable(),
    }),
  ),
});
export type Me = z.infer<typeof meSchema>;

/** Modes of practice (codeModeExercice, TRE_R23). */
export const EXERCISE_MODES: Record<string, string> = { L: 'libéral', S: 'salarié', B: 'bénévole' };

export const sessionInfoSchema = z.object({
  user: meSchema.nullable(),
  /** Sent back in the x-csrf-token header of every POST, PUT, PATCH and DELETE. */
  csrfToken: z.string(),
  /** A right password waits for its second factor (/connexion/second-facteur). */
  secondFactorPending: z.boolean(),
  passwordLogin: z.boolean(),
  pscAvailable: z.boolean(),
  demo: z.boolean(),
});
export type SessionInfo = z.infer<typeof sessionInfoSchema>;

export const passwordSignInSchema = z.object({
  identifier: text(254).pipe(z.string().min(1, 'Saisissez votre identifiant (adresse électronique).')),
  password: z
    .string()
    .min(1, 'Saisissez votre mot de passe.')
    .max(PASSWORD_MAX, `Le mot de passe ne doit pas dépasser ${PASSWORD_MAX} caractères.`),
});
export type PasswordSignIn = z.infer<typeof passwordSignInSchema>;

export const redirectSchema = z.object({ redirectTo: z.string() });

export const charterBlockSchema = z.object({
  kind: z.enum(['h2', 'p', 'li']),
  text: z.string(),
});
export const charterSchema = z.object({
  version: z.string(),
  title: z.string(),
  blocks: z.array(charterBlockSchema),
});
export type Charter = z.infer<typeof charterSchema>;

export const firstSignInInfoSchema = z.object({
  needsPassword: z.boolean(),
  needsProfession: z.boolean(),
  needsCharter: z.boolean(),
  needsEmail: z.boolean(),
  /** Only the charter changed since the user's last acceptance. */
  charterUpdate: z.boolean(),
  charter: charterSchema,
  prefill: z.object({
    email: z.string().nullable(),
    profession: declaredProfessionSchema.nullable(),
    professionOther: z.string().nullable(),
    /** The email came from an invitation the user opened: no confirmation link needed. */
    emailFromInvitation: z.boolean(),
  }),
  user: z.object({ givenName: z.string(), familyName: z.string(), isDoctor: z.boolean() }),
});
export type FirstSignInInfo = z.infer<typeof firstSignInInfoSchema>;

export const firstSignInSchema = z.object({
  password: z
    .string()
    .max(PASSWORD_MAX, `Le mot de passe ne doit pas dépasser ${PASSWORD_MAX} caractères.`)
    .optional(),
  passwordConfirmation: z.string().max(PASSWORD_MAX).optional(),
  profession: declaredProfessionSchema.optional(),
  professionOther: text(100).optional(),
  charterVersion: text(50).pipe(z.string().min(1)),
  charterAccepted: z.literal(true, 'Vous devez lire et accepter la charte d’utilisation.'),
  email: emailSchema.optional(),
});
export type FirstSignIn = z.infer<typeof firstSignInSchema>;

export const firstSignInResultSchema = z.object({
  redirectTo: z.string(),
  emailConfirmationSent: z.boolean(),
});

export const emailChangeSchema = z.object({ email: emailSchema });
export const emailChangeResultSchema = z.object({ emailConfirmationSent: z.boolean() });
export const emailConfirmSchema = z.object({
  token: z.string().regex(/^[A-Za-z0-9_-]{20,100}$/, 'Ce lien de confirmation est invalide.'),
});
export const emailConfirmResultSchema = z.object({ email: z.string() });

/** Why a sign-in came back to the sign-in page (`/connexion?erreur=…`). */
export const SIGN_IN_ERRORS: Record<string, string> = {
  etat: 'La demande de connexion a expiré ou n’est pas valide. Veuillez recommencer la connexion.',
  annulee: 'La connexion avec Pro Santé Connect a été annulée.',
  niveau:
    'Le niveau d’authentification transmis par Pro Santé Connect est insuffisant : connectez-vous avec votre carte CPx ou votre e-CPS (niveau eIDAS 1 requis).',
  emetteur:
    'La réponse de connexion ne provient pas de Pro Santé Connect (émetteur absent ou inattendu) : elle a été refusée par sécurité. Veuillez recommencer la connexion.',
  profil:
    'Les informations d’identité transmises par Pro Santé Connect sont incomplètes ou ne correspondent pas à votre connexion : elle n’a pas pu aboutir. Veuillez réessayer ; si le problème persiste, contactez l’assistance de Pro Santé Connect.',
  echec: 'La connexion avec Pro Santé Connect a échoué. Veuillez réessayer.',
  indisponible:
    'La connexion avec Pro Santé Connect est momentanément indisponible. Veuillez réessayer dans quelques instants.',
  session: 'Votre session a expiré. Veuillez vous reconnecter.',
};
