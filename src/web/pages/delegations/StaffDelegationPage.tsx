// "Ajouter une délégation à un personnel de cabinet": the seed's notice (CPx card, TOPS), then
// its four steps: identify, rights, period, "Ajouter".
import { Breadcrumb } from '@codegouvfr/react-dsfr/Breadcrumb';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { RadioButtons } from '@codegouvfr/react-dsfr/RadioButtons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { STAFF_PROFESSIONS, staffDelegationInput } from '../../../shared/delegations';
import type { Right } from '../../../shared/rights';
import { ApiError } from '../../api/client';
import { clientError, firstPerField, schemaProblems, useCorrections } from '../../components/ErrorSummary';
import {
  createSharedStaff,
  NO_SHARE,
  RightsTemplateSelect,
  type ShareValue,
  ShareWithCabinet,
} from '../cabinets';
import { dossiersKey, fetchDossiers } from '../dossiers/api';
import { createStaff, DELEGATIONS_KEY } from './api';
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
  RIGHTS_FIELD,
  RightsFieldset,
  useTitle,
} from './components';
import { PscRequiredCheckbox } from './DelegateSignIn';
import { ExistingDelegationLink } from './ExistingDelegationLink';
import { delegationSentence, personName, todayInParis } from './format';
import './delegations.css';
import { CpxCallOut, WhyCpx } from '../help/WhyCpx';

const TITLE = 'Ajouter une délégation à un personnel de cabinet';
const OTHER = 'Autre';

const FIELDS: FieldTargets = {
  familyName: { id: 'nom', label: 'Nom' },
  givenName: { id: 'prenom', label: 'Prénom' },
  email: { id: 'courriel', label: 'Adresse électronique' },
  profession: { id: 'profession-0', label: 'Profession' },
  ...RIGHTS_FIELD,
  ...PERIOD_FIELDS,
};

export function StaffDelegationPage() {
  useTitle(TITLE);
  return <DoctorOnly title={TITLE}>{() => <StaffDelegationForm />}</DoctorOnly>;
}

function StaffDelegationForm() {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [familyName, setFamilyName] = useState('');
  const [givenName, setGivenName] = useState('');
  const [email, setEmail] = useState('');
  const [profession, setProfession] = useState<string | undefined>();
  const [otherProfession, setOtherProfession] = useState('');
  const [rights, setRights] = useState<Right[]>(['consulter']);
  const [pscRequired, setPscRequired] = useState(false);
  const [period, setPeriod] = useState<PeriodValue>({ startsOn: todayInParis(), endsOn: '', noEnd: false });
  const [share, setShare] = useState<ShareValue>(NO_SHARE);
  const [error, setError] = useState<ApiError | undefined>();
  const { shown, correcting } = useCorrections(error);
  const [busy, setBusy] = useState(false);
  const summaryRef = useRef<HTMLDivElement>(null);
  useTitle(TITLE, shown !== undefined);
  // How many dossiers the delegation reaches, for the summary before « Ajouter ».
  const dossiers = useQuery({ queryKey: dossiersKey(undefined), queryFn: () => fetchDossiers(undefined) });

  useEffect(() => {
    if (error) summaryRef.current?.focus();
  }, [error]);

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    const chosenProfession = profession === OTHER ? otherProfession : (profession ?? '');
    const input = {
      familyName,
      givenName,
      email,
      profession: chosenProfession,
      rights,
      ...periodPayload(period, true),
      pscRequired,
    };
    const problems = clientError(
      firstPerField(
        periodProblems(period, true, todayInParis()),
        schemaProblems(staffDelegationInput, input),
      ),
    );
    if (problems) {
      setError(problems);
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      if (share.enabled) {
        await createSharedStaff({ ...input, cabinetId: share.cabinetId, colleagueIds: share.colleagueIds });
      } else {
        await createStaff(input);
      }
      await queryClient.invalidateQueries({ queryKey: DELEGATIONS_KEY });
      const who = personName({ givenName: givenName.trim(), familyName: familyName.trim() });
      navigate('/delegations', {
        state: {
          flash: {
            severity: 'success',
            message: `La délégation de droits a été ajoutée. ${who} va recevoir un courriel à l’adresse ${email.trim()} pour finaliser la création de la délégation : il lui faudra se connecter avec sa carte CPx.${share.enabled ? ' La même délégation a été proposée aux médecins choisis de votre cabinet : chacun décidera pour ses propres dossiers.' : ''}`,
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

  const err = (name: string) => fieldError(shown, name);
  const professionError = err('profession');

  return (
    <>
      <Breadcrumb
        currentPageLabel={TITLE}
        segments={[{ label: 'Mes délégations', linkProps: { to: '/delegations' } }]}
      />
      <h1>{TITLE}</h1>
      <p className="fr-text--lead">Depuis « Assistant(s) habilité(s) à gérer mes dossiers ».</p>
      <CpxCallOut titleAs="h2" />
      <WhyCpx />

      {shown && (
        <ErrorSummary
          error={shown}
          fields={FIELDS}
          summaryRef={summaryRef}
          extra={shown.code === 'delegation_exists' ? <ExistingDelegationLink email={email} /> : undefined}
        />
      )}

      <form onSubmit={onSubmit} noValidate className="delegation-steps">
        <fieldset className="fr-fieldset">
          <legend className="fr-fieldset__legend" id="etape-1">
            <h2 className="fr-h4 fr-mb-0">1. Identifiez le professionnel concerné</h2>
          </legend>
          <div className="fr-fieldset__element">
            <Input
              label="Nom"
              state={err('familyName') ? 'error' : 'default'}
              stateRelatedMessage={err('familyName')}
              nativeInputProps={{
                id: 'nom',
                autoComplete: 'off',
                maxLength: 100,
                required: true,
                value: familyName,
                onChange: (e) => correcting(setFamilyName)(e.target.value, 'familyName'),
              }}
            />
          </div>
          <div className="fr-fieldset__element">
            <Input
              label="Prénom"
              state={err('givenName') ? 'error' : 'default'}
              stateRelatedMessage={err('givenName')}
              nativeInputProps={{
                id: 'prenom',
                autoComplete: 'off',
                maxLength: 100,
                required: true,
                value: givenName,
                onChange: (e) => correcting(setGivenName)(e.target.value, 'givenName'),
              }}
            />
          </div>
          <div className="fr-fieldset__element">
            <Input
              label="Adresse électronique"
              hintText="L’invitation à finaliser la délégation y sera envoyée. Format attendu : nom@domaine.fr"
              state={err('email') ? 'error' : 'default'}
              stateRelatedMessage={err('email')}
              nativeInputProps={{
                id: 'courriel',
                type: 'email',
                autoComplete: 'off',
                maxLength: 254,
                required: true,
                value: email,
                onChange: (e) => correcting(setEmail)(e.target.value, 'email'),
              }}
            />
          </div>
          <div className="fr-fieldset__element">
            <RadioButtons
              id="profession"
              legend="Profession"
              name="profession"
              state={professionError && profession !== OTHER ? 'error' : 'default'}
              stateRelatedMessage={professionError}
              options={STAFF_PROFESSIONS.map((p) => ({
                label: p === OTHER ? 'Autre — préciser' : p,
                nativeInputProps: {
                  value: p,
                  checked: profession === p,
                  onChange: () => correcting(setProfession)(p, 'profession'),
                },
              }))}
            />
            {profession === OTHER && (
              <Input
                label="Précisez la profession"
                state={professionError ? 'error' : 'default'}
                stateRelatedMessage={professionError}
                nativeInputProps={{
                  id: 'profession-autre',
                  maxLength: 100,
                  value: otherProfession,
                  onChange: (e) => correcting(setOtherProfession)(e.target.value, 'profession'),
                }}
              />
            )}
          </div>
        </fieldset>

        <RightsTemplateSelect onChoose={(value) => correcting(setRights)(value, 'rights')} />
        <RightsFieldset
          legend={
            <h2 className="fr-h4 fr-mb-0">
              2. Choisissez les droits d’accès que vous souhaitez lui accorder sur les dossiers de vos
              patients
            </h2>
          }
          rights={rights}
          onChange={correcting(setRights)}
          error={err('rights')}
        />

        <PeriodFieldset
          legend={
            <h2 className="fr-h4 fr-mb-0">
              3. Définissez la période durant laquelle il pourra accéder à vos dossiers
            </h2>
          }
          value={period}
          onChange={correcting(setPeriod)}
          allowNoEnd
          minStart={todayInParis()}
          startError={err('startsOn')}
          endError={err('endsOn')}
        />
        <PscRequiredCheckbox value={pscRequired} onChange={setPscRequired} />
        <ShareWithCabinet
          value={share}
          onChange={(value) => correcting(setShare)(value, 'colleagueIds')}
          error={err('colleagueIds')}
        />

        <div className="delegation-step">
          <h2 className="fr-h4">4. Cliquez sur « Ajouter »</h2>
          <div className="fr-callout fr-mb-3w delegation-summary">
            <p className="fr-callout__text fr-text--md" id="resume-delegation">
              <strong>En résumé : </strong>
              {delegationSentence({
                who:
                  familyName.trim() || givenName.trim()
                    ? personName({ givenName: givenName.trim(), familyName: familyName.trim() })
                    : 'La personne',
                kind: 'staff',
                rights,
                startsOn: period.startsOn,
                endsOn: period.noEnd ? null : period.endsOn,
                dossiers: dossiers.data?.dossiers.length,
              })}{' '}
              {period.noEnd
                ? 'Un rappel annuel vous proposera de vérifier cette délégation.'
                : period.endsOn
                  ? ''
                  : 'Indiquez une date de fin, ou cochez « Sans date de fin ».'}
            </p>
          </div>
          <p>
            Le professionnel concerné recevra ensuite un courriel pour finaliser la création de la délégation
            : il sera invité à se connecter avec sa carte CPx.
          </p>
          <p className="fr-text--sm">
            <em>
              Nota : à la première connexion, le professionnel devra choisir un mot de passe et indiquer sa
              profession, puis lire et accepter la charte d’utilisation.
            </em>
          </p>
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
        </div>
      </form>
    </>
  );
}
