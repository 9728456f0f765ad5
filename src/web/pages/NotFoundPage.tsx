import { Link } from 'react-router';
import { usePageTitle } from '../layout/page';

export function NotFoundPage() {
  usePageTitle('Page introuvable');
  return (
    <>
      <h1>Page introuvable</h1>
      <p>La page que vous cherchez n’existe pas ou a été déplacée.</p>
      <p>
        <Link to="/">Revenir à l’accueil</Link> ou consulter le <Link to="/plan-du-site">plan du site</Link>.
      </p>
    </>
  );
}
