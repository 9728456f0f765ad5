// The cabinets API as the pages use it, typed and validated by the schemas the server answers with.
import { z } from 'zod';
import { cabinetInvitationView, cabinetsResponse, proposalView } from '../../../shared/cabinets';
import { acrossDoctorsView } from '../../../shared/dossiers';
import { apiGet, apiSend } from '../../api/client';
import type { StaffInput } from '../delegations/api';

export const CABINETS_KEY = ['cabinets'] as const;
export const CABINET_INVITATIONS_KEY = ['cabinets', 'invitations'] as const;
export const PROPOSALS_KEY = ['delegations', 'proposals'] as const;

const created = z.object({ id: z.string() });
const id = (value: string) => encodeURIComponent(value);

export const fetchCabinets = async () => (await apiGet('/api/cabinets', cabinetsResponse)).cabinets;
export const createCabinet = (input: { name: string; address: string; finess: string; siret: string }) =>
  apiSend('POST', '/api/cabinets', input, created);
export const inviteColleague = (cabinetId: string, rpps: string) =>
  apiSend('POST', `/api/cabinets/${id(cabinetId)}/invitations`, { rpps }, created);
export const leaveCabinet = (cabinetId: string) =>
  apiSend<void>('POST', `/api/cabinets/${id(cabinetId)}/leave`);
export const createTemplate = (cabinetId: string, input: { name: string; rights: string[] }) =>
  apiSend('POST', `/api/cabinets/${id(cabinetId)}/templates`, input, created);
export const deleteTemplate = (templateId: string) =>
  apiSend<void>('DELETE', `/api/cabinet-templates/${id(templateId)}`);

export const fetchCabinetInvitations = async () =>
  (await apiGet('/api/cabinet-invitations', z.object({ invitations: z.array(cabinetInvitationView) })))
    .invitations;
export const answerCabinetInvitation = (invitationId: string, accept: boolean) =>
  apiSend<void>('POST', `/api/cabinet-invitations/${id(invitationId)}/${accept ? 'accept' : 'decline'}`);

export const fetchProposals = async () =>
  (await apiGet('/api/delegation-proposals', z.object({ proposals: z.array(proposalView) }))).proposals;
export const acceptProposal = (
  proposalId: string,
  input: { rights: string[]; startsOn: string; endsOn: string | null },
) =>
  apiSend(
    'POST',
    `/api/delegation-proposals/${id(proposalId)}/accept`,
    input,
    z.object({ delegationId: z.string() }),
  );
export const refuseProposal = (proposalId: string) =>
  apiSend<void>('POST', `/api/delegation-proposals/${id(proposalId)}/refuse`);

export const createSharedStaff = (input: StaffInput & { cabinetId: string; colleagueIds: string[] }) =>
  apiSend('POST', '/api/cabinets/shared-delegations', input, created);

export const acrossDoctorsKey = (doctor: string, patient: string) => [
  'dossiers',
  'all-doctors',
  doctor,
  patient,
];
export const fetchAcrossDoctors = (doctor: string, patient: string) => {
  const q = new URLSearchParams();
  if (doctor) q.set('doctor', doctor);
  if (patient.trim()) q.set('patient', patient.trim());
  const query = q.toString();
  return apiGet(`/api/dossiers/all-doctors${query ? `?${query}` : ''}`, acrossDoctorsView);
};
