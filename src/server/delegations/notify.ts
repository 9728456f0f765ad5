// Who wants which optional notification (« Mon compte »): the security ones (created, rights
// widened, deleted) never go through here and are always sent.
import type { Kysely } from 'kysely';
import type { OptionalNotification } from '../../shared/delegation-requests.js';
import { OPTIONAL_NOTIFICATIONS } from '../../shared/delegation-requests.js';
import type { Database, Db } from '../context.js';

/** Does this person (by account id) want this optional notification? Yes unless turned off. */
export async function wants(
  db: Kysely<Database>,
  userId: string | null | undefined,
  kind: OptionalNotification,
): Promise<boolean> {
  if (!userId) return true;
  const row = await db
    .selectFrom('notification_opt_outs')
    .select('kind')
    .where('user_id', '=', userId)
    .where('kind', '=', kind)
    .executeTakeFirst();
  return row === undefined;
}

/** The same, for a person known by the national identifier only (a delegate). */
export async function wantsByNationalId(
  db: Kysely<Database>,
  nationalId: string | null,
  kind: OptionalNotification,
): Promise<boolean> {
  if (!nationalId) return true;
  const row = await db
    .selectFrom('notification_opt_outs as n')
    .innerJoin('users as u', 'u.id', 'n.user_id')
    .select('n.kind')
    .where('u.subject_name_id', '=', nationalId)
    .where('n.kind', '=', kind)
    .executeTakeFirst();
  return row === undefined;
}

export async function enabledNotifications(db: Db, userId: string): Promise<OptionalNotification[]> {
  const off = await db
    .selectFrom('notification_opt_outs')
    .select('kind')
    .where('user_id', '=', userId)
    .execute();
  const offSet = new Set(off.map((r) => r.kind));
  return OPTIONAL_NOTIFICATIONS.filter((k) => !offSet.has(k));
}

/** One transaction: the opt-outs become exactly the kinds not enabled. */
export async function setEnabledNotifications(
  db: Db,
  userId: string,
  enabled: readonly OptionalNotification[],
): Promise<OptionalNotification[]> {
  const on = new Set(enabled);
  const off = OPTIONAL_NOTIFICATIONS.filter((k) => !on.has(k));
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('notification_opt_outs').where('user_id', '=', userId).execute();
    if (off.length > 0) {
      await trx
        .insertInto('notification_opt_outs')
        .values(off.map((kind) => ({ user_id: userId, kind })))
        .execute();
    }
  });
  return OPTIONAL_NOTIFICATIONS.filter((k) => on.has(k));
}
