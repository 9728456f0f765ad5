// The life of a delegation end to end in Chromium (issue 16), against the application started as
// a process (local Pro Santé Connect, real SMTP to the demo mailbox, real PostgreSQL): a doctor
// asks a colleague, who accepts; a staff member asks and the doctor narrows the rights and
// accepts (active at once); a staff member is refused with a reason, twice, then must wait; a
// delegate renounces and the doctor is told; « Qui a accès à mes dossiers » and « Voir ses
// actions »; an unused delegation is flagged; the notification choices of « Mon compte ». Every
// new page is checked with axe and photographed; the dialogs are driven by the keyboard alone.
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, SCREENSHOTS } from '../helpers/a11y.js';
import { launchBrowser } from '../helpers/browser.js';
import { type RunningServer, startServer } from '../helpers/server.js';
import { api, labelStart, poll } from './dossiers-support.js';

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

async function tabTo(page: Page, target: Locator, max = 120) {
  for (let i = 0; i < max; i++) {
    if (await target.evaluate((el) => el === document.activeElement).catch(() => false)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`focus never reached the element after ${max} Tab presses`);
}

async function tick(page: Page, label: string | RegExp, checked = true) {
  const input = page.getByLabel(labelStart(label));
  const id = await input.getAttribute('id');
  if ((await input.isChecked()) !== checked) await page.locator(`label[for="${id}"]`).click();
  expect(await input.isChecked()).toBe(checked);
}

async function expectNoAxeViolation(page: Page) {
  expect(await axeViolations(page)).toEqual([]);
}

async function shot(page: Page, name: string) {
  await page.screenshot({ path: `${SCREENSHOTS}cycle-${name}.png`, fullPage: true });
}

describe('La vie d’une délégation (Chromium)', { timeout: 180_000 }, () => {
  let server: RunningServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const pages: Record<string, Page> = {};

  beforeAll(async () => {
    [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  });
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await server?.stop();
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state !== 'fail') return;
    let n = 0;
    for (const c of contexts) {
      for (const p of c.pages()) {
        await p.screenshot({ path: `${tmpdir()}/cycle-failure-${n++}.png`, fullPage: true }).catch(() => {});
      }
    }
  });

  async function newPage(): Promise<Page> {
    const context = await browser.newContext({ locale: 'fr-FR', timezoneId: 'Europe/Paris' });
    context.setDefaultTimeout(20_000);
    contexts.push(context);
    return context.newPage();
  }

  /** Through the local Pro Santé Connect; a staff member's first sign-in completed on the way. */
  async function signIn(who: string, to: string, firstSignIn?: { profession: string; email: string }) {
    const page = await newPage();
    await page.goto(`${server.url}/connexion?retour=${encodeURIComponent(to)}`);
    await page.getByRole('link', { name: 'Se connecter avec Pro Santé Connect' }).click();
    await page.getByRole('button', { name: `Se connecter en tant que ${who}` }).click();
    if (firstSignIn) {
      await page.getByRole('heading', { level: 1, name: 'Première connexion' }).waitFor();
      await page.getByLabel('Mot de passe', { exact: true }).fill('Cabinet-Lyon-2026-cycle!');
      await page.getByLabel('Confirmation du mot de passe').fill('Cabinet-Lyon-2026-cycle!');
      await page.getByText(firstSignIn.profession, { exact: true }).click();
      const email = page.getByLabel('Adresse électronique de notification');
      if ((await email.count()) > 0 && !(await email.inputValue())) await email.fill(firstSignIn.email);
      await page.getByText('J’ai lu et j’accepte la charte d’utilisation').click();
      await page.getByRole('button', { name: 'Valider' }).click();
      // A notification address to confirm: « Votre compte est prêt », then « Continuer ».
      const ready = page
        .getByRole('button', { name: 'Continuer' })
        .or(page.getByRole('link', { name: 'Continuer' }));
      await ready.first().waitFor();
      await ready.first().click();
      await page.waitForURL((url) => !url.pathname.startsWith('/premiere-connexion'));
      await page.waitForLoadState('networkidle');
      await page.goto(`${server.url}${to}`);
    }
    await page.getByRole('banner').getByRole('link', { name: who }).first().waitFor();
    pages[who] = page;
    return page;
  }

  /** The demo mailbox: the email to this address whose subject matches, once delivered. */
  async function email(page: Page, to: string, subject: RegExp, contains = '') {
    return poll(async () => {
      const { body } = await api(page.context(), server.url, 'GET', '/api/demo/emails');
      const found = (body.emails as { id: string; to: string; subject: string }[]).filter(
        (e) => e.to.includes(to) && subject.test(e.subject),
      );
      for (const f of found) {
        const mail = (await api(page.context(), server.url, 'GET', `/api/demo/emails/${f.id}`)).body as {
          subject: string;
          text: string;
        };
        if (mail.text.includes(contains)) return mail;
      }
      return undefined;
    }, 30_000);
  }

  /** Opens the email in « Courriels (démo) » and photographs it. */
  async function showEmail(subject: RegExp, name: string) {
    const mailbox = await newPage();
    await mailbox.goto(`${server.url}/demo/courriels`);
    const item = mailbox.getByRole('link', { name: subject }).first();
    await expect.poll(() => item.count(), { timeout: 30_000, interval: 1000 }).toBeGreaterThan(0);
    await item.click();
    await mailbox.frameLocator('iframe[title^="Contenu du courriel"]').locator('body').waitFor();
    await shot(mailbox, `courriel-${name}`);
    await mailbox.context().close();
  }

  async function withDatabase<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
    const lock = await fs.readFile(path.join(server.dataDir, 'pg', 'postmaster.pid'), 'utf8');
    const password = (await fs.readFile(path.join(server.dataDir, '.pg-password'), 'utf8')).trim();
    const client = new pg.Client({
      host: '127.0.0.1',
      port: Number(lock.split('\n')[3]),
      user: 'postgres',
      password,
      database: 'delegations',
    });
    await client.connect();
    try {
      return await fn(client);
    } finally {
      await client.end();
    }
  }

  const region = (page: Page, name: string | RegExp) => page.getByRole('region', { name });

  it('Dr LEFÈVRE asks Dr MARTIN for a delegation from « Délégations reçues »', async () => {
    const lefevre = await signIn('Jean-Pierre LEFÈVRE', '/delegations-recues');
    await lefevre.getByRole('heading', { level: 1, name: 'Délégations reçues' }).waitFor();
    await lefevre.getByRole('link', { name: 'Demander une délégation de droits' }).click();
    await lefevre.getByRole('heading', { level: 1, name: 'Demander une délégation de droits' }).waitFor();
    await lefevre.getByLabel(/^Nom/).fill('martin');
    await lefevre.getByLabel(/^Code postal/).fill('69003');
    await lefevre.getByRole('button', { name: 'Rechercher' }).click();
    await lefevre.getByRole('button', { name: 'Sélectionner Dr Camille MARTIN' }).click();
    await lefevre.getByRole('heading', { name: 'Médecin sélectionné : Dr Camille MARTIN' }).waitFor();
    await lefevre.getByLabel(/^Date de fin/).fill(addDays(today(), 60));
    // Too long a message: refused in French, by its field.
    await lefevre.getByLabel(/Message au médecin/).fill('x'.repeat(501));
    await lefevre.getByRole('button', { name: 'Envoyer la demande' }).click();
    await lefevre.locator('.delegation-error-summary').getByText('Message').waitFor();
    await lefevre.getByText('Le message ne peut pas dépasser 500 caractères.').first().waitFor();
    await lefevre.getByLabel(/Message au médecin/).fill('Je vous remplace pendant vos congés de décembre.');
    // Corrected: the field's error goes, and the summary with it (no other error left).
    await expect
      .poll(() => lefevre.getByText('Le message ne peut pas dépasser 500 caractères.').count())
      .toBe(0);
    expect(await lefevre.locator('.delegation-error-summary').count()).toBe(0);
    await expectNoAxeViolation(lefevre);
    await shot(lefevre, 'demander');
    await lefevre.getByRole('button', { name: 'Envoyer la demande' }).click();
    await lefevre.getByText(/Votre demande a été envoyée à Dr Camille MARTIN/).waitFor();
    const mine = region(lefevre, 'Mes demandes de délégation');
    await mine
      .getByRole('row', { name: /Dr Camille MARTIN/ })
      .getByText('En attente de réponse')
      .waitFor();
    await expectNoAxeViolation(lefevre);
    await shot(lefevre, 'delegations-recues-demande');

    const mail = await email(lefevre, 'camille.martin', /vous demande une délégation de droits/);
    expect(mail.subject).toBe('Dr Jean-Pierre LEFÈVRE vous demande une délégation de droits');
    expect(mail.text).toContain('Je vous remplace pendant vos congés de décembre.');
    await showEmail(/Dr Jean-Pierre LEFÈVRE vous demande une délégation de droits/, 'demande-recue');
  });

  it('Dr MARTIN sees « Demandes reçues (1) », shortens the period and accepts; Dr LEFÈVRE works in his dossiers', async () => {
    const martin = await signIn('Camille MARTIN', '/delegations');
    const requests = region(martin, 'Demandes reçues (1)');
    await requests.getByRole('row', { name: /Dr Jean-Pierre LEFÈVRE/ }).waitFor();
    await requests.getByText('« Je vous remplace pendant vos congés de décembre. »').waitFor();
    await expectNoAxeViolation(martin);
    await shot(martin, 'mes-delegations-demandes');
    await requests.getByRole('link', { name: /^Accepter la demande du Dr Jean-Pierre LEFÈVRE/ }).click();
    await martin.getByRole('heading', { level: 1, name: 'Accepter une demande de délégation' }).waitFor();
    // Pre-filled with what was asked.
    expect(await martin.getByLabel(/^Date de fin/).inputValue()).toBe(addDays(today(), 60));
    expect(await martin.getByLabel('Date de début').inputValue()).toBe(today());
    await martin.getByLabel(/^Date de fin/).fill(addDays(today(), 20));
    await martin
      .getByText(new RegExp(`au ${fr(addDays(today(), 20))}`))
      .first()
      .waitFor();
    await expectNoAxeViolation(martin);
    await shot(martin, 'accepter-demande');
    await martin.getByRole('button', { name: 'Accepter et ajouter la délégation' }).click();
    await martin.getByText(/Vous avez accepté la demande/).waitFor();
    await expect.poll(() => martin.getByRole('region', { name: /^Demandes reçues/ }).count()).toBe(0);
    const who = region(martin, 'Qui a accès à mes dossiers').getByRole('row', {
      name: /Dr Jean-Pierre LEFÈVRE/,
    });
    await who.getByText('Active').waitFor();
    await who.getByText(fr(addDays(today(), 20))).waitFor();

    const accepted = await email(martin, 'jp.lefevre', /a accepté votre demande/);
    expect(accepted.text).toContain(`du ${fr(today())} au ${fr(addDays(today(), 20))}`);
    await showEmail(/a accepté votre demande de délégation/, 'demande-acceptee');

    // Dr LEFÈVRE is told on the page too: « Changements récents » of « Délégations reçues ».
    const lefevre = pages['Jean-Pierre LEFÈVRE'] as Page;
    await lefevre.goto(`${server.url}/delegations-recues`);
    // « Mes demandes »: accepted with a shorter period than asked, and what was granted.
    const asked = region(lefevre, 'Mes demandes de délégation').getByRole('row', {
      name: /Dr Camille MARTIN/,
    });
    await asked.getByText('Acceptée avec modifications').waitFor();
    expect(await asked.locator('.delegation-granted').allTextContents()).toEqual([
      expect.stringMatching(new RegExp(`^Accordé : .*au ${fr(addDays(today(), 20))}$`)),
    ]);
    await region(lefevre, 'Changements récents')
      .getByText('Dr Camille MARTIN vous a confié la gestion de ses dossiers : délégation de droits créée.')
      .waitFor();
    await expectNoAxeViolation(lefevre);
    await shot(lefevre, 'delegations-recues-changements');

    // Dr LEFÈVRE now acts for Dr MARTIN: his dossiers.
    await lefevre.goto(`${server.url}/dossiers`);
    await lefevre.getByLabel('Agir pour le compte de').selectOption({ index: 1 });
    await lefevre.getByRole('button', { name: 'Changer' }).click();
    await lefevre.getByRole('table', { name: /Dossiers du Dr Camille MARTIN/ }).waitFor();
    await lefevre
      .getByRole('table', { name: /Dossiers du Dr Camille MARTIN/ })
      .locator('tbody tr a')
      .first()
      .click();
    await lefevre.getByRole('heading', { level: 1 }).waitFor();

    // « Qui a accès » shows his last activity, and « Voir ses actions » opens the journal on him.
    await martin.reload();
    await who.getByText(/^Le \d{2}\/\d{2}\/\d{4}/).waitFor();
    await expectNoAxeViolation(martin);
    await shot(martin, 'qui-a-acces');
    await who.getByRole('link', { name: /^Voir ses actions/ }).click();
    await martin.getByRole('heading', { level: 1, name: 'Journal' }).waitFor();
    expect(new URL(martin.url()).searchParams.get('delegataire')).toMatch(/^[0-9a-f-]{36}$/);
    await martin
      .getByRole('cell', { name: /Jean-Pierre LEFÈVRE/ })
      .first()
      .waitFor();
  });

  it('Nadia BENALI asks; Dr MARTIN removes a right and accepts: active at once, without an invitation', async () => {
    const nadia = await signIn('Nadia BENALI', '/delegations-recues/demander', {
      profession: 'Infirmier(e)',
      email: 'nadia.benali@cabinet-martin.example',
    });
    await nadia.getByRole('heading', { level: 1, name: 'Demander une délégation de droits' }).waitFor();
    await nadia.getByLabel(/^Nom/).fill('martin');
    await nadia.getByLabel(/^Code postal/).fill('69003');
    await nadia.getByRole('button', { name: 'Rechercher' }).click();
    await nadia.getByRole('button', { name: 'Sélectionner Dr Camille MARTIN' }).click();
    await tick(nadia, 'Consulter et compléter le volet médical');
    await tick(nadia, 'Envoyer les demandes aux établissements');
    await nadia.getByLabel(/^Date de fin/).fill(addDays(today(), 90));
    await expectNoAxeViolation(nadia);
    await shot(nadia, 'demander-personnel');
    await nadia.getByRole('button', { name: 'Envoyer la demande' }).click();
    await nadia.getByText(/Votre demande a été envoyée/).waitFor();

    const martin = pages['Camille MARTIN'] as Page;
    await martin.goto(`${server.url}/delegations`);
    await region(martin, 'Demandes reçues (1)')
      .getByRole('link', { name: /^Accepter la demande de Nadia BENALI/ })
      .click();
    await martin.getByRole('heading', { level: 1, name: 'Accepter une demande de délégation' }).waitFor();
    expect(await martin.getByLabel('Envoyer les demandes aux établissements').isChecked()).toBe(true);
    await tick(martin, 'Envoyer les demandes aux établissements', false);
    await shot(martin, 'accepter-demande-personnel');
    await martin.getByRole('button', { name: 'Accepter et ajouter la délégation' }).click();
    await martin.getByText(/Vous avez accepté la demande/).waitFor();
    const row = region(martin, 'Assistant(s) habilité(s) à gérer mes dossiers').getByRole('row', {
      name: /Nadia BENALI/,
    });
    await row.getByText('Active').waitFor();
    expect(await row.getByText('Envoyer les demandes').count()).toBe(0);

    await nadia.goto(`${server.url}/delegations-recues`);
    await nadia
      .getByRole('row', { name: /Dr Camille MARTIN/ })
      .getByText('Active')
      .waitFor();
    const mail = await email(nadia, 'nadia.benali', /a accepté votre demande/);
    expect(mail.text).toContain('Consulter et compléter le volet médical');
    expect(mail.text).not.toContain('Envoyer les demandes aux établissements');
    // « Mes demandes »: a right removed, said beside the rights asked.
    const asked = region(nadia, 'Mes demandes de délégation').getByRole('row', { name: /Dr Camille MARTIN/ });
    await asked.getByText('Acceptée avec modifications').waitFor();
    const granted = asked.locator('.delegation-granted');
    expect(await granted.count()).toBe(1);
    expect(await granted.textContent()).toMatch(/^Accordé :.*Consulter et compléter le volet médical/);
    expect(await granted.textContent()).not.toContain('Envoyer les demandes aux établissements');
  });

  it('Nadia BENALI renounces with the keyboard alone; « Renoncée » on both sides and Dr MARTIN is told', async () => {
    const nadia = pages['Nadia BENALI'] as Page;
    const banner = nadia.getByRole('region', { name: 'Contexte d’action' });
    await banner.getByText(/^Vous agissez pour le compte du Dr Camille MARTIN/).waitFor();
    const row = nadia.getByRole('row', { name: /Dr Camille MARTIN/ });
    const renounce = row.getByRole('button', { name: /^Renoncer/ });
    // Cancel first: the focus goes back to the button that opened the dialog.
    await tabTo(nadia, renounce);
    await nadia.keyboard.press('Enter');
    const dialog = nadia.getByRole('dialog', { name: 'Renoncer à la délégation de droits' });
    await dialog.waitFor();
    await dialog.getByText(/ne peut pas être annulée/).waitFor();
    // The question mark never wraps alone onto its own line.
    expect(await dialog.getByText(/^Voulez-vous renoncer/).textContent()).toMatch(/MARTIN\u00a0\?$/);
    await expectNoAxeViolation(nadia);
    await shot(nadia, 'renoncer-dialogue');
    await nadia.keyboard.press('Escape');
    await expect.poll(() => renounce.evaluate((el) => el === document.activeElement)).toBe(true);
    await nadia.keyboard.press('Enter');
    await dialog.waitFor();
    await tabTo(nadia, dialog.getByRole('button', { name: 'Renoncer', exact: true }));
    await nadia.keyboard.press('Enter');
    await nadia.getByText(/Vous avez renoncé à la délégation du Dr Camille MARTIN/).waitFor();
    await row.getByText('Renoncée').waitFor();
    expect(await row.getByRole('button', { name: /^Renoncer/ }).count()).toBe(0);
    // She no longer acts for Dr MARTIN, at once: with no other delegation (and no dossiers of her
    // own), there is no one to act for and the banner is gone; a doctor would act for himself.
    await expect
      .poll(() => nadia.getByText(/Vous agissez pour le compte du Dr Camille MARTIN/).count())
      .toBe(0);
    expect(await banner.count()).toBe(0);
    await expectNoAxeViolation(nadia);
    await shot(nadia, 'delegations-recues-renoncee');

    const martin = pages['Camille MARTIN'] as Page;
    const mail = await email(martin, 'camille.martin', /a renoncé à sa délégation/);
    expect(mail.subject).toBe('Nadia BENALI a renoncé à sa délégation de droits');
    await showEmail(/Nadia BENALI a renoncé à sa délégation de droits/, 'renonciation');
    await martin.goto(`${server.url}/delegations`);
    await region(martin, 'Assistant(s) habilité(s) à gérer mes dossiers')
      .getByRole('row', { name: /Nadia BENALI/ })
      .getByText('Renoncée')
      .waitFor();
    // Gone from « Qui a accès à mes dossiers ».
    expect(
      await region(martin, 'Qui a accès à mes dossiers')
        .getByRole('row', { name: /Nadia BENALI/ })
        .count(),
    ).toBe(0);
    // And told on the page: « Changements récents » of « Mes délégations ».
    await region(martin, 'Changements récents')
      .getByText('Nadia BENALI a renoncé à la délégation de droits que vous lui aviez confiée.')
      .waitFor();
    await expectNoAxeViolation(martin);
    await shot(martin, 'mes-delegations-changements');
  });

  it('Sophie DURAND asks, is refused with a reason (keyboard alone), twice, and must then wait', async () => {
    const sophie = await signIn('Sophie DURAND', '/delegations-recues', {
      profession: 'Secrétaire médical(e)',
      email: 'sophie.durand@cabinet-martin.example',
    });
    const martin = pages['Camille MARTIN'] as Page;
    const ask = async () =>
      api(sophie.context(), server.url, 'POST', '/api/delegation-requests', {
        rpps: '10001234565',
        rights: ['gerer'],
        startsOn: today(),
        endsOn: addDays(today(), 30),
        message: 'Je rejoins le secrétariat du cabinet.',
      });
    for (const [n, reason] of [
      [1, 'Le secrétariat est déjà au complet.'],
      [2, ''],
    ] as const) {
      expect((await ask()).status).toBe(201);
      await martin.goto(`${server.url}/delegations`);
      const refuse = region(martin, 'Demandes reçues (1)').getByRole('button', {
        name: /^Refuser la demande de Sophie DURAND/,
      });
      await tabTo(martin, refuse);
      await martin.keyboard.press('Enter');
      const dialog = martin.getByRole('dialog', { name: 'Refuser la demande de délégation' });
      await dialog.waitFor();
      await tabTo(martin, dialog.getByLabel(/^Motif/));
      if (reason) await martin.keyboard.type(reason);
      if (n === 1) {
        await expectNoAxeViolation(martin);
        await shot(martin, 'refuser-dialogue');
      }
      await tabTo(martin, dialog.getByRole('button', { name: 'Refuser la demande' }));
      await martin.keyboard.press('Enter');
      await martin.getByText(/Vous avez refusé la demande de Sophie DURAND/).waitFor();
    }
    const refused = await email(sophie, 'sophie.durand', /a refusé votre demande/, 'Motif indiqué');
    expect(refused.text).toContain('Motif indiqué : « Le secrétariat est déjà au complet. »');
    await showEmail(/a refusé votre demande de délégation/, 'demande-refusee');

    // A third request at once: refused, in French, with the date she may ask again.
    await sophie.goto(`${server.url}/delegations-recues/demander`);
    await sophie.getByLabel(/^Nom/).fill('martin');
    await sophie.getByLabel(/^Code postal/).fill('69003');
    await sophie.getByRole('button', { name: 'Rechercher' }).click();
    await sophie.getByRole('button', { name: 'Sélectionner Dr Camille MARTIN' }).click();
    await sophie.getByLabel(/^Date de fin/).fill(addDays(today(), 30));
    await sophie.getByRole('button', { name: 'Envoyer la demande' }).click();
    await sophie
      .getByText(
        new RegExp(
          `Ce médecin a refusé vos 2 dernières demandes : vous pourrez lui en adresser une nouvelle à partir du ${fr(addDays(today(), 30))}`,
        ),
      )
      .first()
      .waitFor();
    // Nothing to fill in for this doctor until then: the alert, and the way to choose another.
    for (const field of [/^Date de début/, /^Date de fin/, /Message au médecin/, /^Créer et modifier/]) {
      expect(await sophie.getByLabel(field).count()).toBe(0);
    }
    expect(await sophie.getByRole('button', { name: 'Envoyer la demande' }).count()).toBe(0);
    expect(await sophie.getByRole('button', { name: 'Choisir un autre médecin' }).isVisible()).toBe(true);
    await expectNoAxeViolation(sophie);
    await shot(sophie, 'demander-refusee-attente');
    await sophie.goto(`${server.url}/delegations-recues`);
    const mine = region(sophie, 'Mes demandes de délégation');
    await mine.getByText('Motif : « Le secrétariat est déjà au complet. »').waitFor();
    expect(await mine.getByText('Refusée').count()).toBe(2);
    await shot(sophie, 'mes-demandes');
  });

  it('an active delegation unused for 90 days shows « Inutilisée depuis le … »', async () => {
    const martin = pages['Camille MARTIN'] as Page;
    const created = await api(martin.context(), server.url, 'POST', '/api/delegations/peer', {
      rpps: '10004567896',
      startsOn: today(),
      endsOn: addDays(today(), 200),
    });
    expect(created.status).toBe(201);
    // Time travel for this one row: it started 100 days ago and nobody used it since.
    const since = addDays(today(), -100);
    await withDatabase((c) =>
      c.query(
        "update delegations set starts_on = $1, created_at = created_at - interval '100 days' where id = $2",
        [since, created.body.id],
      ),
    );
    await martin.goto(`${server.url}/delegations`);
    const row = region(martin, 'Médecin(s) habilité(s) à gérer mes dossiers').getByRole('row', {
      name: /Hélène ROUX/,
    });
    await row.getByText(`Inutilisée depuis le ${fr(since)}`).waitFor();
    // Dr LEFÈVRE's delegation, used today, is not flagged.
    const used = region(martin, 'Médecin(s) habilité(s) à gérer mes dossiers').getByRole('row', {
      name: /LEFÈVRE/,
    });
    expect(await used.getByText(/Inutilisée/).count()).toBe(0);
    await expectNoAxeViolation(martin);
    await shot(martin, 'inutilisee');
  });

  it('« Revue des délégations »: keeps one, modifies one, deletes one; complete and journaled', async () => {
    const martin = pages['Camille MARTIN'] as Page;
    // A third colleague from the national directory, so that three delegations are active.
    const found = await api(
      martin.context(),
      server.url,
      'GET',
      '/api/directory/search?name=MARTIN&profession=10&limit=20',
    );
    const other = (found.body.items as { rpps: string | null; givenName: string; familyName: string }[]).find(
      (p) => p.rpps && p.rpps !== '10001234565',
    );
    expect(other).toBeDefined();
    const third = await api(martin.context(), server.url, 'POST', '/api/delegations/peer', {
      rpps: other?.rpps,
      startsOn: today(),
      endsOn: addDays(today(), 60),
    });
    expect(third.status, JSON.stringify(third.body)).toBe(201);

    await martin.goto(`${server.url}/delegations`);
    await martin.getByRole('link', { name: 'Revue des délégations' }).click();
    await martin.getByRole('heading', { level: 1, name: 'Revue des délégations' }).waitFor();
    await martin.getByText('Aucune revue n’est en cours.').waitFor();
    await expectNoAxeViolation(martin);
    await martin.getByRole('button', { name: 'Commencer la revue maintenant' }).click();
    const table = martin.getByRole('table', { name: 'Délégations à revoir' });
    await table.waitFor();
    expect(await table.locator('tbody tr').count()).toBe(3);
    await martin.getByText('3 décisions à prendre').waitFor();
    await expectNoAxeViolation(martin);
    await shot(martin, 'revue');

    // The banner on « Mes délégations » leads back here.
    await martin.goto(`${server.url}/delegations`);
    await martin.getByText('Revue des délégations à faire').waitFor();
    await martin.getByRole('link', { name: 'Faire la revue des délégations' }).click();

    // Keep Dr LEFÈVRE's (keyboard alone).
    const keep = table.getByRole('button', { name: /^Conserver la délégation du Dr Jean-Pierre LEFÈVRE/ });
    await tabTo(martin, keep);
    await martin.keyboard.press('Enter');
    await martin.getByText(/La délégation du Dr Jean-Pierre LEFÈVRE est conservée/).waitFor();
    // Delete Dr ROUX's, unused.
    await table.getByRole('button', { name: /^Supprimer la délégation du Dr Hélène ROUX/ }).click();
    await table
      .getByRole('button', { name: /^Confirmer la suppression de la délégation du Dr Hélène ROUX/ })
      .click();
    await martin.getByText(/La délégation du Dr Hélène ROUX est supprimée/).waitFor();
    await martin.getByText('1 décision à prendre').waitFor();
    await shot(martin, 'revue-en-cours');
    // Modify the third: a shorter period.
    await table.getByRole('link', { name: /^Modifier la délégation/ }).click();
    await martin.getByRole('heading', { level: 1, name: /Modifier/ }).waitFor();
    await martin.getByLabel(/^Date de fin/).fill(addDays(today(), 10));
    await martin.getByRole('button', { name: /Enregistrer/ }).click();
    await martin.getByRole('heading', { level: 1, name: 'Mes délégations' }).waitFor();
    await expect.poll(() => martin.getByText('Revue des délégations à faire').count()).toBe(0);
    await martin.goto(`${server.url}/delegations/revue`);
    await martin.getByText(/Dernière revue terminée le/).waitFor();
    // Both sides are told of a modification: the doctor receives a receipt of what changed.
    const receipt = await email(martin, 'camille.martin', /Vous avez modifié la délégation de droits/);
    expect(receipt.text).toContain(
      `Période : du ${fr(today())} au ${fr(addDays(today(), 60))} → du ${fr(today())} au ${fr(addDays(today(), 10))}.`,
    );
    await showEmail(/Vous avez modifié la délégation de droits/, 'modification-recu');

    // The journal tells who kept what.
    const journal = await api(martin.context(), server.url, 'GET', '/api/journal?limit=20');
    const actions = (journal.body.entries as { action: string }[]).map((e) => e.action);
    expect(actions).toContain('review.completed');
    expect(actions.filter((a) => a === 'review.decided')).toHaveLength(3);
  });

  it('« Mon compte » turns optional notifications off, never the security ones', async () => {
    const martin = pages['Camille MARTIN'] as Page;
    await martin.goto(`${server.url}/mon-compte`);
    const section = region(martin, 'Notifications par courriel');
    await section.getByText(/ne peuvent pas être désactivées/).waitFor();
    await tick(martin, 'Une personne habilitée renonce à sa délégation', false);
    await section.getByRole('button', { name: 'Enregistrer mes choix de notifications' }).click();
    await section.getByText('Vos choix de notifications sont enregistrés.').waitFor();
    const saved = await api(martin.context(), server.url, 'GET', '/api/account/notifications');
    expect(saved.body.enabled).not.toContain('delegation_renounced');
    expect(saved.body.enabled).toContain('request_received');
    await expectNoAxeViolation(martin);
    await shot(martin, 'mon-compte-notifications');
  });
});
