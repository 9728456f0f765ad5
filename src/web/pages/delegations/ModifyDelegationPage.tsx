// "Modifier": rights and period of a staff delegation, period of a peer delegation. The version
// read is sent back: a change made meanwhile is refused, shown, and the form reloads.
import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Breadcrumb } from '@codegouvfr/react-dsfr/Breadcrumb';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import type { DelegationView } from '../../../shared/delegations';
import type { Right } from '../../../shared/rights';
import { ApiError } from '../../api/client';
import { clientError, useCorrections } from '../../components/ErrorSummary';
import { DELEGATIONS_KEY, fetchDelegations, modifyDelegation, RECEIVED_KEY } from './api';
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
  StatusBadge,
  useTitle,
} from './components';
import { PscRequiredCheckbox } from './DelegateSignIn';
import { delegateName, ofName, todayInParis } from './format';
import './delegations.css';

const TITLE = 'Modifier une délégation de droits';
const FIELDS: FieldTargets = {
  ...RIGHTS_FIELD,
  ...PERIOD_FIELDS,
};

export function ModifyDelegationPage() {
  useTitle(TITLE);
  return <DoctorOnly title={TITLE}>{() => <ModifyDelegation />}</DoctorOnly>;
}

function ModifyDelegation() {
  const { id } = useParams();
  const list = useQuery({ queryKey: DELEGATIONS_KEY, queryFn: fetchDelegations });
  if (list.isPending) return <Loading />;
  if (list.isError) return <LoadError error={list.error} title={TITLE} />;
  const delegation = [...list.data.staff, ...list.data.peer].find((d) => d.id === id);
  if (!delegation?.actions.includes('modify')) {
    return (
      <>
        <h1>{TITLE}</h1>
        <Alert
          severity="warning"
          as="h2"
          title="Cette délégation ne peut pas être modifiée"
          description="Elle n’existe pas, a été supprimée ou est expirée."
          className="fr-mb-4w"
        />
        <Link to="/delegations">Retour à « Mes délégations »</Link>
      </>
    );
  }
  // A new version (after a conflict) starts the form again from what the server holds.
  return <ModifyForm key={`${delegation.id}-${delegation.version}`} delegation={delegation} />;
}

function ModifyForm({ delegation }: { delegation: DelegationView }) {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const staff = delegation.kind === 'staff';
  const [rights, setRights] = useState<Right[]>(delegation.rights);
  const [pscRequired, setPscRequired] = useState(delegation.pscRequired ?? false);
  const [period, setPeriod] = useState<PeriodValue>({
    startsOn: delegation.startsOn,
    endsOn: delegation.endsOn ?? '',
    noEnd: staff && delegation.endsOn === null,
  });
  const [error, setError] = useState<ApiError | undefined>(staleError.get(delegation.id));
  const { shown, correcting } = useCorrections(error);
  const [busy, setBusy] = useState(false);
  const summaryRef = useRef<HTMLDivElement>(null);
  const who = delegateName(delegation);
  // An invitation not yet finalised: its person has never had access to anything.
  const pending = delegation.kind === 'staff' && delegation.acceptedAt === null;
  useTitle(TITLE, shown !== undefined);

  useEffect(() => {
    staleError.delete(delegation.id);
    if (error) summaryRef.current?.focus();
  }, [error, delegation.id]);

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    const problems = clientError(
      periodProblems(period, staff, [delegation.startsOn, todayInParis()].sort()[0]),
    );
    if (problems) {
      setError(problems);
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      await modifyDelegation(delegation.id, {
        version: delegation.version,
        ...(staff ? { rights } : {}),
        ...periodPayload(period, staff),
        pscRequired,
      });
      await queryClient.invalidateQueries({ queryKey: DELEGATIONS_KEY });
      await queryClient.invalidateQueries({ queryKey: RECEIVED_KEY });
      navigate('/delegations', {
        state: {
          flash: {
            severity: 'success',
            message: pending
              ? `L’invitation ${ofName(who)} a été modifiée : ces droits et cette période s’appliqueront lorsque ${who} aura finalisé la délégation. ${who} en est informé(e) par courriel ; le lien reçu reste valable.`
              : `La délégation de droits ${ofName(who)} a été modifiée. Elle s’applique dès maintenant.`,
          },
        },
      });
    } catch (err) {
      const apiError = err instanceof ApiError ? err : new ApiError(0, 'error', 'La modification a échoué.');
      if (apiError.code === 'delegation_stale') {
        // Keep the message across the reload of the form with the current version.
        staleError.set(delegation.id, apiError);
        await queryClient.invalidateQueries({ queryKey: DELEGATIONS_KEY });
      }
      setError(apiError);
    } finally {
      setBusy(false);
    }
  };

  const today = todayInParis();
  return (
    <>
      <Breadcrumb
        currentPageLabel={TITLE}
        segments={[{ label: 'Mes délégations', linkProps: { to: '/delegations' } }]}
      />
      <h1>{TITLE}</h1>
      <p className="fr-text--lead">
        {staff ? 'Assistant(e)' : 'Confrère'} : <strong>{who}</strong>
        {delegation.delegate.profession ? ` — ${delegation.delegate.profession}` : ''}{' '}
        <StatusBadge status={delegation.status} />
      </p>
      {shown && (
        <ErrorSummary
          error={shown}
          fields={FIELDS}
          summaryRef={summaryRef}
          extra={
            shown.code === 'delegation_stale' ? (
              <p className="fr-mb-0">
                Le formulaire montre maintenant sa version actuelle : vérifiez-la, puis enregistrez de
                nouveau.
              </p>
            ) : undefined
          }
        />
      )}
      <form onSubmit={onSubmit} noValidate className="delegation-steps">
        {staff ? (
          <RightsFieldset
            legend={<h2 className="fr-h4 fr-mb-0">Droits d’accès</h2>}
            rights={rights}
            onChange={correcting(setRights)}
            error={fieldError(shown, 'rights')}
          />
        ) : (
          <p className="delegation-step">
            <em>
              Nota : la délégation de droits entre médecins donne à votre confrère les mêmes droits que vous
              sur vos dossiers, pendant la période définie.
            </em>
          </p>
        )}
        <PeriodFieldset
          legend={<h2 className="fr-h4 fr-mb-0">Période</h2>}
          value={period}
          onChange={correcting(setPeriod)}
          allowNoEnd={staff}
          minStart={[delegation.startsOn, today].sort()[0]}
          startError={fieldError(shown, 'startsOn')}
          endError={fieldError(shown, 'endsOn')}
        />
        <PscRequiredCheckbox value={pscRequired} onChange={setPscRequired} />
        <p className="fr-text--sm">
          {pending
            ? `${who} n’a pas encore finalisé la délégation : la modification s’appliquera dès qu’elle sera finalisée. ${who} en sera informé(e) par courriel.`
            : `${who} en sera informé(e) par courriel. La modification s’applique dès sa prochaine action.`}
        </p>
        <ul className="fr-btns-group fr-btns-group--inline-md">
          <li>
            <Button type="submit" disabled={busy}>
              Enregistrer les modifications
            </Button>
          </li>
          <li>
            <Link className="fr-btn fr-btn--secondary" to="/delegations">
              Annuler
            </Link>
          </li>
        </ul>
      </form>
    </>
  );
}

/** The conflict message, kept while the form remounts with the delegation's current version. */
const staleError = new Map<string, ApiError>();
