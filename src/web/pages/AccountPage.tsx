import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Badge } from '@codegouvfr/react-dsfr/Badge';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { type FormEvent, useState } from 'react';
import { Link, Navigate } from 'react-router';
import { EXERCISE_MODES, emailChangeResultSchema } from '../../shared/identity';
import { ApiError, apiPost } from '../api/client';
import { useRefreshSession, useSession } from '../api/session';
import { usePageTitle } from '../layout/page';
import { NotificationPreferences } from './delegations';
import { placeLabel } from './delegations/format';
import { SecondFactorsSection } from './SecondFactorsSection';

export function AccountPage() {
  const session = useSession();
  const refresh = useRefreshSession();
  const [email, setEmail] = useState('');
  const [error, setError] = useState<ApiError | undefined>();
  const [sentTo, setSentTo] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  usePageTitle('Mon compte', error !== undefined);

  if (session.isPending) return <p>Chargement…</p>;
  const user = session.data?.user;
  if (!user) return <Navigate to="/connexion?retour=%2Fmon-compte" replace />;

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    setSentTo(undefined);
    try {
      const target = email.trim() || (user.email ?? '');
      const result = await apiPost('/api/account/email', { email: target }, emailChangeResultSchema);
      if (result.emailConfirmationSent) setSentTo(target);
      setEmail('');
      await refresh();
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, 'error', 'L’enregistrement a échoué.'));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <h1>Mon compte</h1>
      <h2 className="fr-h4">Identité professionnelle</h2>
      <p className="fr-text--sm">
        Ces informations viennent de Pro Santé Connect et sont mises à jour à chaque connexion.
      </p>
      <dl>
        <dt className="fr-text--bold fr-mb-0">Nom et prénom</dt>
        <dd className="fr-ml-0 fr-mb-2w">
          {user.givenName} {user.familyName}
        </dd>
        <dt className="fr-text--bold fr-mb-0">Identifiant national</dt>
        <dd className="fr-ml-0 fr-mb-2w">{user.subjectNameId}</dd>
        <dt className="fr-text--bold fr-mb-0">Type de carte</dt>
        <dd className="fr-ml-0 fr-mb-2w">{user.cardType ?? 'Non précisé'}</dd>
        <dt className="fr-text--bold fr-mb-0">Profession</dt>
        <dd className="fr-ml-0 fr-mb-2w">
          {user.professionLabel ?? 'Non précisée'}
          {user.specialtyLabel ? ` — ${user.specialtyLabel}` : ''}
        </dd>
        {user.places.length > 0 && (
          <>
            <dt className="fr-text--bold fr-mb-0">Lieux d’exercice</dt>
            <dd className="fr-ml-0 fr-mb-2w">
              <ul className="fr-raw-list">
                {user.places.map((p) => (
                  <li key={JSON.stringify(p)}>
                    {[
                      p.name,
                      placeLabel({ postalCode: p.postalCode, city: p.town }),
                      p.modeCode ? `exercice ${EXERCISE_MODES[p.modeCode] ?? p.modeCode}` : null,
                    ]
                      .filter(Boolean)
                      .join(' — ')}
                  </li>
                ))}
              </ul>
            </dd>
          </>
        )}
        <dt className="fr-text--bold fr-mb-0">Charte d’utilisation acceptée</dt>
        <dd className="fr-ml-0 fr-mb-2w">{user.charterVersion ? `Version ${user.charterVersion}` : 'Non'}</dd>
        <dt className="fr-text--bold fr-mb-0">Connexion par mot de passe</dt>
        <dd className="fr-ml-0 fr-mb-2w">
          {user.hasPassword ? 'Mot de passe choisi' : 'Aucun mot de passe'}
        </dd>
      </dl>
      {user.hasPassword && session.data?.passwordLogin && <SecondFactorsSection />}

      <h2 className="fr-h4 fr-mt-6w">Adresse électronique de notification</h2>
      <p>
        {user.email ?? 'Aucune adresse'}{' '}
        {user.email &&
          (user.emailVerified ? (
            <Badge severity="success" small>
              Confirmée
            </Badge>
          ) : (
            <Badge severity="warning" small>
              En attente de confirmation
            </Badge>
          ))}
      </p>
      {sentTo && (
        <Alert
          severity="info"
          small
          className="fr-mb-3w"
          description={`Un lien de confirmation a été envoyé à ${sentTo}.`}
        />
      )}
      {error && (
        <Alert
          severity="error"
          small
          className="fr-mb-3w"
          description={error.field('email') ?? error.message}
        />
      )}
      <form onSubmit={onSubmit} noValidate className="fr-col-md-8 fr-px-0">
        <Input
          label="Nouvelle adresse électronique"
          hintText="Un lien de confirmation sera envoyé à cette adresse. Format attendu : nom@domaine.fr"
          nativeInputProps={{
            type: 'email',
            autoComplete: 'email',
            value: email,
            maxLength: 254,
            onChange: (e) => setEmail(e.target.value),
          }}
        />
        <Button type="submit" priority="secondary" disabled={busy}>
          {user.email && !user.emailVerified && !email ? 'Renvoyer le lien' : 'Enregistrer'}
        </Button>
      </form>
      {user.isDoctor && (
        <>
          <h2 className="fr-h4 fr-mt-6w">Mon cabinet</h2>
          <p>
            Créez votre cabinet de groupe, invitez vos confrères et partagez les modèles de droits de votre
            personnel.
          </p>
          <Link className="fr-link fr-icon-arrow-right-line fr-link--icon-right" to="/mon-cabinet">
            Mon cabinet
          </Link>
        </>
      )}
      <NotificationPreferences />
    </>
  );
}
