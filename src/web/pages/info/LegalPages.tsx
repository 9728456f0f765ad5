// The pages the DSFR footer requires besides the accessibility statement: « Mentions légales »,
// « Données personnelles », « Gestion des cookies » (the service sets no cookie but its session
// cookie, so there is nothing to consent to) and « Plan du site » (by role, as the menu).
import { Link } from 'react-router';
import { useSession } from '../../api/session';
import { DataTable } from '../../components/DataTable';
import { usePageTitle } from '../../layout/page';

export function LegalNoticePage() {
  usePageTitle('Mentions légales');
  return (
    <article className="fr-col-lg-10">
      <h1>Mentions légales</h1>
      <h2>Éditeur du service</h2>
      <p>
        Le service « Délégations de droits » est édité et exploité par l’organisme qui l’a déployé pour les
        médecins libéraux de son territoire et qui vous en a donné l’accès. Il est responsable de la
        publication et de l’hébergement du service.
      </p>
      <h2>Hébergement</h2>
      <p>
        Les données du service (comptes, délégations, dossiers, journal) sont conservées dans la base de
        données PostgreSQL de l’organisme exploitant. Des données de santé y étant traitées, l’hébergement
        doit être assuré par un hébergeur certifié « hébergeur de données de santé » (HDS), conformément à
        l’article L. 1111-8 du code de la santé publique.
      </p>
      <h2>Identification des professionnels</h2>
      <p>
        Les professionnels se connectent avec Pro Santé Connect, service d’identification de l’Agence du
        Numérique en Santé (carte CPS, CPE, CPA ou e-CPS). Les confrères sont recherchés dans l’Annuaire Santé
        de l’Agence du Numérique en Santé (données en libre accès).
      </p>
      <h2>Propriété intellectuelle</h2>
      <p>
        Sauf mention contraire, les contenus de ce service sont proposés sous licence ouverte etalab-2.0. Le
        Système de Design de l’État (DSFR) et la Marianne sont la propriété de l’État.
      </p>
      <h2>Accessibilité</h2>
      <p>
        Voir la <Link to="/accessibilite">déclaration d’accessibilité</Link>.
      </p>
    </article>
  );
}

const PROCESSING: [string, string, string][] = [
  [
    'Identité professionnelle transmise par Pro Santé Connect (nom, prénom, identifiant national, profession, type de carte)',
    'Vous identifier et vérifier qui peut agir sur quels dossiers',
    'Tant que le compte est utilisé',
  ],
  [
    'Adresse électronique de notification, mot de passe (chiffré) du personnel de cabinet',
    'Vous prévenir des délégations qui vous concernent ; connexion sans carte',
    'Tant que le compte est utilisé',
  ],
  [
    'Délégations de droits (personne, droits, période, invitation)',
    'Permettre à un médecin de confier la gestion de ses dossiers',
    'Tant que la délégation existe, puis dans le journal',
  ],
  [
    'Dossiers des patients (identité, volet administratif, volet médical, demandes)',
    'Orienter les patients vers les établissements',
    'Selon les règles de conservation du dossier médical',
  ],
  [
    'Journal des accès et des actions (qui, pour le compte de qui, quel dossier, quand)',
    'Traçabilité exigée pour les données de santé ; contrôle par le médecin',
    'Un an en ligne, puis archivé',
  ],
];

export function PersonalDataPage() {
  usePageTitle('Données personnelles');
  return (
    <article className="fr-col-lg-10">
      <h1>Données personnelles</h1>
      <p>
        Le service traite des données personnelles des professionnels qui l’utilisent et des données de santé
        des patients dont ils gèrent les dossiers. Le responsable de traitement est l’organisme qui exploite
        le service.
      </p>
      <h2>Données traitées et finalités</h2>
      <DataTable
        caption="Données personnelles traitées par le service"
        headers={['Données', 'Pourquoi', 'Durée de conservation']}
        rows={PROCESSING.map(([data, why, kept]) => ({ key: data, cells: [data, why, kept] }))}
      />
      <h2>Base légale</h2>
      <p>
        Le traitement est nécessaire à la prise en charge des patients par les professionnels de santé
        (article 9.2.h du règlement général sur la protection des données) et à l’exécution d’une mission
        d’intérêt public.
      </p>
      <h2>Vos droits</h2>
      <p>
        Vous pouvez accéder aux données qui vous concernent, les faire rectifier ou limiter leur traitement,
        en vous adressant au délégué à la protection des données de l’organisme qui exploite le service. Si
        vous estimez, après l’avoir contacté, que vos droits ne sont pas respectés, vous pouvez adresser une
        réclamation à la{' '}
        <a
          href="https://www.cnil.fr/fr/plaintes"
          target="_blank"
          rel="noopener noreferrer"
          title="CNIL, adresser une réclamation — nouvelle fenêtre"
        >
          CNIL
        </a>
        .
      </p>
      <h2>Cookies</h2>
      <p>
        Voir la page <Link to="/cookies">Gestion des cookies</Link>.
      </p>
    </article>
  );
}

export function CookiesPage() {
  usePageTitle('Gestion des cookies');
  return (
    <article className="fr-col-lg-10">
      <h1>Gestion des cookies</h1>
      <p className="fr-text--lead">
        Ce service n’utilise aucun cookie de mesure d’audience, de publicité ou de suivi : il n’y a rien à
        accepter ni à refuser.
      </p>
      <p>Il dépose un seul cookie, strictement nécessaire à son fonctionnement, exempté de consentement :</p>
      <ul>
        <li>
          <strong>sid</strong> : votre session de connexion (un identifiant aléatoire, sans autre
          information). Il est supprimé à la déconnexion et expire après une heure d’inactivité ou huit heures
          au plus.
        </li>
      </ul>
      <p>
        Le service garde aussi dans votre navigateur (stockage local, pas un cookie) le médecin pour le compte
        duquel vous avez choisi d’agir et vos paramètres d’affichage (thème clair ou sombre).
      </p>
    </article>
  );
}

export function SiteMapPage() {
  usePageTitle('Plan du site');
  const user = useSession().data?.user ?? null;
  const signedIn = Boolean(user?.firstSignInComplete);
  return (
    <article>
      <h1>Plan du site</h1>
      <ul>
        <li>
          <Link to="/">Accueil</Link>
        </li>
        {!user && (
          <li>
            <Link to="/connexion">Se connecter</Link>
          </li>
        )}
        {signedIn && user?.isDoctor && (
          <li>
            <Link to="/delegations">Mes délégations</Link>
            <ul>
              <li>
                <Link to="/delegations/assistant/ajouter">
                  Ajouter une délégation à un personnel de cabinet
                </Link>
              </li>
              <li>
                <Link to="/delegations/confrere/ajouter">Ajouter une délégation à un confrère</Link>
              </li>
            </ul>
          </li>
        )}
        {signedIn && (
          <>
            <li>
              <Link to="/delegations-recues">Délégations reçues</Link>
            </li>
            <li>
              <Link to="/dossiers">Dossiers</Link>
            </li>
            <li>
              <Link to="/journal">Journal</Link>
            </li>
            <li>
              <Link to="/mon-compte">Mon compte</Link>
            </li>
          </>
        )}
        <li>
          <Link to="/aide">Aide</Link>
        </li>
        <li>
          <Link to="/accessibilite">Déclaration d’accessibilité</Link>
        </li>
        <li>
          <Link to="/mentions-legales">Mentions légales</Link>
        </li>
        <li>
          <Link to="/donnees-personnelles">Données personnelles</Link>
        </li>
        <li>
          <Link to="/cookies">Gestion des cookies</Link>
        </li>
        <li>
          <a href="/api/docs">Documentation de l’API</a>
        </li>
      </ul>
    </article>
  );
}
