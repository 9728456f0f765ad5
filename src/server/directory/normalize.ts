// How names and postal codes are compared: pure functions shared by the import (which stores
// the keys) and the search (which builds the same keys from what the user typed), so that both
// sides can never disagree.

const LIGATURES: Record<string, string> = {
  œ: 'oe',
  æ: 'ae',
  ß: 'ss',
  ø: 'o',
  ł: 'l',
  đ: 'd',
  ð: 'd',
  þ: 'th',
};
const NON_ASCII = /[\u0080-\uffff]/;
const MARKS = /\p{M}+/gu;
const LIGATURE = /[œæßøłđðþ]/g;
const SEPARATORS = /[^a-z0-9]+/;
const NOT_KEY = /[^a-z0-9]+/g;

/** Lower case, no accents, ligatures spelled out. */
export function fold(text: string): string {
  const lower = text.toLowerCase();
  if (!NON_ASCII.test(lower)) return lower;
  return lower
    .normalize('NFD')
    .replace(MARKS, '')
    .replace(LIGATURE, (c) => LIGATURES[c] ?? c);
}

/** The words of a name: hyphens, apostrophes, dots and spaces all separate words. */
export function nameTokens(text: string): string[] {
  return fold(text)
    .split(SEPARATORS)
    .filter((t) => t.length > 0);
}

/**
 * A name as one comparable word: "N'DIAYE-LE GOFF" and "ndiaye le goff" both give
 * "ndiayelegoff". Keys hold only [a-z0-9], so a space can separate family and given names
 * and sort before any letter (exact family names come first in index order).
 */
export function compactKey(text: string): string {
  return fold(text).replace(NOT_KEY, '');
}

/** The search keys stored for a person: family first, and given name first. */
export function personKeys(familyName: string, givenName: string): { nameKey: string; givenNameKey: string } {
  const family = compactKey(familyName);
  const given = compactKey(givenName);
  return { nameKey: `${family} ${given}`, givenNameKey: `${given} ${family}` };
}

/** The department of a French postal code: 2 digits, 3 overseas (97x, 98x); Corsica is 20. */
export function departmentOf(postalCode: string): string | null {
  if (!/^\d{5}$/.test(postalCode)) return null;
  return postalCode.startsWith('97') || postalCode.startsWith('98')
    ? postalCode.slice(0, 3)
    : postalCode.slice(0, 2);
}

export interface PostalFilter {
  /** Every result practises in this department. */
  department: string;
  /** Results at this very postal code come first. */
  postalCode: string | null;
}

/**
 * "69003" → department 69, code 69003 first; "69" → department 69; "2A"/"2B" → 20; overseas
 * departments have 3 digits ("974"). Anything else is not a postal filter (null).
 */
export function postalFilter(input: string): PostalFilter | null {
  const value = input.trim().toUpperCase();
  if (/^\d{5}$/.test(value)) return { department: departmentOf(value) as string, postalCode: value };
  if (/^\d{2}$/.test(value) && value !== '97' && value !== '98')
    return { department: value, postalCode: null };
  if (/^9[78]\d$/.test(value)) return { department: value, postalCode: null };
  if (value === '2A' || value === '2B') return { department: '20', postalCode: null };
  return null;
}
