// Access response shapes shared by the server (OpenAPI, response checks) and the web app: the
// acting context (« Agir pour le compte de ») and « Pourquoi ai-je accès ? ». Output shapes are
// lenient: what is stored (names imported from elsewhere) is shown, whatever today's input rules.
import { z } from 'zod';
import { DELEGATION_KINDS, rightCode } from './rights.js';

/** What one may do with dossiers; access/decide.ts names the right each one needs. */
export const DOSSIER_ACTIONS = [
  'list',
  'read',
  'read_medical',
  'create',
  'write_admin',
  'write_medical',
  'send',
] as const;
export type DossierAction = (typeof DOSSIER_ACTIONS)[number];

/** A doctor the signed-in person may act for, through an active delegation. */
export const delegatedContextView = z.object({
  delegatorId: z.string(),
  familyName: z.string(),
  givenName: z.string(),
  specialty: z.string().nullable(),
  delegationId: z.string(),
  kind: z.enum(DELEGATION_KINDS),
  rights: z.array(rightCode),
  endsOn: z.string().nullable(),
});
export type DelegatedContext = z.infer<typeof delegatedContextView>;

/** GET /api/access/contexts: oneself (a doctor) and the doctors one has an active delegation from. */
export const actingContextsView = z.object({
  self: z.boolean(),
  delegated: z.array(delegatedContextView),
});
export type ActingContexts = z.infer<typeof actingContextsView>;

/** GET /api/access/explain: « Pourquoi ai-je accès ? » for one action on one dossier. */
export const accessExplanationView = z.object({
  allowed: z.literal(true),
  via: z.enum(['owner', 'delegation']),
  delegationId: z.string().nullable(),
  kind: z.enum(DELEGATION_KINDS).nullable(),
  right: rightCode.nullable(),
  until: z.string().nullable(),
  message: z.string(),
});
export type AccessExplanation = z.infer<typeof accessExplanationView>;
