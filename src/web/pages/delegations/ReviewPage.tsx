// « Revue des délégations »: every active delegation with its rights, period, last use and use
// count, and for each line « Conserver », « Modifier », « Supprimer ». Complete when every line
// is decided.
import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Badge } from '@codegouvfr/react-dsfr/Badge';
import { Breadcrumb } from '@codegouvfr/react-dsfr/Breadcrumb';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { Link } from 'react-router';
import { REVIEW_DECISION_LABELS, type ReviewItemView, reviewResponse } from '../../../shared/access-review';
import { frenchDate } from '../../../shared/calendar';
import { ApiError, apiGet, apiSend } from '../../api/client';
import { DataTable } from '../../components/DataTable';
import { DELEGATIONS_KEY, deleteDelegation } from './api';
import { DoctorOnly, LoadError, Loading, Period, RightsSummary, useTitle } from './components';
import { delegateName, ofName } from './format';
import './delegations.css';

const TITLE = 'Revue des délégations';
// Under DELEGATIONS_KEY: any change of a delegation (modified, deleted) refreshes the review.
export const REVIEW_KEY = ['delegations', 'review'] as const;
export const fetchReview = () => apiGet('/api/access-review', reviewResponse);

export function ReviewPage() {
  useTitle(TITLE);
  return <DoctorOnly title={TITLE}>{() => <Review />}</DoctorOnly>;
}

/** On « Mes délégations »: the banner that leads to the review in progress. */
export function ReviewBanner() {
  const review = useQuery({ queryKey: REVIEW_KEY, queryFn: fetchReview });
  const open = review.data?.review;
  if (!open) return null;
  const left = open.items.filter((i) => i.decision === null).length;
  return (
    <Alert
      className="fr-mb-4w"
      severity="warning"
      title="Revue des délégations à faire"
      description={
        <>
          Vérifiez qui a encore besoin d’accéder à vos dossiers : {left} délégation{left > 1 ? 's' : ''} à
          examiner. <Link to="/delegations/revue">Faire la revue des délégations</Link>
        </>
      }
    />
  );
}

const dateTime = (iso: string) =>
  new Intl.DateTimeFormat('fr-FR', {
    timeZone: 'Europe/Paris',
    dateStyle: 'short',
    timeStyle: 'short',
  }).format(new Date(iso));

function Review() {
  const queryClient = useQueryClient();
  const review = useQuery({ queryKey: REVIEW_KEY, queryFn: fetchReview });
  const [message, setMessage] = useState<{ severity: 'success' | 'error'; text: string } | undefined>();
  const [confirming, setConfirming] = useState<string | undefined>();
  const messageRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (message) messageRef.current?.focus();
  }, [message]);
  const refresh = async () => {
    await queryClient.invalidateQueries({ queryKey: REVIEW_KEY });
    await queryClient.invalidateQueries({ queryKey: DELEGATIONS_KEY });
  };
  const done = (completed: boolean, text: string) =>
    setMessage({
      severity: 'success',
      text: completed
        ? `${text} La revue des délégations est terminée : elle est inscrite dans votre journal.`
        : text,
    });
  const fail = (err: unknown) =>
    setMessage({ severity: 'error', text: err instanceof ApiError ? err.message : 'L’action a échoué.' });
  const start = useMutation({
    mutationFn: () => apiSend('POST', '/api/access-review/start'),
    onSuccess: refresh,
    onError: fail,
  });
  const keep = useMutation({
    mutationFn: async (i: ReviewItemView) =>
      (await apiSend<{ completed: boolean }>(
        'POST',
        `/api/access-review/items/${encodeURIComponent(i.delegation.id)}/keep`,
      )) ?? { completed: false },
    onSuccess: async (r, i) => {
      done(r.completed, `La délégation ${ofName(delegateName(i.delegation))} est conservée.`);
      await refresh();
    },
    onError: fail,
  });
  const remove = useMutation({
    mutationFn: (i: ReviewItemView) => deleteDelegation(i.delegation.id),
    onSuccess: async (_r, i) => {
      setConfirming(undefined);
      const left = (review.data?.review?.items ?? []).filter((x) => x.decision === null && x !== i).length;
      done(
        left === 0,
        `La délégation ${ofName(delegateName(i.delegation))} est supprimée : cette personne n’a plus accès à vos dossiers.`,
      );
      await refresh();
    },
    onError: fail,
  });

  if (review.isPending) return <Loading />;
  if (review.isError) return <LoadError error={review.error} title={TITLE} />;
  const current = review.data.review;
  const header = (
    <>
      <Breadcrumb
        currentPageLabel={TITLE}
        segments={[{ label: 'Mes délégations', linkProps: { to: '/delegations' } }]}
      />
      <h1>{TITLE}</h1>
      {message && (
        <div ref={messageRef} tabIndex={-1} className="fr-mb-4w">
          <Alert severity={message.severity} small description={message.text} />
        </div>
      )}
    </>
  );
  if (!current) {
    return (
      <>
        {header}
        <p>
          Aucune revue n’est en cours.
          {review.data.lastCompletedAt
            ? ` Dernière revue terminée le ${frenchDate(review.data.lastCompletedAt)}.`
            : ''}{' '}
          Une revue vous est proposée automatiquement à intervalle régulier ; vous pouvez aussi en faire une
          maintenant.
        </p>
        <Button onClick={() => start.mutate()} disabled={start.isPending}>
          Commencer la revue maintenant
        </Button>
      </>
    );
  }
  const left = current.items.filter((i) => i.decision === null).length;
  const rows = current.items.map((i) => {
    const d = i.delegation;
    const who = delegateName(d);
    return {
      key: d.id,
      cells: [
        <span key="p" className="delegation-person">
          {who}
        </span>,
        <RightsSummary key="r" kind={d.kind} rights={d.rights} />,
        <Period key="t" startsOn={d.startsOn} endsOn={d.endsOn} />,
        i.lastUsedAt ? `Le ${dateTime(i.lastUsedAt)}` : 'Jamais utilisée',
        `${i.uses} accès depuis le ${frenchDate(i.since)}`,
        i.decision ? (
          <Badge key="d" as="span" small severity={i.decision === 'deleted' ? 'error' : 'success'}>
            {REVIEW_DECISION_LABELS[i.decision]}
          </Badge>
        ) : (
          <ul key="a" className="fr-btns-group fr-btns-group--inline fr-btns-group--sm delegation-actions">
            {confirming === d.id ? (
              <>
                <li>
                  <Button size="small" onClick={() => remove.mutate(i)} disabled={remove.isPending}>
                    Confirmer la suppression
                    <span className="fr-sr-only"> de la délégation {ofName(who)}</span>
                  </Button>
                </li>
                <li>
                  <Button size="small" priority="tertiary" onClick={() => setConfirming(undefined)}>
                    Annuler
                  </Button>
                </li>
              </>
            ) : (
              <>
                <li>
                  <Button size="small" onClick={() => keep.mutate(i)} disabled={keep.isPending}>
                    Conserver<span className="fr-sr-only"> la délégation {ofName(who)}</span>
                  </Button>
                </li>
                <li>
                  <Link className="fr-btn fr-btn--secondary fr-btn--sm" to={`/delegations/${d.id}/modifier`}>
                    Modifier<span className="fr-sr-only"> la délégation {ofName(who)}</span>
                  </Link>
                </li>
                <li>
                  <Button size="small" priority="tertiary" onClick={() => setConfirming(d.id)}>
                    Supprimer<span className="fr-sr-only"> la délégation {ofName(who)}</span>
                  </Button>
                </li>
              </>
            )}
          </ul>
        ),
      ],
    };
  });
  return (
    <>
      {header}
      <p className="fr-text--lead">
        Pour chaque délégation en cours, décidez de la conserver, de la modifier ou de la supprimer. La revue
        est terminée quand chaque ligne a une décision ; elle est inscrite dans votre journal.
      </p>
      <p>
        Revue commencée le {frenchDate(current.startedAt)} —{' '}
        {left === 0 ? 'terminée' : `${left} décision${left > 1 ? 's' : ''} à prendre`}.
      </p>
      <DataTable
        className="delegations-table"
        caption="Délégations à revoir"
        captionHidden
        headers={['Personne', 'Droits', 'Période', 'Dernière utilisation', 'Utilisation', 'Décision']}
        rows={rows}
      />
    </>
  );
}
