// Suspension for lack of use (issue 16, SUSPEND_UNUSED_DAYS, off by default): the daily job
// suspends every active delegation unused for that many days (last use from last-use.ts, the
// rule unusedSince in rules.ts), journaled, both sides told by email (a security notice, never
// optional). One transaction per delegation under the doctor's lock, the state read again there:
// reruns and several nodes suspend it once.
import type { Db } from '../context.js';
import { appendJournal } from '../journal/index.js';
import { queueEmail } from '../mail/index.js';
import type { Clock } from '../platform/clock.js';
import { grantOf } from './facts.js';
import { delegationUses } from './last-use.js';
import { applyChange, statusOf, unusedSince } from './rules.js';
import { inTransaction, lockDelegator, stateOf } from './service.js';
import { suspendedDelegateEmail, suspendedDoctorEmail } from './suspension-emails.js';

const DAY_MS = 24 * 3600 * 1000;

export async function suspendUnusedDelegations(deps: {
  db: Db;
  clock: Clock;
  publicUrl: string;
  /** SUSPEND_UNUSED_DAYS; nothing is done when unset. */
  days: number | undefined;
}): Promise<number> {
  const { days } = deps;
  if (days === undefined) return 0;
  const now = deps.clock.now();
  const candidates = await deps.db
    .selectFrom('delegations')
    .selectAll()
    .where('deleted_at', 'is', null)
    .where('renounced_at', 'is', null)
    .where('suspended_at', 'is', null)
    .execute();
  const byDoctor = new Map<string, typeof candidates>();
  for (const row of candidates) {
    if (statusOf(grantOf(row), now) !== 'active') continue;
    byDoctor.set(row.delegator_id, [...(byDoctor.get(row.delegator_id) ?? []), row]);
  }
  let suspended = 0;
  for (const [delegatorId, rows] of byDoctor) {
    const since = new Date(now.getTime() - days * DAY_MS);
    const uses = await delegationUses(
      deps.db,
      delegatorId,
      rows.map((r) => r.id),
      since,
    );
    for (const candidate of rows) {
      if (!unusedSince(grantOf(candidate), uses.get(candidate.id)?.lastUsedAt ?? null, now, days)) continue;
      const done = await inTransaction(deps.db, async (trx) => {
        await lockDelegator(trx, delegatorId);
        const row = await trx
          .selectFrom('delegations')
          .selectAll()
          .where('id', '=', candidate.id)
          .forUpdate()
          .executeTakeFirst();
        if (!row) return false;
        // Read again under the lock: a use, a reactivation or another node may have come first.
        const last =
          (await delegationUses(trx, delegatorId, [row.id], since)).get(row.id)?.lastUsedAt ?? null;
        const unused = unusedSince(stateOf(row), last, now, days);
        if (!unused) return false;
        const next = applyChange(stateOf(row), { type: 'suspend', unusedSince: unused }, now);
        await trx
          .updateTable('delegations')
          .set({ suspended_at: now, suspended_unused_since: unused, version: next.version, updated_at: now })
          .where('id', '=', row.id)
          .execute();
        await appendJournal(trx, {
          at: now,
          actorId: null,
          onBehalfOfId: delegatorId,
          delegationId: row.id,
          action: 'delegation.suspended',
          outcome: 'ok',
          details: { unusedSince: unused.toISOString(), days },
        });
        const doctor = await trx
          .selectFrom('users')
          .select(['email', 'given_name', 'family_name'])
          .where('id', '=', delegatorId)
          .executeTakeFirstOrThrow();
        const delegateName = `${row.delegate_given_name} ${row.delegate_family_name.toUpperCase()}`;
        if (doctor.email) {
          await queueEmail(trx, {
            to: doctor.email,
            kind: 'delegation_suspended',
            ...suspendedDoctorEmail({
              delegateName,
              unusedSince: unused,
              link: `${deps.publicUrl}/delegations`,
            }),
          });
        }
        const delegate = row.delegate_national_id
          ? await trx
              .selectFrom('users')
              .select(['email'])
              .where('subject_name_id', '=', row.delegate_national_id)
              .executeTakeFirst()
          : undefined;
        const to = delegate?.email ?? row.delegate_email;
        if (to) {
          await queueEmail(trx, {
            to,
            kind: 'delegation_suspended',
            ...suspendedDelegateEmail({
              doctorName: `Dr ${doctor.given_name} ${doctor.family_name.toUpperCase()}`,
              unusedSince: unused,
              link: `${deps.publicUrl}/delegations-recues`,
            }),
          });
        }
        return true;
      });
      if (done) suspended++;
    }
  }
  return suspended;
}
