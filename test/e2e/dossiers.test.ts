// Dossiers under delegated access, in a real Chromium against the real entry point (demo data):
// Sophie (consulter + gerer) acts for Dr MARTIN, Dr MARTIN adds the medical right then deletes
// the delegation, Dr LEFÈVRE (colleague) does everything by keyboard alone, Dr ROUX meets a
// French "introuvable" page. axe on every page; screenshots into docs/screenshots/.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

/** Presses Tab until the focused element matches, as a keyboard user would (at most 80 times). */
async function tabTo(page: Page, matches: (el: { tag: string; text: string; label: string }) => boolean) {
  for (let i = 0; i < 80; i++) {
    await page.keyboard.press('Tab');
    const el = await page.evaluate(() => {
      const a = document.activeElement as HTMLElement | null;
      const id = a?.id;
      const label = id ? (document.querySelector(`label[for="${id}"]`)?.textContent ?? '') : '';
      return { tag: a?.tagName ?? '', text: (a?.textContent ?? '').trim(), label: label.trim() };
    });
    if (matches(el)) return;
  }
  throw new Error('focus never reached the element');
}

describe('dossiers under delegated access (Chromium)', () => {
  let server: RunningServer;
  let browser: Browser;
  let base: string;
  let martin: BrowserContext;
  let sophie: BrowserContext;
  let sophiePage: Page;
  let delegationId: string;
  let martinDossiers: { id: string; reference: string; patient: { familyName: string } }[];
  beforeAll(async () => {
    [server, browser] = await Promise.all([startServer(), launchBrowser()]);
    base = server.url;
    martin = await browser.newContext({ locale: 'fr-FR' });
    sophie = await browser.newContext({ locale: 'fr-FR' });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('Sophie (consulter + gerer) acts for Dr MARTIN: sees his dossiers, edits an administrative part, never sees the medical part', async () => {
    const m = await newPage(martin);
    await signIn(m, base, CARDS.martin);
    martinDossiers = (await api(martin, base, 'GET', '/api/dossiers')).body.dossiers;
    expect(martinDossiers).toHaveLength(30);
    const invited = await inviteSophie(martin, base, ['consulter', 'gerer']);
    delegationId = invited.delegationId;

    const page = await newPage(sophie);
    sophiePage = page;
    await finaliseAsSophie(page, base, invited.link);
    // A single delegator: she lands in his context without choosing, shown on every page.
    await page
      .getByRole('navigation', { name: /menu principal/i })
      .getByRole('link', { name: 'Dossiers' })
      .click();
    const banner = page.getByRole('region', { name: 'Contexte d’action' });
    await expect
      .poll(() => banner.textContent())
      .toContain(
        'Vous agissez pour le compte du Dr Camille MARTIN — droits : consulter les dossiers, créer et modifier les dossiers.',
      );
    const table = page.getByRole('table', { name: /Dossiers du Dr Camille MARTIN/ });
    await table.waitFor();
    expect(await table.locator('caption').textContent()).toBe('Dossiers du Dr Camille MARTIN (30)');
    expect(await table.locator('tbody tr').count()).toBe(30);
    expect(await page.getByRole('link', { name: 'Créer un dossier' }).isVisible()).toBe(true);
    expect(await page.getByRole('columnheader').allTextContents()).toEqual([
      'Référence',
      'Patient',
      'Date de naissance',
      'Statut',
      'Demandes en cours',
      'Mise à jour',
    ]);
    // The search ignores accents and case.
    await page.getByLabel('Rechercher un patient ou une référence').fill('guerin');
    await expect.poll(() => table.locator('tbody tr').count()).toBe(1);
    expect(await table.locator('tbody tr').textContent()).toContain('GUÉRIN Ginette');
    await page.getByLabel('Rechercher un patient ou une référence').fill('');
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: `${SCREENSHOTS}dossiers-liste.png`, fullPage: true });

    await table.getByRole('link', { name: /Marie-Thérèse PETIT/ }).click();
    await page.getByRole('heading', { level: 2, name: 'Volet médical' }).waitFor();
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toMatch(/^Dossier GA-\d{4}-\d{6}$/);
    expect(
      await page
        .getByText(
          'Votre délégation de droits n’inclut pas le droit « Consulter et compléter le volet médical » : le volet médical de ce dossier ne vous est pas affiché.',
        )
        .isVisible(),
    ).toBe(true);
    // Not hidden: never sent to the browser.
    expect(await page.content()).not.toContain('Amlodipine');
    expect(await page.getByRole('button', { name: 'Compléter le volet médical' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Envoyer la demande' }).count()).toBe(0);

    await page.getByRole('button', { name: 'Pourquoi ai-je accès ?' }).click();
    await page
      .getByText(
        'Votre délégation de droits vous permet de consulter le dossier (droit « Consulter les dossiers »), sans date de fin.',
      )
      .waitFor();

    await page.getByRole('button', { name: 'Modifier le volet administratif' }).click();
    const form = page.getByRole('form', { name: 'Modifier le volet administratif' });
    // A bad value is refused with the server's French message, under its field.
    await form.getByLabel('Nom', { exact: true }).fill('PETIT<script>');
    await form.getByRole('button', { name: 'Enregistrer' }).click();
    await page.getByText('Certaines informations sont manquantes ou invalides.').waitFor();
    expect(
      await form.getByText('Lettres, espaces, apostrophes et traits d’union uniquement.').first().isVisible(),
    ).toBe(true);
    expect(await axeViolations(page)).toEqual([]);
    await form.getByLabel('Nom', { exact: true }).fill('PETIT');
    await form.getByLabel('Téléphone').fill('04 72 00 00 01');
    await form.getByRole('button', { name: 'Enregistrer' }).click();
    await page.getByText('Le volet administratif a été enregistré.').waitFor();
    expect(await page.locator('dd', { hasText: '04 72 00 00 01' }).count()).toBe(1);
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: `${SCREENSHOTS}dossiers-dossier-sans-volet-medical.png`, fullPage: true });
    await page.reload();
    await page.locator('dd', { hasText: '04 72 00 00 01' }).waitFor();
  });

  it('Dr MARTIN adds volet_medical: Sophie’s next page shows the medical part; a concurrent change answers 409 and reloads', async () => {
    const page = sophiePage;
    const modified = await api(martin, base, 'PATCH', `/api/delegations/${delegationId}`, {
      version: await delegationVersion(martin, base, delegationId),
      rights: ['consulter', 'gerer', 'volet_medical'],
      startsOn: today(),
      endsOn: null,
    });
    expect(modified.status, JSON.stringify(modified.body)).toBe(200);
    await page.reload();
    await page.getByRole('button', { name: 'Compléter le volet médical' }).waitFor();
    expect(await page.getByText('Amlodipine 5 mg, paracétamol si douleur').isVisible()).toBe(true);
    expect(await page.getByRole('region', { name: 'Contexte d’action' }).textContent()).toContain(
      'consulter et compléter le volet médical',
    );
    await page.getByRole('button', { name: 'Compléter le volet médical' }).click();
    const form = page.getByRole('form', { name: 'Compléter le volet médical' });
    await form.getByLabel('GIR (groupe iso-ressources)').selectOption('3');
    await form.getByRole('button', { name: 'Enregistrer' }).click();
    await page.getByText('Le volet médical a été enregistré.').waitFor();
    expect(await page.locator('dd', { hasText: 'GIR 3' }).count()).toBe(1);
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: `${SCREENSHOTS}dossiers-dossier-volet-medical.png`, fullPage: true });

    // Dr MARTIN changes the dossier while Sophie's form is open: hers is refused, she sees his.
    const id = new URL(page.url()).pathname.split('/').pop() as string;
    await page.getByRole('button', { name: 'Modifier le volet administratif' }).click();
    const current = (await api(martin, base, 'GET', `/api/dossiers/${id}`)).body;
    const byMartin = await api(martin, base, 'PUT', `/api/dossiers/${id}/administrative`, {
      version: current.version,
      administrative: { ...current.administrative, coverage: 'Mutualité sociale agricole' },
    });
    expect(byMartin.status).toBe(200);
    const admin = page.getByRole('form', { name: 'Modifier le volet administratif' });
    await admin.getByLabel('Téléphone').fill('04 72 00 00 02');
    await admin.getByRole('button', { name: 'Enregistrer' }).click();
    await page
      .getByText('Ce dossier a été modifié entre-temps. Rechargez la page pour voir sa version actuelle.')
      .waitFor();
    await page.locator('dd', { hasText: 'Mutualité sociale agricole' }).waitFor();
    expect(await page.locator('dd', { hasText: '04 72 00 00 01' }).count()).toBe(1);
  });

  it('Dr MARTIN deletes the delegation: Sophie’s next request is refused and her context dropped', async () => {
    const page = sophiePage;
    const removed = await api(martin, base, 'DELETE', `/api/delegations/${delegationId}`);
    expect(removed.status).toBe(204);
    const refused = page.waitForResponse((r) => r.url().includes('/api/dossiers?onBehalfOf='));
    await page
      .getByRole('navigation', { name: /menu principal/i })
      .getByRole('link', { name: 'Dossiers' })
      .click();
    expect((await refused).status()).toBe(403);
    // One message, naming the doctor (not a context notice, a "no delegation" notice and an alert).
    await page
      .getByRole('heading', {
        name: 'Vous n’agissez plus pour le compte du Dr Camille MARTIN : sa délégation de droits n’est plus active.',
      })
      .waitFor();
    await page.getByText('aucun dossier ne peut être affiché.', { exact: false }).waitFor();
    expect(await page.getByRole('region', { name: 'Contexte d’action' }).count()).toBe(0);
    expect(await page.getByRole('table').count()).toBe(0);
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: `${SCREENSHOTS}dossiers-delegation-supprimee.png`, fullPage: true });
    // The address of a dossier she had open: nothing of it is shown.
    const id = martinDossiers[1]?.id as string;
    await page.goto(`${base}/dossiers/${id}`);
    await page
      .getByText('Vous n’avez aucune délégation de droits active : aucun dossier ne peut être affiché.')
      .waitFor();
    expect(await page.content()).not.toContain('04 72 00 00 01');
    const direct = await api(sophie, base, 'GET', `/api/dossiers/${id}`);
    expect(direct.status).toBe(403);
  });

  it('Dr LEFÈVRE (colleague) chooses Dr MARTIN and does everything by keyboard alone, but never sees Dr MARTIN’s "Mes délégations"', async () => {
    const endsOn = new Date(Date.now() + 30 * 86_400_000).toLocaleDateString('sv-SE', {
      timeZone: 'Europe/Paris',
    });
    const peer = await api(martin, base, 'POST', '/api/delegations/peer', {
      rpps: '10002345675',
      startsOn: today(),
      endsOn,
    });
    expect(peer.status, JSON.stringify(peer.body)).toBe(201);
    const lefevre = await browser.newContext({ locale: 'fr-FR' });
    const page = await newPage(lefevre);
    await signIn(page, base, CARDS.lefevre);
    await page.goto(`${base}/dossiers`);
    const banner = page.getByRole('region', { name: 'Contexte d’action' });
    await expect.poll(() => banner.textContent()).toContain('Vous agissez pour votre propre compte');
    await page.getByText('Aucun dossier pour le moment.').waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: `${SCREENSHOTS}dossiers-contexte-choix.png`, fullPage: true });

    // Keyboard only from here: choose the context.
    await tabTo(page, (el) => el.tag === 'SELECT' && el.label === 'Agir pour le compte de');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await expect
      .poll(() => banner.textContent())
      .toContain(
        'Vous agissez pour le compte du Dr Camille MARTIN — droits : les mêmes droits que le médecin',
      );
    await page.getByRole('table', { name: /Dossiers du Dr Camille MARTIN/ }).waitFor();
    // Find a dossier and open it.
    await tabTo(page, (el) => el.tag === 'INPUT' && el.label.startsWith('Rechercher un patient'));
    await page.keyboard.type('MOREL');
    await tabTo(page, (el) => el.tag === 'A' && el.text.includes('Roger MOREL'));
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 2, name: 'Volet médical' }).waitFor();
    expect(await page.getByText('Maladie de Parkinson').count()).toBeGreaterThan(0);
    // Complete the medical part.
    await tabTo(page, (el) => el.tag === 'BUTTON' && el.text === 'Compléter le volet médical');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('medical-antecedents');
    await page.keyboard.press('End');
    await page.keyboard.type(', chute en octobre');
    await tabTo(page, (el) => el.tag === 'BUTTON' && el.text === 'Enregistrer');
    await page.keyboard.press('Enter');
    await page.getByText('Le volet médical a été enregistré.').waitFor();
    expect(await page.getByText(/chute en octobre/).count()).toBe(1);
    // Send a request to an establishment, then cancel it.
    await tabTo(page, (el) => el.tag === 'INPUT' && el.label.startsWith('Établissement'));
    await page.keyboard.type('EHPAD Les Tilleuls (Caluire)');
    await page.keyboard.press('Enter');
    // « Envoyer la demande » asks first (test/e2e/journal-help.test.ts covers « Annuler »).
    await page.getByRole('dialog', { name: 'Envoyer la demande ?' }).waitFor();
    await tabTo(page, (el) => el.tag === 'BUTTON' && el.text === 'Envoyer la demande');
    await page.keyboard.press('Enter');
    await page.getByText('La demande à « EHPAD Les Tilleuls (Caluire) » a été envoyée.').waitFor();
    const row = page.getByRole('row', { name: /EHPAD Les Tilleuls/ });
    expect(await row.textContent()).toContain('Envoyée');
    await tabTo(
      page,
      (el) => el.tag === 'BUTTON' && el.text.includes('Annuler la demande à EHPAD Les Tilleuls'),
    );
    await page.keyboard.press('Enter');
    await page.getByText('La demande à « EHPAD Les Tilleuls (Caluire) » a été annulée.').waitFor();
    expect(await row.textContent()).toContain('Annulée');
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: `${SCREENSHOTS}dossiers-dossier-confrere.png`, fullPage: true });

    // "Mes délégations" is always his own: Dr MARTIN's (Sophie, himself) do not appear.
    await page
      .getByRole('navigation', { name: /menu principal/i })
      .getByRole('link', { name: 'Mes délégations' })
      .click();
    await page.getByRole('heading', { level: 1, name: 'Mes délégations' }).waitFor();
    await page.waitForLoadState('networkidle');
    const main = page.getByRole('main');
    expect(await main.textContent()).not.toContain('DURAND');
    expect((await api(lefevre, base, 'GET', '/api/delegations')).body).toEqual({ staff: [], peer: [] });
    const martins = await api(lefevre, base, 'DELETE', `/api/delegations/${peer.body.id}`);
    expect(martins.status).toBe(404);
    // The acting context still shows there, and the page says whose delegations these are.
    expect(await banner.textContent()).toContain('Dr Camille MARTIN');
    await lefevre.close();
  });

  it('Dr ROUX meets a French "introuvable" page on Dr MARTIN’s dossier, and sees only his own', async () => {
    const roux = await browser.newContext({ locale: 'fr-FR' });
    const page = await newPage(roux);
    await signIn(page, base, CARDS.roux);
    const target = martinDossiers[0] as { id: string; reference: string };
    await page.goto(`${base}/dossiers/${target.id}`);
    await page.getByRole('heading', { level: 1, name: 'Dossier introuvable' }).waitFor();
    expect(await page.getByText('Ce dossier est introuvable.').isVisible()).toBe(true);
    expect(await page.content()).not.toContain(target.reference);
    // The same answer for a dossier that does not exist at all.
    const none = await api(roux, base, 'GET', '/api/dossiers/00000000-0000-4000-8000-000000000000');
    const his = await api(roux, base, 'GET', `/api/dossiers/${target.id}`);
    expect([his.status, his.body.code]).toEqual([none.status, none.body.code]);
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: `${SCREENSHOTS}dossiers-introuvable.png`, fullPage: true });
    await page.getByRole('link', { name: 'Revenir à la liste des dossiers' }).click();
    const table = page.getByRole('table', { name: /Mes dossiers \(4\)/ });
    await table.waitFor();
    expect(await table.textContent()).not.toContain(target.reference);
    await roux.close();
  });

  it('Dr MARTIN creates a dossier from his list (errors in French, then the dossier opens)', async () => {
    const page = await newPage(martin);
    await page.goto(`${base}/dossiers`);
    expect(await page.getByRole('region', { name: 'Contexte d’action' }).count()).toBe(0);
    await page.getByRole('link', { name: 'Créer un dossier' }).click();
    await page.getByRole('heading', { level: 1, name: 'Créer un dossier' }).waitFor();
    await page.getByRole('button', { name: 'Créer le dossier' }).click();
    await page.getByText('Certaines informations sont manquantes ou invalides.').waitFor();
    expect(
      await page.getByRole('link', { name: 'Nom : Ce champ est obligatoire.', exact: true }).count(),
    ).toBe(1);
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: `${SCREENSHOTS}dossiers-nouveau-erreurs.png`, fullPage: true });
    await page.getByLabel('Nom', { exact: true }).fill('LÉGER');
    await page.getByLabel('Prénom', { exact: true }).fill('Émile');
    await page.getByLabel('Date de naissance').fill('1936-07-14');
    await page.getByText('Homme', { exact: true }).click();
    await page.getByLabel('Adresse').fill('3 place Guichard, 69003 Lyon');
    await page.getByLabel('Situation de vie').selectOption('domicile_seul');
    await page.getByRole('button', { name: 'Créer le dossier' }).click();
    await page.getByText(/Le dossier GA-\d{4}-\d{6} a été créé\./).waitFor();
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toMatch(/^Dossier GA-/);
    expect(await page.getByText('Émile LÉGER, né le 14/07/1936').isVisible()).toBe(true);
    await page.getByRole('button', { name: 'Pourquoi ai-je accès ?' }).click();
    await page.getByText('Vous êtes le médecin traitant de ce patient : ce dossier est le vôtre.').waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: `${SCREENSHOTS}dossiers-dossier-medecin.png`, fullPage: true });
  });
});
