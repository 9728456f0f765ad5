// « Demander une délégation de droits »: a doctor asks a colleague, a staff member with an
// account asks a doctor; the doctor accepts (pre-filled add form, may narrow) or refuses. One
// transaction per use case: a requester's requests are serialised by the requester's lock, a
// doctor's decisions by the doctor's lock (the same one every change of delegations takes).
import { type Selectable, sql, type Transaction } from 'kysely';
import type { RequestView } from '../../shared/delegation-requests.js';
import { DECLARED_PROFESSIONS } from '../../shared/identity.js';
import { normalizeRights, type Right } from '../../shared/rights.js';
import type { Database, Db } from '../context.js';
import { appendEvent, type JournalAction } from '../journal/index.js';
import { queueEmail } from '../mail/index.js';
import { DomainError, notFound } from '../platform/errors.js';
import type { SignedInUser } from '../platform/signed-in-user.js';
import { requestAcceptedEmail, requestReceivedEmail, requestRefusedEmail } from './lifecycle-emails.js';
import { wants } from './notify.js';
import {
  assertMayRequest,
  cleanMessage,
  decideRequest,
  type RequestFacts,
  requestExpiry,
  requestStatus,
} from './request-rules.js';
import { blocksAnother, statusOf, validatePeriod, validateRights } from './rules.js';
import {
  type DelegationDeps,
  inTransaction,
  lockDelegator,
  requireDoctor,
  selfDelegation,
  stateOf,
} from './service.js';
import type { DelegationRequestsTable } from './tables.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const requestNotFound = () => notFound('Cette demande n’existe pas ou ne vous est pas adressée.');

const factsOf = (r: Selectable<DelegationRequestsTable>): RequestFacts => ({
  doctorId: r.doctor_id,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  decidedAt: r.decided_at,
  decision: r.decision,
});

const PERSON_COLUMNS = [
  'id',
  'subject_name_id',
  'family_name',
  'given_name',
  'email',
  'card_type',
  'profession_code',
  'declared_profession',
  'declared_profession_other',
  'specialty_label',
] as const;
type Person = Pick<Selectable<Database['users']>, (typeof PERSON_COLUMNS)[number]>;
const isDoctorRow = (p: Pick<Person, 'profession_code'>) => p.profession_code === '10';
/** The profession as the person stated it at first sign-in, in words (never its code). */
const statedProfession = (p: Person): string | null =>
  p.declared_profession === 'autre'
    ? p.declared_profession_other
    : (DECLARED_PROFESSIONS.find((d) => d.code === p.declared_profession)?.label ?? null);
const personView = (p: Person) => ({
  id: p.id,
  familyName: p.family_name,
  givenName: p.given_name,
  profession: isDoctorRow(p) ? p.specialty_label : statedProfession(p),
  cardType: p.card_type,
  isDoctor: isDoctorRow(p),
});

export class RequestService {
  constructor(private readonly deps: DelegationDeps) {}

  private link(path: string) {
    return `${this.deps.publicUrl}${path}`;
  }

  private person(db: Db | Transaction<Database>, id: string) {
    return db.selectFrom('users').select(PERSON_COLUMNS).where('id', '=', id).executeTakeFirst();
  }

  private journal(
    trx: Transaction<Database>,
    actorId: string,
    doctorId: string,
    action: JournalAction,
    details: Record<string, unknown>,
    delegationId: string | null = null,
  ) {
    return appendEvent(trx, {
      at: this.deps.clock.now(),
      actorId,
      onBehalfOfId: doctorId,
      delegationId,
      action,
      details,
    });
  }

  /** An existing delegation from this doctor to this person that still counts. */
  private async existingDelegation(trx: Transaction<Database>, doctorId: string, nationalId: string) {
    const rows = await trx
      .selectFrom('delegations')
      .selectAll()
      .where('delegator_id', '=', doctorId)
      .where('delegate_national_id', '=', nationalId)
      .where('deleted_at', 'is', null)
      .execute();
    const now = this.deps.clock.now();
    return rows.find((r) => blocksAnother(statusOf(stateOf(r), now)));
  }

  async create(
    actor: SignedInUser,
    input: { rpps: string; rights: string[]; startsOn: string; endsOn: string | null; message: string },
  ): Promise<{ id: string }> {
    const now = this.deps.clock.now();
    const message = cleanMessage(input.message);
    const kind = actor.isDoctor ? 'peer' : 'staff';
    const rights: Right[] = kind === 'peer' ? normalizeRights('peer', []) : validateRights(input.rights);
    const period = validatePeriod(kind, input, now);
    const doctor = await this.deps.db
      .selectFrom('users')
      .select(PERSON_COLUMNS)
      .where('subject_name_id', '=', `8${input.rpps}`)
      .executeTakeFirst();
    if (!doctor || !isDoctorRow(doctor)) {
      throw new DomainError(
        'request_doctor_unknown',
        'Ce médecin n’utilise pas encore Délégations de droits : il ne peut pas recevoir de demande. Contactez-le directement.',
        422,
      );
    }
    if (doctor.id === actor.id) throw selfDelegation();
    return inTransaction(this.deps.db, async (trx) => {
      await sql`select pg_advisory_xact_lock(hashtextextended(${`requester:${actor.id}`}, 0))`.execute(trx);
      const mine = await trx
        .selectFrom('delegation_requests')
        .selectAll()
        .where('requester_id', '=', actor.id)
        .execute();
      assertMayRequest(mine.map(factsOf), doctor.id, now);
      if (await this.existingDelegation(trx, doctor.id, actor.subjectNameId)) {
        throw new DomainError(
          'request_delegation_exists',
          'Ce médecin vous a déjà accordé une délégation de droits : retrouvez-la dans « Délégations reçues ».',
          409,
        );
      }
      const row = await trx
        .insertInto('delegation_requests')
        .values({
          requester_id: actor.id,
          kind,
          doctor_id: doctor.id,
          rights,
          starts_on: period.startsOn,
          ends_on: period.endsOn,
          message,
          created_at: now,
          expires_at: requestExpiry(now),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      // The message stays in its table: the journal records the fact, not the free text.
      await this.journal(trx, actor.id, doctor.id, 'request.created', {
        requestId: row.id,
        kind,
        rights,
        ...period,
      });
      if (doctor.email && (await wants(trx, doctor.id, 'request_received'))) {
        await queueEmail(trx, {
          to: doctor.email,
          kind: 'delegation_request_received',
          ...requestReceivedEmail({
            requester: {
              familyName: actor.familyName,
              givenName: actor.givenName,
              isDoctor: actor.isDoctor,
              profession: null,
            },
            rights,
            startsOn: period.startsOn,
            endsOn: period.endsOn,
            message,
            link: this.link(`/delegations/demandes/${row.id}`),
          }),
        });
      }
      return { id: row.id };
    });
  }

  private async views(rows: Selectable<DelegationRequestsTable>[]): Promise<RequestView[]> {
    const ids = [...new Set(rows.flatMap((r) => [r.requester_id, r.doctor_id]))];
    const people =
      ids.length === 0
        ? []
        : await this.deps.db.selectFrom('users').select(PERSON_COLUMNS).where('id', 'in', ids).execute();
    const byId = new Map(people.map((p) => [p.id, p]));
    const decided = rows.filter((r) => r.delegation_id !== null).map((r) => r.id);
    const created =
      decided.length === 0
        ? []
        : await this.deps.db
            .selectFrom('delegations')
            .select(['request_id', 'kind', 'rights', 'starts_on', 'ends_on'])
            .where('request_id', 'in', decided)
            .execute();
    const grantedBy = new Map(
      created.map((d) => [
        d.request_id,
        { rights: normalizeRights(d.kind, d.rights), startsOn: d.starts_on, endsOn: d.ends_on },
      ]),
    );
    const now = this.deps.clock.now();
    return rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      requester: personView(byId.get(r.requester_id) as Person),
      doctor: personView(byId.get(r.doctor_id) as Person),
      rights: normalizeRights(r.kind, r.rights),
      startsOn: r.starts_on,
      endsOn: r.ends_on,
      message: r.message,
      createdAt: r.created_at.toISOString(),
      expiresAt: r.expires_at.toISOString(),
      status: requestStatus(factsOf(r), now),
      decidedAt: r.decided_at?.toISOString() ?? null,
      refusalReason: r.refusal_reason,
      delegationId: r.delegation_id,
      granted: grantedBy.get(r.id) ?? null,
    }));
  }

  /** The requests a doctor received: open ones, oldest first (« Demandes reçues (N) »). */
  async listReceived(actor: SignedInUser): Promise<RequestView[]> {
    requireDoctor(actor);
    const now = this.deps.clock.now();
    const rows = await this.deps.db
      .selectFrom('delegation_requests')
      .selectAll()
      .where('doctor_id', '=', actor.id)
      .where('decided_at', 'is', null)
      .where('expires_at', '>', now)
      .orderBy('created_at')
      .execute();
    return this.views(rows);
  }

  /** The requests this person made (any status), newest first. */
  async listSent(actor: SignedInUser): Promise<RequestView[]> {
    const rows = await this.deps.db
      .selectFrom('delegation_requests')
      .selectAll()
      .where('requester_id', '=', actor.id)
      .orderBy('created_at', 'desc')
      .limit(50)
      .execute();
    return this.views(rows);
  }

  /** One request, for the doctor it is addressed to (the pre-filled form). */
  async get(actor: SignedInUser, id: string): Promise<RequestView> {
    requireDoctor(actor);
    if (!UUID.test(id)) throw requestNotFound();
    const row = await this.deps.db
      .selectFrom('delegation_requests')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row || row.doctor_id !== actor.id) throw requestNotFound();
    return (await this.views([row]))[0] as RequestView;
  }

  /** Loads the request addressed to this doctor, locked, after the doctor's lock. */
  private async lockedRequest(trx: Transaction<Database>, actor: SignedInUser, id: string) {
    if (!UUID.test(id)) throw requestNotFound();
    await lockDelegator(trx, actor.id);
    const row = await trx
      .selectFrom('delegation_requests')
      .selectAll()
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
    if (!row || row.doctor_id !== actor.id) throw requestNotFound();
    return row;
  }

  /**
   * « Accepter »: the doctor's choice of rights and period (pre-filled with the request's, may be
   * narrowed) becomes a delegation to the requester, active at once: the requester signed in with
   * a card, so no invitation is needed. Two acceptances of one request create one delegation.
   */
  async accept(
    actor: SignedInUser,
    id: string,
    input: { rights?: string[]; startsOn: string; endsOn: string | null },
  ): Promise<{ delegationId: string }> {
    requireDoctor(actor);
    const now = this.deps.clock.now();
    const peek = UUID.test(id)
      ? await this.deps.db
          .selectFrom('delegation_requests')
          .select(['kind', 'requester_id', 'doctor_id'])
          .where('id', '=', id)
          .executeTakeFirst()
      : undefined;
    if (!peek || peek.doctor_id !== actor.id) throw requestNotFound();
    const requesterNow = await this.person(this.deps.db, peek.requester_id);
    const directory =
      peek.kind === 'peer' && requesterNow && /^8\d{11}$/.test(requesterNow.subject_name_id)
        ? await this.deps.findDoctorByRpps(requesterNow.subject_name_id.slice(1))
        : undefined;
    return inTransaction(this.deps.db, async (trx) => {
      const row = await this.lockedRequest(trx, actor, id);
      decideRequest(factsOf(row), 'accepted', now);
      const requester = (await this.person(trx, row.requester_id)) as Person;
      const rights = row.kind === 'peer' ? normalizeRights('peer', []) : validateRights(input.rights ?? []);
      const period = validatePeriod(row.kind, input, now);
      if (await this.existingDelegation(trx, actor.id, requester.subject_name_id)) {
        throw new DomainError(
          'delegation_exists',
          'Une délégation de droits existe déjà pour cette personne. Vous pouvez la modifier depuis « Mes délégations ».',
          409,
        );
      }
      const delegation = await trx
        .insertInto('delegations')
        .values({
          delegator_id: actor.id,
          kind: row.kind,
          delegate_family_name: requester.family_name,
          delegate_given_name: requester.given_name,
          delegate_email: requester.email ?? (row.kind === 'staff' ? '' : null),
          delegate_profession:
            row.kind === 'peer'
              ? (directory?.specialty ?? requester.specialty_label)
              : statedProfession(requester),
          delegate_places: JSON.stringify(directory?.places ?? []),
          delegate_national_id: requester.subject_name_id,
          rights,
          starts_on: period.startsOn,
          ends_on: period.endsOn,
          // The requester is identified by the card used to ask: nothing left to finalise.
          accepted_at: row.kind === 'staff' ? now : null,
          request_id: row.id,
          created_at: now,
          updated_at: now,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await trx
        .updateTable('delegation_requests')
        .set({ decided_at: now, decision: 'accepted', delegation_id: delegation.id })
        .where('id', '=', row.id)
        .execute();
      await this.journal(
        trx,
        actor.id,
        actor.id,
        'delegation.created',
        { kind: row.kind, rights, ...period, requestId: row.id },
        delegation.id,
      );
      await this.journal(trx, actor.id, actor.id, 'request.accepted', { requestId: row.id }, delegation.id);
      // A delegation created is a security notice: always sent.
      if (requester.email) {
        await queueEmail(trx, {
          to: requester.email,
          kind: 'delegation_request_accepted',
          ...requestAcceptedEmail({
            doctor: actor,
            kind: row.kind,
            rights,
            ...period,
            link: this.link('/delegations-recues'),
          }),
        });
      }
      return { delegationId: delegation.id };
    });
  }

  /** « Refuser », with an optional reason given to the requester (not written to the journal). */
  async refuse(actor: SignedInUser, id: string, input: { reason: string }): Promise<void> {
    requireDoctor(actor);
    const reason = cleanMessage(input.reason);
    const now = this.deps.clock.now();
    await inTransaction(this.deps.db, async (trx) => {
      const row = await this.lockedRequest(trx, actor, id);
      decideRequest(factsOf(row), 'refused', now);
      await trx
        .updateTable('delegation_requests')
        .set({ decided_at: now, decision: 'refused', refusal_reason: reason || null })
        .where('id', '=', row.id)
        .execute();
      await this.journal(trx, actor.id, actor.id, 'request.refused', {
        requestId: row.id,
        withReason: reason.length > 0,
      });
      const requester = await this.person(trx, row.requester_id);
      if (requester?.email && (await wants(trx, requester.id, 'request_answered'))) {
        await queueEmail(trx, {
          to: requester.email,
          kind: 'delegation_request_refused',
          ...requestRefusedEmail({ doctor: actor, reason, link: this.link('/delegations-recues') }),
        });
      }
    });
  }
}
