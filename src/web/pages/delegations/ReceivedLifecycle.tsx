// The delegate's side of a delegation's life, on « Délégations reçues »: « Demander une
// délégation de droits », « Renoncer » (behind a confirmation dialog that gives the focus back to
// its opener) and « Mes demandes » with their answers.
import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Badge } from '@codegouvfr/react-dsfr/Badge';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { createModal } from '@codegouvfr/react-dsfr/Modal';
import { useIsModalOpen } from '@codegouvfr/react-dsfr/Modal/useIsModalOpen';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { Link, useLocation, useNavigate } from 'react-router';
import { frenchDate } from '../../../shared/calendar';
import { REQUEST_STATUS_LABELS, type RequestView } from '../../../shared/delegation-requests';
import type { ReceivedDelegationView } from '../../../shared/delegations';
import { ApiError } from '../../api/client';
import { DataTable } from '../../components/DataTable';
import { RECEIVED_KEY } from './api';
import { Period, RightsSummary } from './components';
import { personName } from './format';
import { fetchSentRequests, REQUESTS_SENT_KEY, renounceDelegation } from './lifecycle-api';

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
  const [flash, setFlash] = useState<Flash | undefined>((location.state as { flash?: Flash } | null)?.flash);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if ((location.state as { flash?: Flash } | null)?.flash) {
      navigate(location.pathname, { replace: true, state: null });
    }
  }, [location, navigate]);
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

const canRenounce = (d: ReceivedDelegationView) => d.status === 'active' || d.status === 'scheduled';

/** « Renoncer » on each line that can be given up, and the one confirmation dialog. */
export function useRenounce(setFlash: (f: Flash | undefined) => void) {
  const queryClient = useQueryClient();
  const [target, setTarget] = useState<ReceivedDelegationView | undefined>();
  const opener = useRef<HTMLElement | null>(null);
  const done = useRef(false);
  const isOpen = useIsModalOpen(renounceModal, {
    onConceal: () => {
      const back = opener.current;
      if (!back || done.current) return;
      requestAnimationFrame(() => back.focus());
    },
  });
  const renounce = useMutation({
    mutationFn: (d: ReceivedDelegationView) => {
      done.current = true;
      return renounceDelegation(d.id);
    },
    onSuccess: async (_v, d) => {
      renounceModal.close();
      setFlash({
        severity: 'success',
        message: `Vous avez renoncé à la délégation du Dr ${personName(d.delegator)}. Vous n’avez plus accès à ses dossiers ; le médecin en est informé.`,
      });
      await queryClient.invalidateQueries({ queryKey: RECEIVED_KEY });
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
          <p>Voulez-vous renoncer à la délégation de droits du Dr {personName(target.delegator)} ?</p>
          <p>
            La renonciation prend effet immédiatement et ne peut pas être annulée : vous n’aurez plus accès à
            ses dossiers. Le médecin en sera informé ; la délégation apparaîtra avec le statut « Renoncée ».
          </p>
        </>
      ) : (
        <p>Voulez-vous renoncer à cette délégation de droits ?</p>
      )}
    </renounceModal.Component>
  );
  return { button, dialog };
}

const REQUEST_SEVERITY = { open: 'info', accepted: 'success', refused: 'error', expired: undefined } as const;

export function RequestBadge({ status }: { status: RequestView['status'] }) {
  return (
    <Badge as="span" small severity={REQUEST_SEVERITY[status]}>
      {REQUEST_STATUS_LABELS[status]}
    </Badge>
  );
}

/** « Mes demandes »: each request made, its status, the refusal's reason, the expiry. */
export function SentRequests() {
  const sent = useQuery({ queryKey: REQUESTS_SENT_KEY, queryFn: fetchSentRequests });
  if (!sent.data || sent.data.length === 0) return null;
  const rows = sent.data.map((r) => ({
    key: r.id,
    cells: [
      `Dr ${personName(r.doctor)}`,
      <RightsSummary key="r" kind={r.kind} rights={r.rights} peerLabel="Mêmes droits que le médecin" />,
      <Period key="p" startsOn={r.startsOn} endsOn={r.endsOn} />,
      <span key="s">
        <RequestBadge status={r.status} />
        {r.status === 'open' && <span className="fr-hint-text">Expire le {frenchDate(r.expiresAt)}</span>}
        {r.status === 'refused' && (
          <span className="fr-hint-text">
            {r.refusalReason ? `Motif : « ${r.refusalReason} »` : 'Aucun motif indiqué'}
          </span>
        )}
      </span>,
      frenchDate(r.createdAt),
    ],
  }));
  return (
    <section aria-labelledby="titre-mes-demandes" className="fr-mt-6w">
      <h2 id="titre-mes-demandes" className="fr-h3">
        Mes demandes de délégation
      </h2>
      <DataTable
        className="delegations-table"
        caption="Mes demandes de délégation"
        captionHidden
        headers={['Médecin', 'Droits demandés', 'Période demandée', 'Statut', 'Envoyée le']}
        rows={rows}
      />
    </section>
  );
}
