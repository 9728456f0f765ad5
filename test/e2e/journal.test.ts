// The Journal page in a real Chromium against the real entry point: Dr MARTIN sees Sophie's
// actions (refusals included), filters them, pages through them and downloads the CSV (UTF-8 with
// BOM, ';' separator, accents intact); Sophie sees her own actions. axe on every page.
import { readFile } from 'node:fs/promises';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, SCREENSHOTS } from '../helpers/a11y.js';
import { launchBrowser } from '../helpers/browser.js';
import { type RunningServer, startServer } from '../helpers/server.js';
import { api, CARDS, finaliseAsSophie, inviteSophie, newPage, signIn, today } from './dossiers-support.js';

const parisTime = new Intl.DateTimeFormat('fr-FR', {
  timeZone: 'Europe/Paris',
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

describe('Journal (Chromium)', () => {
  let server: RunningServer;
  let browser: Browser;
  let base: string;
  let martin: BrowserContext;
  let sophie: BrowserContext;
  let edited: { id: string; reference: string };
  beforeAll(async () => {
    [server, browser] = await Promise.all([startServer(), launchBrowser()]);
    base = server.url;
    martin = await browser.newContext({ acceptDownloads: true, locale: 'fr-FR' });
    sophie = await browser.newContext({ acceptDownloads: true, locale: 'fr-FR' });

    // Sophie's work for Dr MARTIN, through the pages, then many readings, then a refusal.
    const m = await newPage(martin);
    await signIn(m, base, CARDS.martin);
    const { delegationId, link } = await inviteSophie(martin, base, ['consulter', 'gerer']);
    const page = await newPage(sophie);
    await finaliseAsSophie(page, base, link);
    await page.goto(`${base}/dossiers`);
    await page.getByRole('table', { name: /Dossiers du Dr Camille MARTIN/ }).waitFor();
    await page.getByRole('link', { name: /Marcel BERNARD/ }).click();
    await page.getByRole('button', { name: 'Modifier le volet administratif' }).click();
    await page.getByLabel('Personne de confiance').fill('Fils : Frédéric BERNARD');
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    await page.getByText('Le volet administratif a été enregistré.').waitFor();
    const id = new URL(page.url()).pathname.split('/').pop() as string;
    const reference = (await page.getByRole('heading', { level: 1 }).textContent())?.replace(
      'Dossier ',
      '',
    ) as string;
    edited = { id, reference };
    const { body } = await api(sophie, base, 'GET', '/api/dossiers');
    for (const d of (body.dossiers as { id: string }[]).slice(0, 30)) {
      await api(sophie, base, 'GET', `/api/dossiers/${d.id}?onBehalfOf=${body.onBehalfOf}`);
    }
    for (const d of (body.dossiers as { id: string }[]).slice(0, 30)) {
      await api(sophie, base, 'GET', `/api/dossiers/${d.id}?onBehalfOf=${body.onBehalfOf}`);
    }
    expect((await api(martin, base, 'DELETE', `/api/delegations/${delegationId}`)).status).toBe(204);
    const refused = await api(sophie, base, 'GET', `/api/dossiers/${id}?onBehalfOf=${body.onBehalfOf}`);
    expect(refused.status).toBe(404);
    await page.close();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('shows Dr MARTIN Sophie’s actions in Paris time, refusals included, filtered and paged', async () => {
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
    // 50 per page, newest first: Sophie's refusal after the deletion tops the list.
    expect(await table.locator('tbody tr').count()).toBe(50);
    const first = table.locator('tbody tr').first();
    expect(await first.textContent()).toContain('Sophie DURAND');
    expect(await first.textContent()).toContain('Refusé');
    expect(await first.textContent()).toContain('délégation supprimée');
    const newest = (await api(martin, base, 'GET', '/api/journal?limit=1')).body.entries[0];
    expect(await first.locator('time').textContent()).toBe(
      parisTime.format(new Date(newest.at)).replace(',', ''),
    );
    expect(await first.locator('time').getAttribute('datetime')).toBe(newest.at);
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: `${SCREENSHOTS}journal-medecin.png`, fullPage: true });

    await page.getByRole('button', { name: 'Entrées plus anciennes' }).click();
    await expect.poll(() => table.locator('tbody tr').count()).toBeGreaterThan(50);
    const all = await table.locator('tbody tr').allTextContents();
    for (const label of [
      'Vous avez créé la délégation de droits de Sophie DURAND.',
      'Vous avez envoyé l’invitation à Sophie DURAND.',
      'Vous avez supprimé la délégation de droits de Sophie DURAND.',
    ]) {
      expect(all.some((row) => row.includes(label))).toBe(true);
    }

    // By délégataire and dossier reference: only Sophie's actions on that dossier.
    await page.getByLabel('Délégataire').selectOption({ label: 'Sophie DURAND' });
    await page.locator('#filtre-dossier').fill(edited.reference.toLowerCase());
    await page.locator('#filtre-du').fill(today());
    await page.locator('#filtre-au').fill(today());
    await page.getByRole('button', { name: 'Filtrer' }).click();
    await page.waitForURL(/delegataire=/);
    // The unfiltered table stays on screen until the filtered page arrives: wait for the latter.
    const filtered = async () => {
      const rows = await table.locator('tbody tr').allTextContents();
      const only = rows.every((row) => row.includes('Sophie DURAND') && row.includes(edited.reference));
      return only && rows.length > 2 && rows.some((row) => row.includes('a modifié le volet administratif'));
    };
    await expect.poll(filtered, { timeout: 15_000 }).toBe(true);
    // Repeated reads are grouped in one line: open every group, then count the entries.
    for (const more of await page.getByRole('button', { name: /^Afficher les \d+ consultations$/ }).all()) {
      await more.click();
    }
    const rows = await table.locator('tbody tr:not(.journal-group)').allTextContents();
    expect(await page.getByRole('button', { name: 'Entrées plus anciennes' }).count()).toBe(0);
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: `${SCREENSHOTS}journal-medecin-filtre.png`, fullPage: true });

    // The CSV of the same filters downloads as a file French spreadsheets read.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: /Exporter en CSV/ }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^journal-\d{4}-\d{2}-\d{2}\.csv$/);
    const bytes = await readFile(await download.path());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(3));
    const lines = text.trim().split('\r\n');
    expect(lines[0]).toBe(
      '"Date et heure (Paris)";"Description";"Personne";"Pour le compte de";"Délégataire";"Dossier";"Action";"Résultat";"Détail";"Modifications"',
    );
    expect(lines.length).toBe(rows.length + 1);
    for (const line of lines.slice(1)) {
      const cells = line.split(';');
      expect(cells).toHaveLength(10);
      expect(cells[0]).toMatch(/^"\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}:\d{2}"$/);
      expect(cells[1]).toMatch(/^"Sophie DURAND a .*pour votre compte.*\."$/);
      expect(cells[2]).toBe('"Sophie DURAND"');
      expect(cells[3]).toBe('"Camille MARTIN"');
    }
    expect(text).toContain('"Volet administratif modifié"');
    expect(text).toContain('"Dossier consulté"');
    // What was written in the dossier is never in the journal.
    expect(text).not.toContain('Frédéric');

    // Dates in the wrong order: a French message, no table.
    await page.locator('#filtre-du').fill('2026-12-31');
    await page.locator('#filtre-au').fill('2026-01-01');
    await page.getByRole('button', { name: 'Filtrer' }).click();
    await page.getByText('La date de début doit précéder la date de fin.').first().waitFor();
    expect(await page.getByRole('table').count()).toBe(0);
    expect(await axeViolations(page)).toEqual([]);
  });

  it('shows Sophie her own actions, for whom and with what outcome, and exports them', async () => {
    const page = await newPage(sophie);
    await page.goto(`${base}/journal`);
    await page.getByRole('heading', { level: 1, name: 'Journal — mes actions' }).waitFor();
    const table = page.getByRole('table');
    await table.waitFor();
    expect(await page.getByRole('columnheader').allTextContents()).toEqual([
      'Date et heure',
      'Évènement',
      'Dossier',
      'Résultat',
    ]);
    expect(await table.locator('tbody tr').count()).toBe(50);
    await page.getByRole('button', { name: 'Entrées plus anciennes' }).click();
    await expect.poll(() => table.locator('tbody tr').count()).toBeGreaterThan(50);
    const rows = await table.locator('tbody tr').allTextContents();
    // The latest is the refusal after the deletion (answered 404): « un dossier », neither the
    // doctor nor the patient (security review, issue 11), nor any internal id (issue 15).
    expect(rows[0]).toContain('Vous avez tenté de consulter un dossier : accès refusé.');
    expect(rows[0]).not.toContain(edited.id);
    expect(rows[0]).not.toContain('Dr Camille MARTIN');
    expect(rows[0]).not.toContain(edited.reference);
    expect(rows[0]).toContain('Refusé');
    expect(rows.some((r) => r.includes('Dr Camille MARTIN'))).toBe(true);
    expect(
      rows.some(
        (r) =>
          r.includes(
            'Vous avez modifié le volet administratif de Marcel BERNARD pour le compte du Dr Camille MARTIN.',
          ) && r.includes('Effectué'),
      ),
    ).toBe(true);
    // No doctor's view for her: no "Délégataire" filter.
    expect(await page.getByLabel('Délégataire').count()).toBe(0);
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: `${SCREENSHOTS}journal-mes-actions.png`, fullPage: true });
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: /Exporter en CSV/ }).click(),
    ]);
    const text = (await readFile(await download.path())).toString('utf8');
    expect(text.startsWith('\uFEFF')).toBe(true);
    expect(
      text
        .split('\r\n')
        .slice(1, -1)
        .every((l) => l.split(';')[2] === '"Sophie DURAND"'),
    ).toBe(true);
  });
});
