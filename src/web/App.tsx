import { Route, Routes } from 'react-router';
import { Layout } from './layout/Layout';
import { AccountPage } from './pages/AccountPage';
import { AllDoctorsPage, CabinetPage } from './pages/cabinets';
import { DemoMailboxPage } from './pages/DemoMailboxPage';
import {
  AcceptRequestPage,
  GivenAttestationPage,
  InvitationPage,
  ModifyDelegationPage,
  MyDelegationsPage,
  PeerDelegationPage,
  ReceivedAttestationPage,
  ReceivedDelegationsPage,
  RequestDelegationPage,
  ReviewPage,
  StaffDelegationPage,
} from './pages/delegations';
import { DossierPage, DossiersPage, NewDossierPage } from './pages/dossiers';
import { EmailConfirmPage } from './pages/EmailConfirmPage';
import { FirstSignInPage } from './pages/FirstSignInPage';
import { HomePage } from './pages/HomePage';
import { HelpPage } from './pages/help';
import { AccessibilityPage, CookiesPage, LegalNoticePage, PersonalDataPage, SiteMapPage } from './pages/info';
import { JournalPage } from './pages/journal';
import { NotFoundPage } from './pages/NotFoundPage';
import { SecondFactorPage } from './pages/SecondFactorPage';
import { SignInPage } from './pages/SignInPage';

export function App() {
  return (
    <Routes>
      <Route element={<Layout />}>
        <Route index element={<HomePage />} />
        <Route path="connexion" element={<SignInPage />} />
        <Route path="connexion/second-facteur" element={<SecondFactorPage />} />
        <Route path="second-facteur" element={<SecondFactorPage />} />
        <Route path="premiere-connexion" element={<FirstSignInPage />} />
        <Route path="mon-compte" element={<AccountPage />} />
        <Route path="mon-cabinet" element={<CabinetPage />} />
        <Route path="tous-mes-medecins" element={<AllDoctorsPage />} />
        <Route path="confirmer-courriel" element={<EmailConfirmPage />} />
        <Route path="demo/courriels" element={<DemoMailboxPage />} />
        <Route path="delegations" element={<MyDelegationsPage />} />
        <Route path="delegations/assistant/ajouter" element={<StaffDelegationPage />} />
        <Route path="delegations/confrere/ajouter" element={<PeerDelegationPage />} />
        <Route path="delegations/:id/modifier" element={<ModifyDelegationPage />} />
        <Route path="delegations/demandes/:id" element={<AcceptRequestPage />} />
        <Route path="delegations/revue" element={<ReviewPage />} />
        <Route path="delegations-recues/demander" element={<RequestDelegationPage />} />
        <Route path="delegations/:id/attestation" element={<GivenAttestationPage />} />
        <Route path="delegations-recues" element={<ReceivedDelegationsPage />} />
        <Route path="delegations-recues/:id/attestation" element={<ReceivedAttestationPage />} />
        <Route path="invitation/:token" element={<InvitationPage />} />
        <Route path="dossiers" element={<DossiersPage />} />
        <Route path="dossiers/nouveau" element={<NewDossierPage />} />
        <Route path="dossiers/:id" element={<DossierPage />} />
        <Route path="journal" element={<JournalPage />} />
        <Route path="accessibilite" element={<AccessibilityPage />} />
        <Route path="mentions-legales" element={<LegalNoticePage />} />
        <Route path="donnees-personnelles" element={<PersonalDataPage />} />
        <Route path="cookies" element={<CookiesPage />} />
        <Route path="plan-du-site" element={<SiteMapPage />} />
        <Route path="aide" element={<HelpPage />} />
        <Route path="*" element={<NotFoundPage />} />
      </Route>
    </Routes>
  );
}
