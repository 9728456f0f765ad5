// « Accepter » a request: the usual add form, pre-filled with what was asked (rights, period);
// the doctor may narrow them. The requester signed in with a card: the delegation is active at
// once, without an invitation.
import { Breadcrumb } from '@codegouvfr/react-dsfr/Breadcrumb';
import { ButtonsGroup } from '@codegouvfr/react-dsfr/ButtonsGroup';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { frenchDate } from '../../../shared/calendar';
import type { RequestView } from '../../../shared/delegation-requests';
import type { Right } from '../../../shared/rights';
import { ApiError } from '../../api/client';
import { clientError, useCorrections } from '../../components/ErrorSummary';
import { dossiersKey, fetchDossiers } from '../dossiers/api';
import { DELEGATIONS_KEY } from './api';
import {
  DoctorOnly,
  ErrorSummary,
  type FieldTargets,
  fieldError,
  LoadError,
  Loading,
  PERIOD_FIELDS,
  PeriodFieldset,
  type PeriodValue,
  periodPayload,
  periodProblems,
  RIGHTS_FIELD,
  RightsFieldset,
  useTitle,
} from './components';
import { requesterName } from './DoctorLifecycle';
import { delegationSentence, todayInParis } from './format';
import { acceptRequest, fetchRequest, REQUESTS_RECEIVED_KEY } from './lifecycle-api';
import './delegations.css';

const TITLE = 'Accepter une demande de délégation';
const FIELDS: FieldTargets = { ...RIGHTS_FIELD, ...PERIOD_FIELDS };

export function AcceptRequestPage() {
  useTitle(TITLE);
  const { id = '' } = useParams();
  return <DoctorOnly title={TITLE}>{() => <AcceptRequestLoader id={id} />}</DoctorOnly>;
}

function AcceptRequestLoader({ id }: { id: string }) {
  const request = useQuery({ queryKey: ['delegation-requests', id], queryFn: () => fetchRequest(id) });
  if (request.isPending) return <Loading />;
  if (request.isError) return <LoadError error={request.error} title={TITLE} />;
  return <AcceptRequest request={request.data} />;
}

function AcceptRequest({ request }: { request: RequestView }) {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const today = todayInParis();
  const staff = request.kind === 'staff';
  const [rights, setRights] = useState<Right[]>(request.rights);
  const [period, setPeriod] = useState<PeriodValue>({
    // The later of the date asked and today (a start in the past is refused).
    startsOn: [request.startsOn, today].sort()[1] ?? today,
    endsOn: request.endsOn ?? '',
    noEnd: staff && request.endsOn === null,
  });
  const dossiers = useQuery({ queryKey: dossiersKey(undefined), queryFn: () => fetchDossiers(undefined) });
  const summaryRef = useRef<HTMLDivElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | undefined>();
  const { shown, correcting } = useCorrections(error);
  useEffect(() => {
    if (error) summaryRef.current?.focus();
  }, [error]);
  useTitle(TITLE, shown !== undefined);
  const who = requesterName(request);

  if (request.status !== 'open') {
    return (
      <>
        <h1>{TITLE}</h1>
        <p>
          Cette demande n’est plus en attente de réponse (
          {request.status === 'accepted' ? 'acceptée' : request.status === 'refused' ? 'refusée' : 'expirée'}
          ).
        </p>
        <Link to="/delegations">Retour à « Mes délégations »</Link>
      </>
    );
  }

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    const problems = clientError(periodProblems(period, staff, today));
    if (problems) {
      setError(problems);
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      await acceptRequest(request.id, { ...(staff ? { rights } : {}), ...periodPayload(period, staff) });
      await queryClient.invalidateQueries({ queryKey: DELEGATIONS_KEY });
      await queryClient.invalidateQueries({ queryKey: REQUESTS_RECEIVED_KEY });
      navigate('/delegations', {
        state: {
          flash: {
            severity: 'success',
            message: `Vous avez accepté la demande : la délégation de droits de ${who} est ajoutée. ${who} en est informé(e) par courriel.`,
          },
        },
      });
    } catch (err) {
      setBusy(false);
      setError(err instanceof ApiError ? err : new ApiError(0, 'error', 'L’acceptation a échoué.'));
    }
  };

  const back = { label: 'Mes délégations', linkProps: { to: '/delegations' } };
  return (
    <>
      <Breadcrumb segments={[back]} currentPageLabel={TITLE} />
      <h1>{TITLE}</h1>
      {shown ? <ErrorSummary summaryRef={summaryRef} error={shown} fields={FIELDS} /> : null}
      <section aria-labelledby="demandeur" className="delegation-step">
        <h2 id="demandeur" className="fr-h4">
          Demande {staff ? 'de' : 'du'} {who}
        </h2>
        <p className="fr-mb-1w">
          {request.requester.profession ?? (staff ? 'Personnel de cabinet' : 'Médecin')}
          {request.requester.cardType ? ` — carte ${request.requester.cardType}` : ''}
        </p>
        <p className="fr-text--sm">
          Demande envoyée le {frenchDate(request.createdAt)}, expire le {frenchDate(request.expiresAt)}.
        </p>
        {request.message && (
          <blockquote className="fr-text--sm delegation-message">« {request.message} »</blockquote>
        )}
        <p className="fr-text--sm">
          {staff
            ? 'Cette personne s’est connectée avec sa carte CPx : la délégation sera active dès son début, sans invitation à finaliser.'
            : 'Entre médecins, la délégation donne les mêmes droits que vous sur vos dossiers, pendant la période définie.'}
        </p>
      </section>
      <form onSubmit={onSubmit} noValidate className="delegation-steps">
        {staff && (
          <div className="delegation-step">
            <RightsFieldset
              legend={
                <h2 className="fr-h4 fr-mb-0">1. Vérifiez les droits d’accès (vous pouvez en retirer)</h2>
              }
              rights={rights}
              onChange={correcting(setRights)}
              error={fieldError(shown, 'rights')}
            />
          </div>
        )}
        <PeriodFieldset
          legend={<h2 className="fr-h4 fr-mb-0">{staff ? '2' : '1'}. Vérifiez la période de validité</h2>}
          value={period}
          onChange={correcting(setPeriod)}
          allowNoEnd={staff}
          minStart={today}
          startError={fieldError(shown, 'startsOn')}
          endError={fieldError(shown, 'endsOn')}
        />
        <div className="fr-callout fr-mb-3w delegation-summary">
          <p className="fr-callout__text fr-text--md">
            <strong>En résumé : </strong>
            {delegationSentence({
              who,
              kind: request.kind,
              rights,
              startsOn: period.startsOn,
              endsOn: staff && period.noEnd ? null : period.endsOn,
              dossiers: dossiers.data?.dossiers.length,
            })}
          </p>
        </div>
        <ButtonsGroup
          inlineLayoutWhen="md and up"
          buttons={[
            { children: 'Accepter et ajouter la délégation', type: 'submit', disabled: busy },
            { children: 'Annuler', priority: 'secondary', linkProps: { to: '/delegations' } },
          ]}
        />
      </form>
    </>
  );
}
