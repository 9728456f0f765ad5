// Strong authentication in Chromium (issue 14): TOTP enrolment and sign-in with codes computed
// as an authenticator app would, the password alone refused, a recovery code used once, the
// doctor's reset from « Mes délégations » then re-enrolment, and a delegation marked
// « Connexion par carte CPx ou e-CPS obligatoire » refused in a password session, usable after a
// Pro Santé Connect sign-in. (Passkeys with a virtual authenticator: signin.test.ts.)
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, SCREENSHOTS } from '../helpers/a11y.js';
import { launchBrowser } from '../helpers/browser.js';
import { type RunningServer, startServer } from '../helpers/server.js';
import { api, CARDS, inviteSophie, signIn } from './dossiers-support.js';
import { enrolTotp, freshTotpCode } from './second-factor-support.js';

const PASSWORD = 'Secretariat-Martin-69003';
const EMAIL = 'sophie.durand@cabinet-martin.example';

describe('second factor (Chromium)', () => {
  let server: RunningServer;
  let browser: Browser;
  let martin: BrowserContext;
  let martinPage: Page;
  let delegationId: string;
  let martinId: string;
  let secret = '';
  let recoveryCodes: string[] = [];
  const usedSteps = new Set<string>();

  beforeAll(async () => {
    // A slow machine (shared CI) may take long to import the demo directory.
    [server, browser] = await Promise.all([startServer({ readyTimeoutMs: 240_000 }), launchBrowser()]);
    martin = await browser.newContext();
    martinPage = await martin.newPage();
    await signIn(martinPage, server.url, CARDS.martin);
    martinId = (await api(martin, server.url, 'GET', '/api/me')).body.id;
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  const banner = (page: Page) => page.getByRole('banner');
  const check = async (page: Page, shot: string) => {
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: `${SCREENSHOTS}${shot}.png`, fullPage: true });
  };
  async function passwordSignIn(page: Page) {
    await page.goto(`${server.url}/connexion`);
    await page.getByLabel('Identifiant (adresse électronique)').fill(EMAIL);
    await page.getByLabel('Mot de passe', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Se connecter', exact: true }).click();
    await page.getByRole('heading', { level: 1 }).first().waitFor();
  }
  async function signOut(page: Page) {
    await banner(page).getByRole('button', { name: 'Se déconnecter' }).click();
    await banner(page).getByRole('link', { name: 'Se connecter' }).waitFor();
  }

  it('enrols an authenticator app at first sign-in, then asks for its code after the password', async () => {
    const invited = await inviteSophie(martin, server.url, ['consulter', 'volet_medical']);
    delegationId = invited.delegationId;
    const first = await (await browser.newContext()).newPage();
    await first.goto(invited.link.replace(/^https?:\/\/[^/]+/, server.url));
    await first.getByRole('link', { name: 'Se connecter avec Pro Santé Connect' }).click();
    await first.getByRole('button', { name: `Se connecter en tant que ${CARDS.durand}` }).click();
    await first.getByRole('heading', { level: 1, name: 'Première connexion' }).waitFor();
    await first.getByLabel('Mot de passe', { exact: true }).fill(PASSWORD);
    await first.getByLabel('Confirmation du mot de passe').fill(PASSWORD);
    await first.getByText('Secrétaire médical(e)', { exact: true }).click();
    await first.getByText('J’ai lu et j’accepte la charte d’utilisation').click();
    await first.getByRole('button', { name: 'Valider' }).click();
    // Right after the password, the app: QR code and secret shown, a first code asked.
    ({ secret, recoveryCodes } = await enrolTotp(first, async () => {
      await first.getByRole('img', { name: /QR code/ }).waitFor();
      await check(first, 'second-factor-totp-enrolment');
    }));
    usedSteps.add(String(Math.floor(Date.now() / 30_000)));
    expect(recoveryCodes).toHaveLength(10);
    // Back to her invitation.
    await first.getByRole('button', { name: 'Finaliser la délégation' }).click();
    await first.getByText('La délégation est finalisée').waitFor();
    await signOut(first);
    await first.context().close();

    const page = await (await browser.newContext()).newPage();
    await passwordSignIn(page);
    await page.getByRole('heading', { level: 1, name: 'Confirmer votre connexion' }).waitFor();
    // The password alone opens nothing.
    const me = await page.request.get(`${server.url}/api/me`);
    expect(me.status()).toBe(401);
    expect((await me.json()).code).toBe('second_factor_required');
    expect((await page.request.get(`${server.url}/api/dossiers?onBehalfOf=${martinId}`)).status()).toBe(401);
    await check(page, 'second-factor-totp-signin');
    // A wrong code: said in French, nothing opened.
    await page.getByLabel('Code à 6 chiffres').fill('000000');
    await page.getByRole('button', { name: 'Valider le code' }).click();
    await page.getByText('Code incorrect ou déjà utilisé').waitFor();
    await page.getByLabel('Code à 6 chiffres').fill(await freshTotpCode(secret, usedSteps));
    await page.getByRole('button', { name: 'Valider le code' }).click();
    await banner(page).getByRole('link', { name: 'Sophie DURAND' }).waitFor();
    expect((await page.request.get(`${server.url}/api/me`)).status()).toBe(200);
    await signOut(page);
    await page.context().close();
  });

  it('accepts a recovery code once', async () => {
    const page = await (await browser.newContext()).newPage();
    await passwordSignIn(page);
    await page.getByLabel(/^Code de secours/).fill(recoveryCodes[0] as string);
    await page.getByRole('button', { name: 'Utiliser ce code de secours' }).click();
    await banner(page).getByRole('link', { name: 'Sophie DURAND' }).waitFor();
    await signOut(page);
    await passwordSignIn(page);
    await page.getByLabel(/^Code de secours/).fill(recoveryCodes[0] as string);
    await page.getByRole('button', { name: 'Utiliser ce code de secours' }).click();
    await page.getByText('Ce code de secours est incorrect ou a déjà été utilisé.').waitFor();
    expect((await page.request.get(`${server.url}/api/me`)).status()).toBe(401);
    await page.context().close();
  });

  it('lets the doctor see how she signs in and reset her second factor; she enrols a new one at the next sign-in', async () => {
    await martinPage.goto(`${server.url}/delegations`);
    await martinPage.getByText(/Dernière connexion : mot de passe \+ code de secours, le /).waitFor();
    await check(martinPage, 'second-factor-doctor-view');
    await martinPage
      .getByRole('button', { name: 'Réinitialiser le second facteur de Sophie DURAND' })
      .click();
    await martinPage.getByRole('button', { name: 'Confirmer la réinitialisation' }).click();
    await martinPage
      .getByText('Le second facteur de Sophie DURAND a été réinitialisé', { exact: false })
      .waitFor();
    await check(martinPage, 'second-factor-doctor-reset');
    // Journaled, and Sophie is told by email.
    const journal = await api(martin, server.url, 'GET', '/api/journal');
    expect(JSON.stringify(journal.body)).toContain('Second facteur de connexion réinitialisé');
    const mails = await api(martin, server.url, 'GET', '/api/demo/emails');
    expect(JSON.stringify(mails.body)).toContain('a réinitialisé votre second facteur');

    const page = await (await browser.newContext()).newPage();
    await passwordSignIn(page);
    // Her old app is gone: she chooses a new factor before anything else.
    ({ secret } = await enrolTotp(page));
    usedSteps.clear();
    usedSteps.add(String(Math.floor(Date.now() / 30_000)));
    await banner(page).getByRole('link', { name: 'Sophie DURAND' }).waitFor();
    await signOut(page);
    await page.context().close();
  });

  it('refuses a delegation that requires a CPx card or e-CPS in a password session, with the reason, and allows it after Pro Santé Connect', async () => {
    await martinPage.goto(`${server.url}/delegations/${delegationId}/modifier`);
    await martinPage.getByText('Connexion par carte CPx ou e-CPS obligatoire').click();
    await check(martinPage, 'second-factor-psc-required-form');
    await martinPage.getByRole('button', { name: 'Enregistrer les modifications' }).click();
    await martinPage.getByRole('heading', { level: 1, name: 'Mes délégations' }).waitFor();
    await martinPage.getByText('Connexion par carte CPx ou e-CPS obligatoire').first().waitFor();

    const page = await (await browser.newContext()).newPage();
    await passwordSignIn(page);
    await page.getByLabel('Code à 6 chiffres').fill(await freshTotpCode(secret, usedSteps));
    await page.getByRole('button', { name: 'Valider le code' }).click();
    await banner(page).getByRole('link', { name: 'Sophie DURAND' }).waitFor();
    const refused = await page.request.get(`${server.url}/api/dossiers?onBehalfOf=${martinId}`);
    expect(refused.status()).toBe(403);
    expect((await refused.json()).message).toMatch(
      /exige pour cette délégation une connexion par carte CPx ou e-CPS/,
    );
    await page.goto(`${server.url}/dossiers`);
    await page
      .getByText(/exige pour cette délégation une connexion par carte CPx ou e-CPS/)
      .first()
      .waitFor();
    await check(page, 'second-factor-psc-required-refused');
    await signOut(page);

    await signIn(page, server.url, CARDS.durand);
    const allowed = await page.request.get(`${server.url}/api/dossiers?onBehalfOf=${martinId}`);
    expect(allowed.status()).toBe(200);
    expect((await allowed.json()).dossiers.length).toBeGreaterThan(0);
    await page.context().close();
  });
});
