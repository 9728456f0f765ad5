// Cabinets (group practices) end to end in Chromium, against the application started as a process
// (local Pro Santé Connect, real SMTP to the demo mailbox, real PostgreSQL): Dr MARTIN creates
// « Cabinet des Pentes » and invites Dr LEFÈVRE, who joins; Dr MARTIN adds Sophie DURAND with the
// « Secrétariat » template and proposes it to Dr LEFÈVRE, who accepts with fewer rights; Sophie
// finalises once and works in « Tous mes médecins » with different rights per doctor; Dr LEFÈVRE
// deletes his delegation and her next request on his dossiers is refused while Dr MARTIN's still
// work. Every new page is checked with axe and photographed.
import { tmpdir } from 'node:os';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, SCREENSHOTS } from '../helpers/a11y.js';
import { launchBrowser } from '../helpers/browser.js';
import { type RunningServer, startServer } from '../helpers/server.js';
import { api, CARDS, finaliseAsSophie, labelStart, newPage, poll, signIn } from './dossiers-support.js';

const SOPHIE_EMAIL = 'sophie.durand@cabinet-martin.example';

async function expectNoAxeViolation(page: Page) {
  expect(await axeViolations(page)).toEqual([]);
}

async function shot(page: Page, name: string) {
  await page.screenshot({ path: `${SCREENSHOTS}cabinets-${name}.png`, fullPage: true });
}

/** Ticks a DSFR checkbox by clicking its label (the design system draws the box on the label). */
async function setChecked(page: Page, label: string | RegExp, checked: boolean) {
  const input = page.getByLabel(labelStart(label));
  if ((await input.isChecked()) === checked) return;
  const id = await input.getAttribute('id');
  await page.locator(`label[for="${id}"]`).click();
  expect(await input.isChecked()).toBe(checked);
}

describe('cabinets (Chromium)', { timeout: 240_000 }, () => {
  let server: RunningServer;
  let browser: Browser;
  let base: string;
  let martin: BrowserContext;
  let lefevre: BrowserContext;
  let sophie: BrowserContext;
  let martinPage: Page;
  let lefevrePage: Page;
  let lefevreDossier: string;
  let martinDossier: string;
  let ids: { martin: string; lefevre: string };

  beforeAll(async () => {
    [server, browser] = await Promise.all([startServer(), launchBrowser()]);
    base = server.url;
    martin = await browser.newContext({ locale: 'fr-FR', timezoneId: 'Europe/Paris' });
    lefevre = await browser.newContext({ locale: 'fr-FR', timezoneId: 'Europe/Paris' });
    sophie = await browser.newContext({ locale: 'fr-FR', timezoneId: 'Europe/Paris' });
  });
  // A failed step leaves a picture of every open page to look at (outside the docs).
  afterEach(async (ctx) => {
    if (ctx.task.result?.state !== 'fail') return;
    let n = 0;
    for (const c of [martin, lefevre, sophie]) {
      for (const p of c?.pages() ?? []) {
        await p
          .screenshot({ path: `${tmpdir()}/cabinets-failure-${n++}.png`, fullPage: true })
          .catch(() => {});
      }
    }
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('Dr MARTIN creates « Cabinet des Pentes » and invites Dr LEFÈVRE from the directory; he joins from the banner', async () => {
    martinPage = await newPage(martin);
    await signIn(martinPage, base, CARDS.martin, '/connexion?retour=%2Fmon-compte');
    await martinPage.getByRole('link', { name: 'Mon cabinet' }).click();
    await martinPage.getByRole('heading', { level: 1, name: 'Mon cabinet' }).waitFor();
    await martinPage.getByText('Vous n’êtes membre d’aucun cabinet.').waitFor();
    // a wrong SIRET is refused in French, nothing created
    await martinPage.getByLabel('Nom du cabinet').fill('Cabinet des Pentes');
    await martinPage.getByLabel('Adresse').fill('12 montée de la Grande-Côte, 69001 Lyon');
    await martinPage.getByLabel('Numéro SIRET (facultatif)').fill('732 829 320 00075');
    await martinPage.getByRole('button', { name: 'Créer le cabinet' }).click();
    await martinPage.getByText('Le numéro SIRET comporte 14 chiffres et doit être valide.').first().waitFor();
    await martinPage.getByLabel('Numéro SIRET (facultatif)').fill('732 829 320 00074');
    await martinPage.getByRole('button', { name: 'Créer le cabinet' }).click();
    await martinPage.getByRole('heading', { level: 2, name: 'Cabinet des Pentes' }).waitFor();
    await martinPage.getByText('SIRET : 73282932000074.').waitFor();

    await martinPage.getByRole('button', { name: 'Inviter un confrère' }).click();
    const search = martinPage.getByRole('search', { name: 'Rechercher dans l’annuaire national' });
    await search.getByLabel(/^Nom/).fill('Lefèvre');
    await search.getByLabel(/^Code postal/).fill('69006');
    await search.getByRole('button', { name: 'Rechercher' }).click();
    const result = martinPage.locator('li', { hasText: 'RPPS 10002345675' });
    await result.getByRole('button', { name: /Sélectionner/ }).click();
    await martinPage
      .getByText(/Jean-Pierre LEFÈVRE est invité\(e\) à rejoindre le cabinet « Cabinet des Pentes »/)
      .waitFor();
    await martinPage.getByText(/Dr Jean-Pierre LEFÈVRE — invité\(e\) le/).waitFor();
    await expectNoAxeViolation(martinPage);
    await shot(martinPage, 'mon-cabinet');

    lefevrePage = await newPage(lefevre);
    await signIn(lefevrePage, base, CARDS.lefevre, '/connexion?retour=%2Fdelegations');
    await lefevrePage
      .getByText('Dr Camille MARTIN vous invite à rejoindre le cabinet « Cabinet des Pentes »', {
        exact: false,
      })
      .waitFor();
    await expectNoAxeViolation(lefevrePage);
    await shot(lefevrePage, 'invitation-bandeau');
    await lefevrePage.getByRole('button', { name: 'Rejoindre le cabinet' }).click();
    await lefevrePage.getByText('Vous avez rejoint le cabinet « Cabinet des Pentes ».').waitFor();
    // his own dossier, to be seen later by Sophie within his rights
    const created = await api(lefevre, base, 'POST', '/api/dossiers', {
      patient: { familyName: 'ROCHE', givenName: 'Odette', birthDate: '1938-04-02', sex: 'F' },
    });
    expect(created.status).toBe(201);
    lefevreDossier = created.body.id;
    const mine = await api(martin, base, 'GET', '/api/cabinets');
    expect(mine.body.cabinets[0].members.map((m: { familyName: string }) => m.familyName).sort()).toEqual([
      'LEFÈVRE',
      'MARTIN',
    ]);
    ids = {
      martin: mine.body.cabinets[0].members.find((m: { familyName: string }) => m.familyName === 'MARTIN').id,
      lefevre: mine.body.cabinets[0].members.find((m: { familyName: string }) => m.familyName === 'LEFÈVRE')
        .id,
    };
  });

  it('Dr MARTIN adds Sophie DURAND with the « Secrétariat » template and proposes the same delegation to Dr LEFÈVRE', async () => {
    await martinPage.goto(`${base}/delegations/assistant/ajouter`);
    await martinPage.getByLabel(/^Nom/).first().fill('DURAND');
    await martinPage.getByLabel(/^Prénom/).fill('Sophie');
    await martinPage.getByLabel(/^Adresse électronique/).fill(SOPHIE_EMAIL);
    await martinPage.getByText('Secrétaire médical(e)', { exact: true }).click();
    await martinPage.getByLabel(/^Modèle de droits/).selectOption({ label: 'Secrétariat' });
    expect(await martinPage.getByLabel('Créer et modifier les dossiers').isChecked()).toBe(true);
    expect(await martinPage.getByLabel('Consulter et compléter le volet médical').isChecked()).toBe(false);
    await setChecked(martinPage, /^Sans date de fin/, true);
    await setChecked(martinPage, /^Proposer la même délégation aux médecins de mon cabinet/, true);
    expect(await martinPage.getByLabel('Dr Jean-Pierre LEFÈVRE').isChecked()).toBe(true);
    await expectNoAxeViolation(martinPage);
    await shot(martinPage, 'ajout-avec-proposition');
    await martinPage.getByRole('button', { name: 'Ajouter', exact: true }).click();
    await martinPage
      .getByText(/La même délégation a été proposée aux médecins choisis de votre cabinet/)
      .waitFor();
    // nothing is delegated on Dr LEFÈVRE's dossiers yet
    expect((await api(lefevre, base, 'GET', '/api/delegations')).body.staff).toEqual([]);
  });

  it('Dr LEFÈVRE accepts the proposal with fewer rights', async () => {
    await lefevrePage.goto(`${base}/delegations`);
    await lefevrePage
      .getByRole('heading', { name: 'Proposée par Dr Camille MARTIN (Cabinet des Pentes)' })
      .waitFor();
    await expectNoAxeViolation(lefevrePage);
    await shot(lefevrePage, 'proposee-par');
    await lefevrePage.getByRole('button', { name: /^Accepter la délégation proposée/ }).click();
    await setChecked(lefevrePage, 'Créer et modifier les dossiers', false);
    await setChecked(lefevrePage, /^Sans date de fin/, true);
    await expectNoAxeViolation(lefevrePage);
    await shot(lefevrePage, 'accepter-proposition');
    await lefevrePage.getByRole('button', { name: 'Accepter la délégation', exact: true }).click();
    await lefevrePage.getByText(/Vous avez accepté la délégation proposée par Dr Camille MARTIN/).waitFor();
    const staff = (await api(lefevre, base, 'GET', '/api/delegations')).body.staff;
    expect(staff).toHaveLength(1);
    expect(staff[0]).toMatchObject({ rights: ['consulter'], status: 'pending' });
  });

  it('Sophie finalises once, for both doctors, and works in « Tous mes médecins » with different rights per doctor', async () => {
    // one invitation link: the first email; Dr LEFÈVRE's acceptance is added to it
    const link = await poll(async () => {
      const { body } = await api(martin, base, 'GET', '/api/demo/emails');
      for (const summary of body.emails as { id: string; to: string; subject: string }[]) {
        if (!summary.to.includes('sophie.durand')) continue;
        const mail = (await api(martin, base, 'GET', `/api/demo/emails/${summary.id}`)).body;
        const found = (mail.text as string).match(/https?:\/\/\S+\/invitation\/[\w-]+/)?.[0];
        if (found) return found;
      }
      return undefined;
    }, 30_000);
    const joinedMail = await poll(async () => {
      const { body } = await api(martin, base, 'GET', '/api/demo/emails');
      return (body.emails as { to: string; subject: string }[]).find(
        (m) => m.to.includes('sophie.durand') && m.subject.includes('vous confie aussi'),
      );
    }, 30_000);
    expect(joinedMail.subject).toBe('Dr Jean-Pierre LEFÈVRE vous confie aussi la gestion de ses dossiers');
    const preview = await newPage(await browser.newContext({ locale: 'fr-FR' }));
    await preview.goto(link.replace(/^https?:\/\/[^/]+/, base));
    await preview
      .getByRole('heading', { name: 'Les médecins de son cabinet vous confient aussi leurs dossiers' })
      .waitFor();
    await preview.getByText(/Dr Jean-Pierre LEFÈVRE : Consulter les dossiers/).waitFor();
    await expectNoAxeViolation(preview);
    await shot(preview, 'invitation-plusieurs-medecins');

    const page = await newPage(sophie);
    await finaliseAsSophie(page, base, link);
    const received = (await api(sophie, base, 'GET', '/api/delegations/received')).body.delegations as {
      status: string;
      rights: string[];
      delegator: { familyName: string };
    }[];
    expect(received.map((d) => [d.delegator.familyName, d.status, d.rights]).sort()).toEqual([
      ['LEFÈVRE', 'active', ['consulter']],
      ['MARTIN', 'active', ['consulter', 'gerer']],
    ]);

    await page.goto(`${base}/`);
    await page.getByRole('link', { name: 'Tous mes médecins' }).click();
    await page.getByRole('heading', { level: 1, name: 'Tous mes médecins' }).waitFor();
    const rights = page.getByRole('table', { name: 'Vos droits, médecin par médecin' });
    await rights.getByRole('row', { name: /Dr Jean-Pierre LEFÈVRE.*Consulter/ }).waitFor();
    expect(await rights.getByRole('row', { name: /LEFÈVRE/ }).textContent()).not.toContain(
      'Créer et modifier',
    );
    expect(await rights.getByRole('row', { name: /MARTIN/ }).textContent()).toContain('Créer et modifier');
    const dossiers = page.getByRole('table', { name: /Dossiers de tous mes médecins \(31\)/ });
    await dossiers.waitFor();
    await expectNoAxeViolation(page);
    await shot(page, 'tous-mes-medecins');
    // filter by doctor, then search by patient
    await page.getByLabel('Médecin', { exact: true }).selectOption({ label: 'Dr Jean-Pierre LEFÈVRE' });
    await page.getByRole('table', { name: 'Dossiers de tous mes médecins (1)' }).waitFor();
    await page.getByLabel('Médecin', { exact: true }).selectOption({ label: 'Tous les médecins' });
    await page.getByLabel('Rechercher un patient ou une référence').fill('roche');
    await page.getByRole('table', { name: 'Dossiers de tous mes médecins (1)' }).waitFor();
    await shot(page, 'tous-mes-medecins-recherche');
    // opening a dossier sets the acting context to its doctor, visibly
    await page.getByRole('link', { name: /dossier du Dr Jean-Pierre LEFÈVRE/ }).click();
    await page.waitForURL(`${base}/dossiers/${lefevreDossier}`);
    await page
      .getByText(/Dr Jean-Pierre LEFÈVRE/)
      .first()
      .waitFor();
    await page.getByText('Odette ROCHE, née le 02/04/1938 — patiente du Dr Jean-Pierre LEFÈVRE').waitFor();
    await page
      .getByText('Vous agissez pour le compte du Dr Jean-Pierre LEFÈVRE — droits : consulter les dossiers.')
      .waitFor();
    await expectNoAxeViolation(page);
    await shot(page, 'dossier-ouvert-contexte');
    // rights per doctor, decided by the server for each doctor
    const martinList = await api(sophie, base, 'GET', `/api/dossiers?onBehalfOf=${ids.martin}`);
    martinDossier = martinList.body.dossiers[0].id;
    const write = (owner: string, id: string) =>
      api(sophie, base, 'PUT', `/api/dossiers/${id}/administrative?onBehalfOf=${owner}`, {
        version: 1,
        administrative: { phone: '04 72 00 00 00' },
      });
    expect((await write(ids.lefevre, lefevreDossier)).status).toBe(403);
    const martinDetail = await api(
      sophie,
      base,
      'GET',
      `/api/dossiers/${martinDossier}?onBehalfOf=${ids.martin}`,
    );
    const ok = await api(
      sophie,
      base,
      'PUT',
      `/api/dossiers/${martinDossier}/administrative?onBehalfOf=${ids.martin}`,
      {
        version: martinDetail.body.version,
        administrative: { ...martinDetail.body.administrative, phone: '04 72 00 00 00' },
      },
    );
    expect(ok.status).toBe(200);
  });

  it('Dr LEFÈVRE deletes his delegation: Sophie’s next request on his dossiers is refused, Dr MARTIN’s still work', async () => {
    const staff = (await api(lefevre, base, 'GET', '/api/delegations')).body.staff;
    expect((await api(lefevre, base, 'DELETE', `/api/delegations/${staff[0].id}`)).status).toBe(204);
    const his = await api(sophie, base, 'GET', `/api/dossiers/${lefevreDossier}?onBehalfOf=${ids.lefevre}`);
    expect([403, 404]).toContain(his.status);
    const martins = await api(sophie, base, 'GET', `/api/dossiers/${martinDossier}?onBehalfOf=${ids.martin}`);
    expect(martins.status).toBe(200);
    const all = await api(sophie, base, 'GET', '/api/dossiers/all-doctors');
    expect(all.body.doctors.map((d: { familyName: string }) => d.familyName)).toEqual(['MARTIN']);
    expect(all.body.dossiers).toHaveLength(30);
  });
});
