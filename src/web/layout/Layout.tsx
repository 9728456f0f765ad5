import { Footer } from '@codegouvfr/react-dsfr/Footer';
import { Header } from '@codegouvfr/react-dsfr/Header';
import { SkipLinks } from '@codegouvfr/react-dsfr/SkipLinks';
import { Outlet, useLocation } from 'react-router';

const NAVIGATION = [
  { text: 'Mes délégations', to: '/delegations' },
  { text: 'Dossiers', to: '/dossiers' },
  { text: 'Journal', to: '/journal' },
];

export function Layout() {
  const { pathname } = useLocation();
  return (
    <>
      <SkipLinks
        links={[
          { label: 'Contenu', anchor: '#contenu' },
          { label: 'Pied de page', anchor: '#footer' },
        ]}
      />
      <Header
        brandTop={
          <>
            République
            <br />
            Française
          </>
        }
        serviceTitle="Délégations de droits"
        serviceTagline="Espace médecins libéraux — gérer les délégations de droits"
        homeLinkProps={{ to: '/', title: 'Accueil — Délégations de droits' }}
        quickAccessItems={[
          { iconId: 'fr-icon-account-circle-line', linkProps: { to: '/connexion' }, text: 'Se connecter' },
        ]}
        navigation={NAVIGATION.map((item) => ({
          text: item.text,
          linkProps: { to: item.to },
          isActive: pathname.startsWith(item.to),
        }))}
      />
      <main id="contenu" className="fr-container fr-py-6w" tabIndex={-1}>
        <Outlet />
      </main>
      <Footer
        id="footer"
        accessibility="non compliant"
        contentDescription="Délégations de droits permet à un médecin libéral d'habiliter un professionnel de son cabinet ou un confrère à gérer ses dossiers, pour une période et avec des droits qu'il choisit."
        bottomItems={[{ text: 'Documentation de l’API', linkProps: { href: '/api/docs' } }]}
      />
    </>
  );
}
