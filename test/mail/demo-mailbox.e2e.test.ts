// "Courriels (démo)" in a real Chromium, against the real entry point: an email queued in a
// committed transaction is sent by the application's own worker to its local SMTP server and
// shown on the page, with a link that opens.
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queueEmail, renderEmail } from '../../src/server/mail/index.js';
import { axeViolations, SCREENSHOTS } from '../helpers/a11y.js';
import { launchBrowser } from '../helpers/browser.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { type RunningServer, startServer } from '../helpers/server.js';

describe('Courriels (démo) (Chromium)', () => {
  let database: TestDatabase;
  let server: RunningServer | undefined;
  let browser: Browser;
  beforeAll(async () => {
    database = await createTestDatabase();
    [server, browser] = await Promise.all([
      startServer({ env: { DATABASE_URL: database.url, DEMO: 'true' } }),
      launchBrowser(),
    ]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await database?.close();
  });

  it('shows an email sent through the queue by the running application, newest first, with a working link', async () => {
    const running = server as RunningServer;
    const link = `${running.url}/?depuis=courriel`;
    const older = renderEmail({
      title: 'Confirmez votre adresse électronique',
      paragraphs: [
        'Bonjour Camille MARTIN,',
        'Confirmez l’adresse à laquelle vous recevrez les notifications.',
      ],
      action: { label: 'Confirmer mon adresse', url: link },
    });
    await database.db.transaction().execute((trx) =>
      queueEmail(trx, {
        to: 'camille.martin@example.fr',
        subject: 'Confirmez votre adresse électronique',
        kind: 'email_confirmation',
        ...older,
      }),
    );
    const context = await browser.newContext();
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    /** The frame's inner height is its email's (body and margins), within a pixel; it has a title. */
    const fitsItsContent = () =>
      page.locator('iframe.demo-mail-frame').evaluate((f: HTMLIFrameElement) => {
        const doc = f.contentDocument;
        if (!doc?.body || !f.title) return false;
        const bottom =
          doc.body.getBoundingClientRect().bottom +
          Number.parseFloat(doc.defaultView?.getComputedStyle(doc.body).marginBottom ?? '0');
        return doc.documentElement.scrollHeight <= f.clientHeight && Math.abs(f.clientHeight - bottom) <= 1;
      });
    await page.goto(`${running.url}/demo/courriels`);
    await page.getByRole('heading', { level: 1, name: 'Courriels (démo)' }).waitFor();
    // The worker of the running application sends it; the page refreshes by itself.
    const list = page.getByRole('list', { name: /courriel/ });
    await expect.poll(() => list.getByRole('listitem').count(), { timeout: 20_000 }).toBe(1);

    const newer = renderEmail({
      title: 'Invitation à finaliser une délégation de droits',
      paragraphs: [
        'Bonjour Sophie DURAND,',
        'Le Dr Camille MARTIN vous a habilitée à gérer ses dossiers pour la période du 01/12/2026 au 31/12/2026.',
        'Pour finaliser cette délégation, connectez-vous avec votre carte CPx.',
      ],
      action: { label: 'Finaliser la délégation', url: link },
      notes: ['Ce lien est valable 7 jours.'],
    });
    await database.db.transaction().execute((trx) =>
      queueEmail(trx, {
        to: 'sophie.durand@example.fr',
        subject: 'Délégation de droits : invitation à finaliser',
        kind: 'invitation',
        ...newer,
      }),
    );

    await expect.poll(() => list.getByRole('listitem').count(), { timeout: 20_000 }).toBe(2);
    const subjects = await list.locator('.demo-mail-item-subject').allTextContents();
    expect(subjects).toEqual([
      'Délégation de droits : invitation à finaliser',
      'Confirmez votre adresse électronique',
    ]);

    const article = page.getByRole('article');
    await expect
      .poll(() => article.getByRole('heading', { level: 2 }).textContent())
      .toBe('Délégation de droits : invitation à finaliser');
    expect(await article.getByText('sophie.durand@example.fr').isVisible()).toBe(true);

    const frame = page.frameLocator('iframe[title^="Contenu du courriel"]');
    await frame.getByRole('heading', { name: 'Invitation à finaliser une délégation de droits' }).waitFor();
    // As tall as the email: all of it shown, without a scroll bar nor an empty area below.
    await expect.poll(fitsItsContent).toBe(true);
    const popupPromise = context.waitForEvent('page');
    await frame.getByRole('link', { name: 'Finaliser la délégation' }).click();
    const popup = await popupPromise;
    await popup.waitForLoadState();
    expect(popup.url()).toBe(link);
    await popup.close();

    // The text version, with its link clickable too.
    const textLink = article.locator('pre').getByRole('link', { name: link });
    expect(await textLink.getAttribute('href')).toBe(link);

    await page.screenshot({ path: `${SCREENSHOTS}demo-courriels.png`, fullPage: true });
    // The page itself; the email in its sandboxed frame (no script may run there, axe included)
    // is checked on its own just below.
    const pageResult = await new AxeBuilder({ page })
      .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
      .exclude('iframe')
      .analyze();
    expect(pageResult.violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
    const emailPage = await context.newPage();
    await emailPage.setContent(newer.html);
    expect(await axeViolations(emailPage)).toEqual([]);
    await emailPage.close();

    // Choosing the older message shows it.
    await list.getByRole('link', { name: /Confirmez votre adresse/ }).click();
    await expect
      .poll(() => article.getByRole('heading', { level: 2 }).textContent())
      .toBe('Confirmez votre adresse électronique');
    await expect.poll(fitsItsContent).toBe(true);
    await context.close();
  });

  it('with DEMO off, the page says it is unavailable and the API answers 404', async () => {
    await server?.stop();
    server = undefined;
    server = await startServer({
      env: {
        DATABASE_URL: database.url,
        DEMO: 'false',
        SESSION_SECRET: 'x'.repeat(40),
        SMTP_URL: 'smtp://127.0.0.1:9',
      },
    });
    const api = await fetch(`${server.url}/api/demo/emails`);
    expect(api.status).toBe(404);
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.url}/demo/courriels`);
    await page.getByText('Page indisponible').waitFor();
    expect(await page.getByText('n’existe qu’en mode démo').isVisible()).toBe(true);
    expect(await page.locator('iframe').count()).toBe(0);
    await context.close();
  });
});
