// The doctor's side of a delegation's life, at the top of « Mes délégations »: « Demandes reçues
// (N) » with « Accepter » (the add form, pre-filled) and « Refuser » (optional reason, in a dialog
// that gives the focus back to its opener); « Qui a accès à mes dossiers »; « Inutilisée depuis le … ».
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { createModal } from '@codegouvfr/react-dsfr/Modal';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type ReactNode, useEffect, useState } from 'react';
import { Link } from 'react-router';
import { frenchDate } from '../../../shared/calendar';
import { MESSAGE_MAX, type RequestView } from '../../../shared/delegation-requests';
import type { DelegationView } from '../../../shared/delegations';
import { ApiError } from '../../api/client';
import { DataTable } from '../../components/DataTable';
import { Period, RightsSummary, StatusBadge } from './components';
import { delegateName, ofName, personName } from './format';
import { fetchReceivedRequests, REQUESTS_RECEIVED_KEY, refuseRequest } from './lifecycle-api';
import { useOpenerFocus } from './opener-focus';
import type { Flash } from './ReceivedLifecycle';
import { SuspendedHint } from './Suspension';

const refuseModal = createModal({ id: 'refuser-demande', isOpenedByDefault: false });

export const requesterName = (r: RequestView) =>
  `${r.requester.isDoctor ? 'Dr ' : ''}${personName(r.requester)}`;

/** « Demandes reçues (N) »: only when there are some. */
export function ReceivedRequests({ setFlash }: { setFlash: (f: Flash | undefined) => void }) {
  const queryClient = useQueryClient();
  const requests = useQuery({ queryKey: REQUESTS_RECEIVED_KEY, queryFn: fetchReceivedRequests });
  const [target, setTarget] = useState<RequestView | undefined>();
  const [reason, setReason] = useState('');
  const [reasonError, setReasonError] = useState<string | undefined>();
  const { opener, acting: done, isOpen } = useOpenerFocus(refuseModal);
  const refuse = useMutation({
    mutationFn: (r: RequestView) => {
      done.current = true;
      return refuseRequest(r.id, reason);
    },
    onSuccess: async (_v, r) => {
      refuseModal.close();
      setFlash({
        severity: 'success',
        message: `Vous avez refusé la demande ${ofName(requesterName(r))}. Cette personne en est informée${reason.trim() ? ', avec votre motif' : ''}.`,
      });
      await queryClient.invalidateQueries({ queryKey: REQUESTS_RECEIVED_KEY });
    },
    onError: async (err) => {
      if (err instanceof ApiError && err.field('reason')) {
        done.current = false;
        setReasonError(err.field('reason'));
        return;
      }
      refuseModal.close();
      setFlash({ severity: 'error', message: err instanceof ApiError ? err.message : 'Le refus a échoué.' });
      await queryClient.invalidateQueries({ queryKey: REQUESTS_RECEIVED_KEY });
    },
    onSettled: () => {
      done.current = false;
    },
  });
  useEffect(() => {
    if (isOpen === false && !refuse.isPending) {
      setTarget(undefined);
      setReason('');
      setReasonError(undefined);
    }
  }, [isOpen, refuse.isPending]);

  const list = requests.data ?? [];
  const rows = list.map((r) => ({
    key: r.id,
    cells: [
      <span key="p" className="delegation-person">
        {requesterName(r)}
        {r.requester.profession && <span className="fr-hint-text">{r.requester.profession}</span>}
        {r.message && <span className="fr-hint-text delegation-message">« {r.message} »</span>}
      </span>,
      <RightsSummary key="r" kind={r.kind} rights={r.rights} />,
      <Period key="t" startsOn={r.startsOn} endsOn={r.endsOn} />,
      <span key="e">Le {frenchDate(r.expiresAt)}</span>,
      <ul key="a" className="fr-btns-group fr-btns-group--inline fr-btns-group--sm delegation-actions">
        <li>
          <Link className="fr-btn fr-btn--sm" to={`/delegations/demandes/${r.id}`}>
            Accepter<span className="fr-sr-only"> la demande {ofName(requesterName(r))}</span>
          </Link>
        </li>
        <li>
          <Button
            priority="secondary"
            size="small"
            nativeButtonProps={{ 'aria-haspopup': 'dialog' }}
            onClick={(event) => {
              setFlash(undefined);
              setTarget(r);
              opener.current = event.currentTarget;
              refuseModal.open();
            }}
          >
            Refuser<span className="fr-sr-only"> la demande {ofName(requesterName(r))}</span>
          </Button>
        </li>
      </ul>,
    ],
  }));
  return (
    <>
      {list.length > 0 && (
        <section aria-labelledby="titre-demandes-recues" className="fr-mb-6w">
          <h2 id="titre-demandes-recues" className="fr-h3">
            Demandes reçues ({list.length})
          </h2>
          <DataTable
            className="delegations-table"
            caption={`Demandes reçues (${list.length})`}
            captionHidden
            headers={[
              'Demandée par',
              'Droits demandés',
              'Période demandée',
              'Expire',
              { label: 'Actions', noPrint: true },
            ]}
            rows={rows}
          />
        </section>
      )}
      <refuseModal.Component
        title="Refuser la demande de délégation"
        buttons={[
          { children: 'Annuler', priority: 'secondary' },
          {
            children: 'Refuser la demande',
            doClosesModal: false,
            disabled: refuse.isPending || !target,
            onClick: () => {
              if ([...reason].length > MESSAGE_MAX) {
                setReasonError(`Le motif ne peut pas dépasser ${MESSAGE_MAX} caractères.`);
                return;
              }
              if (target) refuse.mutate(target);
            },
          },
        ]}
      >
        <p>
          {target
            ? `Voulez-vous refuser la demande ${ofName(requesterName(target))} ?`
            : 'Voulez-vous refuser cette demande ?'}{' '}
          La personne en sera informée par courriel.
        </p>
        <Input
          textArea
          label="Motif (facultatif)"
          hintText={`Transmis à la personne. ${MESSAGE_MAX} caractères au plus.`}
          state={reasonError ? 'error' : 'default'}
          stateRelatedMessage={reasonError}
          nativeTextAreaProps={{
            id: 'motif-refus',
            value: reason,
            rows: 3,
            onChange: (e) => {
              setReason(e.target.value);
              setReasonError(undefined);
            },
          }}
        />
      </refuseModal.Component>
    </>
  );
}

const HAS_ACCESS = new Set<DelegationView['status']>([
  'active',
  'suspended',
  'scheduled',
  'pending',
  'invitation_expired',
]);

const dateTime = (iso: string) =>
  new Intl.DateTimeFormat('fr-FR', {
    timeZone: 'Europe/Paris',
    dateStyle: 'short',
    timeStyle: 'short',
  }).format(new Date(iso));

/** « Qui a accès à mes dossiers »: one line per person who has, will have or is invited to have access. */
export function WhoHasAccess({
  delegations,
  onResend,
  resending,
  reactivateButton,
}: {
  delegations: DelegationView[];
  onResend: (d: DelegationView) => void;
  resending: boolean;
  /** « Réactiver » on a suspended line (Suspension.tsx). */
  reactivateButton?: (d: DelegationView) => ReactNode;
}) {
  const people = delegations.filter((d) => HAS_ACCESS.has(d.status));
  const rows = people.map((d) => {
    const who = delegateName(d);
    const invited = d.status === 'pending' || d.status === 'invitation_expired';
    return {
      key: d.id,
      cells: [
        <span key="p" className="delegation-person">
          {who}
          {invited && d.invitationExpiresAt && (
            <span className="fr-hint-text">
              Invitation {d.status === 'pending' ? 'valable jusqu’au' : 'expirée le'}{' '}
              {frenchDate(d.invitationExpiresAt)}
            </span>
          )}
        </span>,
        <StatusBadge key="s" status={d.status} />,
        <RightsSummary key="r" kind={d.kind} rights={d.rights} />,
        d.endsOn ? frenchDate(d.endsOn) : 'Sans date de fin',
        <span key="l">
          {d.lastUsedAt ? `Le ${dateTime(d.lastUsedAt)}` : invited ? '—' : 'Aucune activité'}
          <UnusedHint d={d} />
          <SuspendedHint d={d} />
        </span>,
        <ul key="a" className="fr-btns-group fr-btns-group--inline fr-btns-group--sm delegation-actions">
          {reactivateButton?.(d)}
          {d.actions.includes('resend') && (
            <li>
              <Button priority="secondary" size="small" disabled={resending} onClick={() => onResend(d)}>
                Renvoyer<span className="fr-sr-only"> l’invitation {ofName(who)}</span>
              </Button>
            </li>
          )}
          {d.delegate.userId && (
            <li>
              <Link
                className="fr-btn fr-btn--tertiary fr-btn--sm"
                to={`/journal?delegataire=${encodeURIComponent(d.delegate.userId)}`}
              >
                Voir ses actions<span className="fr-sr-only"> ({who})</span>
              </Link>
            </li>
          )}
        </ul>,
      ],
    };
  });
  return (
    <section aria-labelledby="titre-qui-a-acces" className="fr-mb-6w">
      <h2 id="titre-qui-a-acces" className="fr-h3">
        Qui a accès à mes dossiers
      </h2>
      <p className="fr-text--sm no-print">
        Vérifiez régulièrement que chaque personne a encore besoin de cet accès :{' '}
        <Link to="/delegations/revue">Revue des délégations</Link>.
      </p>
      {rows.length === 0 ? (
        <p>Personne d’autre que vous n’a accès à vos dossiers.</p>
      ) : (
        <DataTable
          className="delegations-table"
          caption="Qui a accès à mes dossiers"
          captionHidden
          headers={[
            'Personne',
            'Statut',
            'Droits',
            'Fin',
            'Dernière activité',
            { label: 'Actions', noPrint: true },
          ]}
          rows={rows}
        />
      )}
    </section>
  );
}

/** « Inutilisée depuis le … » for an active delegation nobody used for 90 days. */
export function UnusedHint({ d }: { d: DelegationView }) {
  if (!d.unusedSince) return null;
  return (
    <span className="fr-hint-text delegation-unused">
      <span className="fr-icon-warning-line fr-icon--sm" aria-hidden="true" /> Inutilisée depuis le{' '}
      {frenchDate(new Date(d.unusedSince).toLocaleDateString('en-CA', { timeZone: 'Europe/Paris' }))}
    </span>
  );
}
