import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { Navigate, useNavigate, useSearchParams } from 'react-router';
import { redirectSchema, SIGN_IN_ERRORS, safeReturnTo } from '../../shared/identity';
import { ApiError, apiPost } from '../api/client';
import { useRefreshSession, useSession } from '../api/session';
import { usePageTitle } from '../layout/page';

export function SignInPage() {
  const [params] = useSearchParams();
  const returnTo = safeReturnTo(params.get('retour') ?? undefined);
  const errorCode = params.get('erreur');
  const pscError = errorCode ? (SIGN_IN_ERRORS[errorCode] ?? SIGN_IN_ERRORS.echec) : undefined;
  const session = useSession();
  const refresh = useRefreshSession();
  const navigate = useNavigate();
  const [identifier, setIdentifier] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<ApiError | undefined>();
  const [busy, setBusy] = useState(false);
  const errorRef = useRef<HTMLDivElement>(null);

  usePageTitle('Se connecter', error !== undefined || pscError !== undefined);
  useEffect(() => {
    if (error) errorRef.current?.focus();
  }, [error]);

  if (session.data?.user) return <Navigate to={returnTo ?? '/'} replace />;

  const pscHref = `/auth/psc/start${returnTo ? `?returnTo=${encodeURIComponent(returnTo)}` : ''}`;

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const { redirectTo } = await apiPost('/api/auth/password', { identifier, password }, redirectSchema);
      await refresh();
      // Next: the second factor, then where the person was going.
      navigate(returnTo ? `${redirectTo}?retour=${encodeURIComponent(returnTo)}` : redirectTo, {
        replace: true,
      });
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, 'error', 'La connexion a échoué.'));
      setPassword('');
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="fr-grid-row fr-grid-row--center">
      <div className="fr-col-12 fr-col-md-8 fr-col-lg-6">
        <h1>Se connecter</h1>
        {pscError && <Alert severity="error" small description={pscError} className="fr-mb-4w" />}
        <section aria-labelledby="titre-psc" className="fr-mb-6w">
          <h2 id="titre-psc" className="fr-h4">
            Avec votre carte CPx ou votre e-CPS
          </h2>
          <p>
            Connectez-vous avec Pro Santé Connect, le service d’identification des professionnels de santé
            (carte CPS, CPE, CPA ou application e-CPS).
          </p>
          <a className="fr-btn fr-btn--lg fr-icon-arrow-right-line fr-btn--icon-right" href={pscHref}>
            Se connecter avec Pro Santé Connect
          </a>
          {session.data?.demo && (
            <p className="fr-text--sm fr-mt-2w">
              Mode démonstration : Pro Santé Connect est imité localement, vous choisirez une carte de test.
            </p>
          )}
        </section>
        {session.data?.passwordLogin && (
          <section aria-labelledby="titre-mdp">
            <h2 id="titre-mdp" className="fr-h4">
              Avec votre mot de passe
            </h2>
            <p className="fr-text--sm">
              Pour le personnel de cabinet qui a choisi un mot de passe lors de sa première connexion.
            </p>
            {error && (
              <div ref={errorRef} tabIndex={-1} className="fr-mb-3w">
                <Alert severity="error" small description={error.message} />
              </div>
            )}
            <form onSubmit={onSubmit} noValidate>
              <Input
                label="Identifiant (adresse électronique)"
                nativeInputProps={{
                  type: 'email',
                  autoComplete: 'username',
                  value: identifier,
                  onChange: (e) => setIdentifier(e.target.value),
                  required: true,
                  maxLength: 254,
                }}
              />
              <Input
                label="Mot de passe"
                nativeInputProps={{
                  type: 'password',
                  autoComplete: 'current-password',
                  value: password,
                  onChange: (e) => setPassword(e.target.value),
                  required: true,
                  maxLength: 128,
                }}
              />
              <Button type="submit" disabled={busy}>
                Se connecter
              </Button>
            </form>
          </section>
        )}
      </div>
    </div>
  );
}
