// The rules of cabinets, from plain values: identifiers of the practice (FINESS, SIRET), the
// default rights templates, who may propose to whom. No I/O here.
import { normalizeRights, type Right } from '../../shared/rights.js';
import { DomainError } from '../platform/errors.js';

export const invalid = (code: string, field: string, message: string) =>
  new DomainError(code, message, 422, { fields: [{ path: field, message }] });

/** The Luhn key (ISO/IEC 7812) that closes SIRET and FINESS numbers. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/**
 * A FINESS number: 9 characters, the department first (2A/2B for Corsica), then a Luhn key over
 * the digits (Corsica's numbers are checked for their form only).
 */
export function validateFiness(value: string | null | undefined): string | null {
  if (!value) return null;
  const message =
    'Le numéro FINESS comporte 9 caractères (chiffres, 2A ou 2B pour la Corse) et doit être valide.';
  if (/^2[AB]\d{7}$/.test(value)) return value;
  if (!/^\d{9}$/.test(value) || !luhnValid(value)) throw invalid('finess_invalid', 'finess', message);
  return value;
}

/** A SIRET number: 14 digits with a Luhn key (La Poste's establishments, 356000000…, sum to a multiple of 5). */
export function validateSiret(value: string | null | undefined): string | null {
  if (!value) return null;
  const message = 'Le numéro SIRET comporte 14 chiffres et doit être valide.';
  if (!/^\d{14}$/.test(value)) throw invalid('siret_invalid', 'siret', message);
  if (value.startsWith('356000000')) {
    const sum = [...value].reduce((a, c) => a + Number(c), 0);
    if (sum % 5 !== 0) throw invalid('siret_invalid', 'siret', message);
    return value;
  }
  if (!luhnValid(value)) throw invalid('siret_invalid', 'siret', message);
  return value;
}

/** The templates a new cabinet starts with (its members may add or delete templates). */
export const DEFAULT_TEMPLATES: { name: string; rights: Right[] }[] = [
  { name: 'Secrétariat', rights: normalizeRights('staff', ['gerer']) },
  { name: 'Assistant(e) médical(e)', rights: normalizeRights('staff', ['gerer', 'volet_medical']) },
];

export const notMember = () =>
  new DomainError('cabinet_not_found', 'Ce cabinet n’existe pas ou vous n’en êtes pas membre.', 404);

/** The colleagues a proposal may go to: current members of the cabinet, other than the proposer. */
export function checkColleagues(
  proposerId: string,
  chosen: readonly string[],
  members: readonly string[],
): string[] {
  const unique = [...new Set(chosen)];
  if (unique.includes(proposerId)) {
    throw invalid(
      'proposal_self',
      'colleagueIds',
      'Vous ne pouvez pas vous proposer votre propre délégation.',
    );
  }
  if (unique.some((id) => !members.includes(id))) {
    throw invalid(
      'proposal_not_member',
      'colleagueIds',
      'Un des médecins choisis n’est pas (ou plus) membre de ce cabinet.',
    );
  }
  return unique;
}
