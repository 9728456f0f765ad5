// One dossier as the acting context may see it: patient identity, administrative part (editable
// with « Créer et modifier »), medical part (sent by the server only with « volet médical »),
// requests to establishments (« Envoyer les demandes »), and "Pourquoi ai-je accès ?".
import { Accordion } from '@codegouvfr/react-dsfr/Accordion';
import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Breadcrumb } from '@codegouvfr/react-dsfr/Breadcrumb';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { ButtonsGroup } from '@codegouvfr/react-dsfr/ButtonsGroup';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { createModal } from '@codegouvfr/react-dsfr/Modal';
import { useIsModalOpen } from '@codegouvfr/react-dsfr/Modal/useIsModalOpen';
import { Notice } from '@codegouvfr/react-dsfr/Notice';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, type ReactNode, useCallback, useEffect, useRef, useState } from 'react';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import { frenchDate } from '../../../shared/calendar';
import {
  type DossierView as Dossier,
  isLivingSituation,
  LIVING_SITUATION_LABELS,
} from '../../../shared/dossiers';
import { dossierJournalLink, lastUpdateText } from '../../../shared/last-update';
import { RIGHT_LABELS, RIGHTS, type Right } from '../../../shared/rights';
import { ApiError, type FieldError } from '../../api/client';
import { clientError } from '../../components/ErrorSummary';
import { type ActingContext, doctorName } from '../../context';
import {
  cancelRequest,
  dossierKey,
  explainAccess,
  fetchDossier,
  sendRequest,
  updateAdministrative,
  updateMedical,
} from './api';
import {
  DataTable,
  DossierStatusBadge,
  errorMessage,
  InActingContext,
  Loading,
  PageError,
  RequestStatusBadge,
  useRecheckOnRefusal,
  useTitle,
} from './components';
import {
  AdministrativeFields,
  administrativeForm,
  administrativePayload,
  FormError,
  MEDICAL_IDS,
  MedicalFields,
  medicalForm,
  medicalPayload,
  PATIENT_IDS,
  PatientFields,
  patientForm,
  patientPayload,
  patientProblems,
} from './fields';
import { parisDateTime, parisDateTimeWords } from './format';
import './dossiers.css';

const confirmSendModal = createModal({ id: 'confirmer-demande', isOpenedByDefault: false });

/** « de Ginette GUÉRIN », « d’Aurélie ROUX ». */
const ofPatient = (d: Dossier) => {
  const name = `${d.patient.givenName} ${d.patient.familyName.toLocaleUpperCase('fr-FR')}`;
  return /^[aeiouyhàâéèêîïôû]/i.test(name) ? `d’${name}` : `de ${name}`;
};

export function DossierPage() {
  return <InActingContext title="Dossier">{(acting) => <DossierView acting={acting} />}</InActingContext>;
}

interface Message {
  severity: 'success' | 'error';
  text: string;
}

function DossierView({ acting }: { acting: ActingContext }) {
  const { id = '' } = useParams();
  const { onBehalfOf } = acting;
  const location = useLocation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const dossier = useQuery({
    queryKey: dossierKey(id, onBehalfOf),
    queryFn: () => fetchDossier(id, onBehalfOf),
  });
  useRecheckOnRefusal(dossier.error, acting);
  const [message, setMessage] = useState<Message | undefined>(() => {
    const flash = (location.state as { flash?: string } | null)?.flash;
    return flash ? { severity: 'success', text: flash } : undefined;
  });
  const messageRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if ((location.state as { flash?: string } | null)?.flash) {
      navigate(location.pathname, { replace: true, state: null });
    }
  }, [location, navigate]);
  useEffect(() => {
    if (message) messageRef.current?.focus();
  }, [message]);
  const title = dossier.data ? `Dossier ${dossier.data.reference}` : 'Dossier';
  // A section's form showing errors puts « Erreur : » before the page's title.
  const [formErrors, setFormErrors] = useState(0);
  const onFormError = useCallback((shown: boolean) => setFormErrors((n) => n + (shown ? 1 : -1)), []);
  useTitle(dossier.isError ? 'Dossier introuvable' : title, formErrors > 0);

  if (dossier.isPending) return <Loading />;
  if (dossier.isError) {
    const err = dossier.error;
    if (err instanceof ApiError && err.status === 404) return <DossierNotFound message={err.message} />;
    return <PageError title="Dossier" message={errorMessage(err)} />;
  }
  const d = dossier.data;
  const can = (right: Right) => d.rights.includes(right);
  const reload = () => queryClient.invalidateQueries({ queryKey: ['dossiers', onBehalfOf ?? 'self'] });
  /** After a write: say what happened; on a conflict or refusal, reload what the server has. */
  const done = async (text: string) => {
    await reload();
    setMessage({ severity: 'success', text });
  };
  const failed = async (err: unknown) => {
    if (err instanceof ApiError && [403, 404, 409].includes(err.status)) {
      await reload();
      if (err.status !== 409) await acting.recheck();
    }
    setMessage({ severity: 'error', text: errorMessage(err, 'L’enregistrement a échoué.') });
  };

  return (
    <>
      <Breadcrumb
        currentPageLabel={d.reference}
        homeLinkProps={{ to: '/' }}
        segments={[{ label: 'Dossiers', linkProps: { to: '/dossiers' } }]}
      />
      <div className="dossiers-title">
        <h1>{title}</h1>
        <DossierStatusBadge status={d.status} />
      </div>
      <p className="fr-text--lead">
        {d.patient.givenName} {d.patient.familyName}, né{d.patient.sex === 'F' ? 'e' : ''} le{' '}
        {frenchDate(d.patient.birthDate)}
        {acting.state.status === 'delegated' && (
          <>
            {' '}
            — patient{d.patient.sex === 'F' ? 'e' : ''} du {doctorName(acting.state.context)}
          </>
        )}
      </p>
      <p className="fr-text--sm dossier-last-update">
        {lastUpdateText(d, parisDateTimeWords(d.lastUpdate.at))}{' '}
        <Link className="fr-link fr-link--sm no-print" to={dossierJournalLink(d)}>
          {d.via === 'owner' ? 'Journal de ce dossier' : 'Journal de vos actions sur ce dossier'}
        </Link>
      </p>
      <div aria-live="polite">
        {message && (
          <div ref={messageRef} tabIndex={-1} className="fr-mb-3w dossier-message">
            <Alert
              severity={message.severity}
              small
              description={message.text}
              closable
              onClose={() => setMessage(undefined)}
            />
          </div>
        )}
      </div>

      <WhyAccess dossier={d} onBehalfOf={onBehalfOf} />

      <AdministrativeSection
        key={`admin-${d.version}`}
        dossier={d}
        editable={can('gerer')}
        onBehalfOf={onBehalfOf}
        onDone={done}
        onFailed={failed}
        onFormError={onFormError}
      />
      <MedicalSection
        key={`medical-${d.version}`}
        dossier={d}
        editable={can('volet_medical')}
        onBehalfOf={onBehalfOf}
        onDone={done}
        onFailed={failed}
        onFormError={onFormError}
      />
      <RequestsSection
        dossier={d}
        canSend={can('envoyer')}
        onBehalfOf={onBehalfOf}
        onDone={done}
        onFailed={failed}
      />
    </>
  );
}

export function DossierNotFound({ message }: { message: string }) {
  return (
    <>
      <h1>Dossier introuvable</h1>
      <Alert
        severity="error"
        as="h2"
        title={message}
        description="Il n’existe pas ou vous n’y avez pas accès."
      />
      <p className="fr-mt-3w">
        <Link to="/dossiers">Revenir à la liste des dossiers</Link>
      </p>
    </>
  );
}

function WhyAccess({ dossier, onBehalfOf }: { dossier: Dossier; onBehalfOf: string | undefined }) {
  const [expanded, setExpanded] = useState(false);
  const explain = useQuery({
    queryKey: ['access', 'explain', dossier.id, onBehalfOf ?? 'self'],
    queryFn: () => explainAccess(dossier.id, 'read', onBehalfOf),
    enabled: expanded,
    staleTime: 0,
  });
  return (
    <Accordion
      className="fr-mb-5w"
      label="Pourquoi ai-je accès ?"
      titleAs="h2"
      expanded={expanded}
      onExpandedChange={setExpanded}
    >
      {explain.isPending ? (
        <Loading />
      ) : explain.isError ? (
        <p>{errorMessage(explain.error)}</p>
      ) : (
        <>
          <p>{explain.data.message}</p>
          <p className="fr-mb-1w">Ce que vous pouvez faire sur ce dossier :</p>
          <ul>
            {RIGHTS.filter((r) => dossier.rights.includes(r)).map((r) => (
              <li key={r}>{RIGHT_LABELS[r]}</li>
            ))}
          </ul>
        </>
      )}
    </Accordion>
  );
}

function Fields({ items }: { items: [string, ReactNode][] }) {
  return (
    <dl className="dossier-fields">
      {items.map(([label, value]) => (
        <div key={label} style={{ display: 'contents' }}>
          <dt>{label}</dt>
          <dd>{value === '' || value === undefined || value === null ? <em>Non renseigné</em> : value}</dd>
        </div>
      ))}
    </dl>
  );
}

interface SectionProps {
  dossier: Dossier;
  onBehalfOf: string | undefined;
  onDone: (text: string) => Promise<void>;
  onFailed: (err: unknown) => Promise<void>;
  /** The section's form shows errors (true) or no longer does (false). */
  onFormError?: (shown: boolean) => void;
}

interface EditableSectionProps {
  titleId: string;
  title: string;
  /** The button that opens the form, also the form's accessible name. */
  editLabel: string;
  editable: boolean;
  /** Field ids by API path, for the error summary's links. */
  ids: Record<string, string>;
  firstFieldId: string;
  save: () => Promise<void>;
  saved: string;
  /** Puts the form back to the dossier's values. */
  reset: () => void;
  fields: (error: ApiError | undefined) => ReactNode;
  view: ReactNode;
  onDone: SectionProps['onDone'];
  onFailed: SectionProps['onFailed'];
  onFormError?: SectionProps['onFormError'];
  /** Checks made before sending (dates, required fields). */
  problems?: () => FieldError[];
}

/**
 * A part of the dossier shown as fields, editable in place: the form takes the focus when it
 * opens, field errors (400) are listed on top with links to their fields, anything else (a 409,
 * a lost right) goes to the page.
 */
function EditableSection(p: EditableSectionProps) {
  const [editing, setEditing] = useState(false);
  const [error, setError] = useState<ApiError | undefined>();
  const [busy, setBusy] = useState(false);
  const errorRef = useRef<HTMLDivElement>(null);
  const opened = useRef(false);
  useEffect(() => {
    if (error) errorRef.current?.focus();
  }, [error]);
  const { onFormError } = p;
  const hasError = error !== undefined;
  useEffect(() => {
    if (!hasError) return;
    onFormError?.(true);
    return () => onFormError?.(false);
  }, [hasError, onFormError]);
  useEffect(() => {
    if (editing && opened.current) document.getElementById(p.firstFieldId)?.focus();
    opened.current = true;
  }, [editing, p.firstFieldId]);

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    const problems = clientError(p.problems?.() ?? []);
    if (problems) {
      setError(problems);
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      await p.save();
      setEditing(false);
      await p.onDone(p.saved);
    } catch (err) {
      if (err instanceof ApiError && err.status === 400) setError(err);
      else await p.onFailed(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="dossier-section" aria-labelledby={p.titleId}>
      <div className="dossier-section-head">
        <h2 id={p.titleId}>{p.title}</h2>
        {p.editable && !editing && (
          <Button priority="secondary" iconId="fr-icon-edit-line" onClick={() => setEditing(true)}>
            {p.editLabel}
          </Button>
        )}
      </div>
      {editing ? (
        <form onSubmit={onSubmit} noValidate aria-label={p.editLabel}>
          {error && <FormError error={error} ids={p.ids} focusRef={errorRef} />}
          {p.fields(error)}
          <ButtonsGroup
            inlineLayoutWhen="sm and up"
            buttons={[
              { children: 'Enregistrer', type: 'submit', disabled: busy },
              {
                children: 'Annuler',
                priority: 'secondary',
                type: 'button',
                onClick: () => {
                  setEditing(false);
                  setError(undefined);
                  p.reset();
                },
              },
            ]}
          />
        </form>
      ) : (
        p.view
      )}
    </section>
  );
}

function AdministrativeSection({
  dossier: d,
  editable,
  onBehalfOf,
  onDone,
  onFailed,
  onFormError,
}: SectionProps & { editable: boolean }) {
  const [patient, setPatient] = useState(() => patientForm(d.patient));
  const [administrative, setAdministrative] = useState(() => administrativeForm(d.administrative));
  const a = d.administrative;
  return (
    <EditableSection
      titleId="titre-administratif"
      title="Patient et volet administratif"
      editLabel="Modifier le volet administratif"
      editable={editable}
      ids={PATIENT_IDS}
      firstFieldId={PATIENT_IDS['patient.familyName'] as string}
      save={() =>
        updateAdministrative(
          d.id,
          {
            version: d.version,
            patient: patientPayload(patient),
            administrative: administrativePayload(administrative),
          },
          onBehalfOf,
        ).then(() => undefined)
      }
      saved="Le volet administratif a été enregistré."
      problems={() => patientProblems(patient)}
      reset={() => {
        setPatient(patientForm(d.patient));
        setAdministrative(administrativeForm(d.administrative));
      }}
      fields={(error) => (
        <>
          <PatientFields value={patient} onChange={setPatient} error={error} />
          <AdministrativeFields value={administrative} onChange={setAdministrative} error={error} />
        </>
      )}
      view={
        <Fields
          items={[
            ['Nom', d.patient.familyName],
            ['Prénom', d.patient.givenName],
            ['Date de naissance', frenchDate(d.patient.birthDate)],
            ['Sexe', d.patient.sex === 'F' ? 'Femme' : 'Homme'],
            ['Adresse', a.address],
            ['Téléphone', a.phone],
            ['Personne de confiance', a.trustedPerson],
            ['Couverture sociale', a.coverage],
            [
              'Situation de vie',
              isLivingSituation(a.livingSituation)
                ? LIVING_SITUATION_LABELS[a.livingSituation]
                : (a.livingSituation ?? ''),
            ],
          ]}
        />
      }
      onDone={onDone}
      onFailed={onFailed}
      onFormError={onFormError}
    />
  );
}

function MedicalSection({
  dossier: d,
  editable,
  onBehalfOf,
  onDone,
  onFailed,
  onFormError,
}: SectionProps & { editable: boolean }) {
  const [medical, setMedical] = useState(() => medicalForm(d.medical ?? {}));
  if (d.medical === null) {
    return (
      <section className="dossier-section" aria-labelledby="titre-medical">
        <h2 id="titre-medical">Volet médical</h2>
        <Notice
          title={`Votre délégation de droits n’inclut pas le droit « ${RIGHT_LABELS.volet_medical} » : le volet médical de ce dossier ne vous est pas affiché.`}
        />
      </section>
    );
  }
  const m = d.medical;
  return (
    <EditableSection
      titleId="titre-medical"
      title="Volet médical"
      editLabel="Compléter le volet médical"
      editable={editable}
      ids={MEDICAL_IDS}
      firstFieldId={MEDICAL_IDS['medical.antecedents'] as string}
      save={() =>
        updateMedical(d.id, { version: d.version, medical: medicalPayload(medical) }, onBehalfOf).then(
          () => undefined,
        )
      }
      saved="Le volet médical a été enregistré."
      reset={() => setMedical(medicalForm(m))}
      fields={(error) => <MedicalFields value={medical} onChange={setMedical} error={error} />}
      view={
        <Fields
          items={[
            ['Antécédents', m.antecedents],
            ['Pathologies', m.pathologies],
            ['Traitements', m.treatments],
            ['GIR', m.gir ? `GIR ${m.gir}` : ''],
          ]}
        />
      }
      onDone={onDone}
      onFailed={onFailed}
      onFormError={onFormError}
    />
  );
}

function RequestsSection({
  dossier: d,
  canSend,
  onBehalfOf,
  onDone,
  onFailed,
}: SectionProps & { canSend: boolean }) {
  const [establishment, setEstablishment] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  // « Envoyer la demande » asks first; « Annuler » or Escape gives the focus back to that button.
  const opener = useRef<HTMLElement | null>(null);
  const sending = useRef(false);
  useIsModalOpen(confirmSendModal, {
    onConceal: () => {
      if (sending.current) return;
      requestAnimationFrame(() => opener.current?.focus());
    },
  });

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (!establishment.trim()) {
      setError('Indiquez le nom de l’établissement.');
      document.getElementById('demande-etablissement')?.focus();
      return;
    }
    setError(undefined);
    // The button that submitted the form (also for Enter in the field), else whatever had the focus.
    opener.current =
      ((event.nativeEvent as SubmitEvent).submitter as HTMLElement | null) ??
      (document.activeElement as HTMLElement | null);
    confirmSendModal.open();
  };

  const onSend = async () => {
    sending.current = true;
    confirmSendModal.close();
    setBusy(true);
    setError(undefined);
    try {
      await sendRequest(d.id, establishment, onBehalfOf);
      setEstablishment('');
      await onDone(`La demande à « ${establishment.trim()} » a été envoyée.`);
    } catch (err) {
      if (
        err instanceof ApiError &&
        (err.status === 400 || err.status === 422 || err.code === 'request_exists')
      ) {
        setError(err.field('establishment') ?? err.message);
      } else await onFailed(err);
    } finally {
      setBusy(false);
      sending.current = false;
    }
  };
  const onCancel = async (request: Dossier['requests'][number]) => {
    setBusy(true);
    try {
      await cancelRequest(d.id, request.id, onBehalfOf);
      await onDone(`La demande à « ${request.establishment} » a été annulée.`);
    } catch (err) {
      await onFailed(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="dossier-section" aria-labelledby="titre-demandes">
      <h2 id="titre-demandes">Demandes aux établissements</h2>
      {d.requests.length === 0 ? (
        <p>Aucune demande n’a été envoyée pour ce dossier.</p>
      ) : (
        <DataTable
          className="dossiers-table"
          caption="Demandes envoyées aux établissements"
          captionHidden
          headers={['Établissement', 'Statut', 'Envoyée le', 'Mise à jour', ...(canSend ? ['Action'] : [])]}
          rows={d.requests.map((r) => ({
            key: r.id,
            cells: [
              r.establishment,
              <RequestStatusBadge key="status" status={r.status} />,
              parisDateTime(r.sentAt),
              parisDateTime(r.updatedAt),
              ...(canSend
                ? [
                    r.status === 'envoyee' ? (
                      <Button
                        key="cancel"
                        size="small"
                        priority="tertiary"
                        disabled={busy}
                        onClick={() => void onCancel(r)}
                      >
                        Annuler la demande<span className="fr-sr-only"> à {r.establishment}</span>
                      </Button>
                    ) : (
                      '—'
                    ),
                  ]
                : []),
            ],
          }))}
        />
      )}
      {canSend ? (
        <form
          onSubmit={onSubmit}
          noValidate
          className="dossier-request-form"
          aria-label="Envoyer une demande"
        >
          <Input
            label="Établissement"
            hintText="Nom de l’établissement, par exemple : EHPAD Les Glycines (Villeurbanne)"
            state={error ? 'error' : 'default'}
            stateRelatedMessage={error}
            nativeInputProps={{
              id: 'demande-etablissement',
              value: establishment,
              maxLength: 200,
              onChange: (e) => setEstablishment(e.target.value),
            }}
          />
          <Button
            type="submit"
            disabled={busy}
            iconId="fr-icon-send-plane-line"
            nativeButtonProps={{ 'aria-haspopup': 'dialog' }}
          >
            Envoyer la demande
          </Button>
        </form>
      ) : (
        <p>
          Votre délégation de droits n’inclut pas le droit « {RIGHT_LABELS.envoyer} » : vous ne pouvez ni
          envoyer ni annuler de demande.
        </p>
      )}
      <confirmSendModal.Component
        title="Envoyer la demande ?"
        buttons={[
          { children: 'Annuler', priority: 'secondary' },
          { children: 'Envoyer la demande', doClosesModal: false, onClick: () => void onSend() },
        ]}
      >
        <p>
          Le dossier {ofPatient(d)} sera transmis à l’établissement « {establishment.trim()} », qui pourra
          l’accepter ou le refuser.
        </p>
        <p>Vous pourrez annuler la demande tant qu’elle est en cours.</p>
      </confirmSendModal.Component>
    </section>
  );
}
