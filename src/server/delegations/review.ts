// « Revue des délégations »: every ACCESS_REVIEW_MONTHS a doctor with active delegations is asked
// (email, banner) to decide, for each of them, « Conserver », « Modifier » or « Supprimer ». The
// review is complete when every line is decided; each decision and the completion are journaled.
// A modification or deletion made while a review is open counts as that line's decision
// (recordReviewDecision, called by the service in the same transaction).
import { sql, type Transaction } from 'kysely';
import type { ReviewView } from '../../shared/access-review.js';
import type { Database, Db } from '../context.js';
import { appendJournal } from '../journal/index.js';
import { queueEmail, renderEmail } from '../mail/index.js';
import type { Clock } from '../platform/clock.js';
import { DomainError, notFound } from '../platform/errors.js';
import type { SignedInUser } from '../platform/signed-in-user.js';
import { delegationUses } from './last-use.js';
import { recordReviewDecision } from './review-decisions.js';
import { reviewDueAt, statusOf } from './rules.js';
import { inTransaction, lockDelegator, presentDelegation, requireDoctor, stateOf } from './service.js';

export interface ReviewDeps {
  db: Db;
  clock: Clock;
  publicUrl: string;
  months: number;
}

const REVIEWED = new Set(['active', 'scheduled']);

async function reviewable(trx: Transaction<Database> | Db, delegatorId: string, now: Date) {
  const rows = await trx
    .selectFrom('delegations')
    .selectAll()
    .where('delegator_id', '=', delegatorId)
    .where('deleted_at', 'is', null)
    .where('renounced_at', 'is', null)
    .orderBy('created_at')
    .execute();
  return rows.filter((r) => REVIEWED.has(statusOf(stateOf(r), now)));
}

/** Opens a review of every active delegation of this doctor (none if one is open or none to review). */
async function openReview(trx: Transaction<Database>, delegatorId: string, now: Date) {
  await lockDelegator(trx, delegatorId);
  const open = await trx
    .selectFrom('access_reviews')
    .select('id')
    .where('delegator_id', '=', delegatorId)
    .where('completed_at', 'is', null)
    .executeTakeFirst();
  if (open) return { id: open.id, created: false };
  const rows = await reviewable(trx, delegatorId, now);
  if (rows.length === 0) return undefined;
  const review = await trx
    .insertInto('access_reviews')
    .values({ delegator_id: delegatorId, started_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  await trx
    .insertInto('access_review_items')
    .values(rows.map((r) => ({ review_id: review.id, delegation_id: r.id })))
    .execute();
  await appendJournal(trx, {
    at: now,
    actorId: null,
    onBehalfOfId: delegatorId,
    action: 'review.started',
    outcome: 'ok',
    details: { reviewId: review.id, delegations: rows.length },
  });
  return { id: review.id, created: true };
}

export class ReviewService {
  constructor(private readonly deps: ReviewDeps) {}

  /** « Commencer la revue maintenant »: the doctor need not wait for the due date. */
  async start(actor: SignedInUser): Promise<{ id: string }> {
    requireDoctor(actor);
    const now = this.deps.clock.now();
    const opened = await inTransaction(this.deps.db, (trx) => openReview(trx, actor.id, now));
    if (!opened) {
      throw new DomainError('review_nothing', 'Vous n’avez aucune délégation en cours à revoir.', 409);
    }
    return { id: opened.id };
  }

  async current(actor: SignedInUser): Promise<{ review: ReviewView | null; lastCompletedAt: string | null }> {
    requireDoctor(actor);
    const now = this.deps.clock.now();
    const reviews = await this.deps.db
      .selectFrom('access_reviews')
      .selectAll()
      .where('delegator_id', '=', actor.id)
      .orderBy('started_at', 'desc')
      .limit(2)
      .execute();
    const open = reviews.find((r) => r.completed_at === null);
    const last = reviews.find((r) => r.completed_at !== null);
    const lastCompletedAt = last?.completed_at?.toISOString() ?? null;
    if (!open) return { review: null, lastCompletedAt };
    const items = await this.deps.db
      .selectFrom('access_review_items as i')
      .innerJoin('delegations as d', 'd.id', 'i.delegation_id')
      .selectAll('d')
      .select(['i.decision', 'i.decided_at'])
      .where('i.review_id', '=', open.id)
      .orderBy('d.created_at')
      .execute();
    const since = last?.completed_at ?? null;
    const uses = await delegationUses(
      this.deps.db,
      actor.id,
      items.map((i) => i.id),
      since ?? new Date(0),
    );
    return {
      lastCompletedAt,
      review: {
        id: open.id,
        startedAt: open.started_at.toISOString(),
        completedAt: null,
        items: items.map((i) => {
          const use = uses.get(i.id);
          return {
            delegation: presentDelegation(i, now),
            lastUsedAt: use?.lastUsedAt?.toISOString() ?? null,
            uses: use?.uses ?? 0,
            since: (since ?? i.created_at).toISOString(),
            decision: i.decision,
            decidedAt: i.decided_at?.toISOString() ?? null,
          };
        }),
      },
    };
  }

  /** « Conserver »: the line is decided, nothing else changes. */
  async keep(actor: SignedInUser, delegationId: string): Promise<{ completed: boolean }> {
    requireDoctor(actor);
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(delegationId)) {
      throw notFound('Cette délégation ne fait pas partie d’une revue en cours.');
    }
    const now = this.deps.clock.now();
    return inTransaction(this.deps.db, async (trx) => {
      await lockDelegator(trx, actor.id);
      const recorded = await recordReviewDecision(trx, actor.id, actor.id, delegationId, 'kept', now);
      if (!recorded) throw notFound('Cette délégation ne fait pas partie d’une revue en cours.');
      const open = await trx
        .selectFrom('access_reviews')
        .select('id')
        .where('delegator_id', '=', actor.id)
        .where('completed_at', 'is', null)
        .executeTakeFirst();
      return { completed: open === undefined };
    });
  }

  /** The daily job: opens the reviews that are due, with an email to the doctor. */
  async openDueReviews(): Promise<number> {
    const now = this.deps.clock.now();
    const doctors = await this.deps.db
      .selectFrom('delegations as d')
      .innerJoin('users as u', 'u.id', 'd.delegator_id')
      .select(['d.delegator_id', 'u.email', sql<Date>`min(d.created_at)`.as('oldest')])
      .where('d.deleted_at', 'is', null)
      .where('d.renounced_at', 'is', null)
      .groupBy(['d.delegator_id', 'u.email'])
      .execute();
    let opened = 0;
    for (const doctor of doctors) {
      const last = await this.deps.db
        .selectFrom('access_reviews')
        .select(sql<Date | null>`max(started_at)`.as('at'))
        .where('delegator_id', '=', doctor.delegator_id)
        .executeTakeFirst();
      const lastAt = last?.at ? new Date(last.at) : null;
      if (reviewDueAt(lastAt, new Date(doctor.oldest), this.deps.months).getTime() > now.getTime()) continue;
      await inTransaction(this.deps.db, async (trx) => {
        const review = await openReview(trx, doctor.delegator_id, now);
        if (!review?.created) return;
        opened++;
        if (doctor.email) {
          await queueEmail(trx, {
            to: doctor.email,
            kind: 'access_review_due',
            subject: 'Revue des délégations : vérifiez qui a accès à vos dossiers',
            ...renderEmail({
              title: 'Revue des délégations',
              paragraphs: [
                `Comme tous les ${this.deps.months} mois, vérifiez les délégations de droits que vous avez accordées : pour chacune, conservez-la, modifiez-la ou supprimez-la.`,
                'La page « Revue des délégations » indique pour chaque personne ses droits, sa période, sa dernière activité et le nombre de ses accès.',
              ],
              action: {
                label: 'Faire la revue des délégations',
                url: `${this.deps.publicUrl}/delegations/revue`,
              },
            }),
          });
        }
      });
    }
    return opened;
  }
}
