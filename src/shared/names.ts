// How a person's name is written everywhere a sentence names someone: the given name capitalised
// (« Jean-Pierre »), the family name in capitals (« LEFÈVRE »), whatever case the source used.
// French has no case rule of its own (Unicode's language-specific mappings are Turkish, Azeri and
// Lithuanian): the default mapping is French's, without an ICU locale look-up per call (hot path).

/** "jean-pierre" → "Jean-Pierre", "MARIE CLAIRE" → "Marie Claire", "d'artagnan" → "D'Artagnan". */
export function capitalised(value: string): string {
  return value
    .trim()
    .toLowerCase()
    .replace(/(^|[\s'’-])(\p{L})/gu, (_, sep: string, c: string) => sep + c.toUpperCase());
}

/** « Nadia BENALI »; null without a family name. */
export function personName(
  given: string | null | undefined,
  family: string | null | undefined,
): string | null {
  if (!family?.trim()) return null;
  return `${capitalised(given ?? '')} ${family.trim().toUpperCase()}`.trim();
}

const VOWEL = /^[aeiouyhàâäéèêëîïôöûüÿœæ]/i;

/** « de » before a name as French writes it: « du Dr Camille MARTIN », « d’Aurélie ROUX », « de Sophie DURAND ». */
export function ofName(name: string): string {
  if (name.startsWith('Dr ')) return `du ${name}`;
  return VOWEL.test(name) ? `d’${name}` : `de ${name}`;
}

/** « à » before a name: « au Dr Camille MARTIN », « à Sophie DURAND ». */
export function toName(name: string): string {
  return name.startsWith('Dr ') ? `au ${name}` : `à ${name}`;
}

/** A delegate's name as sentences write it: « Dr » before a colleague's. */
export function titled(kind: string | null, name: string): string {
  return kind === 'peer' ? `Dr ${name}` : name;
}
