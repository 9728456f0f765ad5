// Suspension for lack of use end to end in Chromium (issue 16, SUSPEND_UNUSED_DAYS=30), against
// the application started as a process: the real daily job suspends Dr ROUX's unused delegation,
// both sides are emailed (demo mailbox), « Suspendue » shows on both sides, Dr MARTIN clicks
// « Réactiver » and the delegation is active again, Dr ROUX told. Signed in with the local PSC.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, SCREENSHOTS } from '../helpers/a11y.js';
import { launchBrowser } from '../helpers/browser.js';
import { type RunningServer, startServer } from '../helpers/server.js';
import { api, poll } from './dossiers-support.js';

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

describe('Suspension d’une délégation inutilisée (Chromium)', { timeout: 180_000 }, () => {
  let server: RunningServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    [server, browser] = await Promise.all([
      startServer({ env: { SUSPEND_UNUSED_DAYS: '30' } }),
      launchBrowser(),
    ]);
  });
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await server?.stop();
  });

  async function signIn(who: string, to: string): Promise<Page> {
    const context = await browser.newContext({ locale: 'fr-FR', timezoneId: 'Europe/Paris' });
    context.setDefaultTimeout(20_000);
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${server.url}/connexion?retour=${encodeURIComponent(to)}`);
    await page.getByRole('link', { name: 'Se connecter avec Pro Santé Connect' }).click();
    await page.getByRole('button', { name: `Se connecter en tant que ${who}` }).click();
    await page.getByRole('banner').getByRole('link', { name: who }).first().waitFor();
    return page;
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

  async function email(page: Page, to: string, subject: RegExp) {
    return poll(async () => {
      const { body } = await api(page.context(), server.url, 'GET', '/api/demo/emails');
      return (body.emails as { id: string; to: string; subject: string }[]).find(
        (e) => e.to.includes(to) && subject.test(e.subject),
      );
    }, 30_000);
  }

  it('the daily job suspends an unused delegation; Dr MARTIN sees « Suspendue » and « Réactiver »', async () => {
    const martin = await signIn('Camille MARTIN', '/delegations');
    const created = await api(martin.context(), server.url, 'POST', '/api/delegations/peer', {
      rpps: '10004567896',
      startsOn: today(),
      endsOn: addDays(today(), 200),
    });
    expect(created.status).toBe(201);
    // Time travel for this one row: it started 40 days ago and nobody used it since.
    const since = addDays(today(), -40);
    await withDatabase(async (c) => {
      await c.query(
        "update delegations set starts_on = $1, created_at = created_at - interval '40 days' where id = $2",
        [since, created.body.id],
      );
      // The daily job, as the scheduler runs it.
      await c.query("select graphile_worker.add_job('delegations_daily', '{}'::json)");
    });
    const region = martin.getByRole('region', { name: 'Médecin(s) habilité(s) à gérer mes dossiers' });
    const row = region.getByRole('row', { name: /Hélène ROUX/ });
    await expect
      .poll(
        async () => {
          await martin.goto(`${server.url}/delegations`);
          await region.waitFor();
          return row.getByText('Suspendue', { exact: true }).count();
        },
        { timeout: 60_000, interval: 2000 },
      )
      .toBeGreaterThan(0);
    await row.getByText(`Suspendue faute d’utilisation depuis le ${fr(since)}`).waitFor();
    await row.getByRole('button', { name: /^Réactiver/ }).waitFor();
    const who = martin.getByRole('region', { name: 'Qui a accès à mes dossiers' });
    await who
      .getByRole('row', { name: /Hélène ROUX/ })
      .getByText('Suspendue', { exact: true })
      .waitFor();
    expect(await email(martin, 'martin', /Hélène ROUX est suspendue faute d’utilisation/)).toBeTruthy();
    expect(await email(martin, 'roux', /Camille MARTIN est suspendue faute d’utilisation/)).toBeTruthy();
    expect(await axeViolations(martin)).toEqual([]);
    await martin.screenshot({ path: `${SCREENSHOTS}suspension-mes-delegations.png`, fullPage: true });

    const roux = await signIn('Hélène ROUX', '/delegations-recues');
    const received = roux.getByRole('row', { name: /MARTIN/ });
    await received.getByText('Suspendue', { exact: true }).waitFor();
    await received.getByText(/Suspendue faute d’utilisation depuis le/).waitFor();

    await row.getByRole('button', { name: /^Réactiver/ }).click();
    await martin.getByText(/est réactivée : cette personne a de nouveau accès/).waitFor();
    await row.getByText('Active', { exact: true }).waitFor();
    expect(await row.getByRole('button', { name: /^Réactiver/ }).count()).toBe(0);
    expect(await email(martin, 'roux', /a réactivé votre délégation de droits/)).toBeTruthy();
  });
});
