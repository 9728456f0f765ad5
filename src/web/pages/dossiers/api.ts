// The dossiers API as the pages use it: every call carries the acting context (onBehalfOf).
import { z } from 'zod';
import { accessExplanationView, type DossierAction } from '../../../shared/access';
import {
  type Administrative,
  dossierListView,
  dossierView,
  type Medical,
  type Patient,
} from '../../../shared/dossiers';
import { apiGet, apiSend } from '../../api/client';
import { withContext } from '../../context';

const version = z.object({ version: z.number() });
const id = (value: string) => encodeURIComponent(value);

export const dossiersKey = (onBehalfOf: string | undefined) => ['dossiers', onBehalfOf ?? 'self'] as const;
export const dossierKey = (dossierId: string, onBehalfOf: string | undefined) =>
  ['dossiers', onBehalfOf ?? 'self', dossierId] as const;

export const fetchDossiers = (onBehalfOf: string | undefined) =>
  apiGet(withContext('/api/dossiers', onBehalfOf), dossierListView);
export const fetchDossier = (dossierId: string, onBehalfOf: string | undefined) =>
  apiGet(withContext(`/api/dossiers/${id(dossierId)}`, onBehalfOf), dossierView);
export const explainAccess = (dossierId: string, action: DossierAction, onBehalfOf: string | undefined) =>
  apiGet(
    withContext(`/api/access/explain?dossier=${id(dossierId)}&action=${id(action)}`, onBehalfOf),
    accessExplanationView,
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
