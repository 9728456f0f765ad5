// Chromium from Debian's package, driven by Playwright. Browsers cannot be downloaded here.
import { existsSync } from 'node:fs';
import { type Browser, type BrowserContextOptions, chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** The French interface of Debian's package (chromium-l10n): without it, dates read MM/DD/YYYY. */
const FRENCH_PACK = '/usr/lib/chromium/locales/fr.pak';

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium introuvable à ${CHROMIUM} : installez le paquet Debian chromium (voir .ci/run).`,
    );
  }
  if (!process.env.CHROMIUM_PATH && !existsSync(FRENCH_PACK)) {
    throw new Error(
      `Chromium sans son interface française (${FRENCH_PACK}) : installez le paquet Debian chromium-l10n (voir .ci/run).`,
    );
  }
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
      '--lang=fr-FR',
    ],
    // French users see their date fields as JJ/MM/AAAA: the browser's own language draws them,
    // whatever the context's locale. On Linux it is read from the environment, not from --lang.
    env: { ...process.env, LANGUAGE: 'fr' },
  });
  // Every context French and in Paris time unless a test says otherwise (the pages' dates,
  // navigator.language, Intl), whichever test file opens it.
  const newContext = browser.newContext.bind(browser);
  browser.newContext = (options?: BrowserContextOptions) =>
    newContext({ locale: 'fr-FR', timezoneId: 'Europe/Paris', ...options });
  return browser;
}
