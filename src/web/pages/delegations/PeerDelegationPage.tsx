// "Ajouter une délégation à un confrère": the seed's steps — search the national directory by
// name (and postal code), "Rechercher", "Sélectionner", then the period of validity, "Ajouter".
import { Breadcrumb } from '@codegouvfr/react-dsfr/Breadcrumb';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { ApiError } from '../../api/client';
import { clientError, useCorrections } from '../../components/ErrorSummary';
import { type DirectoryPerson, DirectorySearch, displayName, placesLabel } from '../directory';
import { dossiersKey, fetchDossiers } from '../dossiers/api';
import { createPeer, DELEGATIONS_KEY } from './api';
import {
  DoctorOnly,
  ErrorSummary,
  type FieldTargets,
  fieldError,
  PERIOD_FIELDS,
  PeriodFieldset,
  type PeriodValue,
  periodPayload,
  periodProblems,
  useTitle,
} from './components';
import { ExistingDelegationLink } from './ExistingDelegationLink';
import { delegationSentence, todayInParis } from './format';
import './delegations.css';

const TITLE = 'Ajouter une délégation à un confrère';
const FIELDS: FieldTargets = {
  rpps: { id: 'medecin-selectionne', label: 'Médecin' },
  ...PERIOD_FIELDS,
};
const NOTA =
  'Nota : la délégation de droits entre médecins donne à votre confrère les mêmes droits que vous sur vos dossiers, pendant la période définie.';

export function PeerDelegationPage() {
  useTitle(TITLE);
  return <DoctorOnly title={TITLE}>{() => <PeerDelegation />}</DoctorOnly>;
}

function PeerDelegation() {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [doctor, setDoctor] = useState<DirectoryPerson | undefined>();
  const [period, setPeriod] = useState<PeriodValue>({ startsOn: todayInParis(), endsOn: '', noEnd: false });
  const [error, setError] = useState<ApiError | undefined>();
  const { shown, correcting } = useCorrections(error);
  const [busy, setBusy] = useState(false);
  const summaryRef = useRef<HTMLDivElement>(null);
  const selectedRef = useRef<HTMLHeadingElement>(null);
  const searchTitleRef = useRef<HTMLHeadingElement>(null);
  const [returnedToSearch, setReturnedToSearch] = useState(false);
  useTitle(TITLE, shown !== undefined);
  const dossiers = useQuery({ queryKey: dossiersKey(undefined), queryFn: () => fetchDossiers(undefined) });

  useEffect(() => {
    if (error) summaryRef.current?.focus();
  }, [error]);
  useEffect(() => {
    if (doctor) selectedRef.current?.focus();
    else if (returnedToSearch) searchTitleRef.current?.focus();
  }, [doctor, returnedToSearch]);

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    if (!doctor?.rpps) return;
    const problems = clientError(periodProblems(period, false, todayInParis()));
    if (problems) {
      setError(problems);
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      await createPeer({ rpps: doctor.rpps, ...periodPayload(period, false) });
      await queryClient.invalidateQueries({ queryKey: DELEGATIONS_KEY });
      navigate('/delegations', {
        state: {
          flash: {
            severity: 'success',
            message: `La délégation de droits a été ajoutée : ${displayName(doctor)} pourra gérer vos dossiers, avec les mêmes droits que vous, pendant la période définie.`,
          },
        },
      });
    } catch (err) {
      setError(
        err instanceof ApiError ? err : new ApiError(0, 'error', 'L’ajout de la délégation a échoué.'),
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <Breadcrumb
        currentPageLabel={TITLE}
        segments={[{ label: 'Mes délégations', linkProps: { to: '/delegations' } }]}
      />
      <h1>{TITLE}</h1>
      <p className="fr-text--lead">Depuis « Médecin(s) habilité(s) à gérer mes dossiers ».</p>

      {shown && (
        <ErrorSummary
          error={shown}
          fields={FIELDS}
          summaryRef={summaryRef}
          extra={
            shown.code === 'delegation_exists' && doctor ? (
              <ExistingDelegationLink nationalId={doctor.nationalId} />
            ) : undefined
          }
        />
      )}

      {!doctor ? (
        <section aria-labelledby="etape-recherche" className="fr-mb-6w">
          <h2 id="etape-recherche" className="fr-h4" ref={searchTitleRef} tabIndex={-1}>
            1. Recherchez votre confrère dans l’annuaire national
          </h2>
          <p>
            Source : Agence du Numérique en Santé. Renseignez son nom (et éventuellement son code postal) puis
            cliquez sur « Rechercher ».
          </p>
          <DirectorySearch
            profession="10"
            resultsLabel="Médecins trouvés"
            onSelect={(d) => {
              setError(undefined);
              setDoctor(d);
            }}
          />
        </section>
      ) : (
        <form onSubmit={onSubmit} noValidate className="delegation-steps">
          <section aria-labelledby="medecin-selectionne" className="delegation-step">
            <h2 id="medecin-selectionne" className="fr-h4" ref={selectedRef} tabIndex={-1}>
              Médecin sélectionné : {displayName(doctor)}
            </h2>
            <p className="fr-mb-1w">
              {doctor.specialty?.label ?? doctor.profession.label}
              {doctor.rpps ? ` — RPPS ${doctor.rpps}` : ''}
            </p>
            {doctor.places.length > 0 && <p className="fr-text--sm">{placesLabel(doctor)}</p>}
            <Button
              type="button"
              priority="tertiary"
              size="small"
              iconId="fr-icon-arrow-go-back-line"
              onClick={() => {
                setError(undefined);
                setReturnedToSearch(true);
                setDoctor(undefined);
              }}
            >
              Choisir un autre médecin
            </Button>
          </section>
          <PeriodFieldset
            legend={<h2 className="fr-h4 fr-mb-0">2. Renseignez la période de validité</h2>}
            value={period}
            onChange={correcting(setPeriod)}
            allowNoEnd={false}
            minStart={todayInParis()}
            startError={fieldError(shown, 'startsOn')}
            endError={fieldError(shown, 'endsOn')}
          />
          <p className="delegation-step">
            <em>{NOTA}</em>
          </p>
          <div className="fr-callout fr-mb-3w delegation-summary">
            <p className="fr-callout__text fr-text--md">
              <strong>En résumé : </strong>
              {delegationSentence({
                who: displayName(doctor),
                kind: 'peer',
                rights: [],
                startsOn: period.startsOn,
                endsOn: period.endsOn,
                dossiers: dossiers.data?.dossiers.length,
              })}
            </p>
          </div>
          <ul className="fr-btns-group fr-btns-group--inline-md">
            <li>
              <Button type="submit" disabled={busy}>
                Ajouter
              </Button>
            </li>
            <li>
              <Link className="fr-btn fr-btn--secondary" to="/delegations">
                Annuler
              </Link>
            </li>
          </ul>
        </form>
      )}
      {!doctor && (
        <p className="fr-mt-4w">
          <em>{NOTA}</em>
        </p>
      )}
    </>
  );
}
