// The delegation use cases. Each one is one transaction: it locks what it changes, decides with
// the pure rules, writes the change, its journal entry and its email together.
import crypto from 'node:crypto';
import { type Selectable, sql, type Transaction } from 'kysely';
import { titled } from '../../shared/names.js';
import { normalizeRights, type Right } from '../../shared/rights.js';
import type { Database, Db } from '../context.js';
import { resetSecondFactors } from '../identity/index.js';
import { appendEvent, type JournalAction } from '../journal/index.js';
import { queueEmail } from '../mail/index.js';
import type { Clock } from '../platform/clock.js';
import { DomainError, forbidden, notFound } from '../platform/errors.js';
import { todayInParis } from '../platform/paris-time.js';
import type { SignedInUser } from '../platform/signed-in-user.js';
import * as emails from './emails.js';
import { grantOf } from './facts.js';
import { delegationUses } from './last-use.js';
import { changeLines, renouncedEmail } from './lifecycle-emails.js';
import { wants, wantsByNationalId } from './notify.js';
import { recordReviewDecision } from './review-decisions.js';
import {
  allowedActions,
  applyChange,
  blocksAnother,
  type DelegationState,
  invitationExpiry,
  sameIdentity,
  statusOf,
  UNUSED_DAYS,
  unusedSince,
  validatePeriod,
  validateRights,
} from './rules.js';
import { reactivatedEmail } from './suspension-emails.js';
import type { DelegationsTable, Place } from './tables.js';

/** A doctor found in the national directory. */
export interface DirectoryDoctor {
  rpps: string;
  nationalId: string;
  familyName: string;
  givenName: string;
  professionCode: string;
  specialty: string | null;
  places: Place[];
}

export interface StaffInput {
  familyName: string;
  givenName: string;
  email: string;
  profession: string;
  rights: string[];
  startsOn: string;
  endsOn: string | null;
  /** « Connexion par carte CPx ou e-CPS obligatoire ». */
  pscRequired?: boolean;
}

export interface DelegationDeps {
  db: Db;
  clock: Clock;
  publicUrl: string;
  findDoctorByRpps(rpps: string): Promise<DirectoryDoctor | undefined>;
}

function selectDelegation(trx: Transaction<Database>, id: string) {
  return trx.selectFrom('delegations').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export const stateOf = (row: Selectable<DelegationsTable>): DelegationState => ({
  ...grantOf(row),
  version: row.version,
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const delegationNotFound = () => notFound('Cette délégation n’existe pas ou ne vous appartient pas.');

export const selfDelegation = () =>
  new DomainError('delegation_self', 'Vous ne pouvez pas vous déléguer vos propres droits.', 422);

export function requireDoctor(actor: SignedInUser): void {
  if (!actor.isDoctor) throw forbidden('Seuls les médecins peuvent déléguer la gestion de leurs dossiers.');
}

function hashToken(token: string): Buffer {
  return crypto.createHash('sha256').update(token).digest();
}

export function newInvitationToken(): { token: string; hash: Buffer } {
  const token = crypto.randomBytes(32).toString('base64url'); // 256 bits
  return { token, hash: hashToken(token) };
}

/** A staff invitation never finalised: its person never had access to anything. */
const notYetAccepted = (row: Selectable<DelegationsTable>) =>
  row.kind === 'staff' && row.accepted_at === null;

const fullName = (givenName: string, familyName: string) => `${givenName} ${familyName.toUpperCase()}`;

/** PostgreSQL's "try again" answers: a deadlock was broken, or a serializable snapshot conflicted. */
const RETRYABLE = new Set(['40P01', '40001']);
const MAX_ATTEMPTS = 5;

export function isRetryable(err: unknown): boolean {
  return typeof err === 'object' && err !== null && RETRYABLE.has((err as { code?: string }).code ?? '');
}

/**
 * Runs one use case's transaction; when PostgreSQL breaks a deadlock or a serialization conflict
 * (nothing was committed), runs it again from the start, a bounded number of times.
 */
export async function inTransaction<T>(db: Db, work: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction().execute(work);
    } catch (err) {
      if (!isRetryable(err) || attempt >= MAX_ATTEMPTS) throw err;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
    }
  }
}

/** Serialises every change to one doctor's delegations: the uniqueness rule holds under races. */
export async function lockDelegator(trx: Transaction<Database>, delegatorId: string) {
  await sql`select pg_advisory_xact_lock(hashtextextended(${`delegator:${delegatorId}`}, 0))`.execute(trx);
}

/**
 * Lock order, the same in every use case (so that two of them never wait on each other):
 * 1. the per-doctor advisory lock (lockDelegator), 2. the delegation row, 3. its invitation rows.
 */
export class DelegationService {
  constructor(private readonly deps: DelegationDeps) {}

  private transaction<T>(work: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
    return inTransaction(this.deps.db, work);
  }

  private link(path: string) {
    return `${this.deps.publicUrl}${path}`;
  }

  /** Serialises every change to one doctor's delegations: the uniqueness rule holds under races. */
  lockDelegator(trx: Transaction<Database>, delegatorId: string) {
    return lockDelegator(trx, delegatorId);
  }

  private async assertNoOtherDelegation(
    trx: Transaction<Database>,
    delegatorId: string,
    who: { nationalId?: string | null; email?: string | null },
    now: Date,
    exceptId?: string,
  ) {
    const rows = await trx
      .selectFrom('delegations')
      .selectAll()
      .where('delegator_id', '=', delegatorId)
      .where('deleted_at', 'is', null)
      .where((eb) =>
        eb.or([
          ...(who.nationalId ? [eb('delegate_national_id', '=', who.nationalId)] : []),
          ...(who.email ? [eb(sql`lower(delegate_email)`, '=', who.email.toLowerCase())] : []),
        ]),
      )
      .execute();
    const existing = rows.find((r) => r.id !== exceptId && blocksAnother(statusOf(stateOf(r), now)));
    if (existing) {
      throw new DomainError(
        'delegation_exists',
        'Une délégation de droits existe déjà pour cette personne. Vous pouvez la modifier depuis « Mes délégations ».',
        409,
        { delegationId: existing.id, action: 'Modifier' },
      );
    }
  }

  /**
   * « Réinitialiser le second facteur »: the doctor who delegated to a staff member removes
   * that person's passkeys, TOTP app and recovery codes and ends their password sessions; the
   * person enrols a new factor at the next sign-in. Journaled, and the person is told by email.
   */
  async resetSecondFactor(actor: SignedInUser, id: string): Promise<void> {
    requireDoctor(actor);
    await this.transaction(async (trx) => {
      await this.lockDelegator(trx, actor.id);
      const row = await this.ownDelegation(trx, actor, id);
      const person =
        row.deleted_at === null && row.kind === 'staff' && row.delegate_national_id
          ? await trx
              .selectFrom('users')
              .select(['id', 'email', 'password_hash'])
              .where('subject_name_id', '=', row.delegate_national_id)
              .forUpdate()
              .executeTakeFirst()
          : undefined;
      if (!person?.password_hash) {
        throw new DomainError(
          'second_factor_reset_impossible',
          'Cette personne ne se connecte pas par mot de passe : il n’y a pas de second facteur à réinitialiser.',
          409,
        );
      }
      await resetSecondFactors(trx, person.id);
      await this.journal(trx, actor.id, row, 'second_factor.reset');
      const to = person.email ?? row.delegate_email;
      if (to) {
        await queueEmail(trx, {
          to,
          kind: 'second_factor_reset',
          ...emails.secondFactorResetEmail({ delegator: actor, link: this.link('/connexion') }),
        });
      }
    });
  }

  private journal(
    trx: Transaction<Database>,
    actorId: string,
    row: { id: string; delegator_id: string },
    action: JournalAction,
    details: Record<string, unknown> = {},
  ) {
    return appendEvent(trx, {
      at: this.deps.clock.now(),
      actorId,
      onBehalfOfId: row.delegator_id,
      delegationId: row.id,
      action,
      details,
    });
  }

  private async sendInvitation(
    trx: Transaction<Database>,
    delegator: { familyName: string; givenName: string },
    row: {
      id: string;
      delegate_email: string | null;
      rights: Right[];
      starts_on: string;
      ends_on: string | null;
    },
    now: Date,
  ) {
    const { token, hash } = newInvitationToken();
    const expiresAt = invitationExpiry(now);
    await trx
      .updateTable('invitations')
      .set({ revoked_at: now })
      .where('delegation_id', '=', row.id)
      .where('used_at', 'is', null)
      .where('revoked_at', 'is', null)
      .execute();
    await trx
      .insertInto('invitations')
      .values({ delegation_id: row.id, token_hash: hash, sent_at: now, expires_at: expiresAt })
      .execute();
    await trx
      .updateTable('delegations')
      .set({ invitation_expires_at: expiresAt, invitation_origin_id: null })
      .where('id', '=', row.id)
      .execute();
    // Colleagues' delegations joined to this invitation (cabinets) follow its new link and expiry.
    const joined = await trx
      .updateTable('delegations')
      .set({ invitation_expires_at: expiresAt })
      .where('invitation_origin_id', '=', row.id)
      .where('accepted_at', 'is', null)
      .where('deleted_at', 'is', null)
      .returning(['delegator_id', 'rights', 'starts_on', 'ends_on'])
      .execute();
    const names = await this.doctorNames(
      trx,
      joined.map((j) => j.delegator_id),
    );
    const others = joined.map((j, i) => ({
      delegator: names[i] as emails.DoctorName,
      rights: normalizeRights('staff', j.rights),
      startsOn: j.starts_on,
      endsOn: j.ends_on,
    }));
    await queueEmail(trx, {
      to: row.delegate_email as string,
      kind: 'delegation_invitation',
      ...emails.invitationEmail({
        others,
        delegator,
        rights: row.rights,
        startsOn: row.starts_on,
        endsOn: row.ends_on,
        link: this.link(`/invitation/${token}`),
        expiresAt,
      }),
    });
    return token;
  }

  async createStaff(actor: SignedInUser, input: StaffInput): Promise<{ id: string }> {
    return this.transaction(async (trx) => {
      const row = await this.createStaffIn(trx, actor, input);
      await this.sendStaffInvitation(trx, actor, row);
      return { id: row.id };
    });
  }

  /**
   * The creation of a staff delegation inside the caller's transaction (the cabinets feature adds
   * its proposals to the same transaction), without its invitation: sendStaffInvitation() sends it
   * once the caller has written what the invitation lists.
   */
  async createStaffIn(
    trx: Transaction<Database>,
    actor: SignedInUser,
    input: StaffInput,
  ): Promise<Selectable<DelegationsTable>> {
    requireDoctor(actor);
    const now = this.deps.clock.now();
    const rights = validateRights(input.rights);
    const pscRequired = input.pscRequired ?? false;
    const period = validatePeriod('staff', input, now);
    const email = input.email.trim().toLowerCase();
    if (actor.email && actor.email.toLowerCase() === email) throw selfDelegation();
    if (sameIdentity(actor, input) && actor.email === null) throw selfDelegation();
    await this.lockDelegator(trx, actor.id);
    await this.assertNoOtherDelegation(trx, actor.id, { email }, now);
    const row = await trx
      .insertInto('delegations')
      .values({
        delegator_id: actor.id,
        kind: 'staff',
        delegate_family_name: input.familyName.trim(),
        delegate_given_name: input.givenName.trim(),
        delegate_email: email,
        delegate_profession: input.profession.trim(),
        rights,
        starts_on: period.startsOn,
        ends_on: period.endsOn,
        psc_required: pscRequired,
        created_at: now,
        updated_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await this.journal(trx, actor.id, row, 'delegation.created', {
      kind: 'staff',
      rights,
      ...period,
      ...(pscRequired && { pscRequired }),
    });
    return row;
  }

  async sendStaffInvitation(
    trx: Transaction<Database>,
    actor: SignedInUser,
    row: Selectable<DelegationsTable>,
  ): Promise<void> {
    await this.sendInvitation(trx, actor, row, this.deps.clock.now());
    await this.journal(trx, actor.id, row, 'invitation.sent');
  }

  /** « Dr Prénom NOM » of each doctor, in the order given. */
  private async doctorNames(trx: Transaction<Database>, ids: string[]) {
    if (ids.length === 0) return [];
    const rows = await trx
      .selectFrom('users')
      .select(['id', 'family_name', 'given_name'])
      .where('id', 'in', ids)
      .execute();
    return ids.map((id) => {
      const u = rows.find((r) => r.id === id);
      return { familyName: u?.family_name ?? '', givenName: u?.given_name ?? '' };
    });
  }

  /**
   * A colleague accepts the same staff delegation as `origin` (cabinets), inside the caller's
   * transaction. Lock order: the origin's doctor, the origin row, then the colleague (as the
   * finalisation, which takes the origin's doctor and row before the colleagues it finalises).
   * - the staff member already identified (origin finalised): effective at once, email to him or her;
   * - the origin's invitation still pending: joins it (finalised together);
   * - otherwise: its own invitation.
   */
  async createForColleague(
    trx: Transaction<Database>,
    colleague: SignedInUser,
    originId: string,
    input: { rights: string[]; startsOn: string; endsOn: string | null },
  ): Promise<{ id: string; joined: 'identified' | 'pending_invitation' | 'own_invitation' }> {
    requireDoctor(colleague);
    const now = this.deps.clock.now();
    const rights = validateRights(input.rights);
    const period = validatePeriod('staff', input, now);
    const originHead = await trx
      .selectFrom('delegations')
      .select('delegator_id')
      .where('id', '=', originId)
      .executeTakeFirst();
    if (!originHead) throw delegationNotFound();
    await this.lockDelegator(trx, originHead.delegator_id);
    const origin = await selectDelegation(trx, originId);
    if (origin?.kind !== 'staff') throw delegationNotFound();
    if (origin.delegator_id !== colleague.id) await this.lockDelegator(trx, colleague.id);
    const email = origin.delegate_email as string;
    if (colleague.email && colleague.email.toLowerCase() === email) throw selfDelegation();
    if (origin.delegate_national_id === colleague.subjectNameId) throw selfDelegation();
    await this.assertNoOtherDelegation(
      trx,
      colleague.id,
      { email, nationalId: origin.delegate_national_id },
      now,
    );
    const originStatus = statusOf(stateOf(origin), now);
    const identified = origin.accepted_at !== null && origin.delegate_national_id !== null;
    const joinsPending = !identified && originStatus === 'pending';
    const row = await trx
      .insertInto('delegations')
      .values({
        delegator_id: colleague.id,
        kind: 'staff',
        delegate_family_name: origin.delegate_family_name,
        delegate_given_name: origin.delegate_given_name,
        delegate_email: email,
        delegate_profession: origin.delegate_profession,
        delegate_national_id: identified ? origin.delegate_national_id : null,
        rights,
        starts_on: period.startsOn,
        ends_on: period.endsOn,
        accepted_at: identified ? now : null,
        invitation_expires_at: joinsPending ? origin.invitation_expires_at : null,
        invitation_origin_id: joinsPending ? origin.id : null,
        created_at: now,
        updated_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await this.journal(trx, colleague.id, row, 'delegation.created', {
      kind: 'staff',
      rights,
      ...period,
      proposedWith: origin.id,
    });
    if (identified) {
      await this.journal(trx, colleague.id, row, 'invitation.accepted', { identifiedBy: origin.id });
      const to = await this.delegateEmail(trx, row);
      if (to) {
        await queueEmail(trx, {
          to,
          kind: 'delegation_added',
          ...emails.colleagueAddedEmail({
            delegator: colleague,
            rights,
            startsOn: period.startsOn,
            endsOn: period.endsOn,
            link: this.link('/delegations-recues'),
          }),
        });
      }
      return { id: row.id, joined: 'identified' };
    }
    if (joinsPending) {
      await queueEmail(trx, {
        to: email,
        kind: 'invitation_joined',
        ...emails.invitationJoinedEmail({
          delegator: colleague,
          rights,
          startsOn: period.startsOn,
          endsOn: period.endsOn,
          expiresAt: origin.invitation_expires_at as Date,
        }),
      });
      await this.journal(trx, colleague.id, row, 'invitation.joined', { origin: origin.id });
      return { id: row.id, joined: 'pending_invitation' };
    }
    await this.sendInvitation(trx, colleague, row, now);
    await this.journal(trx, colleague.id, row, 'invitation.sent');
    return { id: row.id, joined: 'own_invitation' };
  }

  async createPeer(
    actor: SignedInUser,
    input: { rpps: string; startsOn: string; endsOn: string | null },
  ): Promise<{ id: string }> {
    requireDoctor(actor);
    const now = this.deps.clock.now();
    const period = validatePeriod('peer', input, now);
    const doctor = /^\d{11}$/.test(input.rpps) ? await this.deps.findDoctorByRpps(input.rpps) : undefined;
    if (!doctor) {
      throw new DomainError(
        'peer_unknown',
        'Ce numéro RPPS ne correspond à aucun professionnel de l’annuaire national.',
        422,
      );
    }
    if (doctor.professionCode !== '10') {
      throw new DomainError(
        'peer_not_doctor',
        'Une délégation à un confrère ne peut être accordée qu’à un médecin.',
        422,
      );
    }
    if (doctor.nationalId === actor.subjectNameId) throw selfDelegation();
    return this.transaction(async (trx) => {
      await this.lockDelegator(trx, actor.id);
      await this.assertNoOtherDelegation(trx, actor.id, { nationalId: doctor.nationalId }, now);
      const account = await trx
        .selectFrom('users')
        .select(['email'])
        .where('subject_name_id', '=', doctor.nationalId)
        .executeTakeFirst();
      const rights = normalizeRights('peer', []);
      const row = await trx
        .insertInto('delegations')
        .values({
          delegator_id: actor.id,
          kind: 'peer',
          delegate_family_name: doctor.familyName,
          delegate_given_name: doctor.givenName,
          delegate_email: account?.email ?? null,
          delegate_profession: doctor.specialty,
          delegate_places: JSON.stringify(doctor.places),
          delegate_national_id: doctor.nationalId,
          rights,
          starts_on: period.startsOn,
          ends_on: period.endsOn,
          created_at: now,
          updated_at: now,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await this.journal(trx, actor.id, row, 'delegation.created', { kind: 'peer', ...period });
      if (account?.email) {
        await queueEmail(trx, {
          to: account.email,
          kind: 'delegation_peer_notification',
          ...emails.peerNotificationEmail({
            delegator: actor,
            startsOn: period.startsOn,
            endsOn: period.endsOn as string,
            link: this.link('/delegations-recues'),
          }),
        });
      }
      return { id: row.id };
    });
  }

  /** Loads a delegation of this doctor, locked; 404 for any other (no existence leak). */
  private async ownDelegation(trx: Transaction<Database>, actor: SignedInUser, id: string) {
    if (!UUID.test(id)) throw delegationNotFound();
    const row = await selectDelegation(trx, id);
    if (!row || row.delegator_id !== actor.id) throw delegationNotFound();
    return row;
  }

  /** The address to tell the delegate about a change: the account's, else the invitation's. */
  private async delegateEmail(
    trx: Transaction<Database>,
    row: Selectable<DelegationsTable>,
  ): Promise<string | null> {
    if (row.delegate_national_id) {
      const account = await trx
        .selectFrom('users')
        .select('email')
        .where('subject_name_id', '=', row.delegate_national_id)
        .executeTakeFirst();
      if (account?.email) return account.email;
    }
    return row.delegate_email;
  }

  async modify(
    actor: SignedInUser,
    id: string,
    input: {
      version: number;
      rights?: string[];
      startsOn: string;
      endsOn: string | null;
      pscRequired?: boolean;
    },
  ): Promise<{ id: string; version: number }> {
    requireDoctor(actor);
    return this.transaction(async (trx) => {
      await this.lockDelegator(trx, actor.id);
      const row = await this.ownDelegation(trx, actor, id);
      if (row.version !== input.version) {
        throw new DomainError(
          'delegation_stale',
          'Cette délégation a été modifiée entre-temps. Rechargez la page pour voir sa version actuelle.',
          409,
        );
      }
      const now = this.deps.clock.now();
      const next = applyChange(stateOf(row), { type: 'modify', period: input, rights: input.rights }, now);
      const updated = await trx
        .updateTable('delegations')
        .set({
          rights: next.rights,
          starts_on: next.startsOn,
          ends_on: next.endsOn,
          psc_required: input.pscRequired ?? row.psc_required,
          version: next.version,
          updated_at: now,
        })
        .where('id', '=', id)
        .where('deleted_at', 'is', null)
        .returningAll()
        .executeTakeFirstOrThrow();
      await recordReviewDecision(trx, actor.id, actor.id, id, 'modified', now);
      await this.journal(trx, actor.id, row, 'delegation.modified', {
        rights: next.rights,
        startsOn: next.startsOn,
        endsOn: next.endsOn,
        ...(input.pscRequired !== undefined &&
          input.pscRequired !== row.psc_required && { pscRequired: input.pscRequired }),
        before: { rights: row.rights, startsOn: row.starts_on, endsOn: row.ends_on },
      });
      const to = await this.delegateEmail(trx, row);
      const before = stateOf(row);
      // Widened rights are a security notice (always sent); other changes may be turned off.
      const widened = next.rights.some((r) => !before.rights.includes(r));
      const change = {
        delegator: actor,
        rights: next.rights,
        startsOn: next.startsOn,
        endsOn: next.endsOn,
        changes: changeLines({ ...before, startsOn: row.starts_on, endsOn: row.ends_on }, next),
      };
      // Both sides are told: the doctor gets a receipt of what changed, on the same terms.
      if (actor.email && (widened || (await wants(trx, actor.id, 'delegation_modified')))) {
        await queueEmail(trx, {
          to: actor.email,
          kind: 'delegation_modified_receipt',
          ...emails.modificationReceiptEmail({
            ...change,
            delegateName: titled(row.kind, fullName(row.delegate_given_name, row.delegate_family_name)),
            link: this.link('/delegations'),
          }),
        });
      }
      const told =
        widened ||
        notYetAccepted(row) ||
        (await wantsByNationalId(trx, row.delegate_national_id, 'delegation_modified'));
      if (to && told) {
        await queueEmail(
          trx,
          notYetAccepted(row)
            ? { to, kind: 'invitation_modified', ...emails.invitationModifiedEmail(change) }
            : {
                to,
                kind: 'delegation_modified',
                ...emails.modifiedEmail({ ...change, link: this.link('/delegations-recues') }),
              },
        );
      }
      return { id, version: updated.version };
    });
  }

  async remove(actor: SignedInUser, id: string): Promise<void> {
    requireDoctor(actor);
    await this.transaction(async (trx) => {
      await this.lockDelegator(trx, actor.id);
      const row = await this.ownDelegation(trx, actor, id);
      const now = this.deps.clock.now();
      const next = applyChange(stateOf(row), { type: 'delete' }, now);
      await trx
        .updateTable('delegations')
        .set({ deleted_at: now, version: next.version, updated_at: now })
        .where('id', '=', id)
        .execute();
      await trx
        .updateTable('invitations')
        .set({ revoked_at: now })
        .where('delegation_id', '=', id)
        .where('used_at', 'is', null)
        .where('revoked_at', 'is', null)
        .execute();
      await recordReviewDecision(trx, actor.id, actor.id, id, 'deleted', now);
      await this.journal(trx, actor.id, row, 'delegation.deleted');
      // Colleagues' delegations joined to this invitation lose it: each doctor can send its own
      // (« Renvoyer l’invitation »).
      await trx
        .updateTable('delegations')
        .set({ invitation_origin_id: null, invitation_expires_at: now })
        .where('invitation_origin_id', '=', id)
        .where('accepted_at', 'is', null)
        .execute();
      const to = await this.delegateEmail(trx, row);
      if (to) {
        await queueEmail(
          trx,
          notYetAccepted(row)
            ? { to, kind: 'invitation_cancelled', ...emails.invitationCancelledEmail({ delegator: actor }) }
            : {
                to,
                kind: 'delegation_deleted',
                ...emails.deletedEmail({ delegator: actor, link: this.link('/delegations-recues') }),
              },
        );
      }
    });
  }

  /**
   * « Renoncer »: the delegate gives the delegation up. Final at once (status « Renoncée » on both
   * sides), journaled as the delegate's act, the doctor told. Takes the doctor's lock first, like
   * every change of the doctor's own: a renunciation racing a modification is one or the other
   * first, never both half-applied.
   */
  async renounce(actor: SignedInUser, id: string): Promise<void> {
    if (!UUID.test(id)) throw delegationNotFound();
    const found = await this.deps.db
      .selectFrom('delegations')
      .select(['delegator_id', 'delegate_national_id'])
      .where('id', '=', id)
      .executeTakeFirst();
    if (!found || found.delegate_national_id !== actor.subjectNameId) throw delegationNotFound();
    await this.transaction(async (trx) => {
      await this.lockDelegator(trx, found.delegator_id);
      const row = await selectDelegation(trx, id);
      if (!row || row.delegate_national_id !== actor.subjectNameId || row.deleted_at) {
        throw delegationNotFound();
      }
      const now = this.deps.clock.now();
      const next = applyChange(stateOf(row), { type: 'renounce' }, now);
      await trx
        .updateTable('delegations')
        .set({ renounced_at: now, version: next.version, updated_at: now })
        .where('id', '=', id)
        .execute();
      await this.journal(trx, actor.id, row, 'delegation.renounced');
      const doctor = await trx
        .selectFrom('users')
        .select(['id', 'email'])
        .where('id', '=', row.delegator_id)
        .executeTakeFirst();
      if (doctor?.email && (await wants(trx, doctor.id, 'delegation_renounced'))) {
        await queueEmail(trx, {
          to: doctor.email,
          kind: 'delegation_renounced',
          ...renouncedEmail({
            delegateName: fullName(actor.givenName, actor.familyName),
            link: this.link('/delegations'),
          }),
        });
      }
    });
  }

  /**
   * « Réactiver »: the doctor lifts a suspension for lack of use. The unused clock starts again
   * from now (rules.ts unusedSince); journaled; the delegate told (a security notice).
   */
  async reactivate(actor: SignedInUser, id: string): Promise<void> {
    requireDoctor(actor);
    await this.transaction(async (trx) => {
      await this.lockDelegator(trx, actor.id);
      const row = await this.ownDelegation(trx, actor, id);
      const now = this.deps.clock.now();
      const next = applyChange(stateOf(row), { type: 'reactivate' }, now);
      await trx
        .updateTable('delegations')
        .set({
          suspended_at: null,
          suspended_unused_since: null,
          reactivated_at: now,
          version: next.version,
          updated_at: now,
        })
        .where('id', '=', id)
        .execute();
      await this.journal(trx, actor.id, row, 'delegation.reactivated');
      const to = await this.delegateEmail(trx, row);
      if (to) {
        await queueEmail(trx, {
          to,
          kind: 'delegation_reactivated',
          ...reactivatedEmail({
            doctorName: `Dr ${fullName(actor.givenName, actor.familyName)}`,
            link: this.link('/delegations-recues'),
          }),
        });
      }
    });
  }

  async resendInvitation(actor: SignedInUser, id: string): Promise<void> {
    requireDoctor(actor);
    await this.transaction(async (trx) => {
      await this.lockDelegator(trx, actor.id);
      const row = await this.ownDelegation(trx, actor, id);
      const now = this.deps.clock.now();
      const status = statusOf(stateOf(row), now);
      if (row.kind !== 'staff' || (status !== 'pending' && status !== 'invitation_expired')) {
        throw new DomainError(
          'delegation_resend_not_allowed',
          'L’invitation ne peut être renvoyée que pour une délégation en attente de finalisation.',
          409,
        );
      }
      await this.sendInvitation(trx, actor, row, now);
      await this.journal(trx, actor.id, row, 'invitation.resent');
    });
  }

  async listGiven(actor: SignedInUser) {
    requireDoctor(actor);
    const now = this.deps.clock.now();
    const rows = await this.deps.db
      .selectFrom('delegations')
      .selectAll()
      .where('delegator_id', '=', actor.id)
      .where('deleted_at', 'is', null)
      .orderBy('created_at')
      .execute();
    // Names alone bind an invitation: show which card accepted, and flag another card holder
    // with the same names (a namesake) so that the doctor checks the identifier.
    const nationalIds = rows.flatMap((r) => (r.delegate_national_id ? [r.delegate_national_id] : []));
    const familyNames = [...new Set(rows.map((r) => r.delegate_family_name.toLowerCase()))];
    const people =
      familyNames.length === 0
        ? []
        : await this.deps.db
            .selectFrom('users')
            .select([
              'id',
              'subject_name_id',
              'family_name',
              'given_name',
              'card_type',
              'last_signin_method',
              'last_signin_at',
              'password_hash',
            ])
            .where((eb) =>
              eb.or([
                ...(nationalIds.length ? [eb('subject_name_id', 'in', nationalIds)] : []),
                eb(sql`lower(family_name)`, 'in', familyNames),
              ]),
            )
            .execute();
    const uses = await delegationUses(
      this.deps.db,
      actor.id,
      rows.map((r) => r.id),
      new Date(now.getTime() - UNUSED_DAYS * 24 * 3600 * 1000),
    );
    return rows.map((row) => {
      const shown = presentDelegation(row, now);
      const lastUsedAt = uses.get(row.id)?.lastUsedAt ?? null;
      const unused = unusedSince(stateOf(row), lastUsedAt, now);
      const card = people.find((p) => p.subject_name_id === row.delegate_national_id);
      const namesake =
        row.delegate_national_id !== null &&
        people.some(
          (p) =>
            p.subject_name_id !== row.delegate_national_id &&
            sameIdentity(
              { familyName: p.family_name, givenName: p.given_name },
              { familyName: row.delegate_family_name, givenName: row.delegate_given_name },
            ),
        );
      return {
        ...shown,
        delegate: {
          ...shown.delegate,
          cardType: card?.card_type ?? null,
          namesake,
          userId: card?.id ?? null,
          // How the delegate signs in and when they last did (PGSSI-S: the doctor sees it).
          lastSignIn: card?.last_signin_at
            ? { method: card.last_signin_method, at: card.last_signin_at.toISOString() }
            : null,
          hasPassword: card ? card.password_hash !== null : false,
        },
        lastUsedAt: lastUsedAt?.toISOString() ?? null,
        unusedSince: unused?.toISOString() ?? null,
      };
    });
  }

  async listReceived(actor: SignedInUser) {
    const now = this.deps.clock.now();
    const rows = await this.deps.db
      .selectFrom('delegations as d')
      .innerJoin('users as u', 'u.id', 'd.delegator_id')
      .selectAll('d')
      .select([
        'u.family_name as delegatorFamilyName',
        'u.given_name as delegatorGivenName',
        'u.specialty_label as delegatorSpecialty',
      ])
      .where('d.delegate_national_id', '=', actor.subjectNameId)
      .where('d.deleted_at', 'is', null)
      .orderBy('d.starts_on')
      .execute();
    return rows.map((row) => ({
      ...presentDelegation(row, now),
      delegator: {
        id: row.delegator_id,
        familyName: row.delegatorFamilyName,
        givenName: row.delegatorGivenName,
        specialty: row.delegatorSpecialty,
      },
    }));
  }

  /** What the invitation landing page shows; never more than the link's holder already knows. */
  async describeInvitation(token: string) {
    const invitation = await this.findInvitation(this.deps.db, token);
    return { invitation, problem: invitationProblem(invitation, this.deps.clock.now()) };
  }

  private async findInvitation(db: Db | Transaction<Database>, token: string) {
    if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return undefined;
    return db
      .selectFrom('invitations as i')
      .innerJoin('delegations as d', 'd.id', 'i.delegation_id')
      .innerJoin('users as u', 'u.id', 'd.delegator_id')
      .select([
        'i.id as invitationId',
        'i.expires_at',
        'i.used_at',
        'i.revoked_at',
        'd.id as delegationId',
        'd.delegator_id',
        'd.delegate_family_name',
        'd.delegate_given_name',
        'd.rights',
        'd.starts_on',
        'd.ends_on',
        'd.deleted_at',
        'd.accepted_at',
        'd.delegate_email',
        'd.delegate_profession',
        'u.family_name as delegatorFamilyName',
        'u.given_name as delegatorGivenName',
        'u.email as delegatorEmail',
      ])
      .where('i.token_hash', '=', hashToken(token))
      .executeTakeFirst();
  }

  /**
   * Finalisation by the signed-in staff member. Concurrent calls serialise on the doctor's lock
   * then the invitation row: exactly one accepts. An identity mismatch is refused, journaled, and leaves the link
   * usable by the right person.
   */
  private async notifyAccepted(
    trx: Transaction<Database>,
    user: SignedInUser,
    delegatorId: string,
    delegatorEmail: string | null,
    d: { starts_on: string; ends_on: string | null },
  ) {
    if (!delegatorEmail || !(await wants(trx, delegatorId, 'delegation_finalised'))) return;
    await queueEmail(trx, {
      to: delegatorEmail,
      kind: 'delegation_accepted',
      ...emails.acceptedEmail({
        delegateName: fullName(user.givenName, user.familyName),
        cardType: user.cardType,
        nationalId: user.subjectNameId,
        startsOn: d.starts_on,
        endsOn: d.ends_on,
        link: this.link('/delegations'),
      }),
    });
  }

  /**
   * The colleagues' delegations joined to a finalised invitation (cabinets), finalised with it:
   * the identity was checked against the same invited names. Each doctor's lock is taken in id
   * order after the first doctor's; a delegation that ended, was deleted meanwhile, or would be a
   * second one for this person is left as it is.
   */
  private async acceptJoined(
    trx: Transaction<Database>,
    user: SignedInUser,
    originId: string,
    now: Date,
  ): Promise<string[]> {
    const candidates = await trx
      .selectFrom('delegations')
      .select(['id', 'delegator_id'])
      .where('invitation_origin_id', '=', originId)
      .where('accepted_at', 'is', null)
      .where('deleted_at', 'is', null)
      .orderBy('delegator_id')
      .execute();
    const accepted: string[] = [];
    for (const c of candidates) {
      if (c.delegator_id === user.id) continue;
      await this.lockDelegator(trx, c.delegator_id);
      const row = await selectDelegation(trx, c.id);
      if (!row || row.accepted_at || row.deleted_at || row.invitation_origin_id !== originId) continue;
      if (row.ends_on && row.ends_on < todayInParis(now)) continue;
      if (!sameIdentity({ familyName: row.delegate_family_name, givenName: row.delegate_given_name }, user))
        continue;
      try {
        await this.assertNoOtherDelegation(
          trx,
          row.delegator_id,
          { nationalId: user.subjectNameId },
          now,
          row.id,
        );
      } catch {
        continue;
      }
      await trx
        .updateTable('delegations')
        .set({ accepted_at: now, delegate_national_id: user.subjectNameId, updated_at: now })
        .where('id', '=', row.id)
        .execute();
      await this.journal(trx, user.id, row, 'invitation.accepted', { with: originId });
      const doctor = await trx
        .selectFrom('users')
        .select('email')
        .where('id', '=', row.delegator_id)
        .executeTakeFirst();
      await this.notifyAccepted(trx, user, row.delegator_id, doctor?.email ?? null, row);
      accepted.push(row.id);
    }
    return accepted;
  }

  /** The colleagues whose delegations are joined to this pending invitation (its landing page). */
  async joinedTo(originId: string) {
    const rows = await this.deps.db
      .selectFrom('delegations as d')
      .innerJoin('users as u', 'u.id', 'd.delegator_id')
      .select(['u.family_name', 'u.given_name', 'd.rights', 'd.starts_on', 'd.ends_on'])
      .where('d.invitation_origin_id', '=', originId)
      .where('d.accepted_at', 'is', null)
      .where('d.deleted_at', 'is', null)
      .orderBy('u.family_name')
      .execute();
    return rows.map((r) => ({
      delegator: { familyName: r.family_name, givenName: r.given_name },
      rights: normalizeRights('staff', r.rights),
      startsOn: r.starts_on,
      endsOn: r.ends_on,
    }));
  }

  async acceptInvitation(
    user: SignedInUser,
    token: string,
  ): Promise<{ delegationId: string; joined: string[] }> {
    const now = this.deps.clock.now();
    const outcome = await this.transaction(async (trx) => {
      // Who the invitation is from, read without locking; then the locks in the common order
      // (doctor, delegation row, invitation row) and the facts read again under them.
      const found = await this.findInvitation(trx, token);
      if (!found) return { error: invitationErrors.invalid() };
      await this.lockDelegator(trx, found.delegator_id);
      await selectDelegation(trx, found.delegationId);
      await trx
        .selectFrom('invitations')
        .select('id')
        .where('id', '=', found.invitationId)
        .forUpdate()
        .execute();
      const inv = await this.findInvitation(trx, token);
      const problem = invitationProblem(inv, now);
      if (problem || !inv) return { error: problem ?? invitationErrors.invalid() };
      const row = { id: inv.delegationId, delegator_id: inv.delegator_id };
      if (inv.delegator_id === user.id) return { error: selfDelegation() };
      const invited = { familyName: inv.delegate_family_name, givenName: inv.delegate_given_name };
      if (!sameIdentity(invited, user)) {
        await this.journal(trx, user.id, row, 'invitation.refused_identity', {});
        return {
          error: new DomainError(
            'invitation_identity_mismatch',
            'Cette invitation ne vous est pas destinée : l’identité de votre carte ne correspond pas à la personne invitée. ' +
              'Demandez au médecin de vérifier le nom et le prénom saisis, ou de vous envoyer une nouvelle invitation.',
            403,
          ),
        };
      }
      try {
        await this.assertNoOtherDelegation(
          trx,
          inv.delegator_id,
          { nationalId: user.subjectNameId },
          now,
          inv.delegationId,
        );
      } catch (err) {
        return { error: err as DomainError };
      }
      await trx.updateTable('invitations').set({ used_at: now }).where('id', '=', inv.invitationId).execute();
      await trx
        .updateTable('delegations')
        .set({ accepted_at: now, delegate_national_id: user.subjectNameId, updated_at: now })
        .where('id', '=', inv.delegationId)
        .execute();
      await this.journal(trx, user.id, row, 'invitation.accepted');
      await this.notifyAccepted(trx, user, inv.delegator_id, inv.delegatorEmail, inv);
      const joined = await this.acceptJoined(trx, user, inv.delegationId, now);
      return { delegationId: inv.delegationId, joined };
    });
    // The refusal's journal entry is committed; the error is answered after.
    if ('error' in outcome) throw outcome.error;
    return outcome;
  }
}

export const invitationErrors = {
  invalid: () => new DomainError('invitation_invalid', 'Ce lien d’invitation n’est pas valide.', 404),
  used: () => new DomainError('invitation_used', 'Cette invitation a déjà été utilisée.', 410),
  replaced: () =>
    new DomainError(
      'invitation_replaced',
      'Ce lien a été remplacé par une invitation plus récente : utilisez le dernier courriel reçu.',
      410,
    ),
  expired: () =>
    new DomainError(
      'invitation_expired',
      'Cette invitation a expiré. Demandez au médecin de vous la renvoyer.',
      410,
    ),
  deleted: () =>
    new DomainError('invitation_deleted', 'Cette délégation a été supprimée par le médecin.', 410),
};

export function invitationProblem(
  inv:
    | {
        used_at: Date | null;
        revoked_at: Date | null;
        expires_at: Date;
        deleted_at: Date | null;
        ends_on: string | null;
      }
    | undefined,
  now: Date,
): DomainError | undefined {
  if (!inv) return invitationErrors.invalid();
  if (inv.used_at) return invitationErrors.used();
  if (inv.deleted_at) return invitationErrors.deleted();
  if (inv.revoked_at) return invitationErrors.replaced();
  if (inv.expires_at.getTime() <= now.getTime()) return invitationErrors.expired();
  if (inv.ends_on && inv.ends_on < todayInParis(now)) return invitationErrors.expired();
  return undefined;
}

/** A delegation as the API shows it: facts, derived status and what the doctor may do. */
export function presentDelegation(row: Selectable<DelegationsTable>, now: Date) {
  const state = stateOf(row);
  const status = statusOf(state, now);
  return {
    id: row.id,
    kind: row.kind,
    delegate: {
      familyName: row.delegate_family_name,
      givenName: row.delegate_given_name,
      email: row.delegate_email,
      profession: row.delegate_profession,
      places: row.delegate_places,
      nationalId: row.delegate_national_id,
    },
    rights: state.rights,
    pscRequired: row.psc_required,
    startsOn: row.starts_on,
    endsOn: row.ends_on,
    status,
    actions: allowedActions(row.kind, status),
    invitationExpiresAt: row.invitation_expires_at?.toISOString() ?? null,
    acceptedAt: row.accepted_at?.toISOString() ?? null,
    suspendedUnusedSince: status === 'suspended' ? (row.suspended_unused_since?.toISOString() ?? null) : null,
    version: row.version,
  };
}
