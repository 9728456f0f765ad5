import { Button } from '@codegouvfr/react-dsfr/Button';
import { useSession } from '../api/session';

/** The seed's introduction; signed out, the way in; signed in, the way to the pages. */
export function HomePage() {
  const { data: session } = useSession();
  const user = session?.user ?? null;
  return (
    <>
      <h1>Délégations de droits</h1>
      <p className="fr-text--lead">
        Vous pouvez permettre à un autre professionnel de vous assister dans la gestion de vos dossiers.
      </p>
      <p>
        Depuis la page « Mes délégations », vous pouvez habiliter un professionnel (secrétaire, assistant
        médical, infirmier(e)…) qui vous accompagne au quotidien, ou un confrère médecin qui peut vous
        remplacer dans la gestion de vos dossiers.
      </p>
      {session && !user && (
        // A full page load (not a client-side route): the server starts the OpenID Connect flow.
        <a className="fr-btn fr-btn--lg fr-icon-arrow-right-line fr-btn--icon-right" href="/auth/psc/start">
          Se connecter avec Pro Santé Connect
        </a>
      )}
      {user && (
        <ul className="fr-btns-group fr-btns-group--inline-md">
          {user.isDoctor && (
            <li>
              <Button linkProps={{ to: '/delegations' }}>Mes délégations</Button>
            </li>
          )}
          <li>
            <Button priority="secondary" linkProps={{ to: '/dossiers' }}>
              Dossiers
            </Button>
          </li>
          <li>
            <Button priority="secondary" linkProps={{ to: '/delegations-recues' }}>
              Délégations reçues
            </Button>
          </li>
        </ul>
      )}
    </>
  );
}
