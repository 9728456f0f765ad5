// The delegations API as the pages use it, typed and validated by the schemas the server answers with.
import { z } from 'zod';
import { delegationsResponse, invitationView, receivedDelegationView } from '../../../shared/delegations';
import { apiGet, apiSend } from '../../api/client';

export const DELEGATIONS_KEY = ['delegations'] as const;
export const RECEIVED_KEY = ['delegations', 'received'] as const;

const createdSchema = z.object({ id: z.string() });
const versionedSchema = z.object({ id: z.string(), version: z.number() });
const acceptedSchema = z.object({ delegationId: z.string() });
const receivedSchema = z.object({ delegations: z.array(receivedDelegationView) });

export const fetchDelegations = () => apiGet('/api/delegations', delegationsResponse);
export const fetchReceived = async () =>
  (await apiGet('/api/delegations/received', receivedSchema)).delegations;
export const fetchInvitation = (token: string) =>
  apiGet(`/api/invitations/${encodeURIComponent(token)}`, invitationView);

export interface StaffInput {
  familyName: string;
  givenName: string;
  email: string;
  profession: string;
  rights: string[];
  startsOn: string;
  endsOn: string | null;
  pscRequired?: boolean;
}

export const createStaff = (input: StaffInput) =>
  apiSend('POST', '/api/delegations/staff', input, createdSchema);
export const createPeer = (input: { rpps: string; startsOn: string; endsOn: string | null }) =>
  apiSend('POST', '/api/delegations/peer', input, createdSchema);
export const modifyDelegation = (
  id: string,
  input: {
    version: number;
    rights?: string[];
    startsOn: string;
    endsOn: string | null;
    pscRequired?: boolean;
  },
) => apiSend('PATCH', `/api/delegations/${encodeURIComponent(id)}`, input, versionedSchema);
export const deleteDelegation = (id: string) =>
  apiSend<void>('DELETE', `/api/delegations/${encodeURIComponent(id)}`);
export const resendInvitation = (id: string) =>
  apiSend<void>('POST', `/api/delegations/${encodeURIComponent(id)}/resend`);
export const acceptInvitation = (token: string) =>
  apiSend('POST', `/api/invitations/${encodeURIComponent(token)}/accept`, undefined, acceptedSchema);
export const reactivateDelegation = (id: string) =>
  apiSend<void>('POST', `/api/delegations/${encodeURIComponent(id)}/reactivate`);
