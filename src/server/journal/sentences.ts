// The journal as sentences: « Nadia BENALI a complété le volet médical de Ginette GUÉRIN pour
// votre compte ». Pure: the names come formatted (src/shared/names.ts), the viewpoint says who
// reads — the doctor reading the journal of his or her dossiers and delegations (`owner`), a
// person reading his or her own actions (`actor`), or a delegate reading what was done to the
// delegations he or she received (`delegate`, « Changements récents »). What changed (before → after) is read from the
// entry's details: the rights and the period of a delegation, the names of a dossier's fields
// (never their values: the journal holds no health data).
import { frenchDate } from '../../shared/calendar.js';
import { ofName, toName } from '../../shared/names.js';
import { RIGHT_SHORT_LABELS, RIGHTS, type Right } from '../../shared/rights.js';
import { ASKED_LABELS, REASON_LABELS } from './labels.js';

export type Viewpoint = 'owner' | 'actor' | 'delegate';

export interface SentenceInput {
  viewpoint: Viewpoint;
  action: string;
  outcome: string;
  /** The person who acted, formatted; null for the system (expiries). */
  actor: string | null;
  actorIsViewer: boolean;
  /** The person who acted is the doctor the entry is about (his or her own delegations). */
  actorIsOwner: boolean;
  /** The doctor on whose behalf, formatted without « Dr »; null when hidden. */
  owner: string | null;
  /** The delegation's delegate, formatted (« Dr » included for a colleague). */
  delegate: string | null;
  /** The dossier's patient, formatted; null when not a dossier or hidden. */
  patient: string | null;
  details: Record<string, unknown>;
}

const theDossier = (patient: string | null) => (patient ? `le dossier ${ofName(patient)}` : 'un dossier');
const theMedical = (patient: string | null) =>
  patient ? `le volet médical ${ofName(patient)}` : 'le volet médical d’un dossier';
const theAdministrative = (patient: string | null) =>
  patient ? `le volet administratif ${ofName(patient)}` : 'le volet administratif d’un dossier';
const theDelegation = (delegate: string | null) =>
  delegate ? `la délégation de droits ${ofName(delegate)}` : 'une délégation de droits';

/** What was done: [past participle phrase, infinitive phrase] of « a … » and « a tenté de … ». */
function phrases(i: SentenceInput): [string, string] | undefined {
  const { patient, delegate, details } = i;
  switch (i.action) {
    case 'dossier.list':
      return ['consulté la liste des dossiers', 'consulter la liste des dossiers'];
    case 'dossier.read':
      return [`consulté ${theDossier(patient)}`, `consulter ${theDossier(patient)}`];
    case 'dossier.read_medical':
      return [`consulté ${theMedical(patient)}`, `consulter ${theMedical(patient)}`];
    case 'dossier.create':
      return [`créé ${theDossier(patient)}`, 'créer un dossier'];
    case 'dossier.write':
      return [`modifié ${theAdministrative(patient)}`, `modifier ${theAdministrative(patient)}`];
    case 'dossier.write_medical':
      return [`complété ${theMedical(patient)}`, `compléter ${theMedical(patient)}`];
    case 'dossier.send': {
      const what = `une demande à un établissement pour ${theDossier(patient)}`;
      return [
        details.request === 'cancelled' ? `annulé ${what}` : `envoyé ${what}`,
        `envoyer ou annuler ${what}`,
      ];
    }
    case 'access.explained': {
      const asked = typeof details.asked === 'string' ? ASKED_LABELS[details.asked] : undefined;
      const on = patient ? ` sur ${theDossier(patient)}` : '';
      const p = `« Pourquoi ai-je accès ? »${on}${asked ? ` (${asked})` : ''}`;
      return [`consulté ${p}`, `consulter ${p}`];
    }
    case 'delegation.created':
      return [`créé ${theDelegation(delegate)}`, `créer ${theDelegation(delegate)}`];
    case 'delegation.modified':
      return [`modifié ${theDelegation(delegate)}`, `modifier ${theDelegation(delegate)}`];
    case 'delegation.deleted':
      return [`supprimé ${theDelegation(delegate)}`, `supprimer ${theDelegation(delegate)}`];
    case 'invitation.sent':
      return [`envoyé l’invitation ${delegate ? toName(delegate) : ''}`.trim(), 'envoyer l’invitation'];
    case 'invitation.resent':
      return [`renvoyé l’invitation ${delegate ? toName(delegate) : ''}`.trim(), 'renvoyer l’invitation'];
    default:
      return undefined;
  }
}

/** « pour votre compte », « pour le compte du Dr Camille MARTIN », or nothing. */
function onBehalf(i: SentenceInput): string {
  if (i.actorIsOwner) return '';
  if (i.viewpoint === 'owner') return ' pour votre compte';
  return i.owner ? ` pour le compte ${ofName(`Dr ${i.owner}`)}` : '';
}

function refusal(i: SentenceInput): string {
  const reason = typeof i.details.reason === 'string' ? REASON_LABELS[i.details.reason] : undefined;
  return ` : accès refusé${reason ? ` (${reason})` : ''}`;
}

const REVIEW_DECISIONS: Record<string, string> = {
  kept: 'conservé',
  modified: 'modifié',
  deleted: 'supprimé',
};

/**
 * The sentences of the delegation's life around the dossiers (requests, renunciation, reviews,
 * cabinets, second factor): acts of a person on his or her own account, never « pour votre compte ».
 */
function lifeSentence(i: SentenceInput, who: string, has: string): string | undefined {
  const toDoctor = i.owner ? ` ${toName(`Dr ${i.owner}`)}` : '';
  const of = i.delegate ? ` ${ofName(i.delegate)}` : '';
  const mine = i.viewpoint === 'actor' || i.actorIsViewer;
  switch (i.action) {
    case 'delegation.renounced':
      return mine
        ? `${who} ${has} renoncé à la délégation de droits${i.owner ? ` ${ofName(`Dr ${i.owner}`)}` : ''}.`
        : `${who} ${has} renoncé à la délégation de droits que vous lui aviez confiée.`;
    case 'delegation.suspended':
      return `${capitalFirst(theDelegation(i.delegate))} a été suspendue faute d’utilisation.`;
    case 'delegation.reactivated':
      return `${who} ${has} réactivé ${theDelegation(i.delegate)}.`;
    case 'request.created':
      return `${who} ${has} demandé une délégation de droits${mine ? toDoctor : ''}.`;
    case 'request.accepted':
      return `${who} ${has} accepté une demande de délégation de droits${of}.`;
    case 'request.refused':
      return `${who} ${has} refusé une demande de délégation de droits${of}.`;
    case 'review.started':
      return `${who} ${has} commencé la revue des délégations.`;
    case 'review.decided': {
      const decision = REVIEW_DECISIONS[String(i.details.decision)];
      return `Revue des délégations : ${who.charAt(0) === 'V' ? 'vous avez' : `${who} a`} ${decision ?? 'décidé de'} ${theDelegation(i.delegate)}.`;
    }
    case 'review.completed':
      return `${who} ${has} terminé la revue des délégations.`;
    case 'invitation.joined':
      return `${who} ${has} ajouté ${theDelegation(i.delegate)} à l’invitation en attente d’un confrère du cabinet.`;
    case 'cabinet.created':
      return `${who} ${has} créé le cabinet${typeof i.details.name === 'string' ? ` « ${i.details.name} »` : ''}.`;
    case 'cabinet.invited':
      return `${who} ${has} invité un confrère dans le cabinet.`;
    case 'cabinet.joined':
      return `${who} ${has} rejoint un cabinet.`;
    case 'cabinet.declined':
      return `${who} ${has} décliné l’invitation à rejoindre un cabinet.`;
    case 'cabinet.left':
      return `${who} ${has} quitté un cabinet.`;
    case 'cabinet.template_created':
      return `${who} ${has} créé un modèle de droits.`;
    case 'cabinet.template_deleted':
      return `${who} ${has} supprimé un modèle de droits.`;
    case 'proposal.sent':
      return `${who} ${has} proposé ${theDelegation(i.delegate)} aux médecins du cabinet.`;
    case 'proposal.accepted':
      return `${who} ${has} accepté la délégation de droits${of} proposée par un confrère du cabinet.`;
    case 'proposal.refused':
      return `${who} ${has} refusé la délégation de droits${of} proposée par un confrère du cabinet.`;
    case 'second_factor.reset':
      return `${who} ${has} réinitialisé le second facteur de connexion${of}.`;
    default:
      return undefined;
  }
}

/** What a doctor (or the service) did to a delegation, told to its delegate. */
function toDelegate(i: SentenceInput): string | undefined {
  const doctor = i.owner ? `Dr ${i.owner}` : 'Le médecin';
  const yours = `Votre délégation de droits${i.owner ? ` ${ofName(`Dr ${i.owner}`)}` : ''}`;
  switch (i.action) {
    case 'delegation.created':
      return `${doctor} vous a confié la gestion de ses dossiers : délégation de droits créée.`;
    case 'delegation.modified':
      return `${doctor} a modifié votre délégation de droits.`;
    case 'delegation.deleted':
      return `${doctor} a supprimé votre délégation de droits : vous n’avez plus accès à ses dossiers.`;
    case 'delegation.expired':
      return `${yours} est arrivée à son terme : elle a expiré.`;
    case 'delegation.suspended':
      return `${yours} a été suspendue faute d’utilisation.`;
    case 'delegation.reactivated':
      return `${doctor} a réactivé votre délégation de droits.`;
    default:
      return undefined;
  }
}

/** The entry as one French sentence, ending with a full stop. */
export function journalSentence(i: SentenceInput): string {
  if (i.viewpoint === 'delegate') {
    const told = toDelegate(i);
    if (told) return told;
  }
  const who = i.actorIsViewer ? 'Vous' : (i.actor ?? 'Le service');
  const has = i.actorIsViewer ? 'avez' : 'a';
  const denied = i.outcome === 'denied';

  switch (i.action) {
    case 'delegation.expired':
      return `${capitalFirst(theDelegation(i.delegate))} est arrivée à son terme : elle a expiré.`;
    case 'invitation.accepted':
      if (i.viewpoint === 'actor' || i.actorIsViewer) {
        return `${who} ${has} accepté l’invitation${i.owner ? ` ${ofName(`Dr ${i.owner}`)}` : ''} : la délégation de droits est finalisée.`;
      }
      return `${who} ${has} accepté votre invitation : sa délégation de droits est finalisée.`;
    case 'invitation.refused_identity':
      if (i.viewpoint === 'actor' || i.actorIsViewer) {
        return `${who} ${has} ouvert une invitation${i.owner ? ` ${ofName(`Dr ${i.owner}`)}` : ''} destinée à une autre personne : refusée, l’identité ne correspond pas.`;
      }
      return `${who} ${has} ouvert l’invitation destinée ${i.delegate ? toName(i.delegate) : 'à une autre personne'} : refusée, l’identité ne correspond pas à celle de la personne invitée.`;
    case 'access.refusals_throttled':
      return i.viewpoint === 'actor' || i.actorIsViewer
        ? 'Accès refusés en série : vos refus suivants ne sont plus journalisés un par un pendant une minute.'
        : `Accès refusés en série${i.actor ? ` ${toName(i.actor)}` : ''} : les refus suivants de cette personne ne sont plus journalisés un par un pendant une minute.`;
  }
  const life = lifeSentence(i, who, has);
  if (life) return life;
  const p = phrases(i);
  if (!p) return `${who} : action « ${i.action} »${denied ? refusal(i) : ''}.`;
  const [done, attempted] = p;
  return denied
    ? `${who} ${has} tenté de ${attempted}${onBehalf(i)}${refusal(i)}.`
    : `${who} ${has} ${done}${onBehalf(i)}.`;
}

function capitalFirst(s: string): string {
  return s.charAt(0).toLocaleUpperCase('fr-FR') + s.slice(1);
}

export interface Change {
  label: string;
  before: string | null;
  after: string | null;
}

const rightsText = (v: unknown) =>
  Array.isArray(v)
    ? RIGHTS.filter((r) => v.includes(r))
        .map((r: Right) => RIGHT_SHORT_LABELS[r])
        .join(', ')
    : null;
const dateText = (v: unknown, none: string) =>
  typeof v === 'string' ? frenchDate(v) : v === null ? none : null;

/**
 * A delegation's modification, field by field: rights, start, end. With the state before (entries
 * written since this version), only what changed; an older entry gives the values after only.
 */
export function delegationChanges(details: Record<string, unknown>): Change[] {
  const before = (details.before ?? null) as Record<string, unknown> | null;
  const fields: [string, (d: Record<string, unknown>) => string | null][] = [
    ['Droits', (d) => rightsText(d.rights)],
    ['Début', (d) => dateText(d.startsOn, '—')],
    ['Fin', (d) => ('endsOn' in d ? dateText(d.endsOn, 'Sans date de fin') : null)],
  ];
  const changes: Change[] = [];
  for (const [label, read] of fields) {
    const after = read(details);
    const was = before ? read(before) : null;
    if (after === null) continue;
    if (before && was === after) continue;
    changes.push({ label, before: was, after });
  }
  return changes;
}

/** The names of a dossier's fields, in French, as the journal may name them (never their values). */
export const DOSSIER_FIELD_LABELS: Record<string, string> = {
  'patient.familyName': 'Nom',
  'patient.givenName': 'Prénom',
  'patient.birthDate': 'Date de naissance',
  'patient.sex': 'Sexe',
  address: 'Adresse',
  phone: 'Téléphone',
  trustedPerson: 'Personne de confiance',
  coverage: 'Couverture sociale',
  livingSituation: 'Situation de vie',
  antecedents: 'Antécédents',
  pathologies: 'Pathologies',
  treatments: 'Traitements',
  gir: 'GIR',
};

/** « Adresse, Téléphone » from the entry's `fields`, or null. */
export function changedFieldsText(details: Record<string, unknown>): string | null {
  const fields = Array.isArray(details.fields) ? details.fields : [];
  const labels = fields
    .filter((f): f is string => typeof f === 'string')
    .map((f) => DOSSIER_FIELD_LABELS[f])
    .filter((l): l is string => Boolean(l));
  return labels.length > 0 ? labels.join(', ') : null;
}
