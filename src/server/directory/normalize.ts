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

/** Words of a family name that do not identify it on their own (particles, articles). */
const PARTICLES = new Set(
  'de du des la le les d l da das do dos di del della dello van von der den ter ten el al y e saint sainte st ste'.split(
    ' ',
  ),
);
/** Letters and digits only (Latin script, accents included): one word whatever the folding. */
const ONE_WORD = /^[A-Za-z0-9\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u024F]+$/;
/** More parts than this for one name are not indexed (names are short; this bounds a hostile one). */
export const MAX_NAME_PARTS = 8;

/**
 * The parts of a compound or particle family name by which it can also be found, as keys:
 * each word that is not a particle, and each run of words up to the end ("DE LA FONTAINE" →
 * "fontaine", "lafontaine"; "N'DIAYE-LE GOFF" → "diaye", "goff", "diayelegoff", "legoff").
 * A part that begins the name is left out: a search by it finds the name by its start already.
 */
export function familyNameParts(familyName: string): string[] {
  // Most names are one word: no need to fold them to know it.
  if (ONE_WORD.test(familyName)) return [];
  const tokens = nameTokens(familyName);
  if (tokens.length < 2) return [];
  const full = tokens.join('');
  const parts: string[] = [];
  const add = (part: string) => {
    if (!full.startsWith(part) && !parts.includes(part)) parts.push(part);
  };
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as string;
    if (token.length >= 2 && !PARTICLES.has(token)) add(token);
    if (i >= 1 && i < tokens.length - 1) add(tokens.slice(i).join(''));
  }
  return parts.slice(0, MAX_NAME_PARTS);
}

/** The search keys stored for a person: family first, and given name first. */
export function personKeys(familyName: string, givenName: string): { nameKey: string; givenNameKey: string } {
  const family = compactKey(familyName);
  const given = compactKey(givenName);
  return { nameKey: `${family} ${given}`, givenNameKey: `${given} ${family}` };
}

/**
 * Overseas collectivities whose postal code lies in Guadeloupe's range (971xx) while their
 * INSEE code has its own number: Saint-Barthélemy (97133, INSEE 977) and Saint-Martin (97150,
 * INSEE 978).
 */
const OVERSEAS_BY_POSTAL_CODE: Record<string, string> = { '97133': '977', '97150': '978' };

/**
 * The department of a French postal code: 2 digits, 3 overseas (97x, 98x); Corsica is 20.
 * Saint-Barthélemy and Saint-Martin are 977 and 978, as their INSEE codes; an INSEE commune
 * code of an overseas collectivity (977xx, 978xx), when the file gives one, has the last word.
 */
export function departmentOf(postalCode: string, communeCode = ''): string | null {
  if (!/^\d{5}$/.test(postalCode)) return null;
  if (!postalCode.startsWith('97') && !postalCode.startsWith('98')) return postalCode.slice(0, 2);
  if (/^97[5-8]\d{2}$/.test(communeCode)) return communeCode.slice(0, 3);
  return OVERSEAS_BY_POSTAL_CODE[postalCode] ?? postalCode.slice(0, 3);
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
