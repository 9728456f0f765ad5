// The journal's API shapes, shared by the server (response schemas, OpenAPI) and the web page.
import { z } from 'zod';

/** What happened: the journal's stable action codes (labels in French below). */
export const JOURNAL_ACTIONS = [
  'delegation.created',
  'delegation.modified',
  'delegation.deleted',
  'delegation.expired',
  'invitation.sent',
  'invitation.resent',
  'invitation.accepted',
  'invitation.refused_identity',
  'dossier.list',
  'dossier.read',
  'dossier.read_medical',
  'dossier.create',
  'dossier.write',
  'dossier.write_medical',
  'dossier.send',
  'access.explained',
  'access.refusals_throttled',
  'delegation.renounced',
  'delegation.suspended',
  'delegation.reactivated',
  'request.created',
  'request.accepted',
  'request.refused',
  'review.started',
  'review.decided',
  'review.completed',
  'invitation.joined',
  'cabinet.created',
  'cabinet.invited',
  'cabinet.joined',
  'cabinet.declined',
  'cabinet.left',
  'cabinet.template_created',
  'cabinet.template_deleted',
  'proposal.sent',
  'proposal.accepted',
  'proposal.refused',
  'second_factor.reset',
] as const;
export type JournalActionCode = (typeof JOURNAL_ACTIONS)[number];

export const ACTION_LABELS: Record<JournalActionCode, string> = {
  'delegation.created': 'Délégation créée',
  'delegation.modified': 'Délégation modifiée',
  'delegation.deleted': 'Délégation supprimée',
  'delegation.expired': 'Délégation expirée',
  'invitation.sent': 'Invitation envoyée',
  'invitation.resent': 'Invitation renvoyée',
  'invitation.accepted': 'Délégation finalisée (invitation acceptée)',
  'invitation.refused_identity': 'Invitation refusée : identité différente de la personne invitée',
  'dossier.list': 'Liste des dossiers consultée',
  'dossier.read': 'Dossier consulté',
  'dossier.read_medical': 'Volet médical consulté',
  'dossier.create': 'Dossier créé',
  'dossier.write': 'Volet administratif modifié',
  'dossier.write_medical': 'Volet médical complété',
  'dossier.send': 'Demande à un établissement envoyée ou annulée',
  'access.explained': 'Droits consultés',
  'access.refusals_throttled':
    'Accès refusés en série : les refus suivants de cette personne ne sont plus journalisés un par un pendant une minute',
  'delegation.renounced': 'Délégation abandonnée par le délégataire (« Renoncer »)',
  'delegation.suspended': 'Délégation suspendue faute d’utilisation',
  'delegation.reactivated': 'Délégation réactivée par le médecin',
  'request.created': 'Demande de délégation reçue',
  'request.accepted': 'Demande de délégation acceptée',
  'request.refused': 'Demande de délégation refusée',
  'review.started': 'Revue des délégations commencée',
  'review.decided': 'Revue des délégations : décision sur une délégation',
  'review.completed': 'Revue des délégations terminée',
  'invitation.joined': 'Délégation ajoutée à l’invitation en attente d’un confrère du cabinet',
  'cabinet.created': 'Cabinet créé',
  'cabinet.invited': 'Confrère invité dans le cabinet',
  'cabinet.joined': 'Cabinet rejoint',
  'cabinet.declined': 'Invitation au cabinet déclinée',
  'cabinet.left': 'Cabinet quitté',
  'cabinet.template_created': 'Modèle de droits créé',
  'cabinet.template_deleted': 'Modèle de droits supprimé',
  'proposal.sent': 'Délégation proposée aux médecins du cabinet',
  'proposal.accepted': 'Délégation proposée par un confrère acceptée',
  'proposal.refused': 'Délégation proposée par un confrère refusée',
  'second_factor.reset': 'Second facteur de connexion réinitialisé',
};

/** The « Action » filter's groups, by the prefix of the action codes. */
const FILTER_GROUP_OF: Record<string, string> = {
  dossier: 'Dossiers',
  access: 'Dossiers',
  delegation: 'Délégations',
  invitation: 'Délégations',
  second_factor: 'Délégations',
  request: 'Demandes et revues',
  review: 'Demandes et revues',
  cabinet: 'Cabinet',
  proposal: 'Cabinet',
};

/** The « Action » filter's choices, grouped as the page shows them (every code, once). */
export const ACTION_FILTER_GROUPS: { label: string; actions: JournalActionCode[] }[] = [
  'Dossiers',
  'Délégations',
  'Demandes et revues',
  'Cabinet',
].map((label) => ({
  label,
  actions: JOURNAL_ACTIONS.filter((a) => FILTER_GROUP_OF[a.slice(0, a.indexOf('.'))] === label),
}));

/** The « action » query parameter: one code, anything else refused in French. */
export const journalActionParam = z.enum(JOURNAL_ACTIONS, {
  message: 'Action inconnue : choisissez une action de la liste.',
});

export const journalEntrySchema = z.object({
  id: z.number(),
  at: z.string(),
  actor: z.string().nullable(),
  actorId: z.string().nullable(),
  onBehalfOf: z.string().nullable(),
  delegationId: z.string().nullable(),
  delegate: z.string().nullable(),
  dossierId: z.string().nullable(),
  dossier: z.string().nullable(),
  action: z.string(),
  actionLabel: z.string(),
  outcome: z.string(),
  outcomeLabel: z.string(),
  detail: z.string().nullable(),
  /** The entry as a sentence, from the reader's viewpoint. */
  sentence: z.string(),
  /** A delegation's modification: each changed field, before → after (before null when unknown). */
  changes: z.array(
    z.object({ label: z.string(), before: z.string().nullable(), after: z.string().nullable() }),
  ),
  /** A dossier's modification: the names of the changed fields (« Adresse, GIR »), never values. */
  fields: z.string().nullable(),
});
export const journalPageSchema = z.object({
  entries: z.array(journalEntrySchema),
  next: z.number().nullable(),
});
export const journalActorsSchema = z.object({
  actors: z.array(z.object({ id: z.string(), givenName: z.string(), familyName: z.string() })),
});
export type JournalEntry = z.infer<typeof journalEntrySchema>;
