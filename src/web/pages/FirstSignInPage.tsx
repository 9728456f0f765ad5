import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Checkbox } from '@codegouvfr/react-dsfr/Checkbox';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { RadioButtons } from '@codegouvfr/react-dsfr/RadioButtons';
import { useQuery } from '@tanstack/react-query';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { Link, Navigate } from 'react-router';
import {
  DECLARED_PROFESSIONS,
  type DeclaredProfession,
  type FirstSignInInfo,
  firstSignInInfoSchema,
  firstSignInResultSchema,
  passwordRuleProblems,
} from '../../shared/identity';
import { ApiError, apiGet, apiPost, type FieldError } from '../api/client';
import { useRefreshSession, useSession } from '../api/session';
import { clientError, ErrorSummary, type FieldTargets } from '../components/ErrorSummary';
import { usePageTitle } from '../layout/page';
import { CharterText } from './CharterText';

export function FirstSignInPage() {
  const session = useSession();
  const info = useQuery({
    queryKey: ['first-sign-in'],
    queryFn: () => apiGet('/api/first-sign-in', firstSignInInfoSchema),
    enabled: Boolean(session.data?.user),
    staleTime: Number.POSITIVE_INFINITY,
  });

  usePageTitle('Première connexion');

  if (session.isPending) return <p>Chargement…</p>;
  if (!session.data?.user) return <Navigate to="/connexion" replace />;
  if (info.isPending) return <p>Chargement…</p>;
  if (info.isError || !info.data) {
    return (
      <Alert
        severity="error"
        as="h2"
        title="Impossible d’afficher cette page"
        description={info.error instanceof ApiError ? info.error.message : 'Veuillez réessayer.'}
      />
    );
  }
  return <FirstSignInForm info={info.data} alreadyComplete={session.data.user.firstSignInComplete} />;
}

function FirstSignInForm({ info, alreadyComplete }: { info: FirstSignInInfo; alreadyComplete: boolean }) {
  const refresh = useRefreshSession();
  const [password, setPassword] = useState('');
  const [confirmation, setConfirmation] = useState('');
  const [profession, setProfession] = useState<DeclaredProfession | undefined>(
    info.prefill.profession ?? undefined,
  );
  const [professionOther, setProfessionOther] = useState(info.prefill.professionOther ?? '');
  // The password's rules are checked once the field is left, then as it changes (not from the
  // first keystroke).
  const [passwordLeft, setPasswordLeft] = useState(false);
  const [showPassword, setShowPassword] = useState(false);
  const [email, setEmail] = useState(info.prefill.email ?? '');
  const [accepted, setAccepted] = useState(false);
  const [error, setError] = useState<ApiError | undefined>();
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<{ redirectTo: string; emailConfirmationSent: boolean } | undefined>();
  const errorRef = useRef<HTMLDivElement>(null);
  const doneRef = useRef<HTMLHeadingElement>(null);
  usePageTitle(
    info.charterUpdate ? 'Nouvelle charte d’utilisation' : 'Première connexion',
    error !== undefined,
  );
  const leavingTo = useRef<string | undefined>(undefined);

  useEffect(() => {
    if (error) errorRef.current?.focus();
  }, [error]);
  useEffect(() => {
    if (done) doneRef.current?.focus();
  }, [done]);

  // Once the session says first sign-in is complete: on to where the person was going (an
  // invitation, say), which the server told us before the session was refreshed.
  if (alreadyComplete && !done) return <Navigate to={leavingTo.current ?? '/'} replace />;

  if (done) {
    return (
      <>
        <h1 ref={doneRef} tabIndex={-1}>
          Votre compte est prêt
        </h1>
        {done.emailConfirmationSent ? (
          <Alert
            severity="info"
            as="h2"
            title="Confirmez votre adresse électronique"
            description={`Un courriel contenant un lien de confirmation a été envoyé à ${email}. Ouvrez ce lien pour recevoir les notifications du service.`}
            className="fr-mb-4w"
          />
        ) : (
          <Alert
            severity="success"
            small
            description="Vos informations ont été enregistrées."
            className="fr-mb-4w"
          />
        )}
        <Link className="fr-btn" to={done.redirectTo}>
          Continuer
        </Link>
      </>
    );
  }

  const livePasswordProblems = password && passwordLeft ? passwordRuleProblems(password) : [];
  const fieldError = (name: string) => error?.field(name);

  /** Everything the browser can check, with the server's own words, before sending. */
  const problems = (): FieldError[] => {
    const found: FieldError[] = [];
    if (info.needsPassword) {
      const rule = password ? passwordRuleProblems(password)[0] : 'Choisissez un mot de passe.';
      if (rule) found.push({ path: 'password', message: rule });
      else if (confirmation !== password) {
        found.push({
          path: 'passwordConfirmation',
          message: 'Les deux mots de passe ne sont pas identiques.',
        });
      }
    }
    if (info.needsProfession) {
      if (!profession) found.push({ path: 'profession', message: 'Indiquez votre profession.' });
      else if (profession === 'autre' && !professionOther.trim()) {
        found.push({ path: 'professionOther', message: 'Précisez votre profession.' });
      }
    }
    if (info.needsEmail && !email.trim()) {
      found.push({ path: 'email', message: 'Indiquez votre adresse électronique.' });
    }
    if (!accepted) {
      found.push({
        path: 'charterAccepted',
        message: 'Vous devez lire et accepter la charte d’utilisation.',
      });
    }
    return found;
  };

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    setPasswordLeft(true);
    const refused = clientError(problems());
    if (refused) {
      setError(refused);
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const result = await apiPost(
        '/api/first-sign-in',
        {
          ...(info.needsPassword ? { password, passwordConfirmation: confirmation } : {}),
          ...(info.needsProfession
            ? { profession, ...(profession === 'autre' ? { professionOther } : {}) }
            : {}),
          ...(info.needsEmail ? { email } : {}),
          charterVersion: info.charter.version,
          charterAccepted: accepted,
        },
        firstSignInResultSchema,
      );
      if (result.emailConfirmationSent) setDone(result);
      else leavingTo.current = result.redirectTo;
      await refresh();
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, 'error', 'L’enregistrement a échoué.'));
    } finally {
      setBusy(false);
    }
  };

  const charterError = fieldError('charterAccepted');

  return (
    <>
      <h1>{info.charterUpdate ? 'Nouvelle charte d’utilisation' : 'Première connexion'}</h1>
      <p className="fr-text--lead">
        Bonjour {info.user.givenName} {info.user.familyName}.{' '}
        {info.charterUpdate
          ? 'La charte d’utilisation a changé : lisez et acceptez sa nouvelle version pour continuer.'
          : info.user.isDoctor
            ? 'Avant d’utiliser le service, indiquez votre adresse électronique, puis lisez et acceptez la charte d’utilisation.'
            : 'Avant d’utiliser le service, choisissez un mot de passe, indiquez votre profession et votre adresse électronique, puis lisez et acceptez la charte d’utilisation.'}
      </p>
      {error && <ErrorSummary error={error} fields={FIELDS} summaryRef={errorRef} />}
      <form onSubmit={onSubmit} noValidate>
        {info.needsPassword && (
          <fieldset className="fr-fieldset fr-mb-4w" aria-labelledby="titre-mot-de-passe">
            <legend className="fr-fieldset__legend">
              <h2 id="titre-mot-de-passe" className="fr-h4 fr-mb-0">
                Votre mot de passe
              </h2>
            </legend>
            <div className="fr-fieldset__element">
              <p className="fr-text--sm">
                Il vous permettra de vous connecter sans votre carte. Au moins 12 caractères avec une
                majuscule, une minuscule, un chiffre et un caractère spécial, ou au moins 14 caractères de
                tout type.
              </p>
              <Input
                label="Mot de passe"
                state={
                  fieldError('password') || livePasswordProblems.length
                    ? 'error'
                    : password
                      ? 'success'
                      : 'default'
                }
                stateRelatedMessage={
                  fieldError('password') ??
                  livePasswordProblems[0] ??
                  (password ? 'Le mot de passe respecte les règles.' : undefined)
                }
                nativeInputProps={{
                  id: FIELDS.password?.id,
                  type: showPassword ? 'text' : 'password',
                  autoComplete: 'new-password',
                  value: password,
                  maxLength: 128,
                  onChange: (e) => setPassword(e.target.value),
                  onBlur: () => setPasswordLeft(true),
                }}
              />
              <Input
                label="Confirmation du mot de passe"
                state={fieldError('passwordConfirmation') ? 'error' : 'default'}
                stateRelatedMessage={fieldError('passwordConfirmation')}
                nativeInputProps={{
                  id: FIELDS.passwordConfirmation?.id,
                  type: showPassword ? 'text' : 'password',
                  autoComplete: 'new-password',
                  value: confirmation,
                  maxLength: 128,
                  onChange: (e) => setConfirmation(e.target.value),
                }}
              />
              <Checkbox
                small
                options={[
                  {
                    label: 'Afficher le mot de passe',
                    nativeInputProps: {
                      name: 'afficher-mot-de-passe',
                      checked: showPassword,
                      onChange: (e) => setShowPassword(e.target.checked),
                    },
                  },
                ]}
              />
            </div>
          </fieldset>
        )}

        {info.needsProfession && (
          <div className="fr-mb-4w">
            <RadioButtons
              id="profession"
              legend={<h2 className="fr-h4 fr-mb-0">Votre profession</h2>}
              hintText={
                info.prefill.profession
                  ? 'Déjà cochée d’après l’invitation ou votre carte : vérifiez-la.'
                  : undefined
              }
              name="profession"
              state={fieldError('profession') ? 'error' : 'default'}
              stateRelatedMessage={fieldError('profession')}
              options={DECLARED_PROFESSIONS.map((p) => ({
                label: p.label,
                nativeInputProps: {
                  value: p.code,
                  checked: profession === p.code,
                  onChange: () => setProfession(p.code),
                },
              }))}
            />
            {profession === 'autre' && (
              <Input
                label="Précisez votre profession"
                state={fieldError('professionOther') ? 'error' : 'default'}
                stateRelatedMessage={fieldError('professionOther')}
                nativeInputProps={{
                  id: FIELDS.professionOther?.id,
                  value: professionOther,
                  maxLength: 100,
                  onChange: (e) => setProfessionOther(e.target.value),
                }}
              />
            )}
          </div>
        )}

        {info.needsEmail && (
          <div className="fr-mb-4w">
            <h2 className="fr-h4">Votre adresse électronique</h2>
            <Input
              label="Adresse électronique de notification"
              hintText={
                info.prefill.emailFromInvitation
                  ? 'L’adresse de votre invitation : elle est déjà vérifiée.'
                  : 'Elle servira à vous prévenir des délégations qui vous concernent et d’identifiant pour la connexion par mot de passe. Un lien de confirmation vous sera envoyé. Format attendu : nom@domaine.fr'
              }
              state={fieldError('email') ? 'error' : 'default'}
              stateRelatedMessage={fieldError('email')}
              nativeInputProps={{
                id: FIELDS.email?.id,
                type: 'email',
                autoComplete: 'email',
                value: email,
                maxLength: 254,
                onChange: (e) => setEmail(e.target.value),
              }}
            />
          </div>
        )}

        <h2 className="fr-h4" id="titre-charte">
          Charte d’utilisation
        </h2>
        <CharterText charter={info.charter} />
        <Checkbox
          id="charte"
          className="fr-mt-3w"
          state={charterError ? 'error' : 'default'}
          stateRelatedMessage={charterError}
          options={[
            {
              label: 'J’ai lu et j’accepte la charte d’utilisation',
              hintText: `Version ${info.charter.version}`,
              nativeInputProps: {
                name: 'charte',
                checked: accepted,
                onChange: (e) => setAccepted(e.target.checked),
              },
            },
          ]}
        />
        <Button type="submit" disabled={busy}>
          Valider
        </Button>
      </form>
    </>
  );
}

/** The fields the error summary names and links to. */
const FIELDS: FieldTargets = {
  password: { id: 'mot-de-passe', label: 'Mot de passe' },
  passwordConfirmation: { id: 'confirmation-mot-de-passe', label: 'Confirmation du mot de passe' },
  profession: { id: 'profession', label: 'Votre profession' },
  professionOther: { id: 'profession-autre', label: 'Précisez votre profession' },
  email: { id: 'courriel', label: 'Adresse électronique de notification' },
  charterAccepted: { id: 'charte', label: 'Charte d’utilisation' },
  charterVersion: { id: 'charte', label: 'Charte d’utilisation' },
};
