// The second factor: after a right password, prove it (passkey, code of the authenticator app, or
// a recovery code); at first sign-in or when none is registered, choose one (passkey or app),
// then keep the 10 recovery codes shown once.
import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { startAuthentication, startRegistration } from '@simplewebauthn/browser';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, type ReactNode, useEffect, useRef, useState } from 'react';
import { Navigate, useNavigate, useSearchParams } from 'react-router';
import { z } from 'zod';
import { safeReturnTo } from '../../shared/identity';
import {
  enrolmentResultSchema,
  secondFactorStateSchema,
  totpEnrolmentSchema,
} from '../../shared/second-factor';
import { ApiError, apiGet, apiPost } from '../api/client';
import { useRefreshSession } from '../api/session';
import { usePageTitle } from '../layout/page';

export const SECOND_FACTOR_KEY = ['second-factor'] as const;
const signedInSchema = z.object({ redirectTo: z.string() });
const enrolledSchema = enrolmentResultSchema.extend(signedInSchema.shape);
// biome-ignore lint/suspicious/noExplicitAny: WebAuthn options are checked by the browser library.
type AnyOptions = any;

function toError(err: unknown, fallback: string): ApiError {
  if (err instanceof ApiError) return err;
  // The browser refused or the person cancelled the WebAuthn dialog.
  if (err instanceof Error && (err.name === 'NotAllowedError' || err.name === 'AbortError')) {
    return new ApiError(
      0,
      'webauthn_cancelled',
      'L’opération avec la clé d’accès a été annulée ou a expiré.',
    );
  }
  return new ApiError(0, 'error', fallback);
}

function ErrorAlert({ error }: { error: ApiError | undefined }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (error) ref.current?.focus();
  }, [error]);
  if (!error) return null;
  return (
    <div ref={ref} tabIndex={-1} className="fr-mb-3w">
      <Alert severity="error" small description={error.message} />
    </div>
  );
}

export function SecondFactorPage() {
  const [params] = useSearchParams();
  const returnTo = safeReturnTo(params.get('retour') ?? undefined);
  const adding = params.get('ajouter') === '1';
  const state = useQuery({
    queryKey: SECOND_FACTOR_KEY,
    queryFn: () => apiGet('/api/second-factor', secondFactorStateSchema),
    retry: false,
    // What it shows depends on the session now (a sign-in may have happened since the last read).
    refetchOnMount: 'always',
  });
  const refresh = useRefreshSession();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [recoveryCodes, setRecoveryCodes] = useState<{ codes: string[]; next: string } | undefined>();

  const s = state.data;
  const hasFactor = s ? s.totp !== null || s.passkeys.length > 0 : false;
  const verifying = s?.pending === true && hasFactor;
  usePageTitle(
    recoveryCodes
      ? 'Vos codes de secours'
      : verifying
        ? 'Confirmer votre connexion'
        : 'Choisir votre second facteur de connexion',
  );

  if (state.isPending || (state.isFetching && !state.isFetchedAfterMount)) return <p>Chargement…</p>;
  if (state.isError) {
    const err = state.error as ApiError;
    if (err.status === 401) return <Navigate to="/connexion" replace />;
    return <Alert severity="error" title="Erreur" description={err.message} />;
  }
  if (!s) return null;

  const leave = async (redirectTo: string) => {
    await refresh();
    await queryClient.invalidateQueries({ queryKey: SECOND_FACTOR_KEY });
    navigate(redirectTo === '/' && returnTo ? returnTo : redirectTo, { replace: true });
  };
  const enrolled = async (result: z.infer<typeof enrolledSchema>) => {
    const next = returnTo ?? result.redirectTo;
    if (result.recoveryCodes) setRecoveryCodes({ codes: result.recoveryCodes, next });
    else await leave(next);
  };

  if (recoveryCodes)
    return <RecoveryCodes codes={recoveryCodes.codes} onDone={() => leave(recoveryCodes.next)} />;
  if (verifying) return <Verify state={s} onDone={(r) => leave(r.redirectTo)} />;
  if (hasFactor && !adding) return <Navigate to={returnTo ?? '/'} replace />;
  return <Enrol pending={s.pending} onDone={enrolled} offerTotp={s.totp === null && s.totpAvailable} />;
}

function Verify({
  state,
  onDone,
}: {
  state: z.infer<typeof secondFactorStateSchema>;
  onDone: (r: { redirectTo: string }) => Promise<void>;
}) {
  const [code, setCode] = useState('');
  const [recovery, setRecovery] = useState('');
  const [error, setError] = useState<ApiError | undefined>();
  const [busy, setBusy] = useState(false);
  const run = async (work: () => Promise<{ redirectTo: string }>, fallback: string) => {
    setBusy(true);
    setError(undefined);
    try {
      await onDone(await work());
    } catch (err) {
      setError(toError(err, fallback));
    } finally {
      setBusy(false);
    }
  };
  const withPasskey = () =>
    run(async () => {
      const optionsJSON: AnyOptions = await apiPost('/api/second-factor/passkey/authentication-options');
      const response = await startAuthentication({ optionsJSON });
      return apiPost('/api/second-factor/passkey', { response }, signedInSchema);
    }, 'La connexion avec la clé d’accès a échoué.');
  const withCode = (event: FormEvent) => {
    event.preventDefault();
    void run(
      () => apiPost('/api/second-factor/totp', { code }, signedInSchema),
      'La vérification a échoué.',
    ).then(() => setCode(''));
  };
  const withRecovery = (event: FormEvent) => {
    event.preventDefault();
    void run(
      () => apiPost('/api/second-factor/recovery', { code: recovery }, signedInSchema),
      'La vérification a échoué.',
    );
  };

  return (
    <div className="fr-grid-row fr-grid-row--center">
      <div className="fr-col-12 fr-col-md-8 fr-col-lg-6">
        <h1>Confirmer votre connexion</h1>
        <p>
          Votre mot de passe est correct. Pour accéder aux dossiers de santé, confirmez votre identité avec
          votre second facteur.
        </p>
        <ErrorAlert error={error} />
        {state.passkeys.length > 0 && (
          <section aria-labelledby="titre-cle" className="fr-mb-5w">
            <h2 id="titre-cle" className="fr-h4">
              Avec votre clé d’accès
            </h2>
            <Button onClick={withPasskey} disabled={busy} iconId="fr-icon-lock-line">
              Utiliser ma clé d’accès
            </Button>
          </section>
        )}
        {state.totp && (
          <section aria-labelledby="titre-app" className="fr-mb-5w">
            <h2 id="titre-app" className="fr-h4">
              Avec votre application d’authentification
            </h2>
            <form onSubmit={withCode} noValidate>
              <Input
                label="Code à 6 chiffres"
                hintText="Le code affiché maintenant par votre application (il change toutes les 30 secondes)."
                nativeInputProps={{
                  inputMode: 'numeric',
                  autoComplete: 'one-time-code',
                  value: code,
                  maxLength: 7,
                  onChange: (e) => setCode(e.target.value),
                }}
              />
              <Button type="submit" disabled={busy}>
                Valider le code
              </Button>
            </form>
          </section>
        )}
        <section aria-labelledby="titre-secours" className="fr-mb-5w">
          <h2 id="titre-secours" className="fr-h5">
            Avec un code de secours
          </h2>
          <p className="fr-text--sm">
            Chaque code de secours ne sert qu’une fois. Vous pouvez aussi vous connecter avec votre carte CPx
            ou votre e-CPS, ou demander au médecin qui vous a délégué ses droits de réinitialiser votre second
            facteur.
          </p>
          <form onSubmit={withRecovery} noValidate>
            <Input
              label="Code de secours"
              hintText="Format : ABCDE-FGH23"
              nativeInputProps={{
                autoComplete: 'off',
                value: recovery,
                maxLength: 20,
                onChange: (e) => setRecovery(e.target.value),
              }}
            />
            <Button type="submit" priority="secondary" disabled={busy}>
              Utiliser ce code de secours
            </Button>
          </form>
        </section>
        <a className="fr-link fr-icon-arrow-right-line fr-link--icon-right" href="/auth/psc/start">
          Se connecter plutôt avec Pro Santé Connect
        </a>
      </div>
    </div>
  );
}

function Enrol({
  pending,
  offerTotp,
  onDone,
}: {
  pending: boolean;
  offerTotp: boolean;
  onDone: (r: z.infer<typeof enrolledSchema>) => Promise<void>;
}) {
  const [name, setName] = useState('Clé d’accès');
  const [totp, setTotp] = useState<z.infer<typeof totpEnrolmentSchema> | undefined>();
  const [code, setCode] = useState('');
  const [error, setError] = useState<ApiError | undefined>();
  const [busy, setBusy] = useState(false);
  const run = async (work: () => Promise<void>, fallback: string) => {
    setBusy(true);
    setError(undefined);
    try {
      await work();
    } catch (err) {
      setError(toError(err, fallback));
    } finally {
      setBusy(false);
    }
  };
  const createPasskey = (event: FormEvent) => {
    event.preventDefault();
    void run(async () => {
      const optionsJSON: AnyOptions = await apiPost('/api/second-factor/passkey/registration-options');
      const response = await startRegistration({ optionsJSON });
      await onDone(
        await apiPost('/api/second-factor/passkey/registration', { name, response }, enrolledSchema),
      );
    }, 'L’enregistrement de la clé d’accès a échoué.');
  };
  const startTotp = () =>
    run(async () => {
      setTotp(await apiPost('/api/second-factor/totp/enrolment', undefined, totpEnrolmentSchema));
    }, 'L’enregistrement de l’application a échoué.');
  const confirmTotp = (event: FormEvent) => {
    event.preventDefault();
    void run(async () => {
      await onDone(await apiPost('/api/second-factor/totp/enrolment/confirm', { code }, enrolledSchema));
    }, 'La vérification a échoué.');
  };

  return (
    <div className="fr-grid-row fr-grid-row--center">
      <div className="fr-col-12 fr-col-md-10 fr-col-lg-8">
        <h1>Choisir votre second facteur de connexion</h1>
        <p>
          L’accès à distance aux données de santé exige une authentification forte (référentiel
          d’identification électronique de la PGSSI-S) : votre mot de passe ne suffit pas. Choisissez un
          second facteur, que vous utiliserez à chaque connexion par mot de passe.
          {pending && ' Vous devez en choisir un avant de continuer.'}
        </p>
        <ErrorAlert error={error} />
        <div className="fr-grid-row fr-grid-row--gutters">
          <section aria-labelledby="titre-nouvelle-cle" className="fr-col-12 fr-col-md-6">
            <h2 id="titre-nouvelle-cle" className="fr-h4">
              Une clé d’accès (recommandé)
            </h2>
            <p className="fr-text--sm">
              Votre ordinateur ou votre téléphone vous reconnaît (empreinte, visage ou code de l’appareil).
            </p>
            <form onSubmit={createPasskey} noValidate>
              <Input
                label="Nom de cette clé d’accès"
                hintText="Pour la reconnaître dans « Mon compte », par exemple « Ordinateur du cabinet »."
                nativeInputProps={{ value: name, maxLength: 100, onChange: (e) => setName(e.target.value) }}
              />
              <Button type="submit" disabled={busy}>
                Créer une clé d’accès
              </Button>
            </form>
          </section>
          {offerTotp && (
            <section aria-labelledby="titre-nouvelle-app" className="fr-col-12 fr-col-md-6">
              <h2 id="titre-nouvelle-app" className="fr-h4">
                Une application d’authentification
              </h2>
              <p className="fr-text--sm">
                Pour un appareil sans clé d’accès : une application qui affiche un code à 6 chiffres (FreeOTP,
                Aegis, Google Authenticator, Microsoft Authenticator…).
              </p>
              {totp ? (
                <TotpSetup totp={totp}>
                  <form onSubmit={confirmTotp} noValidate>
                    <Input
                      label="Code affiché par l’application"
                      hintText="6 chiffres"
                      nativeInputProps={{
                        inputMode: 'numeric',
                        autoComplete: 'one-time-code',
                        value: code,
                        maxLength: 7,
                        onChange: (e) => setCode(e.target.value),
                      }}
                    />
                    <Button type="submit" disabled={busy}>
                      Valider le code
                    </Button>
                  </form>
                </TotpSetup>
              ) : (
                <Button priority="secondary" onClick={startTotp} disabled={busy}>
                  Utiliser une application d’authentification
                </Button>
              )}
            </section>
          )}
        </div>
      </div>
    </div>
  );
}

function TotpSetup({ totp, children }: { totp: z.infer<typeof totpEnrolmentSchema>; children: ReactNode }) {
  return (
    <>
      <ol className="fr-text--sm">
        <li>Dans votre application, ajoutez un compte en scannant ce QR code.</li>
        <li>Saisissez ci-dessous le code à 6 chiffres qu’elle affiche.</li>
      </ol>
      <div
        className="second-factor-qr"
        role="img"
        aria-label="QR code à scanner avec votre application d’authentification"
        // The server's SVG, made by the qrcode library from the otpauth:// address.
        // biome-ignore lint/security/noDangerouslySetInnerHtml: SVG generated by the server, no user input.
        dangerouslySetInnerHTML={{ __html: totp.qrSvg }}
        style={{ width: 200, height: 200 }}
      />
      <p className="fr-text--sm">
        Impossible de scanner ? Saisissez cette clé dans l’application :{' '}
        <code data-testid="totp-secret">{totp.secret}</code>
      </p>
      {children}
    </>
  );
}

function RecoveryCodes({ codes, onDone }: { codes: string[]; onDone: () => void }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  return (
    <>
      <h1 ref={heading} tabIndex={-1}>
        Vos codes de secours
      </h1>
      <Alert
        severity="success"
        small
        className="fr-mb-3w"
        description="Votre second facteur est enregistré."
      />
      <p>
        Si vous n’avez plus votre clé d’accès ou votre application, chacun de ces codes permet une connexion,
        une seule fois. Notez-les ou imprimez-les et gardez-les en lieu sûr : ils ne seront plus affichés.
      </p>
      <ul className="fr-raw-list second-factor-codes" aria-label="Codes de secours">
        {codes.map((c) => (
          <li key={c}>
            <code>{c}</code>
          </li>
        ))}
      </ul>
      <Button className="fr-mt-3w" onClick={onDone}>
        J’ai noté mes codes de secours, continuer
      </Button>
    </>
  );
}
