// The cabinet use cases. Each one is one transaction: it locks what it changes, decides with the
// pure rules (rules.ts, and the delegations' rules through DelegationService), writes the change,
// its journal entries (each in the journal of the one doctor concerned) and its emails together.
import type { Transaction } from 'kysely';
import type { z } from 'zod';
import type {
  answerProposalInput,
  createCabinetInput,
  sharedStaffDelegationInput,
  templateInput,
} from '../../shared/cabinets.js';
import { normalizeRights } from '../../shared/rights.js';
import type { Database, Db } from '../context.js';
import { type DelegationService, inTransaction, requireDoctor } from '../delegations/index.js';
import { appendEvent, type JournalAction } from '../journal/index.js';
import { queueEmail } from '../mail/index.js';
import type { Clock } from '../platform/clock.js';
import { DomainError, notFound } from '../platform/errors.js';
import type { SignedInUser } from '../platform/signed-in-user.js';
import * as emails from './emails.js';
import {
  checkColleagues,
  DEFAULT_TEMPLATES,
  invalid,
  notMember,
  validateFiness,
  validateSiret,
} from './rules.js';

export interface DirectoryColleague {
  nationalId: string;
  familyName: string;
  givenName: string;
  isDoctor: boolean;
}

export interface CabinetDeps {
  db: Db;
  clock: Clock;
  publicUrl: string;
  delegations: DelegationService;
  findByRpps(rpps: string): Promise<DirectoryColleague | undefined>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const proposalNotFound = () =>
  notFound('Cette proposition n’existe pas, ne vous est pas adressée ou a déjà reçu une réponse.');
const invitationNotFound = () =>
  notFound('Cette invitation au cabinet n’existe pas, ne vous est pas adressée ou a déjà reçu une réponse.');

export class CabinetService {
  constructor(private readonly deps: CabinetDeps) {}

  private transaction<T>(work: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
    return inTransaction(this.deps.db, work);
  }

  private link(path: string) {
    return `${this.deps.publicUrl}${path}`;
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

  /** The cabinet, locked, if the actor is a current member; 404 otherwise (no existence leak). */
  private async memberCabinet(trx: Transaction<Database>, actor: SignedInUser, cabinetId: string) {
    if (!UUID.test(cabinetId)) throw notMember();
    const cabinet = await trx
      .selectFrom('cabinets')
      .selectAll()
      .where('id', '=', cabinetId)
      .forUpdate()
      .executeTakeFirst();
    if (!cabinet) throw notMember();
    const member = await this.currentMember(trx, cabinetId, actor.id);
    if (!member) throw notMember();
    return cabinet;
  }

  private currentMember(db: Db | Transaction<Database>, cabinetId: string, userId: string) {
    return db
      .selectFrom('cabinet_members')
      .select('id')
      .where('cabinet_id', '=', cabinetId)
      .where('user_id', '=', userId)
      .where('left_at', 'is', null)
      .executeTakeFirst();
  }

  async create(actor: SignedInUser, input: z.output<typeof createCabinetInput>): Promise<{ id: string }> {
    requireDoctor(actor);
    const finess = validateFiness(input.finess);
    const siret = validateSiret(input.siret);
    const now = this.deps.clock.now();
    return this.transaction(async (trx) => {
      const cabinet = await trx
        .insertInto('cabinets')
        .values({
          name: input.name,
          address: input.address,
          finess,
          siret,
          created_by: actor.id,
          created_at: now,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await trx
        .insertInto('cabinet_members')
        .values({ cabinet_id: cabinet.id, user_id: actor.id, joined_at: now })
        .execute();
      await trx
        .insertInto('rights_templates')
        .values(
          DEFAULT_TEMPLATES.map((t) => ({
            cabinet_id: cabinet.id,
            name: t.name,
            rights: t.rights,
            created_by: actor.id,
            created_at: now,
          })),
        )
        .execute();
      await this.journal(trx, actor.id, actor.id, 'cabinet.created', {
        cabinetId: cabinet.id,
        name: input.name,
      });
      return { id: cabinet.id };
    });
  }

  /** « Mon cabinet »: the actor's cabinets, their members, pending invitations and templates. */
  async listMine(actor: SignedInUser) {
    requireDoctor(actor);
    const cabinets = await this.deps.db
      .selectFrom('cabinets as c')
      .innerJoin('cabinet_members as m', 'm.cabinet_id', 'c.id')
      .selectAll('c')
      .where('m.user_id', '=', actor.id)
      .where('m.left_at', 'is', null)
      .orderBy('c.name')
      .execute();
    if (cabinets.length === 0) return [];
    const ids = cabinets.map((c) => c.id);
    const [members, invitations, templates] = await Promise.all([
      this.deps.db
        .selectFrom('cabinet_members as m')
        .innerJoin('users as u', 'u.id', 'm.user_id')
        .select(['m.cabinet_id', 'u.id', 'u.family_name', 'u.given_name', 'u.specialty_label', 'm.joined_at'])
        .where('m.cabinet_id', 'in', ids)
        .where('m.left_at', 'is', null)
        .orderBy('u.family_name')
        .execute(),
      this.deps.db
        .selectFrom('cabinet_invitations')
        .selectAll()
        .where('cabinet_id', 'in', ids)
        .where('answered_at', 'is', null)
        .orderBy('created_at')
        .execute(),
      this.deps.db
        .selectFrom('rights_templates')
        .select(['id', 'cabinet_id', 'name', 'rights'])
        .where('cabinet_id', 'in', ids)
        .where('deleted_at', 'is', null)
        .orderBy('created_at')
        .execute(),
    ]);
    return cabinets.map((c) => ({
      id: c.id,
      name: c.name,
      address: c.address,
      finess: c.finess,
      siret: c.siret,
      members: members
        .filter((m) => m.cabinet_id === c.id)
        .map((m) => ({
          id: m.id,
          familyName: m.family_name,
          givenName: m.given_name,
          specialty: m.specialty_label,
          joinedAt: m.joined_at.toISOString(),
          isMe: m.id === actor.id,
        })),
      invitations: invitations
        .filter((i) => i.cabinet_id === c.id)
        .map((i) => ({
          id: i.id,
          familyName: i.invited_family_name,
          givenName: i.invited_given_name,
          sentAt: i.created_at.toISOString(),
        })),
      templates: templates
        .filter((t) => t.cabinet_id === c.id)
        .map((t) => ({ id: t.id, name: t.name, rights: normalizeRights('staff', t.rights) })),
    }));
  }

  async invite(actor: SignedInUser, cabinetId: string, input: { rpps: string }): Promise<{ id: string }> {
    requireDoctor(actor);
    if (!UUID.test(cabinetId) || !(await this.currentMember(this.deps.db, cabinetId, actor.id)))
      throw notMember();
    const person = await this.deps.findByRpps(input.rpps);
    if (!person) {
      throw invalid(
        'colleague_unknown',
        'rpps',
        'Ce numéro RPPS ne correspond à aucun professionnel de l’annuaire national.',
      );
    }
    if (!person.isDoctor)
      throw invalid(
        'colleague_not_doctor',
        'rpps',
        'Seuls des médecins peuvent être invités dans un cabinet.',
      );
    if (person.nationalId === actor.subjectNameId) {
      throw invalid('colleague_self', 'rpps', 'Vous êtes déjà membre de ce cabinet.');
    }
    const now = this.deps.clock.now();
    return this.transaction(async (trx) => {
      const cabinet = await this.memberCabinet(trx, actor, cabinetId);
      const account = await trx
        .selectFrom('users')
        .select(['id', 'email'])
        .where('subject_name_id', '=', person.nationalId)
        .executeTakeFirst();
      if (account && (await this.currentMember(trx, cabinetId, account.id))) {
        throw new DomainError('colleague_already_member', 'Ce médecin est déjà membre du cabinet.', 409);
      }
      const open = await trx
        .selectFrom('cabinet_invitations')
        .select('id')
        .where('cabinet_id', '=', cabinetId)
        .where('invited_national_id', '=', person.nationalId)
        .where('answered_at', 'is', null)
        .executeTakeFirst();
      if (open)
        throw new DomainError(
          'colleague_already_invited',
          'Ce médecin a déjà été invité dans le cabinet.',
          409,
        );
      const row = await trx
        .insertInto('cabinet_invitations')
        .values({
          cabinet_id: cabinetId,
          invited_national_id: person.nationalId,
          invited_family_name: person.familyName,
          invited_given_name: person.givenName,
          invited_by: actor.id,
          created_at: now,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await this.journal(trx, actor.id, actor.id, 'cabinet.invited', {
        cabinetId,
        invitedNationalId: person.nationalId,
      });
      if (account?.email) {
        await queueEmail(trx, {
          to: account.email,
          kind: 'cabinet_invitation',
          ...emails.cabinetInvitationEmail({
            inviter: actor,
            cabinet: { name: cabinet.name, address: cabinet.address },
            link: this.link('/mon-cabinet'),
          }),
        });
      }
      return { id: row.id };
    });
  }

  /** The invitations to a cabinet waiting for this doctor's answer (the banner). */
  async myInvitations(actor: SignedInUser) {
    if (!actor.isDoctor) return [];
    const rows = await this.deps.db
      .selectFrom('cabinet_invitations as i')
      .innerJoin('cabinets as c', 'c.id', 'i.cabinet_id')
      .innerJoin('users as u', 'u.id', 'i.invited_by')
      .select([
        'i.id',
        'i.created_at',
        'c.id as cabinetId',
        'c.name',
        'c.address',
        'u.family_name',
        'u.given_name',
      ])
      .where('i.invited_national_id', '=', actor.subjectNameId)
      .where('i.answered_at', 'is', null)
      .orderBy('i.created_at')
      .execute();
    return rows.map((r) => ({
      id: r.id,
      cabinet: { id: r.cabinetId, name: r.name, address: r.address },
      invitedBy: { familyName: r.family_name, givenName: r.given_name },
      sentAt: r.created_at.toISOString(),
    }));
  }

  async answerInvitation(actor: SignedInUser, invitationId: string, accept: boolean): Promise<void> {
    requireDoctor(actor);
    if (!UUID.test(invitationId)) throw invitationNotFound();
    const now = this.deps.clock.now();
    await this.transaction(async (trx) => {
      const inv = await trx
        .selectFrom('cabinet_invitations')
        .selectAll()
        .where('id', '=', invitationId)
        .forUpdate()
        .executeTakeFirst();
      if (!inv || inv.invited_national_id !== actor.subjectNameId || inv.answered_at)
        throw invitationNotFound();
      await trx
        .updateTable('cabinet_invitations')
        .set({ answered_at: now, outcome: accept ? 'accepted' : 'declined' })
        .where('id', '=', invitationId)
        .execute();
      if (accept && !(await this.currentMember(trx, inv.cabinet_id, actor.id))) {
        await trx
          .insertInto('cabinet_members')
          .values({ cabinet_id: inv.cabinet_id, user_id: actor.id, joined_at: now })
          .execute();
      }
      await this.journal(trx, actor.id, actor.id, accept ? 'cabinet.joined' : 'cabinet.declined', {
        cabinetId: inv.cabinet_id,
      });
    });
  }

  /**
   * Leaving a cabinet: the delegations already accepted stay (each doctor's own decision, each
   * deletable from « Mes délégations »); no proposal can be made to or by the leaver in this
   * cabinet any more, and the proposals still waiting for his or her answer there are withdrawn.
   */
  async leave(actor: SignedInUser, cabinetId: string): Promise<void> {
    requireDoctor(actor);
    const now = this.deps.clock.now();
    await this.transaction(async (trx) => {
      await this.memberCabinet(trx, actor, cabinetId);
      await trx
        .updateTable('cabinet_members')
        .set({ left_at: now })
        .where('cabinet_id', '=', cabinetId)
        .where('user_id', '=', actor.id)
        .where('left_at', 'is', null)
        .execute();
      const withdrawn = await trx
        .updateTable('delegation_proposals')
        .set({ answered_at: now, outcome: 'withdrawn' })
        .where('cabinet_id', '=', cabinetId)
        .where('colleague_id', '=', actor.id)
        .where('answered_at', 'is', null)
        .returning('id')
        .execute();
      await this.journal(trx, actor.id, actor.id, 'cabinet.left', {
        cabinetId,
        proposalsWithdrawn: withdrawn.length,
      });
    });
  }

  async createTemplate(
    actor: SignedInUser,
    cabinetId: string,
    input: z.output<typeof templateInput>,
  ): Promise<{ id: string }> {
    requireDoctor(actor);
    const rights = normalizeRights('staff', input.rights);
    const now = this.deps.clock.now();
    return this.transaction(async (trx) => {
      await this.memberCabinet(trx, actor, cabinetId);
      const row = await trx
        .insertInto('rights_templates')
        .values({ cabinet_id: cabinetId, name: input.name, rights, created_by: actor.id, created_at: now })
        .returning('id')
        .executeTakeFirstOrThrow();
      await this.journal(trx, actor.id, actor.id, 'cabinet.template_created', {
        cabinetId,
        templateId: row.id,
        name: input.name,
        rights,
      });
      return row;
    });
  }

  async deleteTemplate(actor: SignedInUser, templateId: string): Promise<void> {
    requireDoctor(actor);
    const gone = () => notFound('Ce modèle de droits n’existe pas ou a déjà été supprimé.');
    if (!UUID.test(templateId)) throw gone();
    const now = this.deps.clock.now();
    await this.transaction(async (trx) => {
      const template = await trx
        .selectFrom('rights_templates')
        .selectAll()
        .where('id', '=', templateId)
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
      if (!template) throw gone();
      await this.memberCabinet(trx, actor, template.cabinet_id);
      await trx
        .updateTable('rights_templates')
        .set({ deleted_at: now })
        .where('id', '=', templateId)
        .execute();
      await this.journal(trx, actor.id, actor.id, 'cabinet.template_deleted', {
        cabinetId: template.cabinet_id,
        templateId,
      });
    });
  }

  /**
   * « Proposer la même délégation aux médecins de mon cabinet »: the proposer's own staff
   * delegation, and one proposal per chosen colleague, in one transaction. A proposal grants
   * nothing: each colleague decides (acceptProposal).
   */
  async createSharedStaff(
    actor: SignedInUser,
    input: z.output<typeof sharedStaffDelegationInput>,
  ): Promise<{ id: string; proposals: string[] }> {
    requireDoctor(actor);
    const { cabinetId, colleagueIds, ...staff } = input;
    const now = this.deps.clock.now();
    return this.transaction(async (trx) => {
      const cabinet = await this.memberCabinet(trx, actor, cabinetId);
      const members = await trx
        .selectFrom('cabinet_members as m')
        .innerJoin('users as u', 'u.id', 'm.user_id')
        .select(['u.id', 'u.email'])
        .where('m.cabinet_id', '=', cabinetId)
        .where('m.left_at', 'is', null)
        .execute();
      const chosen = checkColleagues(
        actor.id,
        colleagueIds,
        members.map((m) => m.id),
      );
      const delegation = await this.deps.delegations.createStaffIn(trx, actor, staff);
      const proposals = await trx
        .insertInto('delegation_proposals')
        .values(
          chosen.map((colleagueId) => ({
            cabinet_id: cabinetId,
            origin_delegation_id: delegation.id,
            proposer_id: actor.id,
            colleague_id: colleagueId,
            rights: delegation.rights,
            starts_on: delegation.starts_on,
            ends_on: delegation.ends_on,
            created_at: now,
          })),
        )
        .returning(['id', 'colleague_id'])
        .execute();
      await this.journal(
        trx,
        actor.id,
        actor.id,
        'proposal.sent',
        { cabinetId, colleagues: chosen },
        delegation.id,
      );
      for (const p of proposals) {
        const to = members.find((m) => m.id === p.colleague_id)?.email;
        if (!to) continue;
        await queueEmail(trx, {
          to,
          kind: 'delegation_proposal',
          ...emails.proposalEmail({
            proposer: actor,
            cabinet: cabinet.name,
            delegate: {
              familyName: delegation.delegate_family_name,
              givenName: delegation.delegate_given_name,
            },
            rights: delegation.rights,
            startsOn: delegation.starts_on,
            endsOn: delegation.ends_on,
            link: this.link('/delegations'),
          }),
        });
      }
      await this.deps.delegations.sendStaffInvitation(trx, actor, delegation);
      return { id: delegation.id, proposals: proposals.map((p) => p.id) };
    });
  }

  /** The proposals waiting for this doctor's answer (« Proposée par Dr … » in « Mes délégations »). */
  async proposalsForMe(actor: SignedInUser) {
    if (!actor.isDoctor) return [];
    const rows = await this.deps.db
      .selectFrom('delegation_proposals as p')
      .innerJoin('cabinets as c', 'c.id', 'p.cabinet_id')
      .innerJoin('users as u', 'u.id', 'p.proposer_id')
      .innerJoin('delegations as d', 'd.id', 'p.origin_delegation_id')
      .select([
        'p.id',
        'p.rights',
        'p.starts_on',
        'p.ends_on',
        'p.created_at',
        'c.id as cabinetId',
        'c.name as cabinetName',
        'u.family_name',
        'u.given_name',
        'd.delegate_family_name',
        'd.delegate_given_name',
        'd.delegate_profession',
        'd.delegate_email',
      ])
      .where('p.colleague_id', '=', actor.id)
      .where('p.answered_at', 'is', null)
      .orderBy('p.created_at')
      .execute();
    return rows.map((r) => ({
      id: r.id,
      cabinet: { id: r.cabinetId, name: r.cabinetName },
      proposer: { familyName: r.family_name, givenName: r.given_name },
      delegate: {
        familyName: r.delegate_family_name,
        givenName: r.delegate_given_name,
        profession: r.delegate_profession,
        email: r.delegate_email,
      },
      rights: normalizeRights('staff', r.rights),
      startsOn: r.starts_on,
      endsOn: r.ends_on,
      sentAt: r.created_at.toISOString(),
    }));
  }

  private async openProposal(trx: Transaction<Database>, actor: SignedInUser, proposalId: string) {
    if (!UUID.test(proposalId)) throw proposalNotFound();
    const proposal = await trx
      .selectFrom('delegation_proposals')
      .selectAll()
      .where('id', '=', proposalId)
      .forUpdate()
      .executeTakeFirst();
    if (!proposal || proposal.colleague_id !== actor.id || proposal.answered_at) throw proposalNotFound();
    return proposal;
  }

  /**
   * The colleague's consent, with the rights and period he or she chooses: only now does a
   * delegation on his or her dossiers exist (DelegationService.createForColleague decides how it
   * joins the staff member's invitation).
   */
  async acceptProposal(
    actor: SignedInUser,
    proposalId: string,
    input: z.output<typeof answerProposalInput>,
  ): Promise<{ delegationId: string; joined: 'identified' | 'pending_invitation' | 'own_invitation' }> {
    requireDoctor(actor);
    const now = this.deps.clock.now();
    if (input.endsOn === '') {
      throw invalid(
        'period_end_required',
        'endsOn',
        'Indiquez une date de fin, ou cochez « Sans date de fin ».',
      );
    }
    return this.transaction(async (trx) => {
      const proposal = await this.openProposal(trx, actor, proposalId);
      const created = await this.deps.delegations.createForColleague(
        trx,
        actor,
        proposal.origin_delegation_id,
        {
          rights: input.rights,
          startsOn: input.startsOn,
          endsOn: input.endsOn,
        },
      );
      await trx
        .updateTable('delegation_proposals')
        .set({ answered_at: now, outcome: 'accepted', delegation_id: created.id })
        .where('id', '=', proposalId)
        .execute();
      await this.journal(
        trx,
        actor.id,
        actor.id,
        'proposal.accepted',
        { proposalId, cabinetId: proposal.cabinet_id, proposerId: proposal.proposer_id },
        created.id,
      );
      return { delegationId: created.id, joined: created.joined };
    });
  }

  async refuseProposal(actor: SignedInUser, proposalId: string): Promise<void> {
    requireDoctor(actor);
    const now = this.deps.clock.now();
    await this.transaction(async (trx) => {
      const proposal = await this.openProposal(trx, actor, proposalId);
      await trx
        .updateTable('delegation_proposals')
        .set({ answered_at: now, outcome: 'refused' })
        .where('id', '=', proposalId)
        .execute();
      await this.journal(trx, actor.id, actor.id, 'proposal.refused', {
        proposalId,
        cabinetId: proposal.cabinet_id,
        proposerId: proposal.proposer_id,
      });
    });
  }
}
