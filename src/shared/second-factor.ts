// Second factor (passkey or TOTP app, recovery codes): what the sign-in and « Mon compte » pages
// exchange with the server, shared by both sides.
import { z } from 'zod';

export const SESSION_STRENGTHS = ['psc', 'password+passkey', 'password+totp', 'password+recovery'] as const;

/** How a person signs in, as the delegating doctor reads it. */
export const SIGN_IN_METHOD_LABELS: Record<string, string> = {
  psc: 'carte CPx / e-CPS',
  'password+passkey': 'mot de passe + clé d’accès',
  'password+totp': 'mot de passe + application',
  'password+recovery': 'mot de passe + code de secours',
};

export const secondFactorStateSchema = z.object({
  /** A right password waits for its second factor: nothing else is open yet. */
  pending: z.boolean(),
  strength: z.enum(SESSION_STRENGTHS).nullable(),
  totp: z.object({ createdAt: z.string().nullable() }).nullable(),
  passkeys: z.array(
    z.object({ id: z.string(), name: z.string(), createdAt: z.string(), lastUsedAt: z.string().nullable() }),
  ),
  recoveryCodesLeft: z.number(),
  /** TOTP apps need MFA_ENCRYPTION_KEY outside demo mode. */
  totpAvailable: z.boolean(),
});
export type SecondFactorState = z.infer<typeof secondFactorStateSchema>;

export const totpCodeSchema = z.object({
  code: z
    .string()
    .trim()
    .max(20)
    .regex(/^\d{3}\s?\d{3}$/, 'Saisissez les 6 chiffres affichés par votre application.'),
});

export const recoveryCodeSchema = z.object({
  code: z
    .string()
    .trim()
    .max(20)
    .regex(/^[A-Za-z0-9]{5}-?[A-Za-z0-9]{5}$/, 'Saisissez un code de secours, par exemple ABCDE-FGH23.'),
});

export const totpEnrolmentSchema = z.object({ secret: z.string(), uri: z.string(), qrSvg: z.string() });

export const enrolmentResultSchema = z.object({
  /** Shown once, when the person had none left; null otherwise. */
  recoveryCodes: z.array(z.string()).nullable(),
});

export const passkeyNameSchema = z
  .string()
  .trim()
  .min(1, 'Donnez un nom à cette clé d’accès.')
  .max(100, 'Le nom ne doit pas dépasser 100 caractères.')
  .refine((v) => !/[\p{Cc}\u2028\u2029]/u.test(v), 'Ce champ contient des caractères non autorisés.');

/** A WebAuthn response as the browser library gives it (checked by the server library). */
export const webauthnResponseSchema = z
  .object({ id: z.string().max(1500), rawId: z.string().max(1500), type: z.literal('public-key') })
  .passthrough();

export const passkeyRegistrationSchema = z.object({
  name: passkeyNameSchema,
  response: webauthnResponseSchema,
});
export const passkeyAssertionSchema = z.object({ response: webauthnResponseSchema });
