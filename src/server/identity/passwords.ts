// Passwords: the CNIL 2022-100 policy, argon2id hashing, and the throttling rule shared by
// existing accounts and unknown identifiers (so that both are answered the same).
import { readFileSync } from 'node:fs';
import { hash, verify } from '@node-rs/argon2';
import { passwordRuleProblems } from '../../shared/identity.js';

const COMMON = new Set(
  readFileSync(new URL('./common-passwords.txt', import.meta.url), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => l.toLowerCase()),
);

const fold = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();

/** Every reason to refuse a new password, in French; empty when it is acceptable. */
export function passwordProblems(
  password: string,
  person: { givenName: string; familyName: string },
): string[] {
  const problems = passwordRuleProblems(password);
  if (problems.length) return problems;
  if (COMMON.has(password.toLowerCase())) {
    return ['Ce mot de passe fait partie des mots de passe les plus courants : choisissez-en un autre.'];
  }
  const folded = fold(password);
  const names = [person.givenName, person.familyName]
    .flatMap((n) => fold(n).split(/[\s'-]+/))
    .filter((n) => n.length >= 3);
  if (names.some((n) => folded.includes(n))) {
    return ['Le mot de passe ne doit pas contenir votre nom ni votre prénom.'];
  }
  return [];
}

// argon2id with the library defaults raised to OWASP's second recommended set (19 MiB, t=2).
const ARGON2 = { memoryCost: 19_456, timeCost: 2, parallelism: 1, algorithm: 2 /* argon2id */ } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2);
}

// Verified against when the identifier matches no account, so that both cases take as long.
let dummyHash: Promise<string> | undefined;

export async function verifyPassword(hashed: string | null, password: string): Promise<boolean> {
  if (!hashed) {
    dummyHash ??= hash('mot de passe inexistant, pour le temps de réponse', ARGON2);
    await verify(await dummyHash, password).catch(() => false);
    return false;
  }
  return verify(hashed, password).catch(() => false);
}

export const MAX_FAILURES = 5;
export const LOCKOUT_MS = 15 * 60_000;

/** Before checking a password: may this identifier try now? */
export function throttleState(
  state: { failures: number; lockedUntil: Date | null },
  now: Date,
): { allowed: true } | { allowed: false; locked: boolean; retryAfterSeconds: number } {
  if (state.lockedUntil && state.lockedUntil.getTime() > now.getTime()) {
    return {
      allowed: false,
      locked: state.failures >= MAX_FAILURES,
      retryAfterSeconds: Math.ceil((state.lockedUntil.getTime() - now.getTime()) / 1000),
    };
  }
  return { allowed: true };
}

/** After a wrong password: a growing delay (1, 2, 4, 8 s), then a 15-minute lockout. */
export function afterFailure(failures: number, now: Date): { failures: number; lockedUntil: Date } {
  const next = failures + 1;
  const wait = next >= MAX_FAILURES ? LOCKOUT_MS : 1000 * 2 ** (next - 1);
  return { failures: next, lockedUntil: new Date(now.getTime() + wait) };
}
