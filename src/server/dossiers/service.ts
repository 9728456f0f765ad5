// Dossier use cases. Every one goes through access.authorize (the one decision) before it
// reads or writes; nothing else here checks rights. Input shapes are validated at the HTTP edge
// (the zod schemas of src/shared/dossiers.ts).
import { type RawBuilder, type Selectable, sql, type Updateable } from 'kysely';
import type {
  AcrossDoctors,
  Administrative,
  DossierStatus,
  Medical,
  Patient,
} from '../../shared/dossiers.js';
import { personName } from '../../shared/names.js';
import {
  type AuthorizeDeps,
  type Authorized,
  authorize,
  delegationsForAsJson,
  dossierNotFound,
  isUuid,
  recordWrite,
} from '../access/index.js';
import type { Db } from '../context.js';
import {
  type DelegationFactsRow,
  type DelegationGrant,
  grantOf,
  receivedDelegations,
  statusOf,
} from '../delegations/facts.js';
import type { Clock } from '../platform/clock.js';
import { DomainError } from '../platform/errors.js';
import { parseDate, todayInParis } from '../platform/paris-time.js';
import type { SignedInUser } from '../platform/signed-in-user.js';
import { changedKeys, changedPatient } from './changes.js';
import type { DossierRequestsTable, DossiersTable } from './tables.js';

/** Derived: sent once a request is under way; complete once the essentials are filled in. */
/** Complete enough to send: an address, pathologies and a GIR. */
export function isComplete(d: { administrative: Administrative; medical: Medical }): boolean {
  return Boolean(d.administrative.address && d.medical.pathologies && d.medical.gir);
}

/**
 * isComplete() in SQL, for the lists: they read three fields of the dossier `d`, not its whole
 * administrative and medical parts (neither shown nor needed there). Tested to agree.
 */
export const completeInSql = sql<boolean>`(${truthy(sql`d.administrative->'address'`)}
  and ${truthy(sql`d.medical->'pathologies'`)} and ${truthy(sql`d.medical->'gir'`)})`;

/** Boolean(value) of JavaScript, for a jsonb value (absent: false). */
function truthy(value: RawBuilder<unknown>) {
  return sql<boolean>`coalesce(case jsonb_typeof(${value})
    when 'string' then (${value} #>> '{}') <> ''
    when 'number' then (${value})::numeric <> 0
    when 'boolean' then (${value})::boolean
    when 'object' then true
    when 'array' then true
    else false end, false)`;
}

/** « Envoyé » once a request is not cancelled, else complete or draft. */
export function dossierStatus(complete: boolean, openRequests: number): DossierStatus {
  if (openRequests > 0) return 'envoye';
  return complete ? 'complet' : 'brouillon';
}

/** dossierStatus() in SQL for the lists of the dossiers `d` (open requests counted with the dossier). Tested to agree. */
const statusInSql = sql<DossierStatus>`case when d.open_requests > 0 then 'envoye'
  when ${completeInSql} then 'complet' else 'brouillon' end`;

const openCount = (requests: { status: string }[]) => requests.filter((r) => r.status !== 'annulee').length;

export interface DossierDeps {
  db: Db;
  clock: Clock;
  /** The application's journal writer: authorize() records the delegates' accesses with it. */
  journal: AuthorizeDeps['journal'];
}

const stale = () =>
  new DomainError(
    'dossier_stale',
    'Ce dossier a été modifié entre-temps. Rechargez la page pour voir sa version actuelle.',
    409,
  );

function checkBirthDate(date: string, now: Date) {
  const d = parseDate(date);
  if (!d || date > todayInParis(now) || date < '1900-01-01') {
    throw new DomainError('birth_date_invalid', 'La date de naissance n’est pas valide.', 422, {
      fields: [{ path: 'patient.birthDate', message: 'La date de naissance n’est pas valide.' }],
    });
  }
}

/** A readable, unique dossier number: GA-2026-000042. */
export const nextReference = (now: Date) =>
  sql<string>`'GA-' || to_char(${now}::timestamptz at time zone 'Europe/Paris', 'YYYY') || '-' || lpad(nextval('dossier_reference_seq')::text, 6, '0')`;

/** The most rows « Tous mes médecins » shows at once (a search narrows it). */
export const ACROSS_DOCTORS_LIMIT = 1000;

/** A dossier's requests, as a JSON column of the query that reads the dossier `d`. */
export const requestsAsJson = sql<RequestRow[]>`coalesce((select json_agg(json_build_object('id', r.id,
  'establishment', r.establishment, 'status', r.status, 'sentAt', r.sent_at, 'updatedAt', r.updated_at)
  order by r.sent_at) from dossier_requests r where r.dossier_id = d.id), '[]')`;

export type PersonNames = { given: string; family: string } | null;

/** The names of the last person who changed the dossier `d`, as a JSON column (« Dernière mise à jour »). */
export const updaterAsJson = sql<PersonNames>`(select json_build_object('given', u.given_name,
  'family', u.family_name) from users u where u.id = d.updated_by)`;

/** The names of the doctor who owns the dossier `d`, as a JSON column. */
export const ownerAsJson = sql<PersonNames>`(select json_build_object('given', o.given_name,
  'family', o.family_name) from users o where o.id = d.owner_id)`;

/** A dossier as its page reads it: its requests themselves, not the counts the lists read. */
type DossierRow = Omit<Selectable<DossiersTable>, 'open_requests' | 'sent_requests'>;

/** What a read of a dossier loads in one statement. */
export type DossierReadRow = DossierRow & {
  requests: RequestRow[];
  delegations: DelegationFactsRow[];
  updater: PersonNames;
  owner: PersonNames;
};

export class DossierService {
  constructor(private readonly deps: DossierDeps) {}

  private async load(id: string) {
    if (!isUuid(id)) throw dossierNotFound();
    const row = await this.deps.db.selectFrom('dossiers').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw dossierNotFound();
    return row;
  }

  async list(user: SignedInUser, onBehalfOfId: string) {
    const access = await authorize(this.deps, user, onBehalfOfId, 'list');
    const { dossiers } = await this.summaries([access.onBehalfOfId], { limit: 500 });
    // The list is of one doctor: no doctorId in its rows.
    return { rights: access.rights, dossiers: dossiers.map(({ doctorId: _, ...d }) => d) };
  }

  /**
   * The dossier summaries of these doctors, newest first (the list and « Tous mes médecins »), at
   * most `limit`, and whether there were more. A thousand rows are read as the answer shows them
   * (status and date computed by PostgreSQL, two counts rather than the requests), so that little
   * is parsed and allocated here; the routes send them with sendJson().
   */
  private async summaries(
    ownerIds: string[],
    options: { limit: number; patient?: string },
  ): Promise<{ dossiers: AcrossDoctors['dossiers']; truncated: boolean }> {
    const { limit, patient } = options;
    if (ownerIds.length === 0) return { dossiers: [], truncated: false };
    let query = this.deps.db
      .selectFrom('dossiers as d')
      .select([
        'd.id',
        'd.owner_id',
        'd.reference',
        'd.patient_family_name',
        'd.patient_given_name',
        'd.patient_birth_date',
        // What the list shows of the requests: two counts, kept with the dossier (migration 0021).
        'd.sent_requests',
        statusInSql.as('status'),
        // As Date.prototype.toISOString() writes it, without a Date per row.
        sql<string>`to_char(d.updated_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`.as(
          'updated_at',
        ),
      ])
      .where('d.owner_id', 'in', ownerIds);
    if (patient) {
      const words = patient.trim().split(/\s+/).slice(0, 4);
      for (const word of words) {
        const like = `%${word.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
        query = query.where(
          sql<boolean>`unaccent(lower(d.patient_family_name || ' ' || d.patient_given_name || ' ' || d.reference)) like unaccent(lower(${like}))`,
        );
      }
    }
    const rows = await query
      .orderBy('d.updated_at', 'desc')
      .orderBy('d.id')
      .limit(limit + 1)
      .execute();
    return {
      dossiers: rows.slice(0, limit).map((r) => ({
        id: r.id,
        reference: r.reference,
        patient: {
          familyName: r.patient_family_name,
          givenName: r.patient_given_name,
          birthDate: r.patient_birth_date,
        },
        status: r.status,
        requestsInProgress: r.sent_requests,
        updatedAt: r.updated_at,
        doctorId: r.owner_id,
      })),
      truncated: rows.length > limit,
    };
  }

  /**
   * « Tous mes médecins »: for a delegate with delegations from several doctors, their dossiers in
   * one list. Each doctor's rows are decided by the one decision for that doctor (and journaled in
   * that doctor's journal); nothing here acts: opening a row sets the acting context to its doctor.
   */
  async listAcrossDoctors(user: SignedInUser, filter: { doctorId?: string; patient?: string }) {
    const now = this.deps.clock.now();
    const received = await receivedDelegations(this.deps.db, user.subjectNameId);
    const doctors = new Map<
      string,
      { doctor: (typeof received)[number]['delegator']; grants: DelegationGrant[] }
    >();
    for (const { grant, delegator } of received) {
      if (delegator.id === user.id) continue;
      const entry = doctors.get(delegator.id) ?? { doctor: delegator, grants: [] };
      entry.grants.push(grant);
      doctors.set(delegator.id, entry);
    }
    const active = [...doctors.values()].filter(({ grants }) =>
      grants.some((g) => statusOf(g, now) === 'active'),
    );
    const asked = filter.doctorId ? active.filter((d) => d.doctor.id === filter.doctorId) : active;
    const ids = (doctors: { id: string }[]) => doctors.map((d) => d.id);
    const options = { limit: ACROSS_DOCTORS_LIMIT, patient: filter.patient };
    // The rows are read while the decisions are journaled (a journal entry must be durable
    // before the answer, not before the read), for every doctor asked: nothing read leaves
    // unless allowed. A doctor refused (rare: a suspended delegation, a card required) means a
    // second read without his rows.
    const [decided, read] = await Promise.all([
      Promise.all(
        asked.map(async ({ doctor, grants }) => {
          try {
            const access = await authorize(this.deps, user, doctor.id, 'list', undefined, grants);
            return [{ ...doctor, rights: access.rights }];
          } catch (err) {
            if (err instanceof DomainError) return [];
            throw err;
          }
        }),
      ),
      this.summaries(ids(asked.map((a) => a.doctor)), options),
    ]);
    const allowed = decided.flat();
    const { dossiers, truncated } =
      allowed.length === asked.length ? read : await this.summaries(ids(allowed), options);
    return {
      doctors: active
        .map(({ doctor }) => allowed.find((a) => a.id === doctor.id) ?? { ...doctor, rights: [] })
        .sort((a, b) => a.familyName.localeCompare(b.familyName, 'fr')),
      dossiers,
      truncated,
    };
  }

  /** The dossier, its requests and the actor's delegations in one query (see also hot-read.ts). */
  async get(user: SignedInUser, onBehalfOfId: string, id: string) {
    if (!isUuid(id)) throw dossierNotFound();
    const row = await this.deps.db
      .selectFrom('dossiers as d')
      .selectAll('d')
      .select([
        requestsAsJson.as('requests'),
        delegationsForAsJson(user, onBehalfOfId).as('delegations'),
        updaterAsJson.as('updater'),
        ownerAsJson.as('owner'),
      ])
      .where('d.id', '=', id)
      .executeTakeFirst();
    return this.answerRead(user, onBehalfOfId, row);
  }

  /**
   * The decision on a read of a dossier loaded with its requests and the delegations between
   * `onBehalfOfId` and the actor (none when they are the same person), read just now: journaled
   * by authorize(), then the dossier as the actor may see it.
   */
  async answerRead(user: SignedInUser, onBehalfOfId: string, row: DossierReadRow | undefined) {
    if (!row) throw dossierNotFound();
    const access = await authorize(
      this.deps,
      user,
      onBehalfOfId,
      'read',
      { id: row.id, ownerId: row.owner_id },
      row.delegations.map(grantOf),
    );
    return {
      ...present(row, row.requests, access),
      lastUpdate: lastUpdate(user, row, row.updater, row.owner),
    };
  }

  async create(
    user: SignedInUser,
    onBehalfOfId: string,
    input: { patient: Patient; administrative?: Administrative },
  ) {
    const now = this.deps.clock.now();
    const { patient } = input;
    const administrative = input.administrative ?? {};
    checkBirthDate(patient.birthDate, now);
    const access = await authorize(this.deps, user, onBehalfOfId, 'create');
    return this.deps.db.transaction().execute(async (trx) => {
      const row = await trx
        .insertInto('dossiers')
        .values({
          owner_id: access.onBehalfOfId,
          reference: nextReference(now),
          patient_family_name: patient.familyName,
          patient_given_name: patient.givenName,
          patient_birth_date: patient.birthDate,
          patient_sex: patient.sex,
          administrative: JSON.stringify(administrative),
          medical: '{}',
          created_by: user.id,
          updated_by: user.id,
          created_at: now,
          updated_at: now,
        })
        .returning(['id', 'reference'])
        .executeTakeFirstOrThrow();
      await recordWrite(trx, access, { dossierId: row.id });
      return row;
    });
  }

  async updateAdministrative(
    user: SignedInUser,
    onBehalfOfId: string,
    id: string,
    input: { version: number; patient?: Patient; administrative: Administrative },
  ) {
    const now = this.deps.clock.now();
    const row = await this.load(id);
    const access = await authorize(this.deps, user, onBehalfOfId, 'write_admin', {
      id,
      ownerId: row.owner_id,
    });
    const { administrative, patient } = input;
    if (patient) checkBirthDate(patient.birthDate, now);
    const fields = [
      ...changedPatient(
        {
          familyName: row.patient_family_name,
          givenName: row.patient_given_name,
          birthDate: row.patient_birth_date,
          sex: row.patient_sex,
        },
        patient,
      ),
      ...changedKeys(row.administrative, administrative),
    ];
    return this.writeVersioned(user, id, input.version, access, now, fields, {
      administrative: JSON.stringify(administrative),
      ...(patient && {
        patient_family_name: patient.familyName,
        patient_given_name: patient.givenName,
        patient_birth_date: patient.birthDate,
        patient_sex: patient.sex,
      }),
    });
  }

  async updateMedical(
    user: SignedInUser,
    onBehalfOfId: string,
    id: string,
    input: { version: number; medical: Medical },
  ) {
    const now = this.deps.clock.now();
    const row = await this.load(id);
    const access = await authorize(this.deps, user, onBehalfOfId, 'write_medical', {
      id,
      ownerId: row.owner_id,
    });
    const fields = changedKeys(row.medical, input.medical);
    return this.writeVersioned(user, id, input.version, access, now, fields, {
      medical: JSON.stringify(input.medical),
    });
  }

  /**
   * One write of a dossier on the version the user read, with its journal entry in the same
   * transaction. A stale version changes nothing and is not journaled as done. `fields` names what
   * changed from the version read (the same version that is written over): names, never values.
   */
  private writeVersioned(
    user: SignedInUser,
    id: string,
    version: number,
    access: Authorized,
    now: Date,
    fields: string[],
    changes: Updateable<DossiersTable>,
  ) {
    return this.deps.db.transaction().execute(async (trx) => {
      const updated = await trx
        .updateTable('dossiers')
        .set({ ...changes, version: sql`version + 1`, updated_by: user.id, updated_at: now })
        .where('id', '=', id)
        .where('version', '=', version)
        .returning('version')
        .executeTakeFirst();
      if (!updated) throw stale();
      await recordWrite(trx, access, { details: { fields } });
      return updated;
    });
  }

  async sendRequest(user: SignedInUser, onBehalfOfId: string, id: string, establishment: string) {
    const now = this.deps.clock.now();
    const row = await this.load(id);
    const access = await authorize(this.deps, user, onBehalfOfId, 'send', { id, ownerId: row.owner_id });
    if (!isComplete(row)) {
      throw new DomainError(
        'dossier_incomplete',
        'Le dossier est incomplet : renseignez l’adresse, les pathologies et le GIR avant d’envoyer une demande.',
        422,
      );
    }
    return this.deps.db.transaction().execute(async (trx) => {
      const open = await trx
        .selectFrom('dossier_requests')
        .select('id')
        .where('dossier_id', '=', id)
        .where('status', '=', 'envoyee')
        .where(sql`lower(establishment)`, '=', establishment.trim().toLowerCase())
        .forUpdate()
        .executeTakeFirst();
      if (open) {
        throw new DomainError(
          'request_exists',
          'Une demande est déjà en cours auprès de cet établissement.',
          409,
        );
      }
      const request = await trx
        .insertInto('dossier_requests')
        .values({
          dossier_id: id,
          establishment: establishment.trim(),
          status: 'envoyee',
          sent_by: user.id,
          sent_at: now,
          updated_at: now,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await trx
        .updateTable('dossiers')
        .set({ updated_at: now, updated_by: user.id })
        .where('id', '=', id)
        .execute();
      await recordWrite(trx, access, { details: { request: 'sent' } });
      return request;
    });
  }

  async cancelRequest(user: SignedInUser, onBehalfOfId: string, id: string, requestId: string) {
    const now = this.deps.clock.now();
    const row = await this.load(id);
    const access = await authorize(this.deps, user, onBehalfOfId, 'send', { id, ownerId: row.owner_id });
    if (!isUuid(requestId)) throw requestNotFound();
    await this.deps.db.transaction().execute(async (trx) => {
      const updated = await trx
        .updateTable('dossier_requests')
        .set({ status: 'annulee', updated_at: now })
        .where('id', '=', requestId)
        .where('dossier_id', '=', id)
        .where('status', '=', 'envoyee')
        .returning('id')
        .executeTakeFirst();
      if (updated) {
        await recordWrite(trx, access, { details: { request: 'cancelled' } });
        return;
      }
      const exists = await trx
        .selectFrom('dossier_requests')
        .select('status')
        .where('id', '=', requestId)
        .where('dossier_id', '=', id)
        .executeTakeFirst();
      if (!exists) throw requestNotFound();
      throw new DomainError(
        'request_closed',
        'Cette demande n’est plus en cours : elle ne peut pas être annulée.',
        409,
      );
    });
  }
}

/**
 * Who made the dossier's last change, as the viewer reads it: himself or herself (`you`), the
 * doctor who owns it (`owner`), or someone acting on the owner's behalf (`delegate`).
 */
export function lastUpdate(
  viewer: SignedInUser,
  row: { updated_at: Date; updated_by: string; owner_id: string },
  updater: { given: string; family: string } | null,
  owner: { given: string; family: string } | null,
) {
  const by = row.updated_by === viewer.id ? 'you' : row.updated_by === row.owner_id ? 'owner' : 'delegate';
  return {
    at: row.updated_at.toISOString(),
    by,
    name: updater ? personName(updater.given, updater.family) : null,
    ownerName: owner ? personName(owner.given, owner.family) : null,
  } as const;
}

const requestNotFound = () => new DomainError('request_not_found', 'Cette demande est introuvable.', 404);

/** The dossier as the actor may see it: without the medical part unless the right allows. */
export interface RequestRow {
  id: string;
  establishment: string;
  status: DossierRequestsTable['status'];
  sentAt: string;
  updatedAt: string;
}

function present(row: DossierRow, requests: RequestRow[], access: Authorized) {
  const canReadMedical = access.rights.includes('volet_medical');
  return {
    id: row.id,
    reference: row.reference,
    ownerId: row.owner_id,
    version: row.version,
    patient: {
      familyName: row.patient_family_name,
      givenName: row.patient_given_name,
      birthDate: row.patient_birth_date,
      sex: row.patient_sex,
    },
    administrative: row.administrative,
    medical: canReadMedical ? row.medical : null,
    status: dossierStatus(isComplete(row), openCount(requests)),
    requests: requests.map((r) => ({
      ...r,
      sentAt: new Date(r.sentAt).toISOString(),
      updatedAt: new Date(r.updatedAt).toISOString(),
    })),
    rights: access.rights,
    via: access.decision.via,
    updatedAt: row.updated_at.toISOString(),
  };
}
