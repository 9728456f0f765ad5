// The API of a delegation's life (issue 16) as the pages use it: requests, « Renoncer », the
// optional notifications.
import { z } from 'zod';
import { notificationPreferences, requestsResponse, requestView } from '../../../shared/delegation-requests';
import { apiGet, apiSend } from '../../api/client';

export const REQUESTS_RECEIVED_KEY = ['delegation-requests', 'received'] as const;
export const REQUESTS_SENT_KEY = ['delegation-requests', 'sent'] as const;
export const NOTIFICATIONS_KEY = ['account', 'notifications'] as const;

export const fetchReceivedRequests = async () =>
  (await apiGet('/api/delegation-requests/received', requestsResponse)).requests;
export const fetchSentRequests = async () =>
  (await apiGet('/api/delegation-requests/sent', requestsResponse)).requests;
export const fetchRequest = (id: string) =>
  apiGet(`/api/delegation-requests/${encodeURIComponent(id)}`, requestView);

export const createRequest = (input: {
  rpps: string;
  rights: string[];
  startsOn: string;
  endsOn: string | null;
  message: string;
}) => apiSend('POST', '/api/delegation-requests', input, z.object({ id: z.string() }));
export const acceptRequest = (
  id: string,
  input: { rights?: string[]; startsOn: string; endsOn: string | null },
) =>
  apiSend(
    'POST',
    `/api/delegation-requests/${encodeURIComponent(id)}/accept`,
    input,
    z.object({ delegationId: z.string() }),
  );
export const refuseRequest = (id: string, reason: string) =>
  apiSend<void>('POST', `/api/delegation-requests/${encodeURIComponent(id)}/refuse`, { reason });
export const renounceDelegation = (id: string) =>
  apiSend<void>('POST', `/api/delegations/received/${encodeURIComponent(id)}/renounce`);

export const fetchNotifications = () => apiGet('/api/account/notifications', notificationPreferences);
export const saveNotifications = (enabled: string[]) =>
  apiSend('PUT', '/api/account/notifications', { enabled }, notificationPreferences);
