// No personal or health data in the logs. The real application runs as a process with
// LOG_LEVEL=trace; a realistic session goes through it (Pro Santé Connect sign-ins, dossiers
// opened and completed, a staff delegation sent by email and accepted, a directory search, a
// peer delegation, the journal, mistakes and refusals, and the web app in Chromium); then every
// name, email, national identifier, patient identity, medical text, search term, token and
// session id seen during the run is looked for in what the process wrote.
import net from 'node:net';
import type { Browser as Chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CURRENT_CHARTER } from '../../src/server/identity/charter/index.js';
import { safeError } from '../../src/server/platform/runtime.js';
import { launchBrowser } from '../helpers/browser.js';
import { passkeySecondFactor, SoftPasskey } from '../helpers/second-factor.js';
import { type RunningServer, startServer } from '../helpers/server.js';
import { Browser, signInAs, signInAtProvider } from '../identity/helpers.js';

const MARTIN = '810001234565';
const SOPHIE = '4123456782/CPAT0001';
const LEFEVRE_RPPS = '10002345675';
const SOPHIE_EMAIL = 'sophie.durand@cabinet-martin.example';
const SOPHIE_PASSWORD = 'Secretariat-Martin-69003';

const json = (r: { text: string }) => JSON.parse(r.text);
const today = () => new Date().toLocaleDateString('sv-SE', { timeZone: 'Europe/Paris' });
const inDays = (n: number) =>
  new Date(Date.now() + n * 86_400_000).toLocaleDateString('sv-SE', { timeZone: 'Europe/Paris' });
/** Accents off, lower case: a name must not appear in any spelling. */
const fold = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('logs of a realistic session', () => {
  let server: RunningServer;
  let chromium: Chromium;
  /** Personal data, health data and secrets met during the run: none may reach the logs. */
  const secrets = new Set<string>([
    'MARTIN',
    'Camille',
    'DURAND',
    'Sophie',
    'LEFÈVRE',
    'LEFEVRE',
    'Jean-Pierre',
    'ROUX',
    'Hélène',
    'camille.martin@cabinet-martin.example',
    'jp.lefevre@medecins-lyon6.example',
    SOPHIE_EMAIL,
    SOPHIE_PASSWORD,
    MARTIN,
    SOPHIE,
    '810002345675',
    LEFEVRE_RPPS,
    '10001234565',
    'lefevre',
    'lefèvre',
  ]);
  const keep = (...values: unknown[]) => {
    for (const v of values) {
      if (typeof v === 'string' && v.trim().length >= 4) secrets.add(v.trim());
      else if (v && typeof v === 'object') keep(...Object.values(v));
    }
  };

  beforeAll(async () => {
    [server, chromium] = await Promise.all([
      startServer({ env: { LOG_LEVEL: 'trace' }, readyTimeoutMs: 120_000 }),
      launchBrowser(),
    ]);
  });
  afterAll(async () => {
    await chromium?.close();
    await server?.stop();
  });

  it('drives a session through the API and the web app', async () => {
    // Dr MARTIN signs in with the local Pro Santé Connect and opens her dossiers.
    const martin = new Browser(server.url);
    const callback = await signInAtProvider(martin, { card: MARTIN }, { returnTo: '/dossiers' });
    const callbackUrl = new URL(callback);
    keep(callbackUrl.searchParams.get('code'), callbackUrl.searchParams.get('state'));
    expect((await martin.get(callback)).status).toBe(302);
    keep(martin.cookies.get('sid'), martin.cookies.get('dd_browser'), await martin.csrf());
    expect(json(await martin.get('/api/me')).familyName).toBe('MARTIN');
    await martin.get('/api/access/contexts');
    const list = json(await martin.get('/api/dossiers'));
    expect(list.dossiers.length).toBeGreaterThan(5);
    for (const d of list.dossiers.slice(0, 8)) {
      const full = json(await martin.get(`/api/dossiers/${d.id}`));
      keep(
        full.patient,
        full.administrative,
        full.medical,
        full.requests.map((r: { establishment: string }) => r.establishment),
      );
      await martin.get(`/api/access/explain?dossier=${d.id}&action=read_medical`);
    }
    // A new dossier, completed with medical content, and a request sent.
    const patient = {
      familyName: 'QUENTIN-VALLAURIS',
      givenName: 'Apolline',
      birthDate: '1931-07-14',
      sex: 'F',
    };
    const administrative = {
      address: '7 impasse des Glycines, 69003 Lyon',
      phone: '04 78 11 22 33',
      trustedPerson: 'Bérénice QUENTIN-VALLAURIS (fille)',
    };
    keep(patient, administrative);
    const created = await martin.api('POST', '/api/dossiers', { patient, administrative });
    expect(created.status).toBe(201);
    const dossierId = json(created).id as string;
    const medical = {
      antecedents: 'Fracture du col fémoral gauche opérée',
      pathologies: 'Démence à corps de Lewy débutante',
      treatments: 'Rivastigmine patch 4,6 mg',
      gir: 3,
    };
    keep(medical);
    expect(
      (await martin.api('PUT', `/api/dossiers/${dossierId}/medical`, { version: 1, medical })).status,
    ).toBe(200);
    const establishment = 'EHPAD Les Tilleuls-Témoins de Vaise';
    keep(establishment);
    expect((await martin.api('POST', `/api/dossiers/${dossierId}/requests`, { establishment })).status).toBe(
      201,
    );
    // Mistakes: a name where a number goes, a wrong patient, an unknown dossier.
    const refused = await martin.api('POST', '/api/dossiers', {
      patient: { ...patient, birthDate: 'Apolline QUENTIN-VALLAURIS' },
    });
    expect(refused.status).toBe(400);
    expect((await martin.get('/api/dossiers/00000000-0000-4000-8000-000000000000')).status).toBe(404);

    // The directory: the search a doctor types, and the colleague found.
    for (const q of ['lefevre', 'LEFÈVRE Jean-Pierre', 'lefevre&postalCode=69006', 'zzzq']) {
      expect((await martin.get(`/api/directory/search?name=${q}`)).status).toBe(200);
    }
    const found = json(await martin.get('/api/directory/search?name=lefevre%20jean-pierre&postalCode=69006'));
    const colleague = found.items.find((p: { rpps: string | null }) => p.rpps === LEFEVRE_RPPS);
    expect(colleague?.familyName).toBe('LEFÈVRE');
    for (const p of found.items.slice(0, 5)) keep(p.familyName, p.givenName, p.rpps, p.nationalId);
    await martin.get(`/api/directory/people/${LEFEVRE_RPPS}`);
    const peer = await martin.api('POST', '/api/delegations/peer', {
      rpps: LEFEVRE_RPPS,
      startsOn: today(),
      endsOn: inDays(30),
    });
    expect(peer.status, peer.text).toBe(201);

    // A staff delegation for Sophie DURAND, with her email: the invitation goes through SMTP.
    const staff = await martin.api('POST', '/api/delegations/staff', {
      familyName: 'DURAND',
      givenName: 'Sophie',
      email: SOPHIE_EMAIL,
      profession: 'Secrétaire médical(e)',
      rights: ['consulter', 'gerer'],
      startsOn: today(),
      endsOn: null,
    });
    expect(staff.status).toBe(201);
    const badEmail = await martin.api('POST', '/api/delegations/staff', {
      familyName: 'DURAND',
      givenName: 'Sophie',
      email: 'sophie.durand@@cabinet-martin',
      profession: 'Secrétaire médical(e)',
      rights: [],
      startsOn: today(),
      endsOn: null,
    });
    expect(badEmail.status).toBe(400);
    await martin.get('/api/delegations');
    let token: string | undefined;
    for (let i = 0; i < 100 && !token; i++) {
      const { emails } = json(await martin.get('/api/demo/emails'));
      const invitation = emails.find((e: { to: string }) => e.to.includes(SOPHIE_EMAIL));
      if (invitation) {
        const mail = json(await martin.get(`/api/demo/emails/${invitation.id}`));
        keep(mail.subject);
        token = /\/invitation\/([\w-]+)/.exec(mail.text)?.[1];
      } else await new Promise((r) => setTimeout(r, 200));
    }
    expect(token).toBeDefined();
    keep(token);

    // Sophie opens the link, signs in with her CPx card, completes her first sign-in, accepts.
    const sophie = new Browser(server.url);
    expect((await sophie.get(`/invitation/${token}`)).status).toBe(200);
    expect((await sophie.get(`/api/invitations/${token}`)).status).toBe(200);
    await signInAs(sophie, SOPHIE, `/invitation/${token}`);
    keep(sophie.cookies.get('sid'), sophie.cookies.get('dd_browser'));
    const first = await sophie.api('POST', '/api/first-sign-in', {
      password: SOPHIE_PASSWORD,
      passwordConfirmation: SOPHIE_PASSWORD,
      profession: 'secretaire',
      charterVersion: CURRENT_CHARTER.version,
      charterAccepted: true,
      email: SOPHIE_EMAIL,
    });
    expect(first.status).toBe(200);
    expect((await sophie.api('POST', `/api/invitations/${token}/accept`)).status).toBe(200);
    expect((await sophie.api('POST', `/api/invitations/${token}/accept`)).status).toBeGreaterThanOrEqual(400);
    const delegated = json(await sophie.get('/api/dossiers'));
    expect(delegated.dossiers.length).toBeGreaterThan(5);
    await sophie.get(`/api/dossiers/${dossierId}`);
    await sophie.get(`/api/dossiers/${dossierId}?onBehalfOf=${delegated.onBehalfOf}`);
    await sophie.get('/api/journal?scope=actions');
    // Her password sign-in, wrong then right, with her email as identifier.
    const later = new Browser(server.url);
    await later.get('/api/session');
    const wrong = await later.api('POST', '/api/auth/password', {
      identifier: SOPHIE_EMAIL,
      password: 'Mauvais-Mot-2026',
    });
    expect(wrong.status).toBe(401);
    keep('Mauvais-Mot-2026');
    // The failure delays the next attempt by a second or two.
    const retryAfter = Number(
      (
        await later.api('POST', '/api/auth/password', { identifier: SOPHIE_EMAIL, password: SOPHIE_PASSWORD })
      ).headers.get('retry-after') ?? 0,
    );
    await new Promise((r) => setTimeout(r, retryAfter * 1000 + 100));
    const right = await later.api('POST', '/api/auth/password', {
      identifier: SOPHIE_EMAIL,
      password: SOPHIE_PASSWORD,
    });
    expect(right.status).toBe(200);
    await passkeySecondFactor(later, new SoftPasskey());
    keep(later.cookies.get('sid'));
    await later.api('POST', '/api/auth/logout');

    // Back to Dr MARTIN: the journal, its export, and signing out.
    expect((await martin.get('/api/journal')).status).toBe(200);
    expect((await martin.get('/api/journal.csv')).status).toBe(200);
    await martin.get('/api/journal/actors');
    expect((await martin.api('POST', '/api/auth/logout')).status).toBe(200);
    expect((await martin.get('/api/dossiers')).status).toBe(401);

    // A malformed request (Node's parser keeps its raw bytes: URL, cookies) is logged at trace.
    const sid = sophie.cookies.get('sid') as string;
    await new Promise<void>((resolve) => {
      const socket = net.connect(server.port, '127.0.0.1', () =>
        socket.write(
          `GET /api/directory/search?name=lefevre HTTP/1.1\r\nHost: x\r\nCookie: sid=${sid}\r\nBad Header\r\n\r\n`,
        ),
      );
      socket.on('data', () => {});
      socket.on('close', () => resolve());
    });

    // The web app in Chromium: sign-in through the local provider and the dossiers pages.
    const context = await chromium.newContext({ locale: 'fr-FR', timezoneId: 'Europe/Paris' });
    context.setDefaultTimeout(20_000);
    try {
      const page = await context.newPage();
      await page.goto(`${server.url}/connexion?retour=${encodeURIComponent('/dossiers')}`);
      await page.getByRole('link', { name: 'Se connecter avec Pro Santé Connect' }).click();
      await page.getByRole('button', { name: 'Se connecter en tant que Camille MARTIN' }).click();
      await page.getByRole('banner').getByText('Camille MARTIN').first().waitFor();
      const browserSid = (await context.cookies()).find((c) => c.name === 'sid')?.value;
      keep(browserSid);
      await page.goto(`${server.url}/dossiers/${dossierId}`);
      await page.getByText('QUENTIN-VALLAURIS').first().waitFor();
      await page.goto(`${server.url}/delegations`);
      await page.getByText('Sophie').first().waitFor();
      await page.goto(`${server.url}/journal`);
      await page.waitForLoadState('networkidle');
    } finally {
      await context.close();
    }
  });

  it('finds none of it in the logs', () => {
    const logs = server.logs();
    // The logs are there and are JSON lines with request ids.
    const lines = logs.split('\n').filter((l) => l.startsWith('{'));
    const requests = lines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'request');
    expect(requests.length).toBeGreaterThan(50);
    expect(requests.every((r) => typeof r.reqId === 'string' && typeof r.route === 'string')).toBe(true);

    // A Buffer serialized by a logger is a list of bytes: read it as text too.
    const text = logs.replace(/\{"type":"Buffer","data":\[([\d,]*)\]\}/g, (_m, bytes: string) =>
      Buffer.from(bytes.split(',').filter(Boolean).map(Number)).toString('latin1'),
    );
    const folded = fold(text);
    const leaks = [...secrets].filter((s) => {
      if (text.includes(s)) return true;
      // Names and words in any case and without accents, as whole words.
      return new RegExp(`(^|[^a-z0-9])${escapeRegExp(fold(s))}($|[^a-z0-9])`).test(folded);
    });
    expect(secrets.size).toBeGreaterThan(60);
    // Bytes of a request or a row serialized as a Buffer would escape the text search.
    expect(logs).not.toContain('"type":"Buffer"');
    expect(logs).not.toContain('rawPacket');
    expect(logs).toContain('"code":"HPE_INVALID_HEADER_TOKEN"');
    expect(leaks, `found in the logs:\n${leaks.map((s) => `  ${s}`).join('\n')}`).toEqual([]);
  });

  it('logs an error by its type, code and stack frames only', () => {
    const err = Object.assign(new Error('duplicate key (email)=(sophie.durand@cabinet-martin.example)'), {
      code: '23505',
      detail: 'Key (email)=(sophie.durand@cabinet-martin.example) already exists.',
      rawPacket: Buffer.from('GET /?name=lefevre'),
    });
    const logged = JSON.stringify(safeError(err));
    expect(logged).toContain('"code":"23505"');
    expect(logged).not.toMatch(/sophie|lefevre|rawPacket|detail/);
  });
});
