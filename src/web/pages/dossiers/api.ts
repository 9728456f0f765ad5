// The dossiers API as the pages use it: every call carries the acting context (onBehalfOf).
import { z } from 'zod';
import {
  type Administrative,
  administrativeSchema,
  DOSSIER_STATUSES,
  type Medical,
  medicalSchema,
  type Patient,
  patientSchema,
} from '../../../shared/dossiers';
import { RIGHTS } from '../../../shared/rights';
import { apiGet, apiSend } from '../../api/client';
import { withContext } from '../../context';

const rights = z.array(z.enum(RIGHTS));

export type { Right } from '../../../shared/rights';

const listSchema = z.object({
  onBehalfOf: z.string(),
  rights,
  dossiers: z.array(
    z.object({
      id: z.string(),
      reference: z.string(),
      patient: z.object({ familyName: z.string(), givenName: z.string(), birthDate: z.string() }),
      status: z.enum(DOSSIER_STATUSES),
      requestsInProgress: z.number(),
      updatedAt: z.string(),
    }),
  ),
});
export type DossierList = z.infer<typeof listSchema>;

const dossierSchema = z.object({
  id: z.string(),
  reference: z.string(),
  ownerId: z.string(),
  version: z.number(),
  patient: patientSchema,
  administrative: administrativeSchema,
  medical: medicalSchema.nullable(),
  status: z.enum(DOSSIER_STATUSES),
  requests: z.array(
    z.object({
      id: z.string(),
      establishment: z.string(),
      status: z.enum(['envoyee', 'acceptee', 'refusee', 'annulee']),
      sentAt: z.string(),
      updatedAt: z.string(),
    }),
  ),
  rights,
  via: z.enum(['owner', 'delegation']),
  updatedAt: z.string(),
});
export type Dossier = z.infer<typeof dossierSchema>;

const explainSchema = z.object({
  via: z.enum(['owner', 'delegation']),
  delegationId: z.string().nullable(),
  kind: z.enum(['staff', 'peer']).nullable(),
  right: z.string().nullable(),
  until: z.string().nullable(),
  message: z.string(),
});
export type Explanation = z.infer<typeof explainSchema>;

const version = z.object({ version: z.number() });
const id = (value: string) => encodeURIComponent(value);

export const dossiersKey = (onBehalfOf: string | undefined) => ['dossiers', onBehalfOf ?? 'self'] as const;
export const dossierKey = (dossierId: string, onBehalfOf: string | undefined) =>
  ['dossiers', onBehalfOf ?? 'self', dossierId] as const;

export const fetchDossiers = (onBehalfOf: string | undefined) =>
  apiGet(withContext('/api/dossiers', onBehalfOf), listSchema);
export const fetchDossier = (dossierId: string, onBehalfOf: string | undefined) =>
  apiGet(withContext(`/api/dossiers/${id(dossierId)}`, onBehalfOf), dossierSchema);
export const explainAccess = (dossierId: string, action: string, onBehalfOf: string | undefined) =>
  apiGet(
    withContext(`/api/access/explain?dossier=${id(dossierId)}&action=${id(action)}`, onBehalfOf),
    explainSchema,
  );

export const createDossier = (
  input: { patient: Patient; administrative: Administrative },
  onBehalfOf: string | undefined,
) =>
  apiSend(
    'POST',
    withContext('/api/dossiers', onBehalfOf),
    input,
    z.object({ id: z.string(), reference: z.string() }),
  );
export const updateAdministrative = (
  dossierId: string,
  input: { version: number; patient: Patient; administrative: Administrative },
  onBehalfOf: string | undefined,
) => apiSend('PUT', withContext(`/api/dossiers/${id(dossierId)}/administrative`, onBehalfOf), input, version);
export const updateMedical = (
  dossierId: string,
  input: { version: number; medical: Medical },
  onBehalfOf: string | undefined,
) => apiSend('PUT', withContext(`/api/dossiers/${id(dossierId)}/medical`, onBehalfOf), input, version);
export const sendRequest = (dossierId: string, establishment: string, onBehalfOf: string | undefined) =>
  apiSend(
    'POST',
    withContext(`/api/dossiers/${id(dossierId)}/requests`, onBehalfOf),
    { establishment },
    z.object({ id: z.string() }),
  );
export const cancelRequest = (dossierId: string, requestId: string, onBehalfOf: string | undefined) =>
  apiSend<void>(
    'POST',
    withContext(`/api/dossiers/${id(dossierId)}/requests/${id(requestId)}/cancel`, onBehalfOf),
  );
