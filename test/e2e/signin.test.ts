// Sign-in in a real Chromium against the application started as a process: Pro Santé Connect
// (local provider) for a demo doctor, a staff member's first sign-in, then her password.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, SCREENSHOTS } from '../helpers/a11y.js';
import { launchBrowser } from '../helpers/browser.js';
import { type RunningServer, startServer } from '../helpers/server.js';
import { addVirtualAuthenticator } from './second-factor-support.js';

const SOPHIE_PASSWORD = 'Secretariat-Martin-69003';
const SOPHIE_EMAIL = 'sophie.durand@cabinet-martin.example';

describe('sign-in (Chromium)', () => {
  let server: RunningServer;
  let browser: Browser;
  beforeAll(async () => {
    [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  const newPage = async () => (await browser.newContext()).newPage();
  const banner = (page: Page) => page.getByRole('banner');

  it('signs Camille MARTIN in with Pro Santé Connect from the home page, then out', async () => {
    const page = await newPage();
    // The sign-in page the header leads to…
    await page.goto(server.url);
    await banner(page).getByRole('link', { name: 'Se connecter' }).click();
    await page.getByRole('heading', { level: 1, name: 'Se connecter' }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: `${SCREENSHOTS}signin.png`, fullPage: true });

    // …and, as a doctor would, straight from the home page.
    await page.goto(server.url);
    await page.getByRole('main').getByRole('link', { name: 'Se connecter avec Pro Santé Connect' }).click();
    await page
      .getByRole('heading', { level: 1, name: 'Se connecter avec une carte de démonstration' })
      .waitFor();
    expect(new URL(page.url()).pathname).toMatch(/^\/demo\/psc\/auth\/realms\/esante-wallet\/interaction\//);
    for (const name of [
      'Camille MARTIN',
      'Jean-Pierre LEFÈVRE',
      'Hélène ROUX',
      'Sophie DURAND',
      'Nadia BENALI',
      'Léa GARNIER',
    ]) {
      expect(await page.getByRole('button', { name: `Se connecter en tant que ${name}` }).count()).toBe(1);
    }
    expect(await page.getByText('Carte CPA').count()).toBe(1);
    expect(await page.getByText('Secrétaire médicale').count()).toBe(1);
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: `${SCREENSHOTS}local-psc.png`, fullPage: true });

    await page.getByRole('button', { name: 'Se connecter en tant que Camille MARTIN' }).click();
    await banner(page).getByRole('link', { name: 'Camille MARTIN' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/');
    await page.screenshot({ path: `${SCREENSHOTS}signed-in.png`, fullPage: true });

    await page.getByRole('link', { name: 'Camille MARTIN' }).click();
    await page.getByRole('heading', { level: 1, name: 'Mon compte' }).waitFor();
    expect(await page.getByText('810001234565').isVisible()).toBe(true);
    // Her place of practice, as Pro Santé Connect gave it at this sign-in.
    expect(
      await page
        .getByText('CABINET DU DR MARTIN — Lyon 69003 — exercice libéral', { exact: true })
        .isVisible(),
    ).toBe(true);
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: `${SCREENSHOTS}account.png`, fullPage: true });

    await banner(page).getByRole('button', { name: 'Se déconnecter' }).click();
    await banner(page).getByRole('link', { name: 'Se connecter' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/');
    expect(await banner(page).getByRole('link', { name: 'Camille MARTIN' }).count()).toBe(0);
    // Signed out at the provider too: signing in again shows the card list.
    await page.goto(`${server.url}/connexion`);
    await page.getByRole('link', { name: 'Se connecter avec Pro Santé Connect' }).click();
    await page.getByRole('button', { name: 'Se connecter en tant que Hélène ROUX' }).waitFor();
    await page.context().close();
  });

  it('takes Sophie DURAND through her first sign-in with a password and a passkey, then signs her in with both', async () => {
    const page = await newPage();
    // Her computer can hold passkeys (a virtual authenticator with user verification).
    const authenticator = await addVirtualAuthenticator(page);
    await page.goto(`${server.url}/connexion`);
    await page.getByRole('link', { name: 'Se connecter avec Pro Santé Connect' }).click();
    await page.getByRole('button', { name: 'Se connecter en tant que Sophie DURAND' }).click();

    await page.getByRole('heading', { level: 1, name: 'Première connexion' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/premiere-connexion');
    expect(await axeViolations(page)).toEqual([]);
    // Nothing else is reachable before the first sign-in is complete: the menu offers no page
    // yet, and an address typed by hand leads back to the first sign-in.
    const menu = page.getByRole('navigation', { name: /menu principal/i });
    expect(await menu.getByRole('link', { name: 'Mes délégations' }).count()).toBe(0);
    expect(await menu.getByRole('link', { name: 'Dossiers' }).count()).toBe(0);
    await page.goto(`${server.url}/dossiers`);
    await page.waitForURL(`${server.url}/premiere-connexion`);
    await page.getByRole('heading', { level: 1, name: 'Première connexion' }).waitFor();

    // A weak password is refused with the rule, in French, once the field is left.
    await page.getByLabel('Mot de passe', { exact: true }).fill('motdepasse');
    await page.keyboard.press('Tab');
    expect(
      await page
        .getByText(/au moins 12 caractères/)
        .first()
        .isVisible(),
    ).toBe(true);
    await page.getByLabel('Mot de passe', { exact: true }).fill(SOPHIE_PASSWORD);
    await page.getByLabel('Confirmation du mot de passe').fill(SOPHIE_PASSWORD);
    await page.getByText('Secrétaire médical(e)').click();
    expect(await page.getByLabel('Secrétaire médical(e)').isChecked()).toBe(true);
    await page.getByLabel('Adresse électronique de notification').fill(SOPHIE_EMAIL);
    await page.screenshot({ path: `${SCREENSHOTS}first-signin.png`, fullPage: true });

    // Without the charter: refused, and said so.
    await page.getByRole('button', { name: 'Valider' }).click();
    await page.getByText('Vous devez lire et accepter la charte d’utilisation.').first().waitFor();
    expect(await axeViolations(page)).toEqual([]);

    await page.getByText(/J’ai lu et j’accepte la charte d’utilisation/).click();
    await page.getByRole('button', { name: 'Valider' }).click();
    await page.getByRole('heading', { level: 1, name: 'Votre compte est prêt' }).waitFor();
    expect(await page.getByText(SOPHIE_EMAIL).first().isVisible()).toBe(true);
    await page.screenshot({ path: `${SCREENSHOTS}first-signin-done.png`, fullPage: true });
    await page.getByRole('link', { name: 'Continuer' }).click();

    // Right after the password: her second factor, a passkey.
    await page
      .getByRole('heading', { level: 1, name: 'Choisir votre second facteur de connexion' })
      .waitFor();
    expect(new URL(page.url()).pathname).toBe('/second-facteur');
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: `${SCREENSHOTS}second-factor-enrolment.png`, fullPage: true });
    await page.getByLabel('Nom de cette clé d’accès').fill('Ordinateur du secrétariat');
    await page.getByRole('button', { name: 'Créer une clé d’accès' }).click();
    await page.getByRole('heading', { level: 1, name: 'Vos codes de secours' }).waitFor();
    expect(await page.getByRole('list', { name: 'Codes de secours' }).locator('code').count()).toBe(10);
    expect(await authenticator.credentials()).toHaveLength(1);
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: `${SCREENSHOTS}second-factor-recovery-codes.png`, fullPage: true });
    await page.getByRole('button', { name: 'J’ai noté mes codes de secours, continuer' }).click();
    await page.waitForURL(`${server.url}/`);
    await banner(page).getByRole('link', { name: 'Sophie DURAND' }).waitFor();

    // Only a confirmed address identifies an account at password sign-in: Sophie opens the link
    // of the confirmation email (delivered to the demo mailbox).
    let link: string | undefined;
    for (let i = 0; i < 60 && !link; i++) {
      const list = (await (await page.request.get(`${server.url}/api/demo/emails`)).json()) as {
        emails?: { id: string; to: string }[];
      };
      const mail = (list.emails ?? []).find((m) => JSON.stringify(m).includes(SOPHIE_EMAIL));
      if (mail) {
        const detail = JSON.stringify(
          await (await page.request.get(`${server.url}/api/demo/emails/${mail.id}`)).json(),
        );
        link = /https?:\/\/[^"\s]*confirmer-courriel\?jeton=[A-Za-z0-9_-]+/.exec(detail)?.[0];
      }
      if (!link) await page.waitForTimeout(500);
    }
    expect(link).toBeDefined();
    // Opened on the address the browser already uses (the session's cookies are for that host).
    const confirmation = new URL(link as string);
    await page.goto(`${server.url}${confirmation.pathname}${confirmation.search}`);
    await page
      .getByText('Adresse confirmée')
      .first()
      .waitFor()
      .catch(async (err) => {
        await page.screenshot({ path: '/tmp/confirmation-failure.png', fullPage: true });
        throw err;
      });

    await banner(page).getByRole('button', { name: 'Se déconnecter' }).click();
    await banner(page).getByRole('link', { name: 'Se connecter' }).waitFor();

    await banner(page).getByRole('link', { name: 'Se connecter' }).click();
    await page.getByLabel('Identifiant (adresse électronique)').fill(SOPHIE_EMAIL);
    await page.getByLabel('Mot de passe', { exact: true }).fill('Mauvais-mot-de-passe-1');
    await page.getByRole('button', { name: 'Se connecter', exact: true }).click();
    await page.getByText('Identifiant ou mot de passe incorrect.').waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: `${SCREENSHOTS}signin-password-error.png`, fullPage: true });

    await page.waitForTimeout(1100); // the growing delay after one failure
    await page.getByLabel('Mot de passe', { exact: true }).fill(SOPHIE_PASSWORD);
    await page.getByRole('button', { name: 'Se connecter', exact: true }).click();
    // The password alone opens nothing: her passkey is asked for.
    await page.getByRole('heading', { level: 1, name: 'Confirmer votre connexion' }).waitFor();
    expect((await page.request.get(`${server.url}/api/me`)).status()).toBe(401);
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: `${SCREENSHOTS}second-factor-signin.png`, fullPage: true });
    await page.getByRole('button', { name: 'Utiliser ma clé d’accès' }).click();
    // The session is refreshed (her name in the header), then the page moves on to the home page.
    await banner(page).getByRole('link', { name: 'Sophie DURAND' }).waitFor();
    await page.waitForURL(`${server.url}/`);
    expect((await page.request.get(`${server.url}/api/me`)).status()).toBe(200);

    // « Mon compte » lists her passkey: name, created, last used.
    await page.goto(`${server.url}/mon-compte`);
    await page.getByRole('heading', { level: 2, name: 'Second facteur de connexion' }).waitFor();
    await page.getByText('Ordinateur du secrétariat', { exact: true }).first().waitFor();
    expect(await page.getByText('Codes de secours restants').textContent()).toContain('10');
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: `${SCREENSHOTS}second-factor-account.png`, fullPage: true });
    // Her only factor cannot be removed.
    await page
      .getByRole('button', { name: 'Supprimer la clé d’accès « Ordinateur du secrétariat »' })
      .click();
    await page.getByText(/C’est votre seul second facteur/).waitFor();
    await page.context().close();
  });

  it('works with the keyboard alone: sign-in page, card choice, sign-out', async () => {
    const page = await newPage();
    await page.goto(`${server.url}/connexion`);
    await page
      .getByRole('heading', { level: 1, name: 'Se connecter' })
      .waitFor({ timeout: 10_000 })
      .catch(async (err) => {
        await page.screenshot({ path: '/tmp/keyboard-failure.png', fullPage: true });
        throw err;
      });
    const psc = page.getByRole('link', { name: 'Se connecter avec Pro Santé Connect' });
    for (let i = 0; i < 30 && !(await psc.evaluate((el) => el === document.activeElement)); i++) {
      await page.keyboard.press('Tab');
    }
    await page.keyboard.press('Enter');
    const card = page.getByRole('button', { name: 'Se connecter en tant que Jean-Pierre LEFÈVRE' });
    await card.waitFor();
    for (let i = 0; i < 30 && !(await card.evaluate((el) => el === document.activeElement)); i++) {
      await page.keyboard.press('Tab');
    }
    expect(await card.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.press('Enter');
    await banner(page).getByRole('link', { name: 'Jean-Pierre LEFÈVRE' }).waitFor();
    const out = banner(page).getByRole('button', { name: 'Se déconnecter' });
    for (let i = 0; i < 30 && !(await out.evaluate((el) => el === document.activeElement)); i++) {
      await page.keyboard.press('Tab');
    }
    await page.keyboard.press('Enter');
    await banner(page).getByRole('link', { name: 'Se connecter' }).waitFor();
    await page.context().close();
  });

  it('shows the other-identity form errors on the local provider, accessibly', async () => {
    const page = await newPage();
    await page.goto(`${server.url}/auth/psc/start`);
    await page.getByRole('button', { name: 'Se connecter avec cette identité' }).click();
    await page.getByText('Corrigez les champs signalés ci-dessous.').waitFor();
    expect(await page.getByText(/Identifiant invalide/).isVisible()).toBe(true);
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: `${SCREENSHOTS}local-psc-errors.png`, fullPage: true });
    await page.context().close();
  });
});
