// « Aide »: the help text of the delegation feature (the seed's page, the UI wording contract),
// structured with headings, plus what each right lets a delegate see and why a CPx card is needed.
import { Link } from 'react-router';
import { RIGHT_HELP } from '../../../shared/help';
import { RIGHT_LABELS, RIGHTS } from '../../../shared/rights';
import { usePageTitle } from '../../layout/page';
import './help.css';
import { CpxCallOut, WhyCpxText } from './WhyCpx';

export function HelpPage() {
  usePageTitle('Aide');
  return (
    <article className="fr-col-lg-10 help-page">
      <h1>Aide : gérer les délégations de droits</h1>
      <p className="fr-text--lead">
        <strong>
          Vous pouvez permettre à un autre professionnel de vous assister dans la gestion de vos dossiers.
        </strong>
      </p>
      <p>
        Depuis la page « <Link to="/delegations">Mes délégations</Link> », vous pouvez habiliter :
      </p>
      <ol>
        <li>
          un professionnel (secrétaire, assistant médical, infirmier(e)…) qui vous accompagne au quotidien ;
        </li>
        <li>un confrère médecin qui peut vous remplacer dans la gestion de vos dossiers.</li>
      </ol>

      <h2>1. Ajouter une délégation à un personnel de cabinet</h2>
      <CpxCallOut titleAs="h3" />
      <h3>Étape 1 : ouvrir le formulaire</h3>
      <p>
        Depuis « <strong>Assistant(s) habilité(s) à gérer mes dossiers</strong> », cliquez sur «{' '}
        <strong>Ajouter une délégation de droits</strong> ».
      </p>
      <h3>Étape 2 : paramétrer la délégation de droits</h3>
      <ol>
        <li>
          <strong>Identifiez</strong> le professionnel concerné ;
        </li>
        <li>
          choisissez <strong>les droits d’accès</strong> que vous souhaitez lui accorder sur les dossiers de
          vos patients ;
        </li>
        <li>
          définissez <strong>la période</strong> durant laquelle il pourra accéder à vos dossiers ;
        </li>
        <li>
          cliquez sur « <strong>Ajouter</strong> ».
        </li>
      </ol>
      <h3>Étape 3 : le professionnel finalise la délégation</h3>
      <p>
        Le professionnel concerné recevra ensuite{' '}
        <strong>un courriel pour finaliser la création de la délégation</strong> : il sera invité à se{' '}
        <strong>connecter avec sa carte CPx</strong>.
      </p>
      <p>
        <em>
          Nota : à la première connexion, le professionnel devra choisir un mot de passe et indiquer sa
          profession, puis lire et accepter la charte d’utilisation.
        </em>
      </p>
      <h3>Ce que le professionnel voit selon ses droits</h3>
      <dl className="help-rights">
        {RIGHTS.map((r) => (
          <div key={r}>
            <dt>{RIGHT_LABELS[r]}</dt>
            <dd>{RIGHT_HELP[r]}</dd>
          </div>
        ))}
      </dl>
      <p>
        Chaque droit comprend la consultation des dossiers : « Consulter les dossiers » est toujours accordé.
      </p>
      <h3>Pourquoi une carte CPx ?</h3>
      <WhyCpxText />

      <h2>2. Ajouter une délégation à un confrère</h2>
      <ol>
        <li>
          Depuis « <strong>Médecin(s) habilité(s) à gérer mes dossiers</strong> », cliquez sur «{' '}
          <strong>Ajouter une délégation de droits</strong> ».
        </li>
        <li>
          Recherchez votre confrère dans <strong>l’annuaire national</strong> (source Agence du Numérique en
          Santé) en renseignant son nom (et éventuellement son code postal), puis cliquez sur «{' '}
          <strong>Rechercher</strong> ».
        </li>
        <li>
          Une fois le médecin repéré, cliquez sur « <strong>Sélectionner</strong> ».
        </li>
        <li>
          Paramétrez la délégation de droits en renseignant la <strong>période de validité</strong>, puis
          cliquez sur « <strong>Ajouter</strong> ».
        </li>
      </ol>
      <p>
        <em>
          Nota : la délégation de droits entre médecins donne à votre confrère les mêmes droits que vous sur
          vos dossiers, pendant la période définie.
        </em>
      </p>

      <h2>Modifier ou supprimer une délégation</h2>
      <p>
        <strong>Important :</strong> vous pouvez modifier ou supprimer à tout moment une délégation de droits
        depuis la page « <Link to="/delegations">Mes délégations</Link> ».
      </p>
      <p>
        Chaque action d’une personne habilitée sur vos dossiers est inscrite dans votre «{' '}
        <Link to="/journal">Journal</Link> ».
      </p>
    </article>
  );
}
