// "Pour le compte de qui j'agis": the contexts the server offers (GET /api/access/contexts), the
// choice kept in localStorage, and what every dossier call adds (onBehalfOf). A choice that is no
// longer offered (delegation deleted or ended) is dropped and its doctor named once.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useSyncExternalStore } from 'react';
import { actingContextsView, type DelegatedContext } from '../../shared/access';
import { ApiError, apiGet } from '../api/client';
import { useSession } from '../api/session';
import { parseStored, readLost, readRaw, setLost, subscribe, writeStored } from './store';

export const CONTEXTS_KEY = ['access', 'contexts'] as const;

export function doctorName(d: { givenName: string; familyName: string }): string {
  return `Dr ${d.givenName} ${d.familyName.toLocaleUpperCase('fr-FR')}`;
}

export type ActingState =
  | { status: 'loading' }
  | { status: 'signed-out' }
  /** A doctor acting for himself or herself. */
  | { status: 'self' }
  | { status: 'delegated'; context: DelegatedContext }
  /** Several delegators and no valid choice yet. */
  | { status: 'choose' }
  /** Not a doctor and no active delegation. */
  | { status: 'none' }
  | { status: 'error'; message: string };

export interface ActingContext {
  state: ActingState;
  /** The `onBehalfOf` query parameter to add to every dossier and access call. */
  onBehalfOf: string | undefined;
  /** The offered contexts (for the selector). */
  self: boolean;
  delegated: DelegatedContext[];
  /** Act for this delegator, or for oneself (null). */
  choose(delegatorId: string | null): void;
  /** The doctor whose delegation ended while chosen, if any (shown until dismissed). */
  lost: string | undefined;
  dismissLost(): void;
  /** After a refusal (403/404): ask the server again which contexts are still offered. */
  recheck(): Promise<void>;
}

export function useActingContext(): ActingContext {
  const session = useSession();
  const queryClient = useQueryClient();
  const user = session.data?.user ?? null;
  const ready = user?.firstSignInComplete;
  const contexts = useQuery({
    queryKey: [...CONTEXTS_KEY, user?.id],
    queryFn: () => apiGet('/api/access/contexts', actingContextsView),
    enabled: ready,
    // Fresh on every page: a delegation may have been accepted, modified or deleted meanwhile.
    staleTime: 0,
  });
  const raw = useSyncExternalStore(
    subscribe,
    () => readRaw(user?.id),
    () => null,
  );
  const lost = useSyncExternalStore(subscribe, readLost, () => undefined);
  const stored = useMemo(() => parseStored(raw), [raw]);
  const delegated = contexts.data?.delegated ?? [];
  const self = contexts.data?.self ?? false;

  // Drop a stored choice the server no longer offers; a delegate with a single delegator lands
  // in it (kept, so that its end can be named).
  useEffect(() => {
    if (!user || !contexts.data || contexts.isFetching) return;
    const offered = contexts.data.delegated;
    if (stored && !offered.some((d) => d.delegatorId === stored.delegatorId)) {
      writeStored(user.id, null);
      setLost(stored.name);
      return;
    }
    if (!stored && !contexts.data.self && offered.length === 1) {
      const only = offered[0] as DelegatedContext;
      writeStored(user.id, { delegatorId: only.delegatorId, name: doctorName(only) });
    }
  }, [user, contexts.data, contexts.isFetching, stored]);

  const state: ActingState = useMemo(() => {
    if (session.isPending) return { status: 'loading' };
    if (!user?.firstSignInComplete) return { status: 'signed-out' };
    if (contexts.isError) {
      return {
        status: 'error',
        message:
          contexts.error instanceof ApiError
            ? contexts.error.message
            : 'Impossible de savoir pour le compte de qui vous agissez.',
      };
    }
    if (!contexts.data) return { status: 'loading' };
    const chosen = stored && contexts.data.delegated.find((d) => d.delegatorId === stored.delegatorId);
    if (chosen) return { status: 'delegated', context: chosen };
    if (contexts.data.self) return { status: 'self' };
    if (contexts.data.delegated.length === 1) {
      return { status: 'delegated', context: contexts.data.delegated[0] as DelegatedContext };
    }
    return contexts.data.delegated.length === 0 ? { status: 'none' } : { status: 'choose' };
  }, [session.isPending, user, contexts.isError, contexts.error, contexts.data, stored]);

  const choose = useCallback(
    (delegatorId: string | null) => {
      if (!user) return;
      const target = delegatorId ? delegated.find((d) => d.delegatorId === delegatorId) : undefined;
      writeStored(user.id, target ? { delegatorId: target.delegatorId, name: doctorName(target) } : null);
      setLost(undefined);
    },
    [user, delegated],
  );

  const recheck = useCallback(async () => {
    await queryClient.invalidateQueries({ queryKey: CONTEXTS_KEY });
  }, [queryClient]);

  return {
    state,
    onBehalfOf: state.status === 'delegated' ? state.context.delegatorId : undefined,
    self,
    delegated,
    choose,
    lost,
    dismissLost: () => setLost(undefined),
    recheck,
  };
}

/** `path` with `onBehalfOf` added when acting for another doctor. */
export function withContext(path: string, onBehalfOf: string | undefined): string {
  if (!onBehalfOf) return path;
  return `${path}${path.includes('?') ? '&' : '?'}onBehalfOf=${encodeURIComponent(onBehalfOf)}`;
}
