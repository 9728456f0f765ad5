// The decisions of « Revue des délégations », recorded on the caller's transaction: by « Conserver »
// (review.ts) and by a modification or deletion made while a review is open (service.ts).
import type { Transaction } from 'kysely';
import type { Database } from '../context.js';
import { appendJournal } from '../journal/index.js';
import type { ReviewDecision } from './tables.js';

/**
 * The decision on one line of the open review (if the delegation is in one), then the review's
 * completion when every line is decided. On the caller's transaction, after the doctor's lock.
 */
export async function recordReviewDecision(
  trx: Transaction<Database>,
  actorId: string,
  delegatorId: string,
  delegationId: string,
  decision: ReviewDecision,
  now: Date,
): Promise<boolean> {
  const item = await trx
    .selectFrom('access_review_items as i')
    .innerJoin('access_reviews as r', 'r.id', 'i.review_id')
    .select(['i.review_id'])
    .where('r.delegator_id', '=', delegatorId)
    .where('r.completed_at', 'is', null)
    .where('i.delegation_id', '=', delegationId)
    .executeTakeFirst();
  if (!item) return false;
  await trx
    .updateTable('access_review_items')
    .set({ decision, decided_at: now })
    .where('review_id', '=', item.review_id)
    .where('delegation_id', '=', delegationId)
    .execute();
  await appendJournal(trx, {
    at: now,
    actorId,
    onBehalfOfId: delegatorId,
    delegationId,
    action: 'review.decided',
    outcome: 'ok',
    details: { reviewId: item.review_id, decision },
  });
  const items = await trx
    .selectFrom('access_review_items')
    .select(['delegation_id', 'decision'])
    .where('review_id', '=', item.review_id)
    .execute();
  if (items.every((i) => i.decision !== null)) {
    await trx
      .updateTable('access_reviews')
      .set({ completed_at: now })
      .where('id', '=', item.review_id)
      .execute();
    const of = (d: ReviewDecision) => items.filter((i) => i.decision === d).map((i) => i.delegation_id);
    await appendJournal(trx, {
      at: now,
      actorId,
      onBehalfOfId: delegatorId,
      action: 'review.completed',
      outcome: 'ok',
      details: {
        reviewId: item.review_id,
        kept: of('kept'),
        modified: of('modified'),
        deleted: of('deleted'),
      },
    });
  }
  return true;
}
