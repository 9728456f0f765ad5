// The gate of every dossier route: load the facts from the database at every request (no right
// is cached anywhere), decide with the one decision (decide.ts), journal every access by someone
// other than the owner (refusals included), and turn a refusal into 404 or 403.
// What the journal says is what happened: a read or a refusal is journaled here; an allowed write
// is journaled by its use case, in the write's own transaction (recordWrite), so only when it
// commits; an explanation (« Pourquoi ai-je accès ? ») is journaled as « Droits consultés ».
import { type QueryExecutorProvider, sql } from 'kysely';
import { normalizeRights, RIGHTS, type Right } from '../../shared/rights.js';
import type { Db } from '../context.js';
import {
  type DelegationFactsRow,
  type DelegationGrant,
  delegationsBetween,
  delegationsBetweenAsJson,
} from '../delegations/facts.js';
import {
  appendJournal,
  type JournalAction,
  type JournalBatcher,
  type JournalEntryInput,
} from '../journal/index.js';
import type { Clock } from '../platform/clock.js';
import { DomainError } from '../platform/errors.js';
import type { SignedInUser } from '../platform/signed-in-user.js';
import {
  ACTION_PHRASES,
  type Decision,
  type DossierAction,
  decide,
  knowsContext,
  suspendedReason,
} from './decide.js';

/** The actions that change something: journaled only once the change is committed. */
const WRITES: ReadonlySet<DossierAction> = new Set(['create', 'write_admin', 'write_medical', 'send']);

export const JOURNAL_ACTION: Record<DossierAction, JournalAction> = {
  list: 'dossier.list',
  read: 'dossier.read',
  read_medical: 'dossier.read_medical',
  create: 'dossier.create',
  write_admin: 'dossier.write',
  write_medical: 'dossier.write_medical',
  send: 'dossier.send',
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (v: string) => UUID.test(v);

export const dossierNotFound = () => new DomainError('dossier_not_found', 'Ce dossier est introuvable.', 404);

/** The delegations the decision needs for this actor in this context (none when acting for oneself). */
export async function delegationsFor(db: Db, user: SignedInUser, onBehalfOfId: string) {
  return onBehalfOfId === user.id ? [] : delegationsBetween(db, onBehalfOfId, user.subjectNameId);
}

/** The same delegations as delegationsFor(), as a JSON column of another query (map with grantOf). */
export function delegationsForAsJson(user: SignedInUser, onBehalfOfId: string) {
  if (onBehalfOfId === user.id) return sql<DelegationFactsRow[]>`'[]'::json`;
  return delegationsBetweenAsJson(onBehalfOfId, user.subjectNameId);
}

export interface AuthorizeDeps {
  db: Db;
  clock: Clock;
  /** The application's journal writer (group commit of the accesses). */
  journal: Pick<JournalBatcher, 'append'>;
}

export interface Authorized {
  decision: Decision & { allowed: true };
  onBehalfOfId: string;
  /** Every right the actor holds in this context now (all of them for the owner). */
  rights: Right[];
  /** An allowed write's journal entry (null for the owner), for recordWrite() once written. */
  journal: JournalEntryInput | null;
}

/**
 * Journals an allowed write in the transaction that makes it: the entry commits with the change,
 * or not at all. `dossierId` names the dossier a creation made.
 */
export async function recordWrite(
  trx: QueryExecutorProvider,
  access: Authorized,
  extra: { dossierId?: string; details?: Record<string, unknown> } = {},
): Promise<void> {
  if (!access.journal) return;
  await appendJournal(trx, {
    ...access.journal,
    dossierId: extra.dossierId ?? access.journal.dossierId ?? null,
    details: { ...access.journal.details, ...extra.details },
  });
}

function refusal(decision: Decision & { allowed: false }, onDossier: boolean): DomainError {
  if (onDossier && !knowsContext(decision)) return dossierNotFound();
  if (decision.reason === 'psc_required') {
    return new DomainError(
      'psc_required',
      'Ce médecin exige pour cette délégation une connexion par carte CPx ou e-CPS (Pro Santé Connect) : vous êtes connecté(e) par mot de passe. Déconnectez-vous puis reconnectez-vous avec Pro Santé Connect pour accéder à ses dossiers.',
      403,
    );
  }
  if (decision.reason === 'missing_right') {
    return new DomainError(
      'missing_right',
      `Vos droits ne vous permettent pas de ${ACTION_PHRASES[decision.action]} pour ce médecin.`,
      403,
    );
  }
  if (decision.reason === 'delegation_suspended') {
    return new DomainError('delegation_suspended', suspendedReason(decision.unusedSince), 403);
  }
  return new DomainError(
    'no_active_delegation',
    'Vous n’avez pas de délégation de droits active de ce médecin : l’accès à ses dossiers vous est refusé.',
    403,
  );
}

/** Refusals of one person journaled one by one, per doctor and per minute; then one summary. */
export const REFUSALS_PER_MINUTE = 20;

/**
 * Journals a refusal, unless this person already had REFUSALS_PER_MINUTE refusals journaled in
 * this doctor's journal in the last minute: then one « Accès refusés en série » entry says so,
 * and the following refusals of that minute are not written one by one (the doctor's journal
 * cannot be flooded). The answer to the request is the same either way (404 or 403): nothing
 * tells the person whether an entry was written.
 */
async function journalRefusal(db: Db, entry: JournalEntryInput): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtextextended(${`refusals:${entry.actorId}:${entry.onBehalfOfId}`}, 0))`.execute(
      trx,
    );
    const { n } = await trx
      .selectFrom('journal_entries')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('actor_id', '=', entry.actorId)
      .where('on_behalf_of_id', '=', entry.onBehalfOfId)
      .where('outcome', '=', 'denied')
      .where('at', '>', new Date(entry.at.getTime() - 60_000))
      .executeTakeFirstOrThrow();
    if (n < REFUSALS_PER_MINUTE) await appendJournal(trx, entry);
    else if (n === REFUSALS_PER_MINUTE) {
      await appendJournal(trx, {
        ...entry,
        delegationId: null,
        dossierId: null,
        action: 'access.refusals_throttled',
        details: { limit: REFUSALS_PER_MINUTE, windowSeconds: 60 },
      });
    }
  });
}

/**
 * The one gate of every dossier route. `dossierOwnerId` comes from the dossier the route loaded
 * (undefined when none: 404 is answered by the caller before calling this).
 */
export async function authorize(
  deps: AuthorizeDeps,
  user: SignedInUser,
  onBehalfOfId: string,
  action: DossierAction,
  dossier?: { id: string; ownerId: string },
  /** The delegations, when the caller loaded them with the dossier (delegationsForAsJson()). */
  preloaded?: DelegationGrant[],
  /** « Pourquoi ai-je accès ? »: the decision is only shown, the action is not performed. */
  options: { explain?: boolean } = {},
): Promise<Authorized> {
  const now = deps.clock.now();
  const delegations = preloaded ?? (await delegationsFor(deps.db, user, onBehalfOfId));
  const decision = decide({
    actor: user,
    onBehalfOfId,
    action,
    dossierOwnerId: dossier?.ownerId,
    delegations,
    now,
  });
  // Journal every access by someone other than the owner, allowed or not, on the chain of the
  // doctor whose dossiers are concerned.
  const concerned = dossier?.ownerId ?? onBehalfOfId;
  const entry: JournalEntryInput | null =
    concerned !== user.id && (delegations.length > 0 || dossier)
      ? {
          at: now,
          actorId: user.id,
          onBehalfOfId: concerned,
          delegationId: 'delegationId' in decision ? (decision.delegationId ?? null) : null,
          dossierId: dossier?.id ?? null,
          action: options.explain ? 'access.explained' : JOURNAL_ACTION[action],
          outcome: decision.allowed ? 'allowed' : 'denied',
          details: {
            ...(options.explain && { asked: action }),
            ...(decision.allowed
              ? { right: decision.via === 'delegation' ? decision.right : null }
              : { reason: decision.reason }),
          },
        }
      : null;
  const deferred = decision.allowed && WRITES.has(action) && !options.explain;
  if (entry && !decision.allowed) await journalRefusal(deps.db, entry);
  else if (entry && !deferred) await deps.journal.append(entry);
  if (!decision.allowed) throw refusal(decision, dossier !== undefined);
  const via =
    decision.via === 'delegation' ? delegations.find((d) => d.id === decision.delegationId) : undefined;
  return {
    decision,
    onBehalfOfId,
    rights: via ? normalizeRights(via.kind, via.rights) : [...RIGHTS],
    journal: entry && deferred ? { ...entry, outcome: 'ok' } : null,
  };
}
