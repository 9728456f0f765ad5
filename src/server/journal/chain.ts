// The hash chain of the journal. Each entry's hash covers the previous entry's hash and the
// entry's canonical content, so altering, removing or inserting an entry breaks the chain.
// PostgreSQL computes the same hash when appending (see store.ts); this is the reference.
import crypto from 'node:crypto';

export const GENESIS = '0'.repeat(64);
/** Appends for one doctor are spread over this many chains. */
export const SHARDS = 8;

export interface EntryContent {
  chain: string;
  at: Date;
  actorId: string | null;
  onBehalfOfId: string | null;
  delegationId: string | null;
  dossierId: string | null;
  action: string;
  outcome: string;
  details: Record<string, unknown>;
}

/** JSON with object keys sorted at every depth: the same content always reads the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export function entryContent(e: EntryContent): string {
  return canonicalJson({ ...e, at: e.at.toISOString() });
}

export function chainHash(prevHash: string, content: string): string {
  return crypto.createHash('sha256').update(`${prevHash}\n${content}`, 'utf8').digest('hex');
}
