// Shared steps of the dossiers and journal end-to-end tests, done the way the product does them:
// sign-in through the (local) Pro Santé Connect pages, delegations through the API with the
// doctor's own browser session and CSRF token, Sophie's invitation link from the demo mailbox,
// her first sign-in (password, profession, charter) and "Finaliser la délégation" in the pages.
import type { BrowserContext, Page } from 'playwright-core';

export const CARDS = {
  martin: 'Camille MARTIN',
  lefevre: 'Jean-Pierre LEFÈVRE',
  roux: 'Hélène ROUX',
  durand: 'Sophie DURAND',
} as const;

export const today = () => new Date().toLocaleDateString('sv-SE', { timeZone: 'Europe/Paris' });

/** Sign in with a demo card from the sign-in page; returns once back in the application. */
export async function signIn(page: Page, base: string, who: string, path = '/connexion') {
  await page.goto(`${base}${path}`);
  await page.getByRole('link', { name: 'Se connecter avec Pro Santé Connect' }).click();
  await page.getByRole('button', { name: `Se connecter en tant que ${who}` }).click();
  await page.waitForURL((url) => url.origin === base && !url.pathname.startsWith('/auth/'));
}

/** An API call with the browser context's session cookie and CSRF token, as the web app makes it. */
export async function api(
  context: BrowserContext,
  base: string,
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  path: string,
  data?: unknown,
) {
  const session = await (await context.request.get(`${base}/api/session`)).json();
  const res = await context.request.fetch(`${base}${path}`, {
    method,
    headers: { 'x-csrf-token': session.csrfToken, accept: 'application/json' },
    ...(data !== undefined ? { data } : {}),
  });
  const text = await res.text();
  return { status: res.status(), body: text ? JSON.parse(text) : undefined };
}

/** Dr MARTIN invites Sophie DURAND; returns the delegation id and the invitation link she receives. */
export async function inviteSophie(martin: BrowserContext, base: string, rights: string[]) {
  const created = await api(martin, base, 'POST', '/api/delegations/staff', {
    familyName: 'DURAND',
    givenName: 'Sophie',
    email: 'sophie.durand@cabinet-martin.example',
    profession: 'Secrétaire médicale',
    rights,
    startsOn: today(),
    endsOn: null,
  });
  if (created.status !== 201) throw new Error(`staff delegation: ${JSON.stringify(created.body)}`);
  // The application's own worker sends it through its local SMTP server to the demo mailbox.
  const link = await poll(async () => {
    const { body } = await api(martin, base, 'GET', '/api/demo/emails');
    for (const summary of body.emails as { id: string; to: string }[]) {
      if (!summary.to.includes('sophie.durand')) continue;
      const mail = (await api(martin, base, 'GET', `/api/demo/emails/${summary.id}`)).body;
      const found = (mail.text as string).match(/https?:\/\/\S+\/invitation\/[\w-]+/)?.[0];
      if (found) return found;
    }
    return undefined;
  }, 30_000);
  return { delegationId: created.body.id as string, link };
}

/** Sophie opens her invitation, signs in with her CPA card, completes her first sign-in, finalises. */
export async function finaliseAsSophie(page: Page, base: string, link: string) {
  await page.goto(link.replace(/^https?:\/\/[^/]+/, base));
  await page.getByRole('link', { name: 'Se connecter avec Pro Santé Connect' }).click();
  await page.getByRole('button', { name: `Se connecter en tant que ${CARDS.durand}` }).click();
  await page.getByRole('heading', { level: 1, name: 'Première connexion' }).waitFor();
  await page.getByLabel('Mot de passe', { exact: true }).fill('Secrétariat-Lyon-2026!');
  await page.getByLabel('Confirmation du mot de passe').fill('Secrétariat-Lyon-2026!');
  await page.getByText('Secrétaire médical(e)', { exact: true }).click();
  const email = page.getByLabel('Adresse électronique de notification');
  if ((await email.count()) > 0 && !(await email.inputValue())) {
    await email.fill('sophie.durand@cabinet-martin.example');
  }
  await page.getByText('J’ai lu et j’accepte la charte d’utilisation').click();
  await page.getByRole('button', { name: 'Valider' }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/premiere-connexion'));
  // The first sign-in page sends her on (to her invitation, then home: a race in that page), so
  // she opens her invitation link again once settled.
  await page
    .getByRole('link', { name: 'Se déconnecter' })
    .or(page.getByRole('button', { name: 'Se déconnecter' }))
    .first()
    .waitFor();
  await page.waitForLoadState('networkidle');
  await page.goto(link.replace(/^https?:\/\/[^/]+/, base));
  await page.getByRole('button', { name: 'Finaliser la délégation' }).click();
  await page.getByText('La délégation est finalisée').waitFor();
}

/** The delegation's current version (for a modification), as "Mes délégations" lists it. */
export async function delegationVersion(martin: BrowserContext, base: string, id: string) {
  const { body } = await api(martin, base, 'GET', '/api/delegations');
  const all = [...body.staff, ...body.peer] as { id: string; version: number }[];
  return all.find((d) => d.id === id)?.version as number;
}

export async function newPage(context: BrowserContext) {
  context.setDefaultTimeout(15_000);
  return context.newPage();
}

/** Calls `get` until it returns a value, or fails after `timeoutMs`. */
export async function poll<T>(get: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await get();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`nothing after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

/**
 * A checkbox or radio by the start of its label: a right's label carries its hint (« ce que la
 * personne voit ») after its name, as the design system draws it, inside the <label>.
 */
export function labelStart(label: string | RegExp): RegExp {
  return typeof label === 'string' ? new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`) : label;
}
