// Integration helpers: the application listening on a real port (the OIDC client calls the
// local provider over HTTP, as it would call the real PSC), and a tiny cookie-keeping browser.
import { readFileSync } from 'node:fs';
import type { AppFeature } from '../../src/server/composition.js';
import type { Clock } from '../../src/server/platform/clock.js';
import { freePort } from '../../src/server/platform/embedded-postgres.js';
import { createTestApp, type TestApp } from '../helpers/app.js';

export interface ListeningApp extends TestApp {
  url: string;
}

export async function startListeningApp(
  options: {
    env?: Record<string, string> | ((url: string) => Record<string, string>);
    clock?: Clock;
    features?: AppFeature[];
    startFeatures?: boolean;
    logger?: TestApp['ctx']['logger'];
  } = {},
): Promise<ListeningApp> {
  const port = await freePort();
  const url = `http://localhost:${port}`;
  const env = typeof options.env === 'function' ? options.env(url) : options.env;
  const t = await createTestApp({ ...options, env: { PUBLIC_URL: url, ...env } });
  await t.app.listen({ port, host: '127.0.0.1' });
  return { ...t, url };
}

export interface Response {
  status: number;
  location: string | undefined;
  text: string;
  headers: Headers;
}

/** Keeps cookies by name (enough for one origin), follows nothing unless asked. */
export class Browser {
  cookies = new Map<string, string>();

  constructor(readonly base: string) {}

  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private keep(res: globalThis.Response) {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const eq = (pair ?? '').indexOf('=');
      const name = (pair ?? '').slice(0, eq).trim();
      const value = (pair ?? '').slice(eq + 1).trim();
      const expired = attrs.some(
        (a) =>
          /^\s*max-age=0\s*$/i.test(a) ||
          (/^\s*expires=/i.test(a) && new Date(a.split('=')[1] ?? '') < new Date()),
      );
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  async request(
    method: string,
    pathOrUrl: string,
    options: { form?: Record<string, string>; json?: unknown; headers?: Record<string, string> } = {},
  ): Promise<Response> {
    const url = new URL(pathOrUrl, this.base).toString();
    const headers: Record<string, string> = { cookie: this.cookieHeader(), ...options.headers };
    let body: string | undefined;
    if (options.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(options.form).toString();
    } else if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.json);
    }
    const res = await fetch(url, { method, headers, body, redirect: 'manual' });
    this.keep(res);
    const location = res.headers.get('location') ?? undefined;
    return {
      status: res.status,
      location: location ? new URL(location, url).toString() : undefined,
      text: await res.text(),
      headers: res.headers,
    };
  }

  get(path: string) {
    return this.request('GET', path);
  }

  /** Follows redirects with GET until a non-redirect answer or a URL matching `stop`. */
  async follow(
    start: Response,
    stop?: (url: string) => boolean,
  ): Promise<{ res: Response; url: string | undefined }> {
    let res = start;
    let url: string | undefined;
    for (let i = 0; i < 15 && res.location; i++) {
      url = res.location;
      if (stop?.(url)) return { res, url };
      res = await this.get(url);
    }
    return { res, url };
  }

  async csrf(): Promise<string> {
    const res = await this.get('/api/session');
    return JSON.parse(res.text).csrfToken;
  }

  async api(method: string, path: string, json?: unknown) {
    const token = await this.csrf();
    return this.request(method, path, { json, headers: { 'x-csrf-token': token } });
  }
}

/** The interaction page's uid, from the provider's redirect to its sign-in page. */
export function interactionPath(url: string): string {
  const path = new URL(url).pathname;
  if (!/\/interaction\/[\w-]+$/.test(path)) throw new Error(`not an interaction page: ${path}`);
  return path;
}

/**
 * Runs a sign-in with the local provider. `tamper` may change the authorization request the
 * browser carries to the provider (nonce, PKCE challenge...), `form` is what is posted on the
 * provider's page. Returns the callback URL the provider sent the browser to, not yet visited.
 */
export async function signInAtProvider(
  browser: Browser,
  form: Record<string, string>,
  options: { returnTo?: string; tamper?: (authorizeUrl: URL) => void } = {},
): Promise<string> {
  const start = await browser.get(
    `/auth/psc/start${options.returnTo ? `?returnTo=${encodeURIComponent(options.returnTo)}` : ''}`,
  );
  if (start.status !== 302 || !start.location) throw new Error(`start answered ${start.status}`);
  const authorize = new URL(start.location);
  options.tamper?.(authorize);
  const toInteraction = await browser.get(authorize.toString());
  // Already signed in at the provider (single sign-on): straight back to the service.
  if (toInteraction.location?.includes('/auth/psc/callback')) return toInteraction.location;
  const interaction = interactionPath(toInteraction.location ?? '');
  const page = await browser.get(interaction);
  if (page.status !== 200) throw new Error(`interaction page answered ${page.status}`);
  const posted = await browser.request('POST', `${interaction}/login`, { form });
  if (posted.status !== 303) throw new Error(`login answered ${posted.status}: ${posted.text.slice(0, 300)}`);
  const { url } = await browser.follow(posted, (u) => u.includes('/auth/psc/callback'));
  if (!url) throw new Error('no callback');
  return url;
}

export async function signInAs(browser: Browser, subjectNameId: string, returnTo?: string) {
  const callback = await signInAtProvider(browser, { card: subjectNameId }, { returnTo });
  return browser.get(callback);
}

/** A public Pro Santé Connect sample (fixtures/psc-samples: sandbox answers, copied as they are). */
export function pscSample(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`./fixtures/psc-samples/${name}.json`, import.meta.url), 'utf8'));
}
