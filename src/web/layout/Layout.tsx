import { headerFooterDisplayItem } from '@codegouvfr/react-dsfr/Display';
import { Footer } from '@codegouvfr/react-dsfr/Footer';
import { Header } from '@codegouvfr/react-dsfr/Header';
import { SkipLinks } from '@codegouvfr/react-dsfr/SkipLinks';
import { useEffect, useRef, useState } from 'react';
import { Navigate, Outlet, useLocation } from 'react-router';
import { safeReturnTo } from '../../shared/identity';
import { ApiError } from '../api/client';
import { signOut, useSession } from '../api/session';
import { ActingContextBar, useActingContext } from '../context';
import { CabinetInvitationsBanner } from '../pages/cabinets';
import { useDemoMailboxFooterItem } from '../pages/demo-mail/useDemoMailboxFooterItem';
import { focusMainHeading } from './page';
import './print.css';

/** The pages of a signed-in person (none before sign-in: they would only lead to it). */
const NAVIGATION = [
  { text: 'Mes délégations', to: '/delegations', doctorsOnly: true },
  { text: 'Délégations reçues', to: '/delegations-recues' },
  { text: 'Dossiers', to: '/dossiers' },
  /** A delegate of several doctors: their dossiers in one list. */
  { text: 'Tous mes médecins', to: '/tous-mes-medecins', severalDoctors: true },
  { text: 'Journal', to: '/journal' },
];

/** Pages reachable before the first sign-in is complete. */
const BEFORE_FIRST_SIGN_IN = [
  '/premiere-connexion',
  '/confirmer-courriel',
  '/connexion',
  '/demo/courriels',
  '/accessibilite',
  '/mentions-legales',
  '/donnees-personnelles',
  '/cookies',
  '/plan-du-site',
  '/aide',
];

export function Layout() {
  const { pathname, search } = useLocation();
  const session = useSession();
  const user = session.data?.user ?? null;
  const [signOutError, setSignOutError] = useState<string | undefined>();
  const demoMail = useDemoMailboxFooterItem();
  const severalDoctors = new Set(useActingContext().delegated.map((d) => d.delegatorId)).size > 1;

  useEffect(() => {
    if (pathname) setSignOutError(undefined);
  }, [pathname]);

  // After a client-side navigation (not the first page load), the new page's heading takes the
  // focus, which also has screen readers announce it.
  const previousPath = useRef(pathname);
  useEffect(() => {
    if (previousPath.current === pathname) return;
    previousPath.current = pathname;
    focusMainHeading();
  }, [pathname]);

  const mustFinishFirstSignIn =
    user !== null && !user.firstSignInComplete && !BEFORE_FIRST_SIGN_IN.some((p) => pathname.startsWith(p));

  const onSignOut = async () => {
    try {
      await signOut();
    } catch (err) {
      setSignOutError(err instanceof ApiError ? err.message : 'La déconnexion a échoué. Veuillez réessayer.');
    }
  };

  const help = {
    iconId: 'fr-icon-question-line' as const,
    linkProps: { to: '/aide' },
    text: 'Aide',
  };
  const quickAccessItems = user
    ? [
        help,
        {
          iconId: 'fr-icon-account-circle-line' as const,
          linkProps: { to: '/mon-compte', title: 'Mon compte' },
          text: `${user.givenName} ${user.familyName}`,
        },
        {
          iconId: 'fr-icon-logout-box-r-line' as const,
          buttonProps: { onClick: () => void onSignOut(), type: 'button' as const },
          text: 'Se déconnecter',
        },
      ]
    : session.isPending
      ? []
      : [
          help,
          {
            iconId: 'fr-icon-account-circle-line' as const,
            linkProps: {
              to:
                pathname === '/' || pathname.startsWith('/connexion')
                  ? '/connexion'
                  : `/connexion?retour=${encodeURIComponent(safeReturnTo(pathname + search) ?? '/')}`,
            },
            text: 'Se connecter',
          },
        ];

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
        quickAccessItems={quickAccessItems}
        navigation={NAVIGATION.filter(
          (item) =>
            user?.firstSignInComplete &&
            (!item.doctorsOnly || user.isDoctor) &&
            (!item.severalDoctors || severalDoctors),
        ).map((item) => ({
          text: item.text,
          linkProps: { to: item.to },
          isActive: pathname === item.to || pathname.startsWith(`${item.to}/`),
        }))}
      />
      <main id="contenu" className="fr-container fr-py-6w" tabIndex={-1}>
        <ActingContextBar />
        <CabinetInvitationsBanner />
        {signOutError && (
          <div className="fr-alert fr-alert--error fr-alert--sm fr-mb-4w" role="alert">
            <p>{signOutError}</p>
          </div>
        )}
        {mustFinishFirstSignIn ? <Navigate to="/premiere-connexion" replace /> : <Outlet />}
      </main>
      <Footer
        id="footer"
        accessibility="partially compliant"
        accessibilityLinkProps={{ to: '/accessibilite' }}
        termsLinkProps={{ to: '/mentions-legales' }}
        websiteMapLinkProps={{ to: '/plan-du-site' }}
        contentDescription="Délégations de droits permet à un médecin libéral d’habiliter un professionnel de son cabinet ou un confrère à gérer ses dossiers, pour une période et avec des droits qu’il choisit."
        bottomItems={[
          { text: 'Aide', linkProps: { to: '/aide' } },
          { text: 'Données personnelles', linkProps: { to: '/donnees-personnelles' } },
          { text: 'Gestion des cookies', linkProps: { to: '/cookies' } },
          headerFooterDisplayItem,
          // The API's documentation is served by the server, outside the web app: a full page load.
          { text: 'Documentation de l’API', linkProps: { to: '/api/docs', reloadDocument: true } },
          ...(demoMail ? [demoMail] : []),
        ]}
      />
    </>
  );
}
