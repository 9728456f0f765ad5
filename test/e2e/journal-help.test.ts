// The journal as sentences, the dossier's last update and journal link, the confirmation before
// sending a request, and the help in the flow, in a real Chromium against the real entry point:
// Dr MARTIN reads « Sophie DURAND a modifié le volet administratif de … pour votre compte », a
// group « 5 consultations entre … et … » that opens onto each entry, and what a modification of
// her delegation changed; he filters by action with the keyboard; a dossier says who changed it
// last and links to its journal; « Envoyer la demande » asks first and gives the focus back on
// « Annuler »; the « Aide » page and the help under each right. axe at 375 and 1280 px.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOPS_URL } from '../../src/shared/help.js';
import { axeViolations, SCREENSHOTS } from '../helpers/a11y.js';
import { launchBrowser } from '../helpers/browser.js';
import { type RunningServer, startServer } from '../helpers/server.js';
import {
  api,
  CARDS,
  delegationVersion,
  finaliseAsSophie,
  inviteSophie,
  newPage,
  signIn,
  today,
} from './dossiers-support.js';

const PHONE = { width: 375, height: 812 };
const DESKTOP = { width: 1280, height: 900 };

/** axe (any impact) and a picture at 375 px then 1280 px; no sideways scrolling on the phone. */
async function check(page: Page, name: string) {
  for (const size of [PHONE, DESKTOP]) {
    await page.setViewportSize(size);
    await page.waitForTimeout(150);
    expect(await axeViolations(page), `${name} at ${size.width}px`).toEqual([]);
    if (size === PHONE) {
      const { scroll, width } = await page.evaluate(() => ({
        scroll: document.documentElement.scrollWidth,
        width: window.innerWidth,
      }));
      expect(scroll, `${name}: no horizontal scrolling at 375 px`).toBeLessThanOrEqual(width);
    }
    await page.screenshot({ path: `${SCREENSHOTS}${name}-${size.width}.png`, fullPage: true });
  }
}

const focused = (page: Page) =>
  page.evaluate(() => {
    const el = document.activeElement;
    return { tag: el?.tagName.toLowerCase(), id: el?.id, text: el?.textContent?.trim() };
  });

const inDays = (n: number) =>
  new Date(Date.now() + n * 86_400_000).toLocaleDateString('sv-SE', { timeZone: 'Europe/Paris' });

describe('journal sentences, dossier last update, confirmation and help (Chromium)', {
  timeout: 240_000,
}, () => {
  let server: RunningServer;
  let browser: Browser;
  let base: string;
  let martin: BrowserContext;
  let sophie: BrowserContext;
  let edited: { id: string; reference: string; patient: string };
  let onBehalfOf: string;
  beforeAll(async () => {
    [server, browser] = await Promise.all([startServer(), launchBrowser()]);
    base = server.url;
    martin = await browser.newContext({ locale: 'fr-FR', viewport: DESKTOP });
    sophie = await browser.newContext({ locale: 'fr-FR', viewport: DESKTOP });
    const m = await newPage(martin);
    await signIn(m, base, CARDS.martin);
    const { delegationId, link } = await inviteSophie(martin, base, ['consulter', 'gerer']);
    const s = await newPage(sophie);
    await finaliseAsSophie(s, base, link);
    await s.close();
    // Sophie reads one dossier five times in a row, then completes its administrative part.
    const { body } = await api(sophie, base, 'GET', '/api/dossiers');
    onBehalfOf = body.onBehalfOf;
    const first = body.dossiers[0] as {
      id: string;
      reference: string;
      patient: { givenName: string; familyName: string };
    };
    let version = 0;
    for (let i = 0; i < 5; i++) {
      const read = await api(sophie, base, 'GET', `/api/dossiers/${first.id}?onBehalfOf=${onBehalfOf}`);
      version = read.body.version;
    }
    const d = (await api(sophie, base, 'GET', `/api/dossiers/${first.id}?onBehalfOf=${onBehalfOf}`)).body;
    const write = await api(
      sophie,
      base,
      'PUT',
      `/api/dossiers/${first.id}/administrative?onBehalfOf=${onBehalfOf}`,
      {
        version: d.version ?? version,
        patient: d.patient,
        administrative: { ...d.administrative, trustedPerson: 'Fille : Chantal' },
      },
    );
    expect(write.status).toBe(200);
    edited = {
      id: first.id,
      reference: first.reference,
      patient: `${first.patient.givenName} ${first.patient.familyName.toLocaleUpperCase('fr-FR')}`,
    };
    // Dr MARTIN gives her an end date: the journal says what changed.
    const modified = await api(martin, base, 'PATCH', `/api/delegations/${delegationId}`, {
      version: await delegationVersion(martin, base, delegationId),
      rights: ['consulter', 'gerer'],
      startsOn: today(),
      endsOn: inDays(30),
    });
    expect(modified.status).toBe(200);
    await m.close();
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('shows Dr MARTIN sentences, what changed and the grouped reads, every entry reachable', async () => {
    const page = await newPage(martin);
    await page.goto(`${base}/journal`);
    await page.getByRole('heading', { level: 1, name: 'Journal' }).waitFor();
    const table = page.getByRole('table');
    await table.waitFor();
    expect(await page.getByRole('columnheader').allTextContents()).toEqual([
      'Date et heure',
      'Évènement',
      'Dossier',
      'Résultat',
    ]);
    await page
      .getByText(`Sophie DURAND a modifié le volet administratif de ${edited.patient} pour votre compte.`)
      .waitFor();
    await page.getByText('Champs modifiés : Personne de confiance').waitFor();
    await page.getByText('Vous avez modifié la délégation de droits de Sophie DURAND.').waitFor();
    const end = inDays(30).split('-').reverse().join('/');
    expect(await table.locator('.journal-changes li').first().textContent()).toBe(
      `Fin : Sans date de fin → devient ${end}`,
    );
    // Five reads (and the one before writing) of the same dossier: one line, opened on demand.
    const group = table.locator('tr.journal-group').first();
    await expect
      .poll(() => group.textContent())
      .toMatch(/^.*6 consultations entre \d{2} h \d{2} et \d{2} h \d{2}/);
    expect(await group.textContent()).toContain(
      `Sophie DURAND a consulté le dossier de ${edited.patient} pour votre compte.`,
    );
    const toggle = group.getByRole('button', { name: 'Afficher les 6 consultations' });
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    expect(await table.locator('tr.journal-grouped').count()).toBe(0);
    await check(page, 'journal-phrases');
    await toggle.focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => table.locator('tr.journal-grouped').count()).toBe(6);
    const hide = group.getByRole('button', { name: 'Masquer les 6 consultations' });
    expect(await hide.getAttribute('aria-expanded')).toBe('true');
    expect((await focused(page)).text).toBe('Masquer les 6 consultations');
    for (const row of await table.locator('tr.journal-grouped').allTextContents()) {
      expect(row).toContain(`Sophie DURAND a consulté le dossier de ${edited.patient} pour votre compte.`);
    }
    await check(page, 'journal-phrases-groupe-ouvert');
    await page.close();
  });

  it('filters by action with the keyboard only', async () => {
    const page = await newPage(martin);
    await page.goto(`${base}/journal`);
    await page.getByRole('table').waitFor();
    await page.locator('#filtre-action').focus();
    await page.keyboard.type('Volet administratif');
    expect(await page.locator('#filtre-action').inputValue()).toBe('dossier.write');
    for (let i = 0; i < 20 && (await focused(page)).text !== 'Filtrer'; i++) await page.keyboard.press('Tab');
    expect((await focused(page)).text).toBe('Filtrer');
    await page.keyboard.press('Enter');
    await page.waitForURL(/action=dossier\.write/);
    const rows = page.getByRole('table').locator('tbody tr');
    // The filtered table: one row, the administrative change (an empty body while the new page
    // renders would pass an « every row » check on its own).
    await expect
      .poll(async () => {
        const texts = await rows.allTextContents();
        return texts.length === 1 && texts.every((r) => r.includes('a modifié le volet administratif'));
      })
      .toBe(true);
    expect(await page.locator('#filtre-action').inputValue()).toBe('dossier.write');
    await check(page, 'journal-filtre-action');
    // An unknown action in the address: the server's French message, no table.
    await page.goto(`${base}/journal?action=n%27importe%20quoi`);
    await page.getByText('Action inconnue', { exact: false }).first().waitFor();
    expect(await page.getByRole('table').count()).toBe(0);
    await page.close();
  });

  it('says on the dossier who changed it last, and links to its journal', async () => {
    const page = await newPage(martin);
    await page.goto(`${base}/dossiers/${edited.id}`);
    await page.getByRole('heading', { level: 1, name: `Dossier ${edited.reference}` }).waitFor();
    await page
      .getByText(
        /^Dernière mise à jour le \d{2}\/\d{2}\/\d{4} à \d{2}:\d{2} par Sophie DURAND pour votre compte\./,
      )
      .waitFor();
    await check(page, 'dossier-derniere-mise-a-jour');
    await page.getByRole('link', { name: 'Journal de ce dossier' }).click();
    await page.waitForURL(/\/journal\?dossier=/);
    await page.getByRole('heading', { level: 1, name: 'Journal' }).waitFor();
    const rows = page.getByRole('table').locator('tbody tr');
    await expect.poll(() => rows.count()).toBeGreaterThan(0);
    for (const row of await rows.allTextContents()) expect(row).toContain(edited.reference);
    await page.close();

    // Sophie reads « par vous » and her own actions on it.
    const s = await newPage(sophie);
    await s.goto(`${base}/dossiers/${edited.id}`);
    await s.getByText(/^Dernière mise à jour le .* par vous\./).waitFor();
    expect(
      await s.getByRole('link', { name: 'Journal de vos actions sur ce dossier' }).getAttribute('href'),
    ).toBe(`/journal?vue=actions&dossier=${edited.reference}`);
    await s.close();
  });

  it('asks before sending a request; « Annuler » gives the focus back to « Envoyer la demande »', async () => {
    const { body } = await api(martin, base, 'GET', '/api/dossiers');
    const complete = (body.dossiers as { id: string; status: string; reference: string }[]).find(
      (d) => d.status === 'complet',
    );
    expect(complete).toBeDefined();
    const page = await newPage(martin);
    await page.goto(`${base}/dossiers/${complete?.id}`);
    await page.getByRole('heading', { level: 1 }).waitFor();
    await page.locator('#demande-etablissement').fill('EHPAD Les Glycines (Villeurbanne)');
    const send = page.getByRole('button', { name: 'Envoyer la demande' });
    await send.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Envoyer la demande ?' });
    await dialog.waitFor();
    await dialog.getByText('« EHPAD Les Glycines (Villeurbanne) »', { exact: false }).waitFor();
    await check(page, 'dossier-confirmer-demande');
    // Keyboard only: to « Annuler », Enter.
    for (let i = 0; i < 6 && (await focused(page)).text !== 'Annuler'; i++) await page.keyboard.press('Tab');
    expect((await focused(page)).text).toBe('Annuler');
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'hidden' });
    await expect.poll(async () => (await focused(page)).text).toBe('Envoyer la demande');
    expect(await page.getByText('Aucune demande n’a été envoyée pour ce dossier.').count()).toBe(1);
    // Escape too.
    await page.keyboard.press('Enter');
    await dialog.waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    await expect.poll(async () => (await focused(page)).text).toBe('Envoyer la demande');
    // Confirmed: sent.
    await page.keyboard.press('Enter');
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Envoyer la demande' }).click();
    await page.getByText('La demande à « EHPAD Les Glycines (Villeurbanne) » a été envoyée.').waitFor();
    expect(await page.getByRole('cell', { name: 'EHPAD Les Glycines (Villeurbanne)' }).count()).toBe(1);
    await page.close();
  });

  it('has an « Aide » page made from the help text, in the header, the footer and the site map', async () => {
    const page = await newPage(martin);
    await page.goto(`${base}/`);
    await page.locator('footer').getByRole('link', { name: 'Aide' }).click();
    await page.waitForURL(`${base}/aide`);
    await page.getByRole('heading', { level: 1, name: 'Aide : gérer les délégations de droits' }).waitFor();
    expect(await page.title()).toBe('Aide — Délégations de droits');
    for (const name of [
      '1. Ajouter une délégation à un personnel de cabinet',
      '2. Ajouter une délégation à un confrère',
      'Modifier ou supprimer une délégation',
    ]) {
      await page.getByRole('heading', { level: 2, name }).waitFor();
    }
    await page.getByRole('heading', { level: 3, name: 'Pourquoi une carte CPx ?' }).waitFor();
    expect(await page.locator('main').getByRole('link', { name: 'TOPS' }).first().getAttribute('href')).toBe(
      TOPS_URL,
    );
    await check(page, 'aide');
    expect(await page.locator('header').getByRole('link', { name: 'Aide' }).count()).toBeGreaterThan(0);
    await page.goto(`${base}/plan-du-site`);
    await page.locator('main').getByRole('link', { name: 'Aide' }).click();
    await page.waitForURL(`${base}/aide`);
    await page.close();
  });

  it('explains each right and « Pourquoi une carte CPx ? » in the add form', async () => {
    const page = await newPage(martin);
    await page.goto(`${base}/delegations/assistant/ajouter`);
    await page.getByRole('heading', { level: 1 }).waitFor();
    await page
      .getByText('Ne voit pas le volet médical et ne peut rien modifier.', { exact: false })
      .waitFor();
    await page
      .getByText('Sans ce droit, le volet médical ne lui est jamais affiché.', { exact: false })
      .waitFor();
    // The hint is inside the checkbox's label: read out with it.
    const medical = page.getByRole('checkbox', { name: /Consulter et compléter le volet médical/ });
    expect(await medical.evaluate((el) => (el as HTMLInputElement).labels?.[0]?.textContent)).toContain(
      'Sans ce droit, le volet médical ne lui est jamais affiché.',
    );
    const why = page.getByRole('button', { name: 'Pourquoi une carte CPx ?' });
    await why.focus();
    await page.keyboard.press('Enter');
    await page.getByText('Ainsi, personne ne peut se faire passer', { exact: false }).waitFor();
    expect(await page.locator('main').getByRole('link', { name: 'TOPS' }).last().getAttribute('href')).toBe(
      TOPS_URL,
    );
    await check(page, 'delegation-aide-droits');
    await page.close();
  });
});
