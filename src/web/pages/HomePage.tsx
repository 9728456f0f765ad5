import { Button } from '@codegouvfr/react-dsfr/Button';
import { useSession } from '../api/session';
import { usePageTitle } from '../layout/page';

/**
 * The seed's introduction; signed out, the way in; a doctor, his or her pages; the practice
 * staff, a home page of their own (they manage the dossiers of the doctors who delegated to them).
 */
export function HomePage() {
  usePageTitle('Accueil');
  const { data: session } = useSession();
  const user = session?.user ?? null;
  if (user && !user.isDoctor) return <StaffHome />;
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
        <>
          <p>
            Vous êtes secrétaire, assistant(e) médical(e) ou infirmier(e) et un médecin vous a invité(e) ?
            Ouvrez le lien reçu par courriel, puis connectez-vous avec votre carte CPx.
          </p>
          {/* A full page load (not a client-side route): the server starts the OpenID Connect flow. */}
          <a className="fr-btn fr-btn--lg fr-icon-arrow-right-line fr-btn--icon-right" href="/auth/psc/start">
            Se connecter avec Pro Santé Connect
          </a>
        </>
      )}
      {user && (
        <ul className="fr-btns-group fr-btns-group--inline-md">
          <li>
            <Button linkProps={{ to: '/delegations' }}>Mes délégations</Button>
          </li>
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

function StaffHome() {
  return (
    <>
      <h1>Délégations de droits</h1>
      <p className="fr-text--lead">
        Les médecins qui vous ont habilité(e) vous confient la gestion de leurs dossiers, avec les droits et
        pendant la période qu’ils ont choisis.
      </p>
      <ul>
        <li>
          « Dossiers » : les dossiers du médecin pour le compte duquel vous agissez. Si plusieurs médecins
          vous ont habilité(e), choisissez-le dans « Agir pour le compte de ».
        </li>
        <li>« Délégations reçues » : qui vous a habilité(e), avec quels droits et jusqu’à quand.</li>
        <li>« Journal » : vos propres actions, que le médecin voit aussi.</li>
      </ul>
      <ul className="fr-btns-group fr-btns-group--inline-md">
        <li>
          <Button linkProps={{ to: '/dossiers' }}>Dossiers</Button>
        </li>
        <li>
          <Button priority="secondary" linkProps={{ to: '/delegations-recues' }}>
            Délégations reçues
          </Button>
        </li>
        <li>
          <Button priority="secondary" linkProps={{ to: '/journal' }}>
            Journal
          </Button>
        </li>
      </ul>
    </>
  );
}
