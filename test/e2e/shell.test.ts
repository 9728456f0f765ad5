// The DSFR shell in a real Chromium: header, navigation, footer, accessibility, keyboard.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, SCREENSHOTS } from '../helpers/a11y.js';
import { launchBrowser } from '../helpers/browser.js';
import { type RunningServer, startServer } from '../helpers/server.js';

describe('web shell (Chromium)', () => {
  let server: RunningServer;
  let browser: Browser;
  beforeAll(async () => {
    [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('shows the header with the service name, the navigation and the footer', async () => {
    const page = await (await browser.newContext()).newPage();
    await page.goto(server.url);
    await expect
      .poll(() => page.getByRole('banner').getByText('Délégations de droits', { exact: true }).isVisible())
      .toBe(true);
    // Signed out: no menu of pages that would only lead to the sign-in.
    for (const label of ['Mes délégations', 'Dossiers', 'Journal']) {
      expect(await page.getByRole('banner').getByRole('link', { name: label, exact: true }).count()).toBe(0);
    }
    expect(await page.getByRole('contentinfo').isVisible()).toBe(true);
    expect(await page.title()).toBe('Accueil — Délégations de droits');
    await page.screenshot({ path: `${SCREENSHOTS}shell.png`, fullPage: true });
    await page.close();
  });

  it('has no axe violation', async () => {
    const page = await (await browser.newContext()).newPage();
    await page.goto(server.url);
    await page.getByRole('banner').waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await page.close();
  });

  it('can be used with the keyboard: the skip link reaches the content', async () => {
    const page = await (await browser.newContext()).newPage();
    await page.goto(server.url);
    await page.getByRole('banner').waitFor();
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => document.activeElement?.textContent?.trim());
    expect(focused).toBe('Contenu');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => location.hash)).toBe('#contenu');
    await page.close();
  });
});
