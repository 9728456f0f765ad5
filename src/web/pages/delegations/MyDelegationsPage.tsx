// "Mes délégations": the doctor's two sections of the seed, each with its table and its
// "Ajouter une délégation de droits"; deletion behind a confirmation dialog.
import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { createModal } from '@codegouvfr/react-dsfr/Modal';
import { useIsModalOpen } from '@codegouvfr/react-dsfr/Modal/useIsModalOpen';
import { Table } from '@codegouvfr/react-dsfr/Table';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { Link, useLocation, useNavigate } from 'react-router';
import { cardTypeLabel, type DelegationView } from '../../../shared/delegations';
import { ApiError } from '../../api/client';
import { DirectoryDate } from '../directory';
import { DELEGATIONS_KEY, deleteDelegation, fetchDelegations, RECEIVED_KEY, resendInvitation } from './api';
import { DoctorOnly, LoadError, Loading, Period, RightsSummary, StatusBadge, useTitle } from './components';
import { delegateName, placeLabel } from './format';
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
  const isModalOpen = useIsModalOpen(deleteModal);

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
    mutationFn: (d: DelegationView) => deleteDelegation(d.id),
    onSuccess: async (_v, d) => {
      deleteModal.close();
      setFlash({
        severity: 'success',
        message: `La délégation de droits de ${delegateName(d)} a été supprimée. Elle n’a plus accès à vos dossiers.`,
      });
      await refresh();
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
        message: `L’invitation a été renvoyée à ${d.delegate.email ?? delegateName(d)}. Le lien envoyé précédemment n’est plus valable.`,
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
        {d.actions.includes('modify') && (
          <li>
            <Link className="fr-btn fr-btn--secondary fr-btn--sm" to={`/delegations/${d.id}/modifier`}>
              Modifier<span className="fr-sr-only"> la délégation de {who}</span>
            </Link>
          </li>
        )}
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
              Renvoyer l’invitation<span className="fr-sr-only"> à {who}</span>
            </Button>
          </li>
        )}
        {d.actions.includes('delete') && (
          <li>
            <Button
              priority="tertiary"
              size="small"
              nativeButtonProps={{ ...deleteModal.buttonProps, id: `supprimer-${d.id}` }}
              onClick={() => {
                setFlash(undefined);
                setToDelete(d);
              }}
            >
              Supprimer<span className="fr-sr-only"> la délégation de {who}</span>
            </Button>
          </li>
        )}
      </ul>
    );
  };

  const namesakes = [...list.data.staff, ...list.data.peer]
    .filter((d) => d.delegate.namesake)
    .map((d) => delegateName(d));
  const staffRows = list.data.staff.map((d) => [
    <span key="p" className="delegation-person">
      {delegateName(d)}
      {d.delegate.email && <span className="fr-hint-text">{d.delegate.email}</span>}
      <CardLine d={d} />
    </span>,
    d.delegate.profession ?? '—',
    <RightsSummary key="r" kind={d.kind} rights={d.rights} />,
    <Period key="t" startsOn={d.startsOn} endsOn={d.endsOn} />,
    <StatusBadge key="s" status={d.status} />,
    actions(d),
  ]);
  const peerRows = list.data.peer.map((d) => [
    <span key="p" className="delegation-person">
      {delegateName(d)}
      <CardLine d={d} />
    </span>,
    [d.delegate.profession, ...d.delegate.places.map(placeLabel)].filter(Boolean).join(', ') || '—',
    <RightsSummary key="r" kind={d.kind} rights={d.rights} />,
    <Period key="t" startsOn={d.startsOn} endsOn={d.endsOn} />,
    <StatusBadge key="s" status={d.status} />,
    actions(d),
  ]);

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
      <Section
        id="assistants"
        title="Assistant(s) habilité(s) à gérer mes dossiers"
        addTo="/delegations/assistant/ajouter"
        empty="Vous n’avez habilité aucun assistant à gérer vos dossiers."
        headers={['Personne', 'Profession', 'Droits', 'Période', 'Statut', 'Actions']}
        rows={staffRows}
      />
      <Section
        id="confreres"
        title="Médecin(s) habilité(s) à gérer mes dossiers"
        addTo="/delegations/confrere/ajouter"
        empty="Vous n’avez habilité aucun confrère à gérer vos dossiers."
        headers={['Médecin', 'Spécialité, lieu d’exercice', 'Droits', 'Période', 'Statut', 'Actions']}
        rows={peerRows}
      />
      <p className="fr-mt-6w">
        <strong>Important :</strong> {IMPORTANT}
      </p>
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
        {toDelete ? (
          <>
            <p>
              Voulez-vous supprimer la délégation de droits de <strong>{delegateName(toDelete)}</strong> ?
            </p>
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

function Section(props: {
  id: string;
  title: string;
  addTo: string;
  empty: string;
  headers: string[];
  rows: React.ReactNode[][];
}) {
  return (
    <section aria-labelledby={`titre-${props.id}`} className="fr-mb-6w">
      <div className="delegations-section-head">
        <h2 id={`titre-${props.id}`} className="fr-h3 fr-mb-0">
          {props.title}
        </h2>
        <Link className="fr-btn fr-btn--icon-left fr-icon-add-line" to={props.addTo}>
          Ajouter une délégation de droits
        </Link>
      </div>
      {props.rows.length === 0 ? (
        <p className="fr-mt-2w">{props.empty}</p>
      ) : (
        <Table
          className="fr-mt-2w delegations-table"
          caption={props.title}
          noCaption
          headers={props.headers}
          data={props.rows}
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
