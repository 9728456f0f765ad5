// The form fields of a dossier: patient identity and administrative part (creation and
// "Modifier le volet administratif"), medical part ("Compléter le volet médical"). Errors come
// from the server (zod's French messages), each shown under its field and listed at the top.
import { Input } from '@codegouvfr/react-dsfr/Input';
import { RadioButtons } from '@codegouvfr/react-dsfr/RadioButtons';
import { Select } from '@codegouvfr/react-dsfr/Select';
import type { RefObject } from 'react';
import {
  type Administrative,
  type AdministrativeView,
  type DossierView,
  isLivingSituation,
  LIVING_SITUATION_LABELS,
  type LivingSituation,
  type Medical,
  type MedicalView,
  patientSchema,
} from '../../../shared/dossiers';
import type { ApiError, FieldError } from '../../api/client';
import {
  dateProblem,
  ErrorSummary,
  type FieldTargets,
  firstPerField,
  schemaProblems,
} from '../../components/ErrorSummary';

export interface PatientForm {
  familyName: string;
  givenName: string;
  birthDate: string;
  sex: '' | 'F' | 'M';
}
export interface AdministrativeForm {
  address: string;
  phone: string;
  trustedPerson: string;
  coverage: string;
  livingSituation: '' | LivingSituation;
}
export interface MedicalForm {
  antecedents: string;
  pathologies: string;
  treatments: string;
  gir: string;
}

export const emptyPatient: PatientForm = { familyName: '', givenName: '', birthDate: '', sex: '' };
export const emptyAdministrative: AdministrativeForm = {
  address: '',
  phone: '',
  trustedPerson: '',
  coverage: '',
  livingSituation: '',
};

/** The forms start from what the server sent (lenient shapes): the server checks what is saved. */
export const patientForm = (p: DossierView['patient']): PatientForm => ({ ...p });
export const administrativeForm = (a: AdministrativeView): AdministrativeForm => ({
  address: a.address ?? '',
  phone: a.phone ?? '',
  trustedPerson: a.trustedPerson ?? '',
  coverage: a.coverage ?? '',
  livingSituation: isLivingSituation(a.livingSituation) ? a.livingSituation : '',
});
export const medicalForm = (m: MedicalView): MedicalForm => ({
  antecedents: m.antecedents ?? '',
  pathologies: m.pathologies ?? '',
  treatments: m.treatments ?? '',
  gir: m.gir ? String(m.gir) : '',
});

/** What the API expects; the server validates (and says what is wrong, in French). */
export const patientPayload = (p: PatientForm) => ({ ...p, sex: p.sex as 'F' | 'M' });
export function administrativePayload(a: AdministrativeForm): Administrative {
  const out: Administrative = {};
  if (a.address.trim()) out.address = a.address;
  if (a.phone.trim()) out.phone = a.phone;
  if (a.trustedPerson.trim()) out.trustedPerson = a.trustedPerson;
  if (a.coverage.trim()) out.coverage = a.coverage;
  if (a.livingSituation) out.livingSituation = a.livingSituation;
  return out;
}
export function medicalPayload(m: MedicalForm): Medical {
  const out: Medical = { gir: m.gir ? Number(m.gir) : null };
  if (m.antecedents.trim()) out.antecedents = m.antecedents;
  if (m.pathologies.trim()) out.pathologies = m.pathologies;
  if (m.treatments.trim()) out.treatments = m.treatments;
  return out;
}

const state = (message: string | undefined) => (message ? ('error' as const) : ('default' as const));

/**
 * The error at the top of a form, focused when it appears: each field once, named and linked.
 * `h3` inside a dossier section (under its `h2`), `h2` on a page of its own.
 */
export function FormError({
  error,
  ids,
  focusRef,
  headingAs = 'h3',
}: {
  error: ApiError;
  ids: Record<string, string>;
  focusRef: RefObject<HTMLDivElement | null>;
  headingAs?: 'h2' | 'h3';
}) {
  const fields: FieldTargets = {};
  for (const [path, id] of Object.entries(ids)) {
    fields[path] = { id, label: FIELD_LABELS[path] ?? path };
  }
  return (
    <ErrorSummary
      error={error}
      fields={fields}
      summaryRef={focusRef}
      headingAs={headingAs}
      className="dossier-message"
    />
  );
}

/** The labels of the fields, as the error summary names them. */
const FIELD_LABELS: Record<string, string> = {
  'patient.familyName': 'Nom',
  'patient.givenName': 'Prénom',
  'patient.birthDate': 'Date de naissance',
  'patient.sex': 'Sexe',
  'administrative.address': 'Adresse',
  'administrative.phone': 'Téléphone',
  'administrative.trustedPerson': 'Personne de confiance',
  'administrative.coverage': 'Couverture sociale',
  'administrative.livingSituation': 'Situation de vie',
  'medical.antecedents': 'Antécédents',
  'medical.pathologies': 'Pathologies',
  'medical.treatments': 'Traitements',
  'medical.gir': 'GIR',
};

/** What the browser checks before sending the patient's identity (the server's own messages). */
export function patientProblems(p: PatientForm): FieldError[] {
  const birth = dateProblem(PATIENT_IDS['patient.birthDate'], p.birthDate, true);
  return firstPerField(
    birth ? [{ path: 'patient.birthDate', message: birth }] : [],
    schemaProblems(patientSchema, patientPayload(p)).map((f) => ({ ...f, path: `patient.${f.path}` })),
  );
}

export const PATIENT_IDS = {
  'patient.familyName': 'patient-nom',
  'patient.givenName': 'patient-prenom',
  'patient.birthDate': 'patient-naissance',
  'patient.sex': 'patient-sexe',
  'administrative.address': 'admin-adresse',
  'administrative.phone': 'admin-telephone',
  'administrative.trustedPerson': 'admin-confiance',
  'administrative.coverage': 'admin-couverture',
  'administrative.livingSituation': 'admin-situation',
};

export function PatientFields({
  value,
  onChange,
  error,
}: {
  value: PatientForm;
  onChange: (v: PatientForm) => void;
  error?: ApiError;
}) {
  const e = (name: string) => error?.field(`patient.${name}`);
  return (
    <fieldset className="fr-fieldset">
      <legend className="fr-fieldset__legend">Identité du patient</legend>
      <div className="fr-fieldset__element">
        <Input
          label="Nom"
          state={state(e('familyName'))}
          stateRelatedMessage={e('familyName')}
          nativeInputProps={{
            id: PATIENT_IDS['patient.familyName'],
            value: value.familyName,
            autoComplete: 'off',
            maxLength: 100,
            required: true,
            onChange: (ev) => onChange({ ...value, familyName: ev.target.value }),
          }}
        />
      </div>
      <div className="fr-fieldset__element">
        <Input
          label="Prénom"
          state={state(e('givenName'))}
          stateRelatedMessage={e('givenName')}
          nativeInputProps={{
            id: PATIENT_IDS['patient.givenName'],
            value: value.givenName,
            autoComplete: 'off',
            maxLength: 100,
            required: true,
            onChange: (ev) => onChange({ ...value, givenName: ev.target.value }),
          }}
        />
      </div>
      <div className="fr-fieldset__element">
        <Input
          label="Date de naissance"
          hintText="Format attendu : JJ/MM/AAAA"
          state={state(e('birthDate'))}
          stateRelatedMessage={e('birthDate')}
          nativeInputProps={{
            id: PATIENT_IDS['patient.birthDate'],
            type: 'date',
            value: value.birthDate,
            min: '1900-01-01',
            required: true,
            onChange: (ev) => onChange({ ...value, birthDate: ev.target.value }),
          }}
        />
      </div>
      <div className="fr-fieldset__element">
        <RadioButtons
          id={PATIENT_IDS['patient.sex']}
          legend="Sexe"
          orientation="horizontal"
          name="sexe"
          state={state(e('sex'))}
          stateRelatedMessage={e('sex')}
          options={[
            { label: 'Femme', value: 'F' as const },
            { label: 'Homme', value: 'M' as const },
          ].map((o) => ({
            label: o.label,
            nativeInputProps: {
              value: o.value,
              checked: value.sex === o.value,
              onChange: () => onChange({ ...value, sex: o.value }),
            },
          }))}
        />
      </div>
    </fieldset>
  );
}

export function AdministrativeFields({
  value,
  onChange,
  error,
}: {
  value: AdministrativeForm;
  onChange: (v: AdministrativeForm) => void;
  error?: ApiError;
}) {
  const e = (name: string) => error?.field(`administrative.${name}`);
  const text = (
    name: 'address' | 'phone' | 'trustedPerson' | 'coverage',
    label: string,
    max: number,
    extra: { hintText?: string; type?: string; autoComplete?: string } = {},
  ) => (
    <div className="fr-fieldset__element">
      <Input
        label={label}
        hintText={extra.hintText}
        state={state(e(name))}
        stateRelatedMessage={e(name)}
        nativeInputProps={{
          id: PATIENT_IDS[`administrative.${name}`],
          type: extra.type,
          autoComplete: extra.autoComplete ?? 'off',
          value: value[name],
          maxLength: max,
          onChange: (ev) => onChange({ ...value, [name]: ev.target.value }),
        }}
      />
    </div>
  );
  return (
    <fieldset className="fr-fieldset">
      <legend className="fr-fieldset__legend">Volet administratif</legend>
      {text('address', 'Adresse', 300, { hintText: 'Numéro, voie, code postal et commune' })}
      {text('phone', 'Téléphone', 20, { type: 'tel', hintText: 'Par exemple : 04 78 00 00 00' })}
      {text('trustedPerson', 'Personne de confiance', 200, { hintText: 'Lien, prénom et nom' })}
      {text('coverage', 'Couverture sociale', 100, { hintText: 'Par exemple : Régime général' })}
      <div className="fr-fieldset__element">
        <Select
          label="Situation de vie"
          state={state(e('livingSituation'))}
          stateRelatedMessage={e('livingSituation')}
          nativeSelectProps={{
            id: PATIENT_IDS['administrative.livingSituation'],
            value: value.livingSituation,
            onChange: (ev) =>
              onChange({
                ...value,
                livingSituation: ev.target.value as AdministrativeForm['livingSituation'],
              }),
          }}
        >
          <option value="">Non renseignée</option>
          {Object.entries(LIVING_SITUATION_LABELS).map(([code, label]) => (
            <option key={code} value={code}>
              {label}
            </option>
          ))}
        </Select>
      </div>
    </fieldset>
  );
}

export const MEDICAL_IDS = {
  'medical.antecedents': 'medical-antecedents',
  'medical.pathologies': 'medical-pathologies',
  'medical.treatments': 'medical-traitements',
  'medical.gir': 'medical-gir',
};

export function MedicalFields({
  value,
  onChange,
  error,
}: {
  value: MedicalForm;
  onChange: (v: MedicalForm) => void;
  error?: ApiError;
}) {
  const e = (name: string) => error?.field(`medical.${name}`);
  const area = (name: 'antecedents' | 'pathologies' | 'treatments', label: string) => (
    <div className="fr-fieldset__element">
      <Input
        label={label}
        textArea
        state={state(e(name))}
        stateRelatedMessage={e(name)}
        nativeTextAreaProps={{
          id: MEDICAL_IDS[`medical.${name}`],
          value: value[name],
          maxLength: 4000,
          rows: 3,
          onChange: (ev) => onChange({ ...value, [name]: ev.target.value }),
        }}
      />
    </div>
  );
  return (
    <fieldset className="fr-fieldset">
      <legend className="fr-fieldset__legend">Volet médical</legend>
      {area('antecedents', 'Antécédents')}
      {area('pathologies', 'Pathologies')}
      {area('treatments', 'Traitements')}
      <div className="fr-fieldset__element">
        <Select
          label="GIR (groupe iso-ressources)"
          hint="De 1 (dépendance la plus forte) à 6 (autonomie)"
          state={state(e('gir'))}
          stateRelatedMessage={e('gir')}
          nativeSelectProps={{
            id: MEDICAL_IDS['medical.gir'],
            value: value.gir,
            onChange: (ev) => onChange({ ...value, gir: ev.target.value }),
          }}
        >
          <option value="">Non évalué</option>
          {[1, 2, 3, 4, 5, 6].map((g) => (
            <option key={g} value={String(g)}>
              GIR {g}
            </option>
          ))}
        </Select>
      </div>
    </fieldset>
  );
}
