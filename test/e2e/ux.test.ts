// What a doctor and a secretary meet, in Chromium against the application started as a process:
// the deletion dialog gives the focus back to its opener, a blank end date is refused, every line
// of every list keeps its status and actions in sight on a 375 px phone, the new page's heading
// takes the focus after a navigation and after « Changer », forms name their errors, messages fit
// a pending invitation, role-appropriate pages, the footer's pages, printing. Every page state is
// checked with axe (any impact) and photographed at 375 px and 1280 px (docs/screenshots/pages/).
import { mkdirSync } from 'node:fs';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, SCREENSHOTS } from '../helpers/a11y.js';
import { launchBrowser } from '../helpers/browser.js';
import { type RunningServer, startServer } from '../helpers/server.js';
import {
  api,
  CARDS,
  finaliseAsSophie,
  inviteSophie,
  labelStart,
  poll,
  signIn,
  today,
} from './dossiers-support.js';

const PAGES = `${SCREENSHOTS}pages/`;
const PHONE = { width: 375, height: 812 };
const DESKTOP = { width: 1280, height: 900 };

function addDays(date: string, days: number): string {
  const d = new Date(`${date}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}
const fr = (date: string) => date.split('-').reverse().join('/');

/** Presses Tab until the element has the focus: the page driven by the keyboard alone. */
async function tabTo(page: Page, target: Locator, max = 120) {
  for (let i = 0; i < max; i++) {
    if (await target.evaluate((el) => el === document.activeElement).catch(() => false)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`focus never reached the element after ${max} Tab presses`);
}

const focused = (page: Page) =>
  page.evaluate(() => {
    const el = document.activeElement;
    return { tag: el?.tagName.toLowerCase(), id: el?.id, text: el?.textContent?.trim() };
  });

/** Nothing wider than the viewport: no horizontal scrolling (WCAG 1.4.10). */
async function expectNoHorizontalScroll(page: Page) {
  const { scroll, width, culprits } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    width: window.innerWidth,
    // The innermost elements sticking out, to say which.
    culprits: [...document.querySelectorAll('body *')]
      .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 0.5)
      .filter(
        (el) => ![...el.children].some((c) => c.getBoundingClientRect().right > window.innerWidth + 0.5),
      )
      .slice(0, 5)
      .map((el) => `${el.tagName.toLowerCase()}.${[...el.classList].join('.')}`),
  }));
  expect(
    scroll,
    `page ${scroll}px wide in a ${width}px viewport: ${culprits.join(', ')}`,
  ).toBeLessThanOrEqual(width);
}

/** Each box lies inside the viewport's width (checked by the elements' own boxes). */
async function expectInsideViewport(page: Page, items: Locator) {
  const width = page.viewportSize()?.width ?? 0;
  const n = await items.count();
  expect(n).toBeGreaterThan(0);
  for (let i = 0; i < n; i++) {
    const box = await items.nth(i).boundingBox();
    expect(box, `element ${i} has no box (hidden)`).not.toBeNull();
    if (!box) continue;
    expect(box.x, `element ${i} starts left of the viewport`).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width, `element ${i} ends right of the viewport`).toBeLessThanOrEqual(width + 0.5);
  }
}

/**
 * axe (any impact) and a picture, at 375 px then at 1280 px; the page is left at 1280 px. At
 * 375 px nothing may scroll sideways.
 */
async function check(page: Page, name: string) {
  for (const size of [PHONE, DESKTOP]) {
    await page.setViewportSize(size);
    await page.waitForTimeout(150);
    expect(await axeViolations(page), `${name} at ${size.width}px`).toEqual([]);
    if (size === PHONE) await expectNoHorizontalScroll(page);
    await page.screenshot({ path: `${PAGES}${name}-${size.width}.png`, fullPage: true });
  }
}

describe('what a doctor and a secretary meet (Chromium)', { timeout: 240_000 }, () => {
  let server: RunningServer;
  let browser: Browser;
  let base: string;
  const contexts: BrowserContext[] = [];
  let martinContext: BrowserContext;
  let martin: Page;

  beforeAll(async () => {
    mkdirSync(PAGES, { recursive: true });
    [server, browser] = await Promise.all([startServer(), launchBrowser()]);
    base = server.url;
  });
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await server?.stop();
  });

  /** Dr MARTIN's signed-in browser, opened by the first test that needs it (tests run alone too). */
  async function ensureMartin() {
    if (martin) return;
    martinContext = await newContext();
    martin = await martinContext.newPage();
    await signIn(martin, base, CARDS.martin);
  }

  async function newContext(): Promise<BrowserContext> {
    const context = await browser.newContext({
      locale: 'fr-FR',
      timezoneId: 'Europe/Paris',
      viewport: DESKTOP,
    });
    context.setDefaultTimeout(20_000);
    contexts.push(context);
    return context;
  }

  it('shows a signed-out visitor the way in, no private menu, and the footer’s pages, each with its title', async () => {
    const page = await (await newContext()).newPage();
    await page.goto(base);
    await page.getByRole('heading', { level: 1, name: 'Délégations de droits' }).waitFor();
    expect(await page.title()).toBe('Accueil — Délégations de droits');
    const banner = page.getByRole('banner');
    for (const item of ['Mes délégations', 'Dossiers', 'Journal']) {
      expect(await banner.getByRole('link', { name: item, exact: true }).count()).toBe(0);
    }
    await check(page, 'accueil-visiteur');

    const footer = page.getByRole('contentinfo');
    expect(await footer.getByRole('link', { name: 'Documentation de l’API' }).getAttribute('href')).toBe(
      '/api/docs',
    );
    const pages: [string, string, string][] = [
      ['Accessibilité : partiellement conforme', 'Déclaration d’accessibilité', 'accessibilite'],
      ['Mentions légales', 'Mentions légales', 'mentions-legales'],
      ['Données personnelles', 'Données personnelles', 'donnees-personnelles'],
      ['Gestion des cookies', 'Gestion des cookies', 'cookies'],
      ['Plan du site', 'Plan du site', 'plan-du-site'],
    ];
    for (const [link, title, shot] of pages) {
      await footer.getByRole('link', { name: link }).click();
      const h1 = page.getByRole('heading', { level: 1, name: title });
      await h1.waitFor();
      expect(await page.title()).toBe(`${title} — Délégations de droits`);
      // A client-side navigation: the new page's heading has the focus.
      await expect.poll(() => h1.evaluate((el) => el === document.activeElement)).toBe(true);
      await check(page, shot);
    }
    // The RGAA statement's parts.
    await page.goto(`${base}/accessibilite`);
    for (const part of [
      'État de conformité',
      'Contenus non accessibles',
      'Retour d’information et contact',
      'Voies de recours',
    ]) {
      await page.getByRole('heading', { level: 2, name: part }).waitFor();
    }
    await page.goto(`${base}/cookies`);
    await page.getByText('Ce service n’utilise aucun cookie de mesure d’audience').waitFor();

    // « Paramètres d’affichage »: the dark theme, chosen in its dialog, applies.
    await footer.getByRole('button', { name: /^Paramètres d.affichage$/ }).click();
    const dialog = page.getByRole('dialog', { name: /^Paramètres d.affichage$/ });
    await dialog.waitFor();
    await dialog.getByText('Thème sombre').click();
    await expect
      .poll(() => page.evaluate(() => document.documentElement.getAttribute('data-fr-theme')))
      .toBe('dark');
    await dialog.getByRole('button', { name: 'Fermer' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.screenshot({ path: `${PAGES}cookies-theme-sombre-1280.png`, fullPage: true });
    await footer.getByRole('button', { name: /^Paramètres d.affichage$/ }).click();
    await dialog.getByText('Thème clair').click();
    await expect
      .poll(() => page.evaluate(() => document.documentElement.getAttribute('data-fr-theme')))
      .toBe('light');
    await dialog.getByRole('button', { name: 'Fermer' }).click();
    await dialog.waitFor({ state: 'hidden' });

    // A page that does not exist has its own title too.
    await page.goto(`${base}/nulle-part`);
    await page.getByRole('heading', { level: 1, name: 'Page introuvable' }).waitFor();
    expect(await page.title()).toBe('Page introuvable — Délégations de droits');
    await check(page, 'page-introuvable');
  });

  it('refuses a blank end date on the client with the French message, and an end before the start, before anything is sent', async () => {
    await ensureMartin();
    await martin.goto(`${base}/delegations`);
    await martin.getByRole('heading', { level: 1, name: 'Mes délégations' }).waitFor();
    await check(martin, 'mes-delegations-vide');

    await martin.goto(`${base}/delegations/assistant/ajouter`);
    await martin
      .getByRole('heading', { level: 1, name: 'Ajouter une délégation à un personnel de cabinet' })
      .waitFor();
    // The four steps are headings.
    for (const step of [
      '1. Identifiez le professionnel concerné',
      '2. Choisissez les droits d’accès',
      '3. Définissez la période',
      '4. Cliquez sur « Ajouter »',
    ]) {
      await martin.getByRole('heading', { level: 2, name: step }).waitFor();
    }
    let posted = 0;
    martin.on('request', (r) => {
      if (r.method() === 'POST' && r.url().endsWith('/api/delegations/staff')) posted++;
    });
    await martin.getByLabel('Nom', { exact: true }).fill('BENALI');
    await martin.getByLabel('Prénom').fill('Nadia');
    await martin.getByLabel('Adresse électronique').fill('nadia.benali@infirmiers-lyon3.example');
    await martin.getByText('Infirmier(e)', { exact: true }).click();
    const medical = martin.getByLabel(labelStart('Consulter et compléter le volet médical'));
    await martin.locator(`label[for="${await medical.getAttribute('id')}"]`).click();
    // No end date, « Sans date de fin » not ticked.
    const { body } = await api(martinContext, base, 'GET', '/api/dossiers');
    const count = (body.dossiers as unknown[]).length;
    await martin.getByRole('button', { name: 'Ajouter', exact: true }).click();
    const summary = martin.locator('.error-summary');
    await summary.waitFor();
    expect(await summary.evaluate((el) => el === document.activeElement)).toBe(true);
    const endLink = summary.getByRole('link', {
      name: 'Date de fin : Indiquez une date de fin, ou cochez « Sans date de fin ».',
    });
    await endLink.waitFor();
    expect(await martin.title()).toBe(
      'Erreur : Ajouter une délégation à un personnel de cabinet — Délégations de droits',
    );
    // The summary's link takes the focus to the field.
    await endLink.click();
    expect((await focused(martin)).id).toBe('date-fin');
    await check(martin, 'ajout-assistant-date-de-fin-manquante');

    // An end before the start: caught here too.
    await martin.getByLabel('Date de début').fill(addDays(today(), 10));
    await martin.getByLabel(/^Date de fin/).fill(addDays(today(), 5));
    await martin.getByRole('button', { name: 'Ajouter', exact: true }).click();
    await summary
      .getByRole('link', {
        name: 'Date de fin : La date de fin doit être postérieure ou égale à la date de début.',
      })
      .waitFor();
    expect(posted).toBe(0);

    // A valid period: the plain summary says what the delegation will allow, then « Ajouter ».
    const start = today();
    const end = addDays(today(), 61);
    await martin.getByLabel('Date de début').fill(start);
    await martin.getByLabel(/^Date de fin/).fill(end);
    await martin
      .getByText(
        `Nadia BENALI pourra consulter vos ${count} dossiers et consulter et compléter leur volet médical, du ${fr(start)} au ${fr(end)}.`,
      )
      .waitFor();
    await check(martin, 'ajout-assistant-resume');
    await martin.getByRole('button', { name: 'Ajouter', exact: true }).click();
    await martin.getByRole('heading', { level: 1, name: 'Mes délégations' }).waitFor();
    expect(posted).toBe(1);
  });

  it('gives the focus back to the « Supprimer » that opened the dialog, after « Annuler » and after Escape (keyboard only)', async () => {
    // A second pending invitation, so that the first row's button is not the right answer by luck.
    const second = await api(martinContext, base, 'POST', '/api/delegations/staff', {
      familyName: 'GARNIER',
      givenName: 'Léa',
      email: 'lea.garnier@cabinet-garnier.example',
      profession: 'Assistant(e) médical(e)',
      rights: ['consulter'],
      startsOn: today(),
      endsOn: addDays(today(), 30),
    });
    expect(second.status).toBe(201);
    await martin.reload();
    const button = martin.getByRole('button', { name: 'Supprimer la délégation de Léa GARNIER' });
    await button.waitFor();
    const dialog = martin.getByRole('dialog', { name: 'Supprimer la délégation de droits' });

    await tabTo(martin, button);
    await martin.keyboard.press('Enter');
    await dialog.getByText('Léa GARNIER', { exact: false }).first().waitFor();
    await check(martin, 'supprimer-invitation');
    await tabTo(martin, dialog.getByRole('button', { name: 'Annuler' }), 10);
    await martin.keyboard.press('Enter');
    await dialog.waitFor({ state: 'hidden' });
    await expect.poll(async () => (await focused(martin)).id).toBe(`supprimer-${second.body.id}`);

    await martin.keyboard.press('Enter');
    await dialog.waitFor();
    await martin.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    await expect.poll(async () => (await focused(martin)).id).toBe(`supprimer-${second.body.id}`);
    // Enter now offers to delete the same person, not another.
    await martin.keyboard.press('Enter');
    await dialog
      .getByText('Voulez-vous supprimer la délégation de droits de Léa GARNIER', { exact: false })
      .waitFor();
    await martin.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
  });

  it('speaks of a pending invitation as one: modified, then withdrawn, without « dès maintenant » nor lost access', async () => {
    await martin.getByRole('link', { name: 'Modifier la délégation de Léa GARNIER' }).click();
    await martin.getByRole('heading', { level: 1, name: 'Modifier une délégation de droits' }).waitFor();
    await martin.getByText('Léa GARNIER n’a pas encore finalisé la délégation', { exact: false }).waitFor();
    await check(martin, 'modifier-invitation');
    const manage = martin.getByLabel(labelStart('Créer et modifier les dossiers'));
    await martin.locator(`label[for="${await manage.getAttribute('id')}"]`).click();
    await martin.getByRole('button', { name: 'Enregistrer les modifications' }).click();
    const modified = martin.getByText('L’invitation de Léa GARNIER a été modifiée', { exact: false });
    await modified.waitFor();
    expect(await martin.getByText('dès maintenant', { exact: false }).count()).toBe(0);

    await martin.getByRole('button', { name: 'Supprimer la délégation de Léa GARNIER' }).click();
    const dialog = martin.getByRole('dialog', { name: 'Supprimer la délégation de droits' });
    await dialog.getByText('L’invitation sera annulée', { exact: false }).waitFor();
    expect(await dialog.getByText('n’aura plus accès', { exact: false }).count()).toBe(0);
    await dialog.getByRole('button', { name: 'Supprimer', exact: true }).click();
    await martin.getByText('L’invitation de Léa GARNIER a été annulée', { exact: false }).waitFor();
    expect(await martin.getByText('plus accès', { exact: false }).count()).toBe(0);
    const mails = await poll(async () => {
      const { body } = await api(martinContext, base, 'GET', '/api/demo/emails');
      const list = body.emails as { subject: string; to: string }[];
      const toLea = list.filter((m) => m.to.includes('lea.garnier'));
      return toLea.some((m) => m.subject.includes('annulé')) ? toLea : undefined;
    }, 30_000);
    expect(mails.map((m) => m.subject)).toContain(
      'Dr Camille MARTIN a annulé son invitation à gérer ses dossiers',
    );
    expect(mails.some((m) => m.subject.includes('supprimé votre délégation'))).toBe(false);
  });

  it('puts the focus on the new page’s heading after a navigation from the menu', async () => {
    await martin.goto(`${base}/delegations`);
    await martin.getByRole('heading', { level: 1, name: 'Mes délégations' }).waitFor();
    const nav = martin.getByRole('navigation', { name: /menu principal/i });
    await tabTo(martin, nav.getByRole('link', { name: 'Dossiers', exact: true }));
    await martin.keyboard.press('Enter');
    await expect.poll(async () => focused(martin)).toEqual({ tag: 'h1', id: '', text: 'Dossiers' });
    expect(await martin.title()).toBe('Dossiers — Délégations de droits');
    await check(martin, 'dossiers-medecin');
    await nav.getByRole('link', { name: 'Journal', exact: true }).click();
    await expect.poll(async () => (await focused(martin)).tag).toBe('h1');
    expect((await focused(martin)).text).toBe('Journal');
  });

  it('names each field of a new dossier’s errors once, in words, with the date format of the hint', async () => {
    await martin.goto(`${base}/dossiers/nouveau`);
    await martin.getByRole('heading', { level: 1, name: 'Créer un dossier' }).waitFor();
    await martin.getByRole('button', { name: 'Créer le dossier' }).click();
    const summary = martin.locator('.error-summary');
    await summary.waitFor();
    const items = await summary.getByRole('listitem').allTextContents();
    expect(items).toEqual([
      'Date de naissance : Saisissez une date complète au format JJ/MM/AAAA.',
      'Nom : Ce champ est obligatoire.',
      'Prénom : Ce champ est obligatoire.',
      'Sexe : Indiquez le sexe du patient : Femme ou Homme.',
    ]);
    expect(await martin.getByText('F ou M').count()).toBe(0);
    expect(await martin.getByText('AAAA-MM-JJ').count()).toBe(0);
    expect(await martin.title()).toBe('Erreur : Créer un dossier — Délégations de droits');
    await check(martin, 'dossier-nouveau-erreurs');
  });

  it('prints a dossier and « Mes délégations » without buttons nor « Chargement… »', async () => {
    const { body } = await api(martinContext, base, 'GET', '/api/dossiers');
    await martin.goto(`${base}/dossiers/${body.dossiers[0].id}`);
    await martin.getByRole('heading', { level: 1, name: /^Dossier / }).waitFor();
    await martin.getByRole('heading', { level: 2, name: 'Volet médical' }).waitFor();
    await check(martin, 'dossier-medecin');
    for (const [path, shot] of [
      [`/dossiers/${body.dossiers[0].id}`, 'impression-dossier'],
      ['/delegations', 'impression-mes-delegations'],
    ] as const) {
      await martin.goto(`${base}${path}`);
      await martin.getByRole('heading', { level: 1 }).waitFor();
      await martin.getByRole('heading', { level: 2 }).first().waitFor();
      await martin.emulateMedia({ media: 'print' });
      const visibleButtons = await martin
        .locator('main button:visible, main .fr-btn:visible, main form:visible')
        .count();
      expect(visibleButtons, `${path} printed with buttons`).toBe(0);
      expect(await martin.getByText('Chargement…').filter({ visible: true }).count()).toBe(0);
      expect(await martin.getByRole('navigation', { name: /menu principal/i }).isVisible()).toBe(false);
      expect(await martin.getByRole('contentinfo').isVisible()).toBe(false);
      await martin.screenshot({ path: `${PAGES}${shot}.png`, fullPage: true });
      await martin.emulateMedia({ media: 'screen' });
    }
  });

  it('keeps every line’s status and actions in sight at 375 px, « Mes délégations » and « Dossiers »', async () => {
    await martin.setViewportSize(PHONE);
    await martin.goto(`${base}/delegations`);
    await martin.getByRole('heading', { level: 1, name: 'Mes délégations' }).waitFor();
    const rows = martin.locator('main tbody tr');
    await rows.first().waitFor();
    await expectInsideViewport(martin, rows);
    await expectInsideViewport(martin, rows.locator('.fr-badge'));
    await expectInsideViewport(martin, rows.locator('.fr-btn'));
    await expectNoHorizontalScroll(martin);
    await martin.screenshot({ path: `${PAGES}mes-delegations-375.png`, fullPage: true });

    await martin.goto(`${base}/dossiers`);
    await martin.getByRole('heading', { level: 1, name: 'Dossiers' }).waitFor();
    await rows.first().waitFor();
    await expectInsideViewport(martin, rows);
    await expectInsideViewport(martin, rows.locator('.fr-badge'));
    await expectInsideViewport(martin, rows.locator('a'));
    await expectNoHorizontalScroll(martin);
    await martin.setViewportSize(DESKTOP);
  });

  let sophieContext: BrowserContext;
  let sophie: Page;
  let sophieDelegation = '';

  it('gives the practice staff their own home, no « Mes délégations », and explains « Créer un dossier » without the right', async () => {
    const { delegationId, link } = await inviteSophie(martinContext, base, ['consulter']);
    sophieDelegation = delegationId;
    sophieContext = await newContext();
    sophie = await sophieContext.newPage();
    await finaliseAsSophie(sophie, base, link);
    await check(sophie, 'invitation-finalisee');

    await sophie.goto(base);
    await sophie
      .getByText('Les médecins qui vous ont habilité(e) vous confient la gestion de leurs dossiers')
      .waitFor();
    const banner = sophie.getByRole('banner');
    expect(await banner.getByRole('link', { name: 'Mes délégations', exact: true }).count()).toBe(0);
    await check(sophie, 'accueil-personnel');

    await sophie.goto(`${base}/dossiers`);
    await sophie.getByRole('heading', { level: 1, name: 'Dossiers' }).waitFor();
    await sophie.getByRole('table').waitFor();
    expect(await sophie.getByRole('link', { name: 'Créer un dossier' }).count()).toBe(0);
    await check(sophie, 'dossiers-personnel');

    await sophie.goto(`${base}/dossiers/nouveau`);
    await sophie
      .getByText(
        'Votre délégation de droits ne vous permet pas de créer un dossier pour le Dr Camille MARTIN',
      )
      .waitFor();
    await sophie
      .getByText('Il faut pour cela le droit « Créer et modifier les dossiers »', { exact: false })
      .waitFor();
    expect(await sophie.getByRole('button', { name: 'Créer le dossier' }).count()).toBe(0);
    await check(sophie, 'dossier-nouveau-sans-droit');
  });

  it('shows « Délégations reçues » and the Journal as cards at 375 px, and a printable attestation', async () => {
    await sophie.goto(`${base}/delegations-recues`);
    await sophie.getByRole('heading', { level: 1, name: 'Délégations reçues' }).waitFor();
    await check(sophie, 'delegations-recues');
    await sophie.setViewportSize(PHONE);
    const rows = sophie.locator('main tbody tr');
    await expectInsideViewport(sophie, rows.locator('.fr-badge'));
    await expectInsideViewport(sophie, rows.locator('.fr-btn'));

    await sophie.setViewportSize(DESKTOP);
    await sophie.getByRole('link', { name: /^Attestation/ }).click();
    await sophie.getByRole('heading', { level: 1, name: 'Attestation de délégation de droits' }).waitFor();
    for (const fact of [
      'Dr Camille MARTIN a habilité Sophie DURAND à gérer ses dossiers',
      'Consulter les dossiers',
      `À partir du ${fr(today())}, sans date de fin`,
    ]) {
      await sophie.getByText(fact, { exact: false }).first().waitFor();
    }
    await sophie
      .getByText(/^Finalisée le \d{2}\/\d{2}\/\d{4} à \d{2}:\d{2} \(heure de Paris\) par Sophie DURAND/)
      .waitFor();
    await sophie.getByText('4123456782/CPAT0001').waitFor();
    await check(sophie, 'attestation');
    await sophie.emulateMedia({ media: 'print' });
    expect(await sophie.locator('main .fr-btn:visible, main button:visible').count()).toBe(0);
    await sophie.screenshot({ path: `${PAGES}impression-attestation.png`, fullPage: true });
    await sophie.emulateMedia({ media: 'screen' });

    // Some actions for the journal, then the journal on a phone.
    const { body } = await api(sophieContext, base, 'GET', '/api/dossiers');
    for (const d of (body.dossiers as { id: string }[]).slice(0, 3)) {
      await api(sophieContext, base, 'GET', `/api/dossiers/${d.id}?onBehalfOf=${body.onBehalfOf}`);
    }
    await sophie.goto(`${base}/journal`);
    await sophie.getByRole('table').waitFor();
    await check(sophie, 'journal-personnel');
    await sophie.setViewportSize(PHONE);
    await expectNoHorizontalScroll(sophie);
    await expectInsideViewport(sophie, sophie.locator('main tbody tr'));
    await expectInsideViewport(sophie, sophie.locator('main tbody .fr-badge'));
    await sophie.setViewportSize(DESKTOP);

    await martin.goto(`${base}/journal`);
    await martin.getByRole('table').waitFor();
    await check(martin, 'journal-medecin');
    await martin.setViewportSize(PHONE);
    await expectInsideViewport(martin, martin.locator('main tbody .fr-badge'));
    // Dates in the wrong order: caught before asking, named and linked.
    await martin.locator('#filtre-du').fill('2026-12-31');
    await martin.locator('#filtre-au').fill('2026-01-01');
    await martin.getByRole('button', { name: 'Filtrer' }).click();
    await martin
      .locator('.error-summary')
      .getByRole('link', { name: 'Au : La date de début doit précéder la date de fin.' })
      .waitFor();
    expect(await martin.title()).toBe('Erreur : Journal — Délégations de droits');
    await check(martin, 'journal-medecin-erreur');
  });

  it('after a revocation, shows the delegate one banner, not three', async () => {
    expect((await api(martinContext, base, 'DELETE', `/api/delegations/${sophieDelegation}`)).status).toBe(
      204,
    );
    await sophie.goto(`${base}/dossiers`);
    await sophie
      .getByText('Vous n’agissez plus pour le compte du Dr Camille MARTIN', { exact: false })
      .first()
      .waitFor();
    const banners = sophie.locator('main .fr-alert, main .fr-notice');
    await expect.poll(() => banners.count()).toBe(1);
    await check(sophie, 'dossiers-delegation-supprimee');
  });

  it('after « Changer » in « Agir pour le compte de », puts the focus on the heading of the other doctor’s dossiers', async () => {
    const created = await api(martinContext, base, 'POST', '/api/delegations/peer', {
      rpps: '10002345675',
      startsOn: today(),
      endsOn: addDays(today(), 20),
    });
    expect(created.status).toBe(201);
    const lefevre = await (await newContext()).newPage();
    await signIn(lefevre, base, CARDS.lefevre);
    await lefevre.goto(`${base}/dossiers`);
    await lefevre.getByRole('heading', { level: 1, name: 'Dossiers' }).waitFor();
    await check(lefevre, 'dossiers-contexte');
    const select = lefevre.getByLabel('Agir pour le compte de').first();
    await tabTo(lefevre, select);
    await select.selectOption({ label: 'Dr Camille MARTIN — Médecine générale' }).catch(async () => {
      await select.selectOption({ index: 1 });
    });
    await tabTo(lefevre, lefevre.getByRole('button', { name: 'Changer' }).first());
    await lefevre.keyboard.press('Enter');
    await lefevre.getByRole('table', { name: /Dossiers du Dr Camille MARTIN/ }).waitFor();
    await expect.poll(async () => focused(lefevre)).toEqual({ tag: 'h1', id: '', text: 'Dossiers' });
    await lefevre.getByText('Vous agissez pour le compte du Dr Camille MARTIN', { exact: false }).waitFor();
    await check(lefevre, 'dossiers-contexte-change');
  });

  it('pre-fills at first sign-in the profession the doctor gave, for a CPE card; password rules on leaving the field; « Afficher le mot de passe »', async () => {
    await ensureMartin();
    const created = await api(martinContext, base, 'POST', '/api/delegations/staff', {
      familyName: 'GARNIER',
      givenName: 'Léa',
      email: 'lea@cabinet-garnier-cpe.example',
      profession: 'Assistant(e) médical(e)',
      rights: ['consulter'],
      startsOn: today(),
      endsOn: null,
    });
    expect(created.status).toBe(201);
    const link = await poll(async () => {
      const { body } = await api(martinContext, base, 'GET', '/api/demo/emails');
      for (const m of body.emails as { id: string; to: string; subject: string }[]) {
        // Her own new invitation (not the one withdrawn earlier).
        if (!m.to.includes('lea@cabinet-garnier-cpe.example') || !m.subject.includes('vous confie')) continue;
        const mail = (await api(martinContext, base, 'GET', `/api/demo/emails/${m.id}`)).body;
        const found = (mail.text as string).match(/https?:\/\/\S+\/invitation\/[\w-]+/)?.[0];
        if (found) return found;
      }
      return undefined;
    }, 30_000);
    const lea = await (await newContext()).newPage();
    await lea.goto(link.replace(/^https?:\/\/[^/]+/, base));
    await check(lea, 'invitation');
    await lea.getByRole('link', { name: 'Se connecter avec Pro Santé Connect' }).click();
    await lea.getByRole('button', { name: 'Se connecter en tant que Léa GARNIER' }).click();
    await lea.getByRole('heading', { level: 1, name: 'Première connexion' }).waitFor();
    expect(await lea.getByLabel('Assistant(e) médical(e)').isChecked()).toBe(true);

    const password = lea.getByLabel('Mot de passe', { exact: true });
    await password.fill('court');
    // Not while typing…
    expect(await lea.locator('.fr-input-group--error').count()).toBe(0);
    // …but once the field is left.
    await lea.keyboard.press('Tab');
    await lea.locator('.fr-input-group--error').first().waitFor();
    expect(await password.getAttribute('type')).toBe('password');
    await lea.getByText('Afficher le mot de passe').click();
    expect(await password.getAttribute('type')).toBe('text');
    await lea.getByRole('button', { name: 'Valider' }).click();
    const summary = lea.locator('.error-summary');
    await summary.waitFor();
    await summary.getByRole('link', { name: /^Mot de passe : / }).waitFor();
    await summary.getByRole('link', { name: /^Charte d’utilisation : / }).waitFor();
    expect(await lea.title()).toBe('Erreur : Première connexion — Délégations de droits');
    await check(lea, 'premiere-connexion-erreurs');
  });

  it('passes axe at both widths on the remaining pages: sign-in, account, demo mailbox, colleague form, modification, site map', async () => {
    await ensureMartin();
    // Dr LEFÈVRE's delegation (made by an earlier test; made here when this test runs alone).
    await api(martinContext, base, 'POST', '/api/delegations/peer', {
      rpps: '10002345675',
      startsOn: today(),
      endsOn: addDays(today(), 20),
    });
    const visitor = await (await newContext()).newPage();
    await visitor.goto(`${base}/connexion`);
    await visitor.getByRole('heading', { level: 1, name: 'Se connecter' }).waitFor();
    await check(visitor, 'connexion');
    await visitor.goto(`${base}/invitation/${'x'.repeat(43)}`);
    await visitor.getByText('Ce lien d’invitation n’est pas valide.').waitFor();
    await check(visitor, 'invitation-invalide');

    for (const [path, heading, shot] of [
      ['/mon-compte', 'Mon compte', 'mon-compte'],
      ['/delegations/confrere/ajouter', 'Ajouter une délégation à un confrère', 'ajout-confrere'],
      ['/plan-du-site', 'Plan du site', 'plan-du-site-medecin'],
      ['/', 'Délégations de droits', 'accueil-medecin'],
    ] as const) {
      await martin.goto(`${base}${path}`);
      await martin.getByRole('heading', { level: 1, name: heading }).waitFor();
      await martin.waitForLoadState('networkidle');
      await check(martin, shot);
    }
    await martin.goto(`${base}/delegations`);
    await martin.getByRole('link', { name: 'Modifier la délégation du Dr Jean-Pierre LEFÈVRE' }).click();
    await martin.getByRole('heading', { level: 1, name: 'Modifier une délégation de droits' }).waitFor();
    await check(martin, 'modifier-confrere');
    await martin.goto(`${base}/delegations`);
    await martin
      .getByRole('link', { name: 'Attestation de la délégation du Dr Jean-Pierre LEFÈVRE' })
      .click();
    await martin.getByRole('heading', { level: 1, name: 'Attestation de délégation de droits' }).waitFor();
    await check(martin, 'attestation-confrere');
    await martin.goto(`${base}/delegations`);
    await martin.getByRole('heading', { level: 1, name: 'Mes délégations' }).waitFor();
    await martin.locator('main tbody tr').first().waitFor();
    await check(martin, 'mes-delegations');
  });
});
