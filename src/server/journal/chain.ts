// The hash chain of the journal: pure. Each entry's hash covers its content and the previous
// entry's hash, so altering or removing an entry breaks every hash after it.
import crypto from 'node:crypto';

export const GENESIS = '0'.repeat(64);

export interface ChainedContent {
  chain: string;
  seq: number;
  at: Date;
  actorId: string | null;
  onBehalfOfId: string | null;
  delegationId: string | null;
  dossierId: string | null;
  action: string;
  outcome: string;
  details: Record<string, unknown>;
}

/** JSON with object keys sorted at every depth: the same content always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export function entryHash(prevHash: string, e: ChainedContent): string {
  const content = canonicalJson({
    chain: e.chain,
    seq: e.seq,
    at: e.at.toISOString(),
    actorId: e.actorId,
    onBehalfOfId: e.onBehalfOfId,
    delegationId: e.delegationId,
    dossierId: e.dossierId,
    action: e.action,
    outcome: e.outcome,
    details: e.details,
  });
  return crypto.createHash('sha256').update(prevHash).update('\n').update(content).digest('hex');
}
