// Reading the journal: a doctor sees the entries about his or her dossiers and delegations; a
// delegate sees his or her own actions. Nobody sees another doctor's journal.
import { sql } from 'kysely';
import type { JournalActionCode } from '../../shared/journal.js';
import { personName, titled } from '../../shared/names.js';
import type { Db } from '../context.js';
import { DomainError } from '../platform/errors.js';
import { endOfDayExclusive, parisDateTime, startOfDay } from '../platform/paris-time.js';
import type { SignedInUser } from '../platform/signed-in-user.js';
import { ACTION_LABELS, ASKED_LABELS, OUTCOME_LABELS, REASON_LABELS } from './labels.js';
import {
  type Change,
  changedFieldsText,
  delegationChanges,
  journalSentence,
  type Viewpoint,
} from './sentences.js';
import type { JournalAction, JournalOutcome } from './store.js';

export interface JournalFilters {
  scope: 'mine' | 'actions';
  delegate?: string;
  dossier?: string;
  action?: JournalActionCode;
  from?: string;
  to?: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The journal with who acted, for whom, on which dossier and under which delegation. */
function entries(db: Db) {
  return db
    .selectFrom('journal_entries as j')
    .leftJoin('users as a', 'a.id', 'j.actor_id')
    .leftJoin('users as o', 'o.id', 'j.on_behalf_of_id')
    .leftJoin('dossiers as d', 'd.id', 'j.dossier_id')
    .leftJoin('delegations as g', 'g.id', 'j.delegation_id');
}

function baseQuery(db: Db, viewer: SignedInUser, f: JournalFilters) {
  if (f.scope === 'mine' && !viewer.isDoctor) {
    throw new DomainError(
      'journal_forbidden',
      'Seul un médecin a un journal de ses dossiers et délégations.',
      403,
    );
  }
  if (f.from && f.to && f.from > f.to) {
    throw new DomainError('journal_dates', 'La date de début doit précéder la date de fin.', 422);
  }
  let q = entries(db);
  q =
    f.scope === 'mine' ? q.where('j.on_behalf_of_id', '=', viewer.id) : q.where('j.actor_id', '=', viewer.id);
  if (f.delegate) {
    if (!UUID.test(f.delegate)) return undefined;
    q = q.where('j.actor_id', '=', f.delegate);
  }
  if (f.dossier) {
    const d = f.dossier.trim();
    q = UUID.test(d)
      ? q.where('j.dossier_id', '=', d)
      : q.where(sql`upper(d.reference)`, '=', d.toUpperCase());
    // A reference must not name, in one's own actions, a dossier whose access was hidden.
    if (f.scope === 'actions' && !UUID.test(d)) {
      q = q.where((eb) =>
        eb.or([eb('j.outcome', '<>', 'denied'), eb(sql`j.details->>'reason'`, '=', 'missing_right')]),
      );
    }
  }
  if (f.action) q = q.where('j.action', '=', f.action);
  if (f.from) q = q.where('j.at', '>=', new Date(startOfDay(f.from)));
  if (f.to) q = q.where('j.at', '<', new Date(endOfDayExclusive(f.to)));
  return q;
}

export interface JournalRow {
  id: number;
  at: string;
  actor: string | null;
  actorId: string | null;
  onBehalfOf: string | null;
  delegationId: string | null;
  delegate: string | null;
  dossierId: string | null;
  dossier: string | null;
  action: string;
  actionLabel: string;
  outcome: string;
  outcomeLabel: string;
  detail: string | null;
  sentence: string;
  changes: Change[];
  fields: string | null;
}

const person = (given: string | null, family: string | null) => personName(given, family);

type Filtered = ReturnType<typeof entries>;

function withColumns(q: Filtered) {
  return q.select([
    'j.id',
    'j.at',
    'j.actor_id',
    'j.delegation_id',
    'j.dossier_id',
    'j.action',
    'j.outcome',
    'j.details',
    'a.given_name as actorGiven',
    'a.family_name as actorFamily',
    'o.given_name as ownerGiven',
    'o.family_name as ownerFamily',
    'd.reference',
    'd.patient_family_name',
    'd.patient_given_name',
    'g.delegate_given_name',
    'g.delegate_family_name',
    'g.kind as delegationKind',
    'j.on_behalf_of_id',
  ]);
}
type Selected = Awaited<ReturnType<ReturnType<typeof withColumns>['execute']>>[number];

/**
 * One entry as its reader sees it. In one's own actions (`hideDenied`), a refusal answered 404
 * (or for a doctor one has no active delegation from) shows only the id that was asked: not the
 * doctor, the patient or the reference the answer hid. A missing right (403) concerns a doctor
 * the person acts for: shown.
 */
function toEntry(r: Selected, viewer: SignedInUser, viewpoint: Viewpoint, hideDenied: boolean): JournalRow {
  const reason = typeof r.details.reason === 'string' ? REASON_LABELS[r.details.reason] : undefined;
  const asked = typeof r.details.asked === 'string' ? ASKED_LABELS[r.details.asked] : undefined;
  const hidden = hideDenied && r.outcome === 'denied' && r.details.reason !== 'missing_right';
  const actor = person(r.actorGiven, r.actorFamily);
  const said = {
    viewpoint,
    action: r.action,
    outcome: r.outcome,
    actor,
    actorIsViewer: r.actor_id === viewer.id,
  };
  const common = {
    id: r.id,
    at: r.at.toISOString(),
    actorId: r.actor_id,
    dossierId: r.dossier_id,
    action: r.action,
    actionLabel: ACTION_LABELS[r.action as JournalAction] ?? r.action,
    outcome: r.outcome,
    outcomeLabel: OUTCOME_LABELS[r.outcome as JournalOutcome] ?? r.outcome,
  };
  if (hidden) {
    return {
      ...common,
      actor,
      onBehalfOf: null,
      delegationId: null,
      delegate: null,
      dossier: null,
      detail: asked ?? null,
      sentence: journalSentence({
        ...said,
        actorIsOwner: false,
        owner: null,
        delegate: null,
        patient: null,
        details: { asked: r.details.asked },
      }),
      changes: [],
      fields: null,
    };
  }
  const delegateName = person(r.delegate_given_name, r.delegate_family_name);
  const delegate = delegateName && titled(r.delegationKind, delegateName);
  const patient = person(r.patient_given_name, r.patient_family_name);
  return {
    ...common,
    actor: actor ?? (r.actor_id ? null : 'Système'),
    onBehalfOf: person(r.ownerGiven, r.ownerFamily),
    delegationId: r.delegation_id,
    delegate,
    dossier: r.reference ? `${r.reference} — ${patient}` : null,
    detail: [asked, reason].filter(Boolean).join(' — ') || null,
    sentence: journalSentence({
      ...said,
      actorIsOwner: r.actor_id !== null && r.actor_id === r.on_behalf_of_id,
      owner: person(r.ownerGiven, r.ownerFamily),
      delegate,
      patient,
      details: r.details,
    }),
    changes: r.action === 'delegation.modified' ? delegationChanges(r.details) : [],
    fields: r.action.startsWith('dossier.') ? changedFieldsText(r.details) : null,
  };
}

export async function readJournal(
  db: Db,
  viewer: SignedInUser,
  f: JournalFilters,
  page: { limit: number; before?: number },
): Promise<{ entries: JournalRow[]; next: number | null }> {
  const q = baseQuery(db, viewer, f);
  if (!q) return { entries: [], next: null };
  const rows = await withColumns(q)
    .$if(page.before !== undefined, (qb) => qb.where('j.id', '<', page.before as number))
    .orderBy('j.id', 'desc')
    .limit(page.limit + 1)
    .execute();
  const viewpoint = f.scope === 'mine' ? 'owner' : 'actor';
  const entries = rows.slice(0, page.limit).map((r) => toEntry(r, viewer, viewpoint, f.scope === 'actions'));
  return { entries, next: rows.length > page.limit ? (entries[entries.length - 1]?.id ?? null) : null };
}

/**
 * « Changements récents »: what others did to the viewer's delegations in the last 30 days — on
 * the doctor's side (`given`: finalised, renounced, expired, suspended, an invitation opened by
 * someone else), on the delegate's side (`received`: created, modified, deleted, expired,
 * suspended, reactivated). Read from the journal through a partial index (migration 0020) whose
 * list of actions is NEWS_ACTIONS: the two must stay equal.
 */
export const NEWS_ACTIONS = {
  given: [
    'invitation.accepted',
    'invitation.refused_identity',
    'delegation.renounced',
    'delegation.expired',
    'delegation.suspended',
  ],
  received: [
    'delegation.created',
    'delegation.modified',
    'delegation.deleted',
    'delegation.expired',
    'delegation.suspended',
    'delegation.reactivated',
  ],
} as const satisfies Record<'given' | 'received', readonly JournalActionCode[]>;
export const NEWS_DAYS = 30;

export async function delegationNews(
  db: Db,
  viewer: SignedInUser,
  side: 'given' | 'received',
  now: Date,
  limit = 20,
): Promise<JournalRow[]> {
  const mine = db
    .selectFrom('delegations')
    .select('id')
    .$if(side === 'given', (qb) => qb.where('delegator_id', '=', viewer.id))
    .$if(side === 'received', (qb) => qb.where('delegate_national_id', '=', viewer.subjectNameId));
  const actions = sql.join(NEWS_ACTIONS[side].map((a) => sql.lit(a)));
  const q = entries(db)
    .where('j.delegation_id', 'in', mine)
    .where(sql<boolean>`j.action in (${actions})`)
    .where((eb) => eb.or([eb('j.actor_id', 'is', null), eb('j.actor_id', '<>', viewer.id)]))
    .where('j.at', '>=', new Date(now.getTime() - NEWS_DAYS * 24 * 3600_000));
  const rows = await withColumns(q).orderBy('j.at', 'desc').orderBy('j.id', 'desc').limit(limit).execute();
  return rows.map((r) => toEntry(r, viewer, side === 'given' ? 'owner' : 'delegate', false));
}

/** The people who acted in this doctor's journal, for the "by delegate" filter. */
export async function journalActors(db: Db, viewer: SignedInUser) {
  return db
    .selectFrom('journal_entries as j')
    .innerJoin('users as a', 'a.id', 'j.actor_id')
    .select(['a.id', 'a.given_name', 'a.family_name'])
    .distinct()
    .where('j.on_behalf_of_id', '=', viewer.id)
    .where('j.actor_id', '<>', viewer.id)
    .orderBy('a.family_name')
    .execute();
}

const CSV_COLUMNS: [string, (r: JournalRow) => string | null][] = [
  ['Date et heure (Paris)', (r) => parisDateTime(r.at)],
  ['Description', (r) => r.sentence],
  ['Personne', (r) => r.actor],
  ['Pour le compte de', (r) => r.onBehalfOf],
  ['Délégataire', (r) => r.delegate],
  ['Dossier', (r) => r.dossier],
  ['Action', (r) => r.actionLabel],
  ['Résultat', (r) => r.outcomeLabel],
  ['Détail', (r) => r.detail],
  ['Modifications', (r) => changesText(r)],
];

/** « Fin : 31/01/2027 → 28/02/2027 ; Droits : … », or the changed fields of a dossier. */
export function changesText(r: Pick<JournalRow, 'changes' | 'fields'>): string | null {
  const parts = r.changes.map(
    (c) => `${c.label} : ${c.before === null ? '' : `${c.before} → `}${c.after ?? '—'}`,
  );
  if (r.fields) parts.push(`Champs modifiés : ${r.fields}`);
  return parts.length > 0 ? parts.join(' ; ') : null;
}

/** A CSV cell as French spreadsheets read it: ';' separated, quoted, formulas neutralised. */
export function csvCell(value: string | null): string {
  let v = value ?? '';
  if (/^[=+\-@\t\r]/.test(v)) v = `'${v}`;
  return `"${v.replace(/"/g, '""')}"`;
}

export async function* journalCsv(db: Db, viewer: SignedInUser, f: JournalFilters, max = 100_000) {
  yield `\uFEFF${CSV_COLUMNS.map(([h]) => csvCell(h)).join(';')}\r\n`;
  let before: number | undefined;
  let written = 0;
  while (written < max) {
    const { entries, next } = await readJournal(db, viewer, f, { limit: 1000, before });
    for (const r of entries) yield `${CSV_COLUMNS.map(([, get]) => csvCell(get(r))).join(';')}\r\n`;
    written += entries.length;
    if (next === null) break;
    before = next;
  }
}
