// The signed-in user as the whole web app sees it (GET /api/session), and sign-out.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import { redirectSchema, type SessionInfo, sessionInfoSchema } from '../../shared/identity';
import { apiGet, apiPost, setCsrfToken } from './client';

export const SESSION_KEY = ['session'] as const;

export async function fetchSession(): Promise<SessionInfo> {
  const session = await apiGet('/api/session', sessionInfoSchema);
  setCsrfToken(session.csrfToken);
  return session;
}

export function useSession() {
  return useQuery({ queryKey: SESSION_KEY, queryFn: fetchSession, staleTime: 30_000 });
}

/** After a sign-in, first sign-in or sign-out: the user and the CSRF token have changed. */
export function useRefreshSession() {
  const queryClient = useQueryClient();
  return useCallback(async () => {
    setCsrfToken(undefined);
    await queryClient.invalidateQueries({ queryKey: SESSION_KEY });
  }, [queryClient]);
}

export async function signOut(): Promise<void> {
  const { redirectTo } = await apiPost('/api/auth/logout', undefined, redirectSchema);
  setCsrfToken(undefined);
  window.location.assign(redirectTo);
}
