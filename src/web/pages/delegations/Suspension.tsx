// A delegation suspended for lack of use (SUSPEND_UNUSED_DAYS): « Suspendue faute d’utilisation
// depuis le … » on each side, and the doctor's « Réactiver ».
import { Button } from '@codegouvfr/react-dsfr/Button';
import { useMutation } from '@tanstack/react-query';
import { frenchDate } from '../../../shared/calendar';
import type { DelegationView } from '../../../shared/delegations';
import { ApiError } from '../../api/client';
import { reactivateDelegation } from './api';
import { delegateName, ofName } from './format';
import type { Flash } from './ReceivedLifecycle';

export function SuspendedHint({ d }: { d: Pick<DelegationView, 'status' | 'suspendedUnusedSince'> }) {
  if (d.status !== 'suspended') return null;
  const since = d.suspendedUnusedSince
    ? ` depuis le ${frenchDate(new Date(d.suspendedUnusedSince).toLocaleDateString('en-CA', { timeZone: 'Europe/Paris' }))}`
    : '';
  return (
    <span className="fr-hint-text delegation-unused">
      <span className="fr-icon-pause-circle-line fr-icon--sm" aria-hidden="true" /> Suspendue faute
      d’utilisation{since}
    </span>
  );
}

/** « Réactiver » on each suspended line of the doctor. */
export function useReactivate(setFlash: (f: Flash | undefined) => void, refresh: () => Promise<void>) {
  const reactivate = useMutation({
    mutationFn: (d: DelegationView) => reactivateDelegation(d.id),
    onSuccess: async (_v, d) => {
      setFlash({
        severity: 'success',
        message: `La délégation de ${delegateName(d)} est réactivée : cette personne a de nouveau accès à vos dossiers et en est informée.`,
      });
      await refresh();
    },
    onError: async (err) => {
      setFlash({
        severity: 'error',
        message: err instanceof ApiError ? err.message : 'La délégation n’a pas pu être réactivée.',
      });
      await refresh();
    },
  });
  return (d: DelegationView) =>
    d.actions.includes('reactivate') ? (
      <li>
        <Button
          priority="primary"
          size="small"
          disabled={reactivate.isPending}
          onClick={() => {
            setFlash(undefined);
            reactivate.mutate(d);
          }}
        >
          Réactiver<span className="fr-sr-only"> la délégation {ofName(delegateName(d))}</span>
        </Button>
      </li>
    ) : null;
}
