// The daily job: reminder to the doctor 7 days before a delegation ends, yearly review of
// delegations without an end date, and the "expired" journal entry. Idempotent: each notice is
// keyed (delegation, kind, key) and written in the same transaction as its email or journal entry,
// so reruns, retries and several nodes never send one twice.
import type { Transaction } from 'kysely';
import { Temporal } from 'temporal-polyfill';
import type { Database, Db } from '../context.js';
import { appendJournal } from '../journal/index.js';
import { queueEmail } from '../mail/index.js';
import type { Clock } from '../platform/clock.js';
import { addDays, startOfDay, todayInParis } from '../platform/paris-time.js';
import * as emails from './emails.js';
import { expiredEmails } from './expiry-emails.js';
import { reminderDueAt, statusOf } from './rules.js';
import { stateOf } from './service.js';

export const DAILY_TASK = 'delegations_daily';
/** 05:30 UTC is 06:30 or 07:30 in Paris; `fill` runs a missed day after downtime. */
export const DAILY_CRONTAB = `30 5 * * * ${DAILY_TASK} ?fill=2d&max=3`;

export interface DailyResult {
  endReminders: number;
  yearlyReviews: number;
  expired: number;
}

export async function runDailyNotices(deps: {
  db: Db;
  clock: Clock;
  publicUrl: string;
}): Promise<DailyResult> {
  const now = deps.clock.now();
  const today = todayInParis(now);
  const result: DailyResult = { endReminders: 0, yearlyReviews: 0, expired: 0 };
  const link = `${deps.publicUrl}/delegations`;

  const candidates = await deps.db
    .selectFrom('delegations as d')
    .innerJoin('users as u', 'u.id', 'd.delegator_id')
    .selectAll('d')
    .select(['u.email as delegatorEmail'])
    .where('d.deleted_at', 'is', null)
    .where((eb) =>
      eb.or([
        eb('d.ends_on', '<=', addDays(today, 7)),
        eb.and([eb('d.ends_on', 'is', null), eb('d.starts_on', '<=', addDays(today, -365))]),
      ]),
    )
    .execute();

  for (const row of candidates) {
    const status = statusOf(stateOf(row), now);
    const delegateName = `${row.delegate_given_name} ${row.delegate_family_name.toUpperCase()}`;
    const notice = async (kind: string, key: string, then: (trx: Transaction<Database>) => Promise<void>) => {
      await deps.db.transaction().execute(async (trx) => {
        const inserted = await trx
          .insertInto('delegation_notices')
          .values({ delegation_id: row.id, kind, key })
          .onConflict((oc) => oc.doNothing())
          .returning('key')
          .executeTakeFirst();
        if (inserted) await then(trx);
      });
    };

    if (row.ends_on && status === 'expired') {
      await notice('expired', row.ends_on, async (trx) => {
        await appendJournal(trx, {
          at: now,
          actorId: null,
          onBehalfOfId: row.delegator_id,
          delegationId: row.id,
          action: 'delegation.expired',
          outcome: 'ok',
          details: { endsOn: row.ends_on },
        });
        await expiredEmails(trx, row, delegateName, deps.publicUrl);
        result.expired++;
      });
      continue;
    }
    if (!row.delegatorEmail || status === 'expired') continue;
    if (row.ends_on) {
      const due = reminderDueAt(row.ends_on);
      // A delegation created after its reminder was due (a short one) gets none.
      if (due.getTime() > now.getTime() || row.created_at.getTime() >= due.getTime()) continue;
      await notice('end_reminder', row.ends_on, async (trx) => {
        await queueEmail(trx, {
          to: row.delegatorEmail as string,
          kind: 'delegation_end_reminder',
          ...emails.endReminderEmail({ delegateName, endsOn: row.ends_on as string, link }),
        });
        result.endReminders++;
      });
    } else if (row.kind === 'staff' && (status === 'active' || status === 'scheduled')) {
      const start = Temporal.PlainDate.from(row.starts_on);
      const years = start.until(Temporal.PlainDate.from(today), { largestUnit: 'years' }).years;
      if (years < 1) continue;
      const anniversary = start.add({ years }).toString();
      if (row.created_at.getTime() >= startOfDay(anniversary)) continue;
      await notice('yearly_review', String(years), async (trx) => {
        await queueEmail(trx, {
          to: row.delegatorEmail as string,
          kind: 'delegation_yearly_review',
          ...emails.yearlyReviewEmail({ delegateName, startsOn: row.starts_on, link }),
        });
        result.yearlyReviews++;
      });
    }
  }
  return result;
}
