// "Créer un dossier" (right « Créer et modifier les dossiers »): patient identity and the
// administrative part; the dossier opens once created.

import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Breadcrumb } from '@codegouvfr/react-dsfr/Breadcrumb';
import { ButtonsGroup } from '@codegouvfr/react-dsfr/ButtonsGroup';
import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { RIGHT_LABELS } from '../../../shared/rights';
import { ApiError } from '../../api/client';
import { clientError } from '../../components/ErrorSummary';
import { type ActingContext, doctorName } from '../../context';
import { createDossier } from './api';
import { InActingContext, useRecheckOnRefusal, useTitle } from './components';
import {
  AdministrativeFields,
  administrativePayload,
  emptyAdministrative,
  emptyPatient,
  FormError,
  PATIENT_IDS,
  PatientFields,
  patientPayload,
  patientProblems,
} from './fields';

const TITLE = 'Créer un dossier';

export function NewDossierPage() {
  useTitle(TITLE);
  return (
    <InActingContext title={TITLE}>
      {(acting) => (mayCreate(acting) ? <NewDossier acting={acting} /> : <CannotCreate acting={acting} />)}
    </InActingContext>
  );
}

/** A doctor for himself, a colleague, or a delegate with « Créer et modifier les dossiers ». */
function mayCreate(acting: ActingContext): boolean {
  const { state } = acting;
  if (state.status === 'self') return true;
  return (
    state.status === 'delegated' && (state.context.kind === 'peer' || state.context.rights.includes('gerer'))
  );
}

/** Reached by its address without the right: why, and where to go. */
function CannotCreate({ acting }: { acting: ActingContext }) {
  const doctor = acting.state.status === 'delegated' ? doctorName(acting.state.context) : 'ce médecin';
  return (
    <>
      <h1>{TITLE}</h1>
      <Alert
        severity="info"
        as="h2"
        title={`Votre délégation de droits ne vous permet pas de créer un dossier pour le ${doctor}`}
        description={
          <>
            Il faut pour cela le droit « {RIGHT_LABELS.gerer} ». Seul le médecin peut vous l’accorder, en
            modifiant votre délégation depuis sa page « Mes délégations ». Vous pouvez consulter ses dossiers
            dans <Link to="/dossiers">Dossiers</Link>.
          </>
        }
      />
    </>
  );
}

function NewDossier({ acting }: { acting: ActingContext }) {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [patient, setPatient] = useState(emptyPatient);
  const [administrative, setAdministrative] = useState(emptyAdministrative);
  const [error, setError] = useState<ApiError | undefined>();
  const [busy, setBusy] = useState(false);
  const errorRef = useRef<HTMLDivElement>(null);
  useRecheckOnRefusal(error, acting);
  useTitle(TITLE, error !== undefined);
  useEffect(() => {
    if (error) errorRef.current?.focus();
  }, [error]);

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    const problems = clientError(patientProblems(patient));
    if (problems) {
      setError(problems);
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const created = await createDossier(
        { patient: patientPayload(patient), administrative: administrativePayload(administrative) },
        acting.onBehalfOf,
      );
      await queryClient.invalidateQueries({ queryKey: ['dossiers'] });
      navigate(`/dossiers/${created.id}`, {
        state: { flash: `Le dossier ${created.reference} a été créé.` },
      });
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, 'error', 'La création a échoué.'));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <Breadcrumb
        currentPageLabel={TITLE}
        homeLinkProps={{ to: '/' }}
        segments={[{ label: 'Dossiers', linkProps: { to: '/dossiers' } }]}
      />
      <h1>{TITLE}</h1>
      {acting.state.status === 'delegated' && (
        <p>Le dossier sera créé pour un patient du {doctorName(acting.state.context)}.</p>
      )}
      {error && <FormError error={error} ids={PATIENT_IDS} focusRef={errorRef} headingAs="h2" />}
      <form onSubmit={onSubmit} noValidate>
        <PatientFields value={patient} onChange={setPatient} error={error} />
        <AdministrativeFields value={administrative} onChange={setAdministrative} error={error} />
        <ButtonsGroup
          inlineLayoutWhen="sm and up"
          buttons={[
            { children: 'Créer le dossier', type: 'submit', disabled: busy },
            { children: 'Annuler', priority: 'secondary', linkProps: { to: '/dossiers' } },
          ]}
        />
      </form>
    </>
  );
}
