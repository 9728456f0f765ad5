// The delegate's side of a delegation's life, on « Délégations reçues »: « Demander une
// délégation de droits », « Renoncer » (behind a confirmation dialog that gives the focus back to
// its opener); « Mes demandes » is in SentRequests.tsx.
import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { createModal } from '@codegouvfr/react-dsfr/Modal';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { Link, useLocation, useNavigate } from 'react-router';
import type { ReceivedDelegationView } from '../../../shared/delegations';
import { ApiError } from '../../api/client';
import { CONTEXTS_KEY, useActingContext } from '../../context';
import { RECEIVED_KEY } from './api';
import { personName } from './format';
import { renounceDelegation } from './lifecycle-api';
import { useOpenerFocus } from './opener-focus';

const renounceModal = createModal({ id: 'renoncer-delegation', isOpenedByDefault: false });

export interface Flash {
  severity: 'success' | 'error' | 'info';
  message: string;
}

/** A message carried from the previous page, shown once and focused. */
export function useFlash(): [
  Flash | undefined,
  (f: Flash | undefined) => void,
  React.RefObject<HTMLDivElement | null>,
] {
  const location = useLocation();
  const navigate = useNavigate();
  const carried = (location.state as { flash?: Flash } | null)?.flash;
  const [flash, setFlash] = useState<Flash | undefined>(carried);
  const ref = useRef<HTMLDivElement>(null);
  // Shown once: the history entry forgets it (a reload does not show it again).
  useEffect(() => {
    if (carried) navigate(location.pathname, { state: null, replace: true });
  }, [carried, location.pathname, navigate]);
  useEffect(() => {
    if (flash) ref.current?.focus();
  }, [flash]);
  return [flash, setFlash, ref];
}

export function FlashMessage({
  flash,
  flashRef,
}: {
  flash?: Flash;
  flashRef: React.RefObject<HTMLDivElement | null>;
}) {
  if (!flash) return null;
  return (
    <div ref={flashRef} tabIndex={-1} className="fr-mb-4w">
      <Alert severity={flash.severity} small description={flash.message} />
    </div>
  );
}

export function RequestButton() {
  return (
    <p className="no-print">
      <Link className="fr-btn fr-btn--icon-left fr-icon-mail-line" to="/delegations-recues/demander">
        Demander une délégation de droits
      </Link>
    </p>
  );
}

const canRenounce = (d: ReceivedDelegationView) =>
  d.status === 'active' || d.status === 'scheduled' || d.status === 'suspended';

/** « Renoncer » on each line that can be given up, and the one confirmation dialog. */
export function useRenounce(setFlash: (f: Flash | undefined) => void) {
  const queryClient = useQueryClient();
  const acting = useActingContext();
  const [target, setTarget] = useState<ReceivedDelegationView | undefined>();
  const { opener, acting: done, isOpen } = useOpenerFocus(renounceModal);
  const renounce = useMutation({
    mutationFn: (d: ReceivedDelegationView) => {
      done.current = true;
      return renounceDelegation(d.id);
    },
    onSuccess: async (_v, d) => {
      const actingForIt = acting.onBehalfOf === d.delegator.id;
      renounceModal.close();
      setFlash({
        severity: 'success',
        message: `Vous avez renoncé à la délégation du Dr ${personName(d.delegator)}. Vous n’avez plus accès à ses dossiers ; le médecin en est informé.`,
      });
      await queryClient.invalidateQueries({ queryKey: RECEIVED_KEY });
      // No longer offered as a context; if it was the one chosen, the person now acts for
      // himself or herself (chosen after the contexts are fresh, not to be chosen back).
      await queryClient.invalidateQueries({ queryKey: CONTEXTS_KEY });
      if (actingForIt) acting.choose(null);
    },
    onError: async (err) => {
      renounceModal.close();
      setFlash({
        severity: 'error',
        message: err instanceof ApiError ? err.message : 'La renonciation a échoué.',
      });
      await queryClient.invalidateQueries({ queryKey: RECEIVED_KEY });
    },
    onSettled: () => {
      done.current = false;
    },
  });
  useEffect(() => {
    if (isOpen === false && !renounce.isPending) setTarget(undefined);
  }, [isOpen, renounce.isPending]);

  const button = (d: ReceivedDelegationView) =>
    canRenounce(d) ? (
      <Button
        priority="tertiary"
        size="small"
        nativeButtonProps={{ 'aria-haspopup': 'dialog' }}
        onClick={(event) => {
          setFlash(undefined);
          setTarget(d);
          opener.current = event.currentTarget;
          renounceModal.open();
        }}
      >
        Renoncer<span className="fr-sr-only"> à la délégation du Dr {personName(d.delegator)}</span>
      </Button>
    ) : null;

  const dialog = (
    <renounceModal.Component
      title="Renoncer à la délégation de droits"
      buttons={[
        { children: 'Annuler', priority: 'secondary' },
        {
          children: 'Renoncer',
          doClosesModal: false,
          disabled: renounce.isPending || !target,
          onClick: () => {
            if (target) renounce.mutate(target);
          },
        },
      ]}
    >
      {target ? (
        <>
          <p>Voulez-vous renoncer à la délégation de droits du Dr {personName(target.delegator)}&nbsp;?</p>
          <p>
            La renonciation prend effet immédiatement et ne peut pas être annulée&nbsp;: vous n’aurez plus
            accès à ses dossiers. Le médecin en sera informé&nbsp;; la délégation apparaîtra avec le statut
            «&nbsp;Renoncée&nbsp;».
          </p>
        </>
      ) : (
        <p>Voulez-vous renoncer à cette délégation de droits&nbsp;?</p>
      )}
    </renounceModal.Component>
  );
  return { button, dialog };
}
