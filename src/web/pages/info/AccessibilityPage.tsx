// The accessibility statement the DSFR footer links to (« Accessibilité : partiellement
// conforme »), after the RGAA 4.1 model: state of compliance, what is not accessible, how it was
// assessed, how to report a problem and the ways of recourse.
import { Link } from 'react-router';
import { usePageTitle } from '../../layout/page';

const TITLE = 'Déclaration d’accessibilité';
export const STATEMENT_DATE = '01/12/2026';

export function AccessibilityPage() {
  usePageTitle(TITLE);
  return (
    <article className="fr-col-lg-10">
      <h1>{TITLE}</h1>
      <p>Établie le {STATEMENT_DATE}.</p>
      <p>
        L’organisme qui exploite le service « Délégations de droits » s’engage à le rendre accessible,
        conformément à l’article 47 de la loi n° 2005-102 du 11 février 2005.
      </p>
      <p>Cette déclaration d’accessibilité s’applique au service « Délégations de droits ».</p>

      <h2>État de conformité</h2>
      <p>
        Le service « Délégations de droits » est <strong>partiellement conforme</strong> avec le référentiel
        général d’amélioration de l’accessibilité (RGAA), version 4.1.2, en raison des non-conformités et des
        dérogations énumérées ci-dessous.
      </p>

      <h2>Résultats des tests</h2>
      <p>
        Aucun audit complet n’a encore été réalisé par un organisme indépendant : le taux de conformité aux
        critères du RGAA n’est donc pas établi. Les vérifications menées à chaque version sont décrites plus
        bas.
      </p>

      <h2>Contenus non accessibles</h2>
      <h3>Non-conformités</h3>
      <ul>
        <li>
          Les champs de date utilisent le calendrier du navigateur : l’ordre des segments (jour, mois, année)
          et leur restitution par les lecteurs d’écran dépendent du navigateur et de sa langue (critère 11.1).
        </li>
        <li>
          Un courriel HTML peut être mal restitué par certains logiciels de messagerie ; chaque courriel est
          aussi envoyé en texte brut (critère 8.5).
        </li>
        <li>
          Le nombre de dossiers affichés dans la liste est limité aux 500 plus récents, sans pagination
          (critère 12.1).
        </li>
      </ul>
      <h3>Dérogations pour charge disproportionnée</h3>
      <p>Aucune.</p>
      <h3>Contenus non soumis à l’obligation d’accessibilité</h3>
      <ul>
        <li>
          La documentation technique de l’interface de programmation (<a href="/api/docs">/api/docs</a>),
          produite par un outil tiers et destinée aux développeurs.
        </li>
        <li>
          Les pages de connexion de Pro Santé Connect, service de l’Agence du Numérique en Santé, et, en
          démonstration, leur imitation locale.
        </li>
      </ul>

      <h2>Établissement de cette déclaration d’accessibilité</h2>
      <h3>Technologies utilisées pour la réalisation du service</h3>
      <ul>
        <li>HTML5</li>
        <li>CSS (Système de Design de l’État, DSFR)</li>
        <li>JavaScript (React)</li>
        <li>WAI-ARIA</li>
      </ul>
      <h3>Environnement de test</h3>
      <p>
        Chaque version est vérifiée automatiquement dans le navigateur Chromium, sur ordinateur (1280 pixels
        de large) et sur téléphone (375 pixels de large).
      </p>
      <h3>Outils pour évaluer l’accessibilité</h3>
      <ul>
        <li>axe-core (règles WCAG 2.1 A et AA), sur chaque état de page parcouru par les tests ;</li>
        <li>parcours au clavier seul (focus après navigation, fenêtres de confirmation) ;</li>
        <li>captures d’écran relues aux deux largeurs.</li>
      </ul>
      <h3>Pages du service ayant fait l’objet de la vérification de conformité</h3>
      <ul>
        <li>
          <Link to="/">Accueil</Link>
        </li>
        <li>Connexion et première connexion</li>
        <li>
          Mes délégations, ajout d’une délégation (personnel de cabinet, confrère), modification, suppression
        </li>
        <li>Invitation à finaliser une délégation, délégations reçues, attestation de délégation</li>
        <li>Dossiers, dossier, création d’un dossier</li>
        <li>Journal</li>
        <li>
          Mon compte, pages d’information (mentions légales, données personnelles, cookies, plan du site)
        </li>
      </ul>

      <h2>Retour d’information et contact</h2>
      <p>
        Si vous n’arrivez pas à accéder à un contenu ou à un service, vous pouvez contacter le responsable du
        service, par l’intermédiaire de l’assistance de l’organisme qui vous a donné accès au service, pour
        être orienté vers une alternative accessible ou obtenir le contenu sous une autre forme. Précisez la
        page concernée, ce que vous cherchiez à faire et le navigateur ou l’aide technique utilisés.
      </p>

      <h2>Voies de recours</h2>
      <p>
        Si vous constatez un défaut d’accessibilité vous empêchant d’accéder à un contenu ou à une
        fonctionnalité du service, que vous nous le signalez et que vous ne parvenez pas à obtenir une réponse
        de notre part, vous êtes en droit de faire parvenir vos doléances ou une demande de saisine au
        Défenseur des droits. Plusieurs moyens sont à votre disposition :
      </p>
      <ul>
        <li>
          écrire un message au Défenseur des droits, par le{' '}
          <a
            href="https://formulaire.defenseurdesdroits.fr/"
            target="_blank"
            rel="noopener noreferrer"
            title="formulaire en ligne du Défenseur des droits — nouvelle fenêtre"
          >
            formulaire en ligne
          </a>
          ;
        </li>
        <li>
          contacter{' '}
          <a
            href="https://www.defenseurdesdroits.fr/saisir/delegues"
            target="_blank"
            rel="noopener noreferrer"
            title="le délégué du Défenseur des droits dans votre région — nouvelle fenêtre"
          >
            le délégué du Défenseur des droits dans votre région
          </a>
          ;
        </li>
        <li>
          envoyer un courrier par la poste (gratuit, ne pas mettre de timbre) : Défenseur des droits, Libre
          réponse 71120, 75342 Paris CEDEX 07.
        </li>
      </ul>
    </article>
  );
}
