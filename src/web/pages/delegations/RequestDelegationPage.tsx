// « Demander une délégation de droits » (from « Délégations reçues »): find the doctor in the
// national directory, then the rights wanted (staff), the period and a message; « Envoyer la demande ».
import { Breadcrumb } from '@codegouvfr/react-dsfr/Breadcrumb';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { ButtonsGroup } from '@codegouvfr/react-dsfr/ButtonsGroup';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { useNavigate } from 'react-router';
import { MESSAGE_MAX } from '../../../shared/delegation-requests';
import type { Right } from '../../../shared/rights';
import { ApiError } from '../../api/client';
import { clientError, useCorrections } from '../../components/ErrorSummary';
import { type DirectoryPerson, DirectorySearch, displayName, placesLabel } from '../directory';
import {
  ErrorSummary,
  type FieldTargets,
  fieldError,
  PERIOD_FIELDS,
  PeriodFieldset,
  type PeriodValue,
  periodPayload,
  periodProblems,
  RIGHTS_FIELD,
  RightsFieldset,
  SignedIn,
  useTitle,
} from './components';
import { todayInParis } from './format';
import { createRequest, REQUESTS_SENT_KEY } from './lifecycle-api';
import './delegations.css';

const TITLE = 'Demander une délégation de droits';
const FIELDS: FieldTargets = {
  rpps: { id: 'medecin-selectionne', label: 'Médecin' },
  ...RIGHTS_FIELD,
  ...PERIOD_FIELDS,
  message: { id: 'message-demande', label: 'Message' },
};

/** Refusals that no change of rights, period or message can overcome: only another doctor. */
const CANNOT_ASK_THIS_DOCTOR = new Set([
  'request_silence',
  'request_already_open',
  'request_delegation_exists',
  'request_doctor_unknown',
]);

export function RequestDelegationPage() {
  useTitle(TITLE);
  return <SignedIn>{(user) => <RequestDelegation isDoctor={user.isDoctor} />}</SignedIn>;
}

function RequestDelegation({ isDoctor }: { isDoctor: boolean }) {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [doctor, setDoctor] = useState<DirectoryPerson | undefined>();
  const [rights, setRights] = useState<Right[]>(['consulter']);
  const [period, setPeriod] = useState<PeriodValue>({ startsOn: todayInParis(), endsOn: '', noEnd: false });
  const [message, setMessage] = useState('');
  const [error, setError] = useState<ApiError | undefined>();
  const { shown, corrected, correcting } = useCorrections(error);
  const [busy, setBusy] = useState(false);
  const summaryRef = useRef<HTMLDivElement>(null);
  const selectedRef = useRef<HTMLHeadingElement>(null);
  useTitle(TITLE, shown !== undefined);
  useEffect(() => {
    if (error) summaryRef.current?.focus();
  }, [error]);
  useEffect(() => {
    if (doctor) selectedRef.current?.focus();
  }, [doctor]);

  const allowNoEnd = !isDoctor;
  // The alert says why and until when; the form stays hidden until another doctor is chosen.
  const blocked = error !== undefined && CANNOT_ASK_THIS_DOCTOR.has(error.code);
  const choose = (d: DirectoryPerson | undefined) => {
    setError(undefined);
    setDoctor(d);
  };
  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    if (!doctor?.rpps) return;
    const problems = periodProblems(period, allowNoEnd, todayInParis());
    if ([...message].length > MESSAGE_MAX) {
      problems.push({
        path: 'message',
        message: `Le message ne peut pas dépasser ${MESSAGE_MAX} caractères.`,
      });
    }
    const local = clientError(problems);
    if (local) {
      setError(local);
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      await createRequest({ rpps: doctor.rpps, rights, message, ...periodPayload(period, allowNoEnd) });
      await queryClient.invalidateQueries({ queryKey: REQUESTS_SENT_KEY });
      navigate('/delegations-recues', {
        state: {
          flash: {
            severity: 'success',
            message: `Votre demande a été envoyée à ${displayName(doctor)}. Vous serez informé(e) de sa réponse ; sans réponse, elle expire dans 30 jours.`,
          },
        },
      });
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, 'error', 'L’envoi de la demande a échoué.'));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <Breadcrumb
        currentPageLabel={TITLE}
        segments={[{ label: 'Délégations reçues', linkProps: { to: '/delegations-recues' } }]}
      />
      <h1>{TITLE}</h1>
      <p className="fr-text--lead">
        Demandez à un médecin de vous habiliter à gérer ses dossiers. Il pourra accepter, en choisissant les
        droits et la période, ou refuser.
      </p>
      {shown && <ErrorSummary error={shown} fields={FIELDS} summaryRef={summaryRef} />}
      {doctor === undefined && (
        <section aria-labelledby="etape-recherche" className="fr-mb-6w">
          <h2 id="etape-recherche" className="fr-h4">
            1. Recherchez le médecin dans l’annuaire national
          </h2>
          <p>Nom du médecin (et éventuellement code postal), puis « Rechercher » et « Sélectionner ».</p>
          <DirectorySearch profession="10" resultsLabel="Médecins trouvés" onSelect={choose} />
        </section>
      )}
      {doctor !== undefined && (
        <form onSubmit={onSubmit} noValidate className="delegation-steps">
          <div className="delegation-step">
            <h2 id="medecin-selectionne" className="fr-h4" ref={selectedRef} tabIndex={-1}>
              Médecin sélectionné : {displayName(doctor)}
            </h2>
            <dl className="fr-text--sm">
              <dt className="fr-sr-only">Spécialité</dt>
              <dd className="fr-ml-0">{doctor.specialty?.label ?? doctor.profession.label}</dd>
              {doctor.places.length > 0 && (
                <>
                  <dt className="fr-sr-only">Lieux d’exercice</dt>
                  <dd className="fr-ml-0">{placesLabel(doctor)}</dd>
                </>
              )}
            </dl>
            <Button type="button" priority="tertiary" size="small" onClick={() => choose(undefined)}>
              Choisir un autre médecin
            </Button>
          </div>
          {!blocked && (
            <>
              {isDoctor ? (
                <p className="delegation-step">
                  <em>
                    Entre médecins, la délégation donne les mêmes droits que le médecin sur ses dossiers,
                    pendant la période définie.
                  </em>
                </p>
              ) : (
                <div className="delegation-step">
                  <RightsFieldset
                    legend={<h2 className="fr-h4 fr-mb-0">2. Choisissez les droits demandés</h2>}
                    rights={rights}
                    onChange={correcting(setRights)}
                    error={fieldError(shown, 'rights')}
                  />
                </div>
              )}
              <PeriodFieldset
                legend={
                  <h2 className="fr-h4 fr-mb-0">{isDoctor ? '2' : '3'}. Indiquez la période souhaitée</h2>
                }
                value={period}
                onChange={correcting(setPeriod)}
                allowNoEnd={allowNoEnd}
                minStart={todayInParis()}
                startError={fieldError(shown, 'startsOn')}
                endError={fieldError(shown, 'endsOn')}
              />
              <Input
                textArea
                label={`${isDoctor ? '3' : '4'}. Message au médecin (facultatif)`}
                hintText={`${MESSAGE_MAX} caractères au plus. Ne donnez aucune information sur un patient.`}
                state={fieldError(shown, 'message') ? 'error' : 'default'}
                stateRelatedMessage={fieldError(shown, 'message')}
                nativeTextAreaProps={{
                  id: 'message-demande',
                  value: message,
                  rows: 4,
                  onChange: (e) => {
                    setMessage(e.target.value);
                    corrected('message');
                  },
                }}
              />
              <p className="fr-text--sm">
                {[...message].length} / {MESSAGE_MAX} caractères
              </p>
              <ButtonsGroup
                inlineLayoutWhen="md and up"
                buttons={[
                  { children: 'Envoyer la demande', type: 'submit', disabled: busy },
                  { children: 'Annuler', priority: 'secondary', linkProps: { to: '/delegations-recues' } },
                ]}
              />
            </>
          )}
        </form>
      )}
    </>
  );
}
