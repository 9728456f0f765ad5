// "Créer un dossier" (right « Créer et modifier les dossiers »): patient identity and the
// administrative part; the dossier opens once created.
import { Breadcrumb } from '@codegouvfr/react-dsfr/Breadcrumb';
import { ButtonsGroup } from '@codegouvfr/react-dsfr/ButtonsGroup';
import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { useNavigate } from 'react-router';
import { ApiError } from '../../api/client';
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
} from './fields';

const TITLE = 'Créer un dossier';

export function NewDossierPage() {
  useTitle(TITLE);
  return <InActingContext title={TITLE}>{(acting) => <NewDossier acting={acting} />}</InActingContext>;
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
  useEffect(() => {
    if (error) errorRef.current?.focus();
  }, [error]);

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
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
      {error && <FormError error={error} ids={PATIENT_IDS} focusRef={errorRef} />}
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
