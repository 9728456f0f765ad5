// How a typed name becomes index ranges ("probes"), pure. Each probe is one ordered range scan
// read with LIMIT, so a page costs a few index descents whatever the size of the directory; the
// ranking is the order of the probes, not a sort of every match.
//
//   rank 0  exact family name: "martin" → family = martin; "martin cam" → family = martin and
//           given name starting with "cam" (each split of the words is tried)
//   rank 1  a part of a compound or particle family name: "lopez" → GARCÍA-LÓPEZ, "fontaine" →
//           DE LA FONTAINE; "lopez mar" → that part and a given name starting with "mar"
//   rank 2  family name starting with the words: "mart" → martin, martinez…
//   rank 3  given name then family name: "camille mar" → given = camille, family starting "mar"
// With a postal code, each rank is read first at that postal code (tier 0), then in the rest
// of its department (tier 1); results never leave the department.
import type { PostalFilter } from './normalize.js';

export type Rank = 0 | 1 | 2 | 3;
export type Tier = 0 | 1;

export interface Probe {
  rank: Rank;
  tier: Tier;
  key: 'name_key' | 'given_name_key' | 'part_key';
  /** The range [from, to) on the key column (COLLATE "C"). */
  from: string;
  to: string;
}

/** Keys hold [a-z0-9] and one space: ' ' < '!' < '0'…'9' < 'a'…'z' < '~'. */
const AFTER_ALL = '~';

export const MAX_WORDS = 8;

export function planProbes(tokens: string[], postal: PostalFilter | null): Probe[] {
  const q = tokens.join('');
  const base: Omit<Probe, 'tier'>[] = [{ rank: 0, key: 'name_key', from: `${q} `, to: `${q}!` }];
  for (let i = 1; i < tokens.length; i++) {
    const family = tokens.slice(0, i).join('');
    const given = tokens.slice(i).join('');
    base.push({ rank: 0, key: 'name_key', from: `${family} ${given}`, to: `${family} ${given}${AFTER_ALL}` });
  }
  // A part is never the start of its name (see familyNameParts): ranks 1 and 2 do not overlap.
  base.push({ rank: 1, key: 'part_key', from: `${q} `, to: `${q}!` });
  for (let i = 1; i < tokens.length; i++) {
    const part = tokens.slice(0, i).join('');
    const given = tokens.slice(i).join('');
    base.push({ rank: 1, key: 'part_key', from: `${part} ${given}`, to: `${part} ${given}${AFTER_ALL}` });
  }
  base.push({ rank: 2, key: 'name_key', from: `${q}0`, to: `${q}${AFTER_ALL}` });
  for (let i = 1; i < tokens.length; i++) {
    const given = tokens.slice(0, i).join('');
    const family = tokens.slice(i).join('');
    base.push({
      rank: 3,
      key: 'given_name_key',
      from: `${given} ${family}`,
      to: `${given} ${family}${AFTER_ALL}`,
    });
  }
  const tiers: Tier[] = postal?.postalCode ? [0, 1] : [postal ? 1 : 0];
  const probes: Probe[] = [];
  for (const probe of base) for (const tier of tiers) probes.push({ ...probe, tier });
  return probes.sort((a, b) => a.rank - b.rank || a.tier - b.tier);
}

/** Where the previous page stopped: (rank, tier, key, person id). */
export interface Cursor {
  rank: Rank;
  tier: Tier;
  key: string;
  id: number;
}

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify([c.rank, c.tier, c.key, c.id]), 'utf8').toString('base64url');
}

export function decodeCursor(text: string): Cursor | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (!Array.isArray(value) || value.length !== 4) return null;
    const [rank, tier, key, id] = value as unknown[];
    if (rank !== 0 && rank !== 1 && rank !== 2 && rank !== 3) return null;
    if (tier !== 0 && tier !== 1) return null;
    if (typeof key !== 'string' || key.length > 300 || !/^[a-z0-9 ]*$/.test(key)) return null;
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id > 2 ** 31 - 1) return null;
    return { rank, tier, key, id };
  } catch {
    return null;
  }
}

/** -1, 0 or 1: is the probe's (rank, tier) before, at or after the cursor's? */
export function compareToCursor(probe: Probe, cursor: Cursor): number {
  return Math.sign(probe.rank - cursor.rank || probe.tier - cursor.tier);
}
