// "Mes délégations": the doctor's two sections of the seed, each with its table and its
// "Ajouter une délégation de droits"; deletion behind a confirmation dialog.
import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { createModal } from '@codegouvfr/react-dsfr/Modal';
import { useIsModalOpen } from '@codegouvfr/react-dsfr/Modal/useIsModalOpen';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { Link, useLocation, useNavigate } from 'react-router';
import { cardTypeLabel, type DelegationView } from '../../../shared/delegations';
import { ApiError } from '../../api/client';
import { DataTable } from '../../components/DataTable';
import { ProposalsSection } from '../cabinets';
import { DirectoryDate } from '../directory';
import { RecentChanges } from '../journal';
import { DELEGATIONS_KEY, deleteDelegation, fetchDelegations, RECEIVED_KEY, resendInvitation } from './api';
import { DoctorOnly, LoadError, Loading, Period, RightsSummary, StatusBadge, useTitle } from './components';
import { DelegateSignInLine, ResetSecondFactor } from './DelegateSignIn';
import { ReceivedRequests, UnusedHint, WhoHasAccess } from './DoctorLifecycle';
import { delegateName, ofName, placeLabel, toName } from './format';
import { ReviewBanner } from './ReviewPage';
import { SuspendedHint, useReactivate } from './Suspension';
import './delegations.css';

const TITLE = 'Mes délégations';
export const IMPORTANT =
  'vous pouvez modifier ou supprimer à tout moment une délégation de droits depuis la page « Mes délégations ».';

const deleteModal = createModal({ id: 'supprimer-delegation', isOpenedByDefault: false });

export interface Flash {
  severity: 'success' | 'error' | 'info';
  message: string;
}

export function MyDelegationsPage() {
  useTitle(TITLE);
  return <DoctorOnly title={TITLE}>{() => <MyDelegations />}</DoctorOnly>;
}

function MyDelegations() {
  const location = useLocation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const list = useQuery({ queryKey: DELEGATIONS_KEY, queryFn: fetchDelegations });
  const [flash, setFlash] = useState<Flash | undefined>((location.state as { flash?: Flash } | null)?.flash);
  const [toDelete, setToDelete] = useState<DelegationView | undefined>();
  const flashRef = useRef<HTMLDivElement>(null);
  // The « Supprimer » button that opened the dialog: « Annuler » or Escape gives it the focus back.
  const opener = useRef<HTMLElement | null>(null);
  const removing = useRef(false);
  const isModalOpen = useIsModalOpen(deleteModal, {
    onConceal: () => {
      const back = opener.current;
      if (!back || removing.current) return;
      // After the design system's own focus handling, which knows no opener.
      requestAnimationFrame(() => back.focus());
    },
  });

  // A message carried from the previous page (e.g. "ajoutée") is shown once, not after a reload.
  useEffect(() => {
    if ((location.state as { flash?: Flash } | null)?.flash) {
      navigate(location.pathname, { replace: true, state: null });
    }
  }, [location, navigate]);
  useEffect(() => {
    if (flash) flashRef.current?.focus();
  }, [flash]);

  const refresh = async () => {
    await queryClient.invalidateQueries({ queryKey: DELEGATIONS_KEY });
    await queryClient.invalidateQueries({ queryKey: RECEIVED_KEY });
  };

  const remove = useMutation({
    mutationFn: (d: DelegationView) => {
      removing.current = true;
      return deleteDelegation(d.id);
    },
    onSuccess: async (_v, d) => {
      deleteModal.close();
      const who = delegateName(d);
      setFlash({
        severity: 'success',
        message: isPending(d)
          ? `L’invitation ${ofName(who)} a été annulée : le lien qui lui a été envoyé n’est plus valable.`
          : `La délégation de droits ${ofName(who)} a été supprimée. ${who} n’a plus accès à vos dossiers.`,
      });
      await refresh();
    },
    onSettled: () => {
      removing.current = false;
    },
    onError: async (err) => {
      deleteModal.close();
      setFlash({
        severity: 'error',
        message: err instanceof ApiError ? err.message : 'La suppression a échoué.',
      });
      await refresh();
    },
  });

  const resend = useMutation({
    mutationFn: (d: DelegationView) => resendInvitation(d.id),
    onSuccess: async (_v, d) => {
      setFlash({
        severity: 'success',
        message: `L’invitation a été renvoyée ${d.delegate.email ? `à ${d.delegate.email}` : toName(delegateName(d))}. Le lien envoyé précédemment n’est plus valable.`,
      });
      await refresh();
    },
    onError: async (err) => {
      setFlash({
        severity: 'error',
        message: err instanceof ApiError ? err.message : 'L’invitation n’a pas pu être renvoyée.',
      });
      await refresh();
    },
  });

  const reactivateButton = useReactivate(setFlash, refresh);

  // A closed dialog forgets its delegation (the next one opens clean).
  useEffect(() => {
    if (isModalOpen === false && !remove.isPending) setToDelete(undefined);
  }, [isModalOpen, remove.isPending]);

  if (list.isPending) return <Loading />;
  if (list.isError) return <LoadError error={list.error} title={TITLE} />;

  const actions = (d: DelegationView) => {
    const who = delegateName(d);
    return (
      <ul className="fr-btns-group fr-btns-group--inline fr-btns-group--sm delegation-actions">
        {reactivateButton(d)}
        {d.actions.includes('modify') && (
          <li>
            <Link className="fr-btn fr-btn--secondary fr-btn--sm" to={`/delegations/${d.id}/modifier`}>
              Modifier<span className="fr-sr-only"> la délégation {ofName(who)}</span>
            </Link>
          </li>
        )}
        {d.acceptedAt !== null || d.kind === 'peer' ? (
          <li>
            <Link className="fr-btn fr-btn--tertiary fr-btn--sm" to={`/delegations/${d.id}/attestation`}>
              Attestation<span className="fr-sr-only"> de la délégation {ofName(who)}</span>
            </Link>
          </li>
        ) : null}
        {d.actions.includes('resend') && (
          <li>
            <Button
              priority="secondary"
              size="small"
              disabled={resend.isPending}
              onClick={() => {
                setFlash(undefined);
                resend.mutate(d);
              }}
            >
              Renvoyer l’invitation<span className="fr-sr-only"> {toName(who)}</span>
            </Button>
          </li>
        )}
        {d.actions.includes('delete') && (
          <li>
            <Button
              priority="tertiary"
              size="small"
              nativeButtonProps={{ id: `supprimer-${d.id}`, 'aria-haspopup': 'dialog' }}
              onClick={(event) => {
                setFlash(undefined);
                setToDelete(d);
                opener.current = event.currentTarget;
                deleteModal.open();
              }}
            >
              Supprimer<span className="fr-sr-only"> la délégation {ofName(who)}</span>
            </Button>
          </li>
        )}
      </ul>
    );
  };

  const statusAndActions = (d: DelegationView) => [
    <span key="s">
      <StatusBadge status={d.status} />
      <UnusedHint d={d} />
      <SuspendedHint d={d} />
    </span>,
    actions(d),
  ];
  const namesakes = [...list.data.staff, ...list.data.peer]
    .filter((d) => d.delegate.namesake)
    .map((d) => delegateName(d));
  const staffRows = list.data.staff.map((d) => ({
    key: d.id,
    cells: [
      <span key="p" className="delegation-person">
        {delegateName(d)}
        {d.delegate.email && <span className="fr-hint-text">{d.delegate.email}</span>}
        <CardLine d={d} />
        <DelegateSignInLine d={d} />
        <ResetSecondFactor d={d} who={delegateName(d)} />
      </span>,
      d.delegate.profession ?? '—',
      <RightsSummary key="r" kind={d.kind} rights={d.rights} />,
      <Period key="t" startsOn={d.startsOn} endsOn={d.endsOn} />,
      ...statusAndActions(d),
    ],
  }));
  const peerRows = list.data.peer.map((d) => ({
    key: d.id,
    cells: [
      <span key="p" className="delegation-person">
        {delegateName(d)}
        <CardLine d={d} />
        <DelegateSignInLine d={d} />
      </span>,
      [d.delegate.profession, ...d.delegate.places.map(placeLabel)].filter(Boolean).join(', ') || '—',
      <RightsSummary key="r" kind={d.kind} rights={d.rights} />,
      <Period key="t" startsOn={d.startsOn} endsOn={d.endsOn} />,
      ...statusAndActions(d),
    ],
  }));

  return (
    <>
      <div className="delegations-title">
        <h1>{TITLE}</h1>
        <DirectoryDate />
      </div>
      {namesakes.length > 0 && (
        <Alert
          className="fr-mb-4w"
          severity="warning"
          title="Homonyme d’une personne habilitée"
          description={`Une autre personne portant les mêmes nom et prénom que ${namesakes.join(', ')} utilise le service avec une autre carte. Vérifiez que l’identifiant national affiché ci-dessous est bien celui de la personne que vous avez habilitée ; sinon, supprimez la délégation.`}
        />
      )}
      {flash && (
        <div ref={flashRef} tabIndex={-1} className="fr-mb-4w">
          <Alert severity={flash.severity} small description={flash.message} />
        </div>
      )}
      <ReviewBanner />
      <ReceivedRequests setFlash={setFlash} />
      <ProposalsSection />
      <WhoHasAccess
        delegations={[...list.data.staff, ...list.data.peer]}
        onResend={(d) => {
          setFlash(undefined);
          resend.mutate(d);
        }}
        resending={resend.isPending}
        reactivateButton={reactivateButton}
      />
      <Section
        id="assistants"
        title="Assistant(s) habilité(s) à gérer mes dossiers"
        addTo="/delegations/assistant/ajouter"
        empty="Vous n’avez habilité aucun assistant à gérer vos dossiers."
        headers={[
          'Personne',
          'Profession',
          'Droits',
          'Période',
          'Statut',
          { label: 'Actions', noPrint: true },
        ]}
        rows={staffRows}
      />
      <Section
        id="confreres"
        title="Médecin(s) habilité(s) à gérer mes dossiers"
        addTo="/delegations/confrere/ajouter"
        empty="Vous n’avez habilité aucun confrère à gérer vos dossiers."
        headers={[
          'Médecin',
          'Spécialité, lieu d’exercice',
          'Droits',
          'Période',
          'Statut',
          { label: 'Actions', noPrint: true },
        ]}
        rows={peerRows}
      />
      <p className="fr-mt-6w">
        <strong>Important :</strong> {IMPORTANT}
      </p>
      <RecentChanges side="given" />
      <deleteModal.Component
        title="Supprimer la délégation de droits"
        buttons={[
          { children: 'Annuler', priority: 'secondary' },
          {
            children: 'Supprimer',
            doClosesModal: false,
            disabled: remove.isPending || !toDelete,
            onClick: () => {
              if (toDelete) remove.mutate(toDelete);
            },
          },
        ]}
      >
        {toDelete && isPending(toDelete) ? (
          <>
            <p>
              Voulez-vous supprimer la délégation de droits {ofName(delegateName(toDelete))} ? Elle n’a pas
              encore été finalisée.
            </p>
            <p>
              L’invitation sera annulée : le lien envoyé à {delegateName(toDelete)} ne sera plus valable, et{' '}
              {delegateName(toDelete)} en sera informé(e) par courriel. L’invitation restera visible dans
              votre journal.
            </p>
          </>
        ) : toDelete ? (
          <>
            <p>Voulez-vous supprimer la délégation de droits {ofName(delegateName(toDelete))} ?</p>
            <p>
              La suppression prend effet immédiatement : {delegateName(toDelete)} n’aura plus accès à vos
              dossiers et en sera informé(e) par courriel. La délégation restera visible dans votre journal.
            </p>
          </>
        ) : (
          <p>Voulez-vous supprimer cette délégation de droits ?</p>
        )}
      </deleteModal.Component>
    </>
  );
}

/** A staff invitation not yet finalised: its person never had access. */
const isPending = (d: DelegationView) => d.kind === 'staff' && d.acceptedAt === null;

function Section(props: {
  id: string;
  title: string;
  addTo: string;
  empty: string;
  headers: Parameters<typeof DataTable>[0]['headers'];
  rows: { key: string; cells: React.ReactNode[] }[];
}) {
  return (
    <section aria-labelledby={`titre-${props.id}`} className="fr-mb-6w">
      <div className="delegations-section-head">
        <h2 id={`titre-${props.id}`} className="fr-h3 fr-mb-0">
          {props.title}
        </h2>
        <Link className="fr-btn fr-btn--icon-left fr-icon-add-line no-print" to={props.addTo}>
          Ajouter une délégation de droits
        </Link>
      </div>
      {props.rows.length === 0 ? (
        <p className="fr-mt-2w">{props.empty}</p>
      ) : (
        <DataTable
          className="fr-mt-2w delegations-table"
          caption={props.title}
          captionHidden
          headers={props.headers}
          rows={props.rows}
        />
      )}
    </section>
  );
}

/** The card that accepted, so that the doctor can tell two namesakes apart. */
function CardLine({ d }: { d: DelegationView }) {
  if (!d.delegate.nationalId || (d.kind === 'staff' && !d.acceptedAt)) return null;
  return (
    <span className="fr-hint-text">
      {d.delegate.cardType ? `${cardTypeLabel(d.delegate.cardType)}, ` : ''}identifiant national{' '}
      {d.delegate.nationalId}
      {d.delegate.namesake && <strong> — homonyme signalé</strong>}
    </span>
  );
}
