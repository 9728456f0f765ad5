// « Revue des délégations » (issue 16): the API shapes both sides use.
import { z } from 'zod';
import { delegationView } from './delegations.js';

export const REVIEW_DECISIONS = ['kept', 'modified', 'deleted'] as const;
export const REVIEW_DECISION_LABELS: Record<(typeof REVIEW_DECISIONS)[number], string> = {
  kept: 'Conservée',
  modified: 'Modifiée',
  deleted: 'Supprimée',
};

export const reviewItemView = z.object({
  delegation: delegationView,
  lastUsedAt: z.string().nullable(),
  /** Accesses through this delegation since `since`. */
  uses: z.number(),
  since: z.string(),
  decision: z.enum(REVIEW_DECISIONS).nullable(),
  decidedAt: z.string().nullable(),
});

export const reviewView = z.object({
  id: z.string(),
  startedAt: z.string(),
  completedAt: z.string().nullable(),
  items: z.array(reviewItemView),
});

export const reviewResponse = z.object({
  /** The review in progress, else null. */
  review: reviewView.nullable(),
  /** The last completed review, if any. */
  lastCompletedAt: z.string().nullable(),
});
export type ReviewView = z.infer<typeof reviewView>;
export type ReviewItemView = z.infer<typeof reviewItemView>;
