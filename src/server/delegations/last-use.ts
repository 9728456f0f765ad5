// The last use of each delegation — the delegate's last access to the doctor's dossiers through
// it — and how often it was used since a date. The one owner of that concept (« Qui a accès à
// mes dossiers », « Inutilisée depuis le … », the access review): derived from the journal, which
// already records every access with its delegation, so no write is added to any request.
import { sql } from 'kysely';
import type { Db } from '../context.js';

export interface DelegationUse {
  lastUsedAt: Date | null;
  /** Accesses since the `since` date given. */
  uses: number;
}

export async function delegationUses(
  db: Db,
  delegatorId: string,
  delegationIds: readonly string[],
  since: Date,
): Promise<Map<string, DelegationUse>> {
  const uses = new Map<string, DelegationUse>(delegationIds.map((id) => [id, { lastUsedAt: null, uses: 0 }]));
  if (delegationIds.length === 0) return uses;
  // The doctor's entries (index journal_on_behalf_of_at), the accesses granted through a delegation.
  const rows = await db
    .selectFrom('journal_entries')
    .select([
      'delegation_id',
      sql<Date>`max(at)`.as('last'),
      sql<string>`count(*) filter (where at >= ${since})`.as('uses'),
    ])
    .where('on_behalf_of_id', '=', delegatorId)
    .where('delegation_id', 'in', [...delegationIds])
    .where('outcome', 'in', ['allowed', 'ok'])
    .where('action', 'like', 'dossier.%')
    .groupBy('delegation_id')
    .execute();
  for (const r of rows) {
    if (r.delegation_id) uses.set(r.delegation_id, { lastUsedAt: new Date(r.last), uses: Number(r.uses) });
  }
  return uses;
}
