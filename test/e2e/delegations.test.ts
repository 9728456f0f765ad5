// "Mes délégations" end to end in Chromium, following the seed literally, against the application
// started as a process (local Pro Santé Connect, real SMTP to the demo mailbox, real PostgreSQL).
// One browser context per person. Every page is checked with axe and photographed.

import { tmpdir } from 'node:os';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, SCREENSHOTS } from '../helpers/a11y.js';
import { launchBrowser } from '../helpers/browser.js';
import { type RunningServer, startServer } from '../helpers/server.js';
import { labelStart } from './dossiers-support.js';
import { enrolTotp } from './second-factor-support.js';

const SOPHIE_EMAIL = 'sophie.durand@cabinet-martin.example';
const SOPHIE_PASSWORD = 'Secretariat-Martin-69003';
const LEA_PASSWORD = 'Assistante-Cabinet-2026!';
const LEA_EMAIL = 'lea.garnier@cabinet-garnier.example';

const parisDay = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/Paris',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});
const today = () => parisDay.format(new Date());
function addDays(date: string, days: number): string {
  const d = new Date(`${date}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}
const fr = (date: string) => date.split('-').reverse().join('/');
/** The tables' period: the start's year is left out when both dates share it. */
const shortPeriod = (start: string, end: string) =>
  `${start.slice(0, 4) === end.slice(0, 4) ? fr(start).slice(0, 5) : fr(start)} → ${fr(end)}`;

/** Presses Tab until the element has the focus: the page driven by the keyboard alone. */
async function tabTo(page: Page, target: Locator, max = 80) {
  for (let i = 0; i < max; i++) {
    if (await target.evaluate((el) => el === document.activeElement).catch(() => false)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`focus never reached the element after ${max} Tab presses`);
}

/**
 * Types a date into a native date field from the keyboard. The segments' order follows the
 * browser's own language (not the page's), so each usual order is tried until the value is right.
 */
async function typeDate(page: Page, field: Locator, iso: string) {
  const [y, m, d] = iso.split('-') as [string, string, string];
  for (const digits of [d + m + y, m + d + y, y + m + d]) {
    await tabTo(page, field);
    await page.keyboard.type(digits);
    if ((await field.inputValue()) === iso) return;
    // Back to the first segment of the field.
    for (let i = 0; i < 2; i++) await page.keyboard.press('Shift+Tab');
  }
  throw new Error(`the date field does not take ${iso} from the keyboard`);
}

/**
 * Ticks a DSFR checkbox or radio (the design system draws the box on the label, above the
 * transparent native input).
 */
async function tick(page: Page, label: string | RegExp) {
  const input = page.getByLabel(labelStart(label));
  // With the keyboard, as many do: focus the box, then Space (a click on the label can wait for a
  // layout still moving while the form's optional parts load).
  await input.focus();
  await page.keyboard.press('Space');
  expect(await input.isChecked()).toBe(true);
}

async function expectNoAxeViolation(page: Page) {
  expect(await axeViolations(page)).toEqual([]);
}

async function shot(page: Page, name: string, fullPage = true) {
  await page.screenshot({ path: `${SCREENSHOTS}delegations-${name}.png`, fullPage });
}

describe('Mes délégations (Chromium)', () => {
  let server: RunningServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let martin: Page;
  let invitationLink = '';
  let sophiePage: Page;
  let lefevre: Page;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  });
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await server?.stop();
  });

  // A failed step leaves a picture of every open page to look at (outside the docs).
  afterEach(async (ctx) => {
    if (ctx.task.result?.state !== 'fail') return;
    let n = 0;
    for (const c of contexts) {
      for (const p of c.pages()) {
        await p
          .screenshot({ path: `${tmpdir()}/delegations-failure-${n++}.png`, fullPage: true })
          .catch(() => {});
      }
    }
  });

  async function newPage(): Promise<Page> {
    const context = await browser.newContext({ locale: 'fr-FR', timezoneId: 'Europe/Paris' });
    context.setDefaultTimeout(20_000);
    contexts.push(context);
    return context.newPage();
  }

  /** Through the local Pro Santé Connect, clicking the demo card's button. */
  async function signIn(page: Page, who: string, path: string) {
    await page.goto(`${server.url}/connexion?retour=${encodeURIComponent(path)}`);
    await page.getByRole('link', { name: 'Se connecter avec Pro Santé Connect' }).click();
    await page.getByRole('button', { name: `Se connecter en tant que ${who}` }).click();
    await page.getByRole('banner').getByRole('link', { name: who }).first().waitFor();
  }

  const section = (page: Page, title: string) => page.getByRole('region', { name: title });
  const STAFF = 'Assistant(s) habilité(s) à gérer mes dossiers';
  const PEERS = 'Médecin(s) habilité(s) à gérer mes dossiers';

  it('shows Dr MARTIN the two sections of the seed, empty, each with its button', async () => {
    martin = await newPage();
    await signIn(martin, 'Camille MARTIN', '/delegations');
    await martin.getByRole('heading', { level: 1, name: 'Mes délégations' }).waitFor();
    for (const title of [STAFF, PEERS]) {
      const s = section(martin, title);
      await s.getByRole('heading', { level: 2, name: title }).waitFor();
      expect(await s.getByRole('link', { name: 'Ajouter une délégation de droits' }).count()).toBe(1);
    }
    await section(martin, STAFF).getByText('Vous n’avez habilité aucun assistant').waitFor();
    await section(martin, PEERS).getByText('Vous n’avez habilité aucun confrère').waitFor();
    await martin
      .getByText(
        'vous pouvez modifier ou supprimer à tout moment une délégation de droits depuis la page « Mes délégations ».',
      )
      .waitFor();
    await martin.getByText(/^annuaire à jour du \d{2}\/\d{2}\/\d{4}$/).waitFor();
    await expectNoAxeViolation(martin);
    await shot(martin, 'mes-delegations-vide');
  });

  it('adds a staff delegation for Sophie DURAND through the seed’s four steps; errors are shown by their fields', async () => {
    await section(martin, STAFF).getByRole('link', { name: 'Ajouter une délégation de droits' }).click();
    await martin
      .getByRole('heading', { level: 1, name: 'Ajouter une délégation à un personnel de cabinet' })
      .waitFor();
    await martin.getByText(/doit obligatoirement être muni d’une carte CPx \(CPS\/CPE\/CPA\)/).waitFor();
    expect(await martin.getByRole('link', { name: 'TOPS' }).getAttribute('href')).toMatch(/^https:\/\//);
    for (const step of [
      '1. Identifiez le professionnel concerné',
      '2. Choisissez les droits d’accès',
      '3. Définissez la période',
      '4. Cliquez sur « Ajouter »',
    ]) {
      await martin.getByText(step).waitFor();
    }
    // "Consulter les dossiers" is implied by every right: always checked, not changeable.
    const consult = martin.getByLabel(labelStart('Consulter les dossiers'));
    expect(await consult.isChecked()).toBe(true);
    expect(await consult.isDisabled()).toBe(true);
    expect(await martin.getByLabel('Date de début').inputValue()).toBe(today());
    await expectNoAxeViolation(martin);
    await shot(martin, 'ajout-assistant');

    // Empty identity, bad address, start in the past: refused, each message by its field.
    await martin.getByLabel('Adresse électronique').fill('pas-une-adresse');
    await martin.getByLabel('Date de début').fill(addDays(today(), -1));
    await martin.getByRole('button', { name: 'Ajouter' }).click();
    const summary = martin.locator('.delegation-error-summary');
    await summary.waitFor();
    expect(await summary.evaluate((el) => el === document.activeElement)).toBe(true);
    await summary.getByText('Certaines informations sont manquantes ou invalides.').waitFor();
    const nameGroup = martin.locator('.fr-input-group', { has: martin.getByLabel('Nom', { exact: true }) });
    expect(await nameGroup.getAttribute('class')).toContain('fr-input-group--error');
    // The message is tied to its field: the input is described by it.
    expect(await martin.getByLabel('Nom', { exact: true }).getAttribute('aria-describedby')).toBeTruthy();
    await nameGroup.getByText('Ce champ est obligatoire.').waitFor();
    const emailGroup = martin.locator('.fr-input-group', { has: martin.getByLabel('Adresse électronique') });
    await emailGroup.getByText('Adresse électronique invalide.').waitFor();
    await expectNoAxeViolation(martin);
    await shot(martin, 'ajout-assistant-erreurs');

    await martin.getByLabel('Date de début').fill(addDays(today(), -1));
    await martin.getByLabel('Nom', { exact: true }).fill('DURAND');
    await martin.getByLabel('Prénom').fill('Sophie');
    await martin.getByLabel('Adresse électronique').fill(SOPHIE_EMAIL);
    await tick(martin, 'Secrétaire médical(e)');
    await martin.getByRole('button', { name: 'Ajouter' }).click();
    await martin.getByText('La date de début ne peut pas être dans le passé.').first().waitFor();
    expect(
      await martin
        .locator('.fr-input-group', { has: martin.getByLabel('Date de début') })
        .getAttribute('class'),
    ).toContain('fr-input-group--error');

    // The seed's step 2 and 3: rights and period; then "Ajouter".
    await tick(martin, 'Créer et modifier les dossiers');
    await martin.getByLabel('Date de début').fill(today());
    await tick(martin, /^Sans date de fin/);
    expect(await martin.getByLabel(/^Date de fin/).isDisabled()).toBe(true);
    await martin.getByRole('button', { name: 'Ajouter' }).click();

    await martin.getByRole('heading', { level: 1, name: 'Mes délégations' }).waitFor();
    await martin
      .getByText(/La délégation de droits a été ajoutée\. Sophie DURAND va recevoir un courriel/)
      .waitFor();
    const row = section(martin, STAFF).getByRole('row', { name: /Sophie DURAND/ });
    await row.getByText('Secrétaire médical(e)').waitFor();
    await row.getByText('En attente de finalisation').waitFor();
    await row.getByText(`${fr(today())} → Sans date de fin`).waitFor();
    expect(await row.getByRole('button', { name: /^Renvoyer l’invitation/ }).count()).toBe(1);
    await expectNoAxeViolation(martin);
    await shot(martin, 'mes-delegations-invitation');

    // A second delegation to the same person: refused, with "Modifier" offered.
    await section(martin, STAFF).getByRole('link', { name: 'Ajouter une délégation de droits' }).click();
    await martin.getByLabel('Nom', { exact: true }).fill('Durand');
    await martin.getByLabel('Prénom').fill('Sophie');
    await martin.getByLabel('Adresse électronique').fill(SOPHIE_EMAIL.toUpperCase());
    await tick(martin, 'Infirmier(e)');
    await tick(martin, /^Sans date de fin/);
    await martin.getByRole('button', { name: 'Ajouter' }).click();
    await martin
      .getByText('Une délégation de droits existe déjà pour cette personne.', { exact: false })
      .waitFor();
    const modify = martin.locator('.delegation-error-summary').getByRole('link', { name: /^Modifier/ });
    await expect.poll(() => modify.getAttribute('href')).toMatch(/^\/delegations\/[0-9a-f-]{36}\/modifier$/);
    await expectNoAxeViolation(martin);
    await martin.getByRole('link', { name: 'Annuler' }).click();
    await martin.getByRole('heading', { level: 1, name: 'Mes délégations' }).waitFor();
  });

  it('puts the invitation in "Courriels (démo)", whose link Léa GARNIER cannot use: refused, clearly', async () => {
    const mailbox = await newPage();
    await mailbox.goto(`${server.url}/demo/courriels`);
    const item = mailbox.getByRole('link', {
      name: /Dr Camille MARTIN vous confie la gestion de ses dossiers/,
    });
    await expect.poll(() => item.count(), { timeout: 30_000, interval: 1000 }).toBe(1);
    await item.click();
    const frame = mailbox.frameLocator('iframe[title^="Contenu du courriel"]');
    const link = frame.getByRole('link', { name: 'Finaliser la délégation' });
    invitationLink = (await link.getAttribute('href')) ?? '';
    expect(invitationLink).toMatch(new RegExp(`^${server.url}/invitation/[A-Za-z0-9_-]{40,}$`));
    await mailbox.getByRole('article').getByText(SOPHIE_EMAIL).waitFor();
    await shot(mailbox, 'courriel-invitation');
    await mailbox.context().close();

    // Léa opens the link she should not have, signs in with her own card, completes her first
    // sign-in and tries to finalise: the identity check refuses it.
    const lea = await newPage();
    await lea.goto(invitationLink);
    await lea.getByRole('heading', { name: 'Dr Camille MARTIN vous invite à gérer ses dossiers' }).waitFor();
    await lea.getByRole('link', { name: 'Se connecter avec Pro Santé Connect' }).click();
    await lea.getByRole('button', { name: 'Se connecter en tant que Léa GARNIER' }).click();
    await lea.getByRole('heading', { level: 1, name: 'Première connexion' }).waitFor();
    await lea.getByLabel('Mot de passe', { exact: true }).fill(LEA_PASSWORD);
    await lea.getByLabel('Confirmation du mot de passe').fill(LEA_PASSWORD);
    await tick(lea, 'Assistant(e) médical(e)');
    await lea.getByLabel('Adresse électronique de notification').fill(LEA_EMAIL);
    await tick(lea, /J’ai lu et j’accepte la charte d’utilisation/);
    await lea.getByRole('button', { name: 'Valider' }).click();
    await lea.getByRole('link', { name: 'Continuer' }).click();
    // Her second factor, chosen right after her password.
    await enrolTotp(lea);
    await lea.getByRole('button', { name: 'Finaliser la délégation' }).click();
    await lea.getByText('Cette invitation ne vous est pas destinée', { exact: false }).waitFor();
    expect(new URL(lea.url()).pathname).toMatch(/^\/invitation\//);
    await expectNoAxeViolation(lea);
    await shot(lea, 'invitation-refusee');
  });

  it('lets Sophie DURAND open the link, sign in with her card, complete her first sign-in and finalise: Active on both sides', async () => {
    const sophie = await newPage();
    await sophie.goto(invitationLink);
    await sophie
      .getByRole('heading', { name: 'Dr Camille MARTIN vous invite à gérer ses dossiers' })
      .waitFor();
    await sophie.getByText('Sophie DURAND').waitFor();
    await sophie.getByText('Créer et modifier les dossiers').waitFor();
    await sophie.getByText(`à partir du ${fr(today())}, sans date de fin`).waitFor();
    await expectNoAxeViolation(sophie);
    await shot(sophie, 'invitation');

    await sophie.getByRole('link', { name: 'Se connecter avec Pro Santé Connect' }).click();
    await sophie.getByRole('button', { name: 'Se connecter en tant que Sophie DURAND' }).click();
    await sophie.getByRole('heading', { level: 1, name: 'Première connexion' }).waitFor();
    await sophie.getByLabel('Mot de passe', { exact: true }).fill(SOPHIE_PASSWORD);
    await sophie.getByLabel('Confirmation du mot de passe').fill(SOPHIE_PASSWORD);
    await tick(sophie, 'Secrétaire médical(e)');
    // The invitation's address, already known to be hers.
    expect(await sophie.getByLabel('Adresse électronique de notification').inputValue()).toBe(SOPHIE_EMAIL);
    await tick(sophie, /J’ai lu et j’accepte la charte d’utilisation/);
    await sophie.getByRole('button', { name: 'Valider' }).click();
    await enrolTotp(sophie);

    // Back on the invitation, signed in.
    const finalise = sophie.getByRole('button', { name: 'Finaliser la délégation' });
    await finalise.waitFor();
    expect(new URL(sophie.url()).pathname).toBe(new URL(invitationLink).pathname);
    await expectNoAxeViolation(sophie);
    await shot(sophie, 'invitation-connectee');
    await finalise.click();
    await sophie.getByText('La délégation est finalisée').waitFor();
    await sophie.getByText('Statut :').locator('..').getByText('Active', { exact: true }).waitFor();
    await expectNoAxeViolation(sophie);
    await shot(sophie, 'invitation-finalisee');

    await sophie.getByRole('link', { name: 'Voir mes délégations reçues' }).click();
    await sophie.getByRole('heading', { level: 1, name: 'Délégations reçues' }).waitFor();
    const received = sophie.getByRole('row', { name: /Dr Camille MARTIN/ });
    await received.getByText('Active', { exact: true }).waitFor();
    await received.getByText('Créer et modifier', { exact: true }).waitFor();
    await expectNoAxeViolation(sophie);
    await shot(sophie, 'recues');

    // Sophie is not a doctor: "Mes délégations" says so.
    await sophie.goto(`${server.url}/delegations`);
    await sophie.getByText('Page réservée aux médecins').waitFor();
    await expectNoAxeViolation(sophie);
    await shot(sophie, 'non-medecin');

    // The link is single-use.
    await sophie.goto(invitationLink);
    await sophie.getByText('Cette invitation a déjà été utilisée.').waitFor();
    await expectNoAxeViolation(sophie);
    await shot(sophie, 'invitation-utilisee');
    sophiePage = sophie;

    await martin.reload();
    const row = section(martin, STAFF).getByRole('row', { name: /Sophie DURAND/ });
    await row.getByText('Active', { exact: true }).waitFor();
    expect(await row.getByRole('button', { name: /^Renvoyer l’invitation/ }).count()).toBe(0);
  });

  it('adds a delegation to a colleague with the keyboard alone: "lefevre", 69006, Sélectionner, période, Ajouter', async () => {
    const end = addDays(today(), 30);
    await martin.goto(`${server.url}/delegations`);
    await martin.getByRole('heading', { level: 1, name: 'Mes délégations' }).waitFor();
    await tabTo(
      martin,
      section(martin, PEERS).getByRole('link', { name: 'Ajouter une délégation de droits' }),
    );
    await martin.keyboard.press('Enter');
    await martin.getByRole('heading', { level: 1, name: 'Ajouter une délégation à un confrère' }).waitFor();
    await martin.getByText(/^annuaire à jour du \d{2}\/\d{2}\/\d{4}$/).waitFor();
    await martin
      .getByText(
        /Nota : la délégation de droits entre médecins donne à votre confrère les mêmes droits que vous/,
      )
      .waitFor();
    await tabTo(martin, martin.getByLabel(/^Nom/));
    await martin.keyboard.type('lefevre');
    await tabTo(martin, martin.getByLabel(/^Code postal/));
    await martin.keyboard.type('69006');
    await tabTo(martin, martin.getByRole('button', { name: 'Rechercher' }));
    await martin.keyboard.press('Enter');
    const select = martin.getByRole('button', { name: 'Sélectionner Dr Jean-Pierre LEFÈVRE' });
    await select.waitFor();
    await expectNoAxeViolation(martin);
    await shot(martin, 'ajout-confrere-recherche');
    await tabTo(martin, select);
    await martin.keyboard.press('Enter');

    const selected = martin.getByRole('heading', { name: 'Médecin sélectionné : Dr Jean-Pierre LEFÈVRE' });
    await selected.waitFor();
    expect(await selected.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await martin.getByLabel('Date de début').inputValue()).toBe(today());
    await typeDate(martin, martin.getByLabel(/^Date de fin/), end);
    expect(await martin.getByLabel(/^Date de fin/).inputValue()).toBe(end);
    await expectNoAxeViolation(martin);
    await shot(martin, 'ajout-confrere-periode');
    await tabTo(martin, martin.getByRole('button', { name: 'Ajouter', exact: true }));
    await martin.keyboard.press('Enter');

    await martin.getByText(/La délégation de droits a été ajoutée : Dr Jean-Pierre LEFÈVRE/).waitFor();
    const row = section(martin, PEERS).getByRole('row', { name: /Dr Jean-Pierre LEFÈVRE/ });
    await row.getByText('Mêmes droits que vous').waitFor();
    await row.getByText('Active', { exact: true }).waitFor();
    await row.getByText(/Médecine générale/).waitFor();

    // He sees it under "Délégations reçues".
    lefevre = await newPage();
    await signIn(lefevre, 'Jean-Pierre LEFÈVRE', '/delegations-recues');
    await lefevre.getByRole('heading', { level: 1, name: 'Délégations reçues' }).waitFor();
    const received = lefevre.getByRole('row', { name: /Dr Camille MARTIN/ });
    await received.getByText('Mêmes droits que le médecin').waitFor();
    await received.getByText('Active', { exact: true }).waitFor();
    await received.getByText(`du ${fr(today())} au ${fr(end)}`).waitFor();
    await expectNoAxeViolation(lefevre);
    await shot(lefevre, 'recues-confrere');
  });

  it('re-sends a pending invitation with a notice; the list shows every status', async () => {
    await section(martin, STAFF).getByRole('link', { name: 'Ajouter une délégation de droits' }).click();
    await martin.getByLabel('Nom', { exact: true }).fill('BENALI');
    await martin.getByLabel('Prénom').fill('Nadia');
    await martin.getByLabel('Adresse électronique').fill('nadia.benali@infirmiers-lyon3.example');
    await tick(martin, 'Infirmier(e)');
    await tick(martin, 'Consulter et compléter le volet médical');
    await martin.getByLabel('Date de début').fill(addDays(today(), 7));
    await martin.getByLabel(/^Date de fin/).fill(addDays(today(), 37));
    await martin.getByRole('button', { name: 'Ajouter' }).click();
    const row = section(martin, STAFF).getByRole('row', { name: /Nadia BENALI/ });
    await row.getByText('En attente de finalisation').waitFor();
    await row.getByRole('button', { name: 'Renvoyer l’invitation à Nadia BENALI' }).click();
    const notice = martin.getByText(/L’invitation a été renvoyée à nadia\.benali@infirmiers-lyon3\.example/);
    await notice.waitFor();
    await expectNoAxeViolation(martin);
    await shot(martin, 'mes-delegations');

    const mailbox = await newPage();
    await mailbox.goto(`${server.url}/demo/courriels`);
    const toNadia = mailbox.getByRole('link', { name: /vous confie la gestion de ses dossiers/ });
    // Sophie's invitation, then Nadia's twice.
    await expect.poll(() => toNadia.count(), { timeout: 30_000, interval: 1000 }).toBe(3);
    await mailbox.context().close();
  });

  it('modifies the staff delegation (rights, period): Sophie sees it at once', async () => {
    const end = addDays(today(), 60);
    await section(martin, STAFF)
      .getByRole('link', { name: 'Modifier la délégation de Sophie DURAND' })
      .click();
    await martin.getByRole('heading', { level: 1, name: 'Modifier une délégation de droits' }).waitFor();
    expect(await martin.getByLabel('Créer et modifier les dossiers').isChecked()).toBe(true);
    expect(await martin.getByLabel(/^Sans date de fin/).isChecked()).toBe(true);
    await tick(martin, 'Consulter et compléter le volet médical');
    await martin.locator('label[for="sans-date-de-fin-0"]').click();
    await martin.getByLabel(/^Date de fin/).fill(end);
    await expectNoAxeViolation(martin);
    await shot(martin, 'modifier');
    await martin.getByRole('button', { name: 'Enregistrer les modifications' }).click();
    await martin
      .getByText('La délégation de droits de Sophie DURAND a été modifiée.', { exact: false })
      .waitFor();
    const row = section(martin, STAFF).getByRole('row', { name: /Sophie DURAND/ });
    await row.getByText('Volet médical', { exact: true }).waitFor();
    await row.getByText(shortPeriod(today(), end)).waitFor();

    await sophiePage.goto(`${server.url}/delegations-recues`);
    const received = sophiePage.getByRole('row', { name: /Dr Camille MARTIN/ });
    await received.getByText('Volet médical', { exact: true }).waitFor();
    await received.getByText(`du ${fr(today())} au ${fr(end)}`).waitFor();
  });

  it('refuses a modification made on a stale version with the server’s message, and reloads the form', async () => {
    const first = addDays(today(), 20);
    const second = addDays(today(), 25);
    await section(martin, PEERS)
      .getByRole('link', { name: 'Modifier la délégation du Dr Jean-Pierre LEFÈVRE' })
      .click();
    await martin.getByRole('heading', { level: 1, name: 'Modifier une délégation de droits' }).waitFor();
    const modifyUrl = martin.url();

    // Meanwhile, in another tab, the same doctor changes the end date.
    const other = await martin.context().newPage();
    await other.goto(modifyUrl);
    await other.getByLabel(/^Date de fin/).fill(first);
    await other.getByRole('button', { name: 'Enregistrer les modifications' }).click();
    await other.getByText('a été modifiée', { exact: false }).waitFor();
    await other.close();

    await martin.getByLabel(/^Date de fin/).fill(second);
    await martin.getByRole('button', { name: 'Enregistrer les modifications' }).click();
    const summary = martin.locator('.delegation-error-summary');
    await summary.getByText('Cette délégation a été modifiée entre-temps.', { exact: false }).waitFor();
    // The form now shows the current version.
    await expect.poll(() => martin.getByLabel(/^Date de fin/).inputValue()).toBe(first);
    await expectNoAxeViolation(martin);
    await shot(martin, 'modifier-conflit');
    await martin.getByLabel(/^Date de fin/).fill(second);
    await martin.getByRole('button', { name: 'Enregistrer les modifications' }).click();
    await martin
      .getByText('La délégation de droits du Dr Jean-Pierre LEFÈVRE a été modifiée.', { exact: false })
      .waitFor();

    await lefevre.reload();
    await lefevre
      .getByRole('row', { name: /Dr Camille MARTIN/ })
      .getByText(`du ${fr(today())} au ${fr(second)}`)
      .waitFor();
  });

  it('deletes both after a confirmation dialog (the second with the keyboard alone): they vanish from the delegates’ views at once', async () => {
    await section(martin, STAFF)
      .getByRole('button', { name: 'Supprimer la délégation de Sophie DURAND' })
      .click();
    const dialog = martin.getByRole('dialog', { name: 'Supprimer la délégation de droits' });
    await dialog.waitFor();
    await dialog.getByText('Voulez-vous supprimer la délégation de droits de Sophie DURAND ?').waitFor();
    await expectNoAxeViolation(martin);
    await shot(martin, 'supprimer', false);
    // "Annuler" keeps it.
    await dialog.getByRole('button', { name: 'Annuler' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await section(martin, STAFF)
      .getByRole('row', { name: /Sophie DURAND/ })
      .waitFor();

    await section(martin, STAFF)
      .getByRole('button', { name: 'Supprimer la délégation de Sophie DURAND' })
      .click();
    await dialog.getByText('Sophie DURAND', { exact: false }).first().waitFor();
    await dialog.getByRole('button', { name: 'Supprimer', exact: true }).click();
    await martin
      .getByText('La délégation de droits de Sophie DURAND a été supprimée.', { exact: false })
      .waitFor();
    await expect
      .poll(() =>
        section(martin, STAFF)
          .getByRole('row', { name: /Sophie DURAND/ })
          .count(),
      )
      .toBe(0);

    await sophiePage.reload();
    await sophiePage
      .getByText('Aucun médecin ne vous a délégué la gestion de ses dossiers', { exact: false })
      .waitFor();
    await expectNoAxeViolation(sophiePage);
    await shot(sophiePage, 'recues-vide');

    // The colleague's, by keyboard: Tab to "Supprimer", Enter, Tab to the dialog's "Supprimer", Enter.
    await tabTo(
      martin,
      section(martin, PEERS).getByRole('button', {
        name: 'Supprimer la délégation du Dr Jean-Pierre LEFÈVRE',
      }),
    );
    await martin.keyboard.press('Enter');
    await dialog.getByText('Dr Jean-Pierre LEFÈVRE', { exact: false }).first().waitFor();
    await tabTo(martin, dialog.getByRole('button', { name: 'Supprimer', exact: true }), 10);
    await martin.keyboard.press('Enter');
    await martin
      .getByText('La délégation de droits du Dr Jean-Pierre LEFÈVRE a été supprimée.', { exact: false })
      .waitFor();
    await section(martin, PEERS).getByText('Vous n’avez habilité aucun confrère').waitFor();

    await lefevre.reload();
    await lefevre
      .getByText('Aucun médecin ne vous a délégué la gestion de ses dossiers', { exact: false })
      .waitFor();
  });

  it('says when an invitation link is forged', async () => {
    const page = await newPage();
    await page.goto(`${server.url}/invitation/${'x'.repeat(43)}`);
    await page.getByText('Ce lien d’invitation n’est pas valide.').waitFor();
    await expectNoAxeViolation(page);
    await shot(page, 'invitation-invalide');
  });
});
