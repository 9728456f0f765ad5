// Namesakes end to end (security review, issue 11), against the application started as a process:
// Sophie DURAND accepts Dr MARTIN's invitation; the acceptance email (demo mailbox) names her card
// type and national identifier; another card holder named Sophie DURAND signs in; « Mes
// délégations » shows the identifier and the namesake notice. Both pages are photographed.
// Also, in the same running application: the sign-in page with a return path that normalises into
// another host (`/.//evil.example`) shows the page and stays on the site (no blank page).
import type { Browser as Chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CURRENT_CHARTER } from '../../src/server/identity/charter/index.js';
import { axeViolations, SCREENSHOTS } from '../helpers/a11y.js';
import { launchBrowser } from '../helpers/browser.js';
import { type RunningServer, startServer } from '../helpers/server.js';
import { Browser, signInAs, signInAtProvider } from '../identity/helpers.js';

const CAMILLE = '810001234565';
const SOPHIE = '4123456782/CPAT0001';
const SOPHIE_EMAIL = 'sophie.durand@cabinet-martin.example';
const today = () => new Date().toLocaleDateString('sv-SE', { timeZone: 'Europe/Paris' });

describe('namesakes shown to the doctor (Chromium)', () => {
  let server: RunningServer;
  let chromium: Chromium;
  beforeAll(async () => {
    [server, chromium] = await Promise.all([startServer({ readyTimeoutMs: 240_000 }), launchBrowser()]);
  }, 300_000);
  afterAll(async () => {
    await chromium?.close();
    await server?.stop();
  });

  it('emails the card that accepted, and flags a namesake on « Mes délégations »', async () => {
    const martin = new Browser(server.url);
    await signInAs(martin, CAMILLE);
    const staff = await martin.api('POST', '/api/delegations/staff', {
      familyName: 'DURAND',
      givenName: 'Sophie',
      email: SOPHIE_EMAIL,
      profession: 'Secrétaire médical(e)',
      rights: ['consulter', 'gerer'],
      startsOn: today(),
      endsOn: null,
    });
    expect(staff.status, staff.text).toBe(201);
    const mailFor = async (to: string, subject: RegExp) => {
      for (let i = 0; i < 150; i++) {
        const { emails } = JSON.parse((await martin.get('/api/demo/emails')).text) as {
          emails: { id: string; to: string; subject: string }[];
        };
        const found = emails.find((e) => e.to.includes(to) && subject.test(e.subject));
        if (found) return JSON.parse((await martin.get(`/api/demo/emails/${found.id}`)).text);
        await new Promise((r) => setTimeout(r, 200));
      }
      throw new Error(`no email to ${to}`);
    };
    const invitation = await mailFor(SOPHIE_EMAIL, /confie/);
    const token = /\/invitation\/([\w-]+)/.exec(invitation.text)?.[1] as string;

    const sophie = new Browser(server.url);
    await signInAs(sophie, SOPHIE, `/invitation/${token}`);
    const first = await sophie.api('POST', '/api/first-sign-in', {
      password: 'Secretariat-Martin-69003',
      passwordConfirmation: 'Secretariat-Martin-69003',
      profession: 'secretaire',
      charterVersion: CURRENT_CHARTER.version,
      charterAccepted: true,
      email: SOPHIE_EMAIL,
    });
    expect(first.status, first.text).toBe(200);
    expect((await sophie.api('POST', `/api/invitations/${token}/accept`)).status).toBe(200);
    const accepted = await mailFor('camille.martin', /finalisé/);
    expect(accepted.text).toContain('identifiant national 4123456782/CPAT0001');

    // Another Sophie DURAND, with an establishment card, signs in.
    const other = new Browser(server.url);
    const cb = await signInAtProvider(other, {
      card: 'autre',
      subjectNameId: '3690077777/CPET0077',
      familyName: 'DURAND',
      givenName: 'Sophie',
      professionCode: '',
      cardType: 'CPE',
      acr: 'eidas1',
    });
    await other.get(cb);

    const context = await chromium.newContext({ locale: 'fr-FR', timezoneId: 'Europe/Paris' });
    context.setDefaultTimeout(30_000);
    const page = await context.newPage();
    await page.goto(`${server.url}/connexion?retour=${encodeURIComponent('/delegations')}`);
    await page.getByRole('link', { name: 'Se connecter avec Pro Santé Connect' }).click();
    await page.getByRole('button', { name: 'Se connecter en tant que Camille MARTIN' }).click();
    await page.getByRole('heading', { level: 1, name: 'Mes délégations' }).waitFor();
    await page.getByText('Homonyme d’une personne habilitée').waitFor();
    await page.getByText('identifiant national 4123456782/CPAT0001', { exact: false }).first().waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: `${SCREENSHOTS}delegations-homonyme.png`, fullPage: true });

    await page.goto(`${server.url}/demo/courriels`);
    await page.getByText('a finalisé la délégation de droits').first().click();
    await page.getByText('identifiant national 4123456782/CPAT0001', { exact: false }).first().waitFor();
    await page.screenshot({ path: `${SCREENSHOTS}delegations-courriel-finalisee.png`, fullPage: true });
    await context.close();
  }, 300_000);

  it('shows the sign-in page for a hostile return path, and stays on the site once signed in', async () => {
    const context = await chromium.newContext({ locale: 'fr-FR', timezoneId: 'Europe/Paris' });
    context.setDefaultTimeout(30_000);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    for (const hostile of ['/.//evil.example', '/..//evil.example/x', '/%2e//evil.example']) {
      await page.goto(`${server.url}/connexion?retour=${encodeURIComponent(hostile)}`);
      await page.getByRole('heading', { level: 1, name: 'Se connecter' }).waitFor();
      const psc = await page
        .getByRole('link', { name: 'Se connecter avec Pro Santé Connect' })
        .getAttribute('href');
      expect(psc).toBe('/auth/psc/start');
    }
    await page.getByRole('link', { name: 'Se connecter avec Pro Santé Connect' }).click();
    await page.getByRole('button', { name: 'Se connecter en tant que Camille MARTIN' }).click();
    await page.getByRole('banner').getByRole('link', { name: 'Camille MARTIN' }).first().waitFor();
    // Signed in, the same hostile return path lands on the site's home, not on a blank page.
    await page.goto(`${server.url}/connexion?retour=${encodeURIComponent('/.//evil.example')}`);
    await page.getByRole('heading', { level: 1 }).first().waitFor();
    expect(new URL(page.url()).origin).toBe(server.url);
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);
});
