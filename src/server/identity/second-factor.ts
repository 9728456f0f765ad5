// The second factor's rules, without I/O: TOTP (RFC 6238) secrets encrypted at rest and codes
// accepted once, recovery codes, the WebAuthn relying party derived from PUBLIC_URL, the
// lockout counting of wrong second factors, and how strong a session is.
import crypto from 'node:crypto';
import * as OTPAuth from 'otpauth';
import type { Config } from '../platform/config.js';
import type { SessionStrength } from '../platform/signed-in-user.js';
import { LOCKOUT_MS, MAX_FAILURES } from './passwords.js';
import type { SecondFactor } from './tables.js';

export const TOTP_PERIOD = 30;
/** One step either side: a phone's clock a little off still works. */
export const TOTP_WINDOW = 1;
export const RECOVERY_CODES = 10;
export const ISSUER = 'Délégations de droits';

type KeyConfig = Pick<Config, 'demo' | 'mfaEncryptionKey' | 'sessionSecret'>;

const keyMaterial = (config: KeyConfig) =>
  config.mfaEncryptionKey ?? (config.demo ? config.sessionSecret : undefined);

/** TOTP apps need a key to encrypt their secrets: MFA_ENCRYPTION_KEY, or in demo mode only a derived one. */
export const totpAvailable = (config: KeyConfig) => keyMaterial(config) !== undefined;

/** The AES-256 key of the TOTP secrets: MFA_ENCRYPTION_KEY; in demo mode only, the session secret. */
function keyOf(config: KeyConfig): Buffer {
  const material = keyMaterial(config);
  if (!material) throw new Error('MFA_ENCRYPTION_KEY is not set');
  return crypto.hash('sha256', `totp-secret-key:${material}`, 'buffer');
}

/** AES-256-GCM: "v1.<iv>.<tag>.<ciphertext>" (base64url), the user id as associated data. */
export function encryptSecret(config: KeyConfig, userId: string, secretBase32: string): string {
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv('aes-256-gcm', keyOf(config), iv);
  cipher.setAAD(Buffer.from(userId));
  const data = Buffer.concat([cipher.update(secretBase32, 'utf8'), cipher.final()]);
  return ['v1', iv, cipher.getAuthTag(), data]
    .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
    .join('.');
}

export function decryptSecret(config: KeyConfig, userId: string, stored: string): string {
  const [version, iv, tag, data] = stored.split('.');
  if (version !== 'v1' || !iv || !tag || !data) throw new Error('unreadable TOTP secret');
  const decipher = crypto.createDecipheriv('aes-256-gcm', keyOf(config), Buffer.from(iv, 'base64url'));
  decipher.setAAD(Buffer.from(userId));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
}

export function newTotpSecret(): string {
  return new OTPAuth.Secret({ size: 20 }).base32;
}

export function totpFor(secretBase32: string, label: string): OTPAuth.TOTP {
  return new OTPAuth.TOTP({
    issuer: ISSUER,
    label,
    algorithm: 'SHA1',
    digits: 6,
    period: TOTP_PERIOD,
    secret: OTPAuth.Secret.fromBase32(secretBase32),
  });
}

/**
 * The time step of a valid code, or null. A code is accepted only for a step later than the
 * last one accepted (`lastStep`): each code is used once, and an older one after a newer one
 * is refused too.
 */
export function acceptedTotpStep(
  secretBase32: string,
  code: string,
  now: Date,
  lastStep: number | null,
): number | null {
  const token = code.replace(/\s+/g, '');
  if (!/^\d{6}$/.test(token)) return null;
  const delta = totpFor(secretBase32, 'x').validate({ token, timestamp: now.getTime(), window: TOTP_WINDOW });
  if (delta === null) return null;
  const step = Math.floor(now.getTime() / 1000 / TOTP_PERIOD) + delta;
  if (lastStep !== null && step <= lastStep) return null;
  return step;
}

const RECOVERY_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** Ten codes of 10 characters (50 random bits each), shown as XXXXX-XXXXX. */
export function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODES }, () => {
    const bytes = crypto.randomBytes(10);
    const chars = [...bytes].map((b) => RECOVERY_ALPHABET[b % 32]).join('');
    return `${chars.slice(0, 5)}-${chars.slice(5)}`;
  });
}

/** The stored form of a recovery code: its sha256, whatever the case and the dashes typed. */
export function recoveryCodeHash(code: string): Buffer {
  const plain = code.toUpperCase().replace(/[^A-Z0-9]/g, '');
  return crypto.hash('sha256', `recovery:${plain}`, 'buffer');
}

/** The WebAuthn relying party: the origin and host of PUBLIC_URL, nothing else. */
export function relyingParty(config: Pick<Config, 'publicUrl'>): {
  id: string;
  origin: string;
  name: string;
} {
  const url = new URL(config.publicUrl);
  return { id: url.hostname, origin: url.origin, name: ISSUER };
}

/**
 * After a wrong second factor: one more failure on the account's counter, and the 15-minute
 * lockout at the fifth. No growing delay here (the password was right): each guess counts, so a
 * burst of guesses locks the account instead of being spread out.
 */
export function afterSecondFactorFailure(
  failures: number,
  lockedUntil: Date | null,
  now: Date,
): { failures: number; lockedUntil: Date | null } {
  const next = failures + 1;
  return {
    failures: next,
    lockedUntil: next >= MAX_FAILURES ? new Date(now.getTime() + LOCKOUT_MS) : lockedUntil,
  };
}

/** How strong a session is, from how it was opened (null: a password waiting for its second factor). */
export function strengthOf(session: {
  method: 'psc' | 'password';
  secondFactor: SecondFactor | null;
}): SessionStrength | null {
  if (session.method === 'psc') return 'psc';
  return session.secondFactor ? `password+${session.secondFactor}` : null;
}
