// CSRF is decided on the route the router matched, not on a prefix of the raw URL: every
// state-changing route of the OpenAPI document, sent without the CSRF token (and with a forged
// one) under every other spelling of its path — percent-encoded letters (`/%61pi/…`), an encoded
// slash (`/%2Fapi/…`), doubled slashes, dot segments, trailing dots and slashes, other case — is
// refused: never a success, never a 5xx, no table changed, still signed in after a sign-out.
// The spellings the router decodes to the route itself must meet the CSRF refusal.
import crypto from 'node:crypto';
import http from 'node:http';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { sessionFor } from '../helpers/session.js';
import { createUser, DEMO } from '../helpers/users.js';
import { startListeningApp } from './helpers.js';

interface RawAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One request with its path sent byte for byte (fetch and inject would normalise it). */
function raw(
  base: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<RawAnswer> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: hostname, port, method, path, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => {
        text += d;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

const pct = (c: string) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`;

/**
 * Other spellings of `/api/<rest>`: `decoded` ones reach the same route (the router decodes
 * them), the others reach no route at all.
 */
function spellings(path: string): { decoded: string[]; others: string[] } {
  const rest = path.replace(/^\/api\//, '');
  const first = rest.slice(0, 1);
  return {
    decoded: [
      `/%61pi/${rest}`,
      `/ap%69/${rest}`,
      `/%61%70%69/${rest}`,
      `/api/${pct(first)}${rest.slice(1)}`,
      `/api/${rest
        .split('')
        .map((c) => (/[a-z]/.test(c) ? pct(c) : c))
        .join('')}`,
    ],
    others: [
      `/%2Fapi/${rest}`,
      `/%2fapi/${rest}`,
      `/api%2F${rest}`,
      `//api/${rest}`,
      `///api/${rest}`,
      `/api//${rest}`,
      `/./api/${rest}`,
      `/api/./${rest}`,
      `/%2e/api/${rest}`,
      `/x/../api/${rest}`,
      `/x/%2e%2e/api/${rest}`,
      `/api./${rest}`,
      `/api/${rest}.`,
      `/api/${rest}/`,
      `/api/${rest}%2F`,
      `/API/${rest}`,
      `/Api/${rest}`,
      `/api/${rest.toUpperCase()}`,
      `/%41PI/${rest}`,
      `/api;/${rest}`,
    ],
  };
}

describe('CSRF on every state-changing route, whatever the spelling of its path', async () => {
  const t = await startListeningApp();
  afterAll(() => t.close());
  const martin = await createUser(t.ctx.db, DEMO.martin);
  await createUser(t.ctx.db, DEMO.lefevre);
  const today = new Date().toLocaleDateString('sv-SE', { timeZone: 'Europe/Paris' });

  // Real rows, so that a request slipping past the check would really change something.
  const setup = await sessionFor(t, martin.id);
  const patient = { familyName: 'DUPONT', givenName: 'Marcel', birthDate: '1938-04-02', sex: 'M' };
  const dossier = await t.app.inject({
    method: 'POST',
    url: '/api/dossiers',
    headers: setup.write,
    payload: { patient, administrative: { address: '12 rue Garibaldi, 69003 Lyon' } },
  });
  const dossierId = dossier.json().id as string;
  const medical = await t.app.inject({
    method: 'PUT',
    url: `/api/dossiers/${dossierId}/medical`,
    headers: setup.write,
    payload: { version: 1, medical: { pathologies: 'Insuffisance cardiaque', gir: 2 } },
  });
  const version = medical.json().version as number;
  const transfer = await t.app.inject({
    method: 'POST',
    url: `/api/dossiers/${dossierId}/requests`,
    headers: setup.write,
    payload: { establishment: 'EHPAD Les Glycines' },
  });
  const staff = await t.app.inject({
    method: 'POST',
    url: '/api/delegations/staff',
    headers: setup.write,
    payload: {
      familyName: 'DURAND',
      givenName: 'Sophie',
      email: 'sophie.durand@exemple.fr',
      profession: 'Secrétaire médical(e)',
      rights: ['consulter'],
      startsOn: today,
      endsOn: null,
    },
  });
  expect([dossier.statusCode, medical.statusCode, transfer.statusCode, staff.statusCode]).toEqual([
    201, 200, 201, 201,
  ]);
  const delegationId = staff.json().id as string;
  const outbox = await t.ctx.db.selectFrom('mail_outbox').select('text_body').execute();
  const token = outbox.map((m) => /\/invitation\/([\w-]+)/.exec(m.text_body)?.[1]).find(Boolean) as string;

  const concrete = (path: string) =>
    path.replace(/\{(\w+)\}/g, (_m, name: string) => {
      if (name === 'requestId') return transfer.json().id as string;
      if (name === 'token') return token;
      return path.startsWith('/api/dossiers') ? dossierId : delegationId;
    });
  const bodies: Record<string, unknown> = {
    'POST /api/auth/password': { identifier: 'inconnu@exemple.fr', password: 'Mot-de-passe-2026!' },
    'POST /api/account/email': { email: 'camille.martin@exemple.fr' },
    'POST /api/account/email/confirm': { token: 'a'.repeat(43) },
    'POST /api/delegations/staff': {
      familyName: 'GARNIER',
      givenName: 'Léa',
      email: 'lea.garnier@exemple.fr',
      profession: 'Assistant(e) médical(e)',
      rights: ['consulter', 'gerer'],
      startsOn: today,
      endsOn: null,
    },
    'POST /api/delegations/peer': { rpps: '10002345675', startsOn: today, endsOn: '2099-12-31' },
    'PATCH /api/delegations/{id}': {
      version: 1,
      rights: ['consulter', 'gerer'],
      startsOn: today,
      endsOn: null,
    },
    'POST /api/dossiers': { patient: { ...patient, givenName: 'Henri' } },
    'PUT /api/dossiers/{id}/administrative': {
      version,
      patient,
      administrative: { phone: '04 78 00 00 01' },
    },
    'PUT /api/dossiers/{id}/medical': { version, medical: { pathologies: 'Insuffisance cardiaque', gir: 3 } },
    'POST /api/dossiers/{id}/requests': { establishment: 'EHPAD Les Lilas' },
  };

  const tables = (
    await sql<{ name: string }>`
      select quote_ident(table_schema) || '.' || quote_ident(table_name) as name
      from information_schema.tables
      where table_type = 'BASE TABLE'
        and (table_schema = 'public' or (table_schema = 'graphile_worker' and table_name = '_private_jobs'))
        and table_name not in ('sessions', 'rate_limits', 'kysely_migration', 'kysely_migration_lock')
      order by 1`.execute(t.ctx.db)
  ).rows.map((r) => r.name);
  const snapshotQuery = `select ${tables
    .map((n) => `(select md5(coalesce(string_agg(x::text, '|' order by x::text), '')) from ${n} x) as "${n}"`)
    .join(', ')}`;
  const snapshot = async () =>
    (await sql.raw<Record<string, string>>(snapshotQuery).execute(t.ctx.db)).rows[0];

  const doc = (await t.app.inject('/api/openapi.json')).json() as {
    paths: Record<string, Record<string, unknown>>;
  };
  // Pro Santé Connect's back-channel logout is called server to server, without a browser or a
  // cookie: it is authenticated by its signed logout token (test/identity/psc-backchannel-logout).
  const serverToServer = new Set(['/auth/psc/backchannel-logout']);
  const writes = Object.entries(doc.paths)
    .filter(([path]) => !serverToServer.has(path))
    .flatMap(([path, ops]) =>
      Object.keys(ops)
        .filter((m) => ['post', 'put', 'patch', 'delete'].includes(m))
        .map((m) => ({ method: m.toUpperCase(), path, key: `${m.toUpperCase()} ${path}` })),
    );

  it('lists the state-changing routes of the OpenAPI document', () => {
    expect(writes.map((w) => w.key)).toEqual(
      expect.arrayContaining([
        'POST /api/delegations/staff',
        'DELETE /api/delegations/{id}',
        'POST /api/delegations/{id}/resend',
        'POST /api/auth/logout',
        'PUT /api/dossiers/{id}/medical',
      ]),
    );
    expect(writes.length).toBeGreaterThanOrEqual(15);
  });

  for (const write of writes) {
    it(`${write.key}: refused without a valid CSRF token under every spelling`, async () => {
      const path = concrete(write.path);
      const { decoded, others } = spellings(path);
      const body = bodies[write.key];
      for (const [spelling, reachesRoute] of [
        ...decoded.map((s) => [s, true] as const),
        ...others.map((s) => [s, false] as const),
      ]) {
        for (const csrf of reachesRoute ? (['none', 'forged'] as const) : (['none'] as const)) {
          const session = await sessionFor(t, martin.id);
          const headers: Record<string, string> = {
            cookie: `${session.cookie}; dd_browser=${crypto.randomBytes(32).toString('base64url')}`,
          };
          if (csrf === 'forged') headers['x-csrf-token'] = crypto.randomBytes(32).toString('base64url');
          if (body !== undefined) headers['content-type'] = 'application/json';
          const before = await snapshot();
          const res = await raw(
            t.url,
            write.method,
            spelling,
            headers,
            body === undefined ? undefined : JSON.stringify(body),
          );
          const what = `${write.method} ${spelling} (${csrf}) → ${res.status} ${res.body.slice(0, 200)}`;
          expect(res.status, what).toBeGreaterThanOrEqual(400);
          expect(res.status, what).toBeLessThan(500);
          if (reachesRoute) {
            expect(res.status, what).toBe(403);
            expect(JSON.parse(res.body).code, what).toBe('csrf_invalid');
          } else {
            expect([400, 403, 404], what).toContain(res.status);
          }
          expect(await snapshot(), what).toEqual(before);
          if (write.key === 'POST /api/auth/logout') {
            // Not signed out either.
            const me = await t.app.inject({ url: '/api/me', headers: session.headers });
            expect(me.statusCode, what).toBe(200);
          }
        }
      }
    });
  }

  it('still accepts the route under an encoded spelling with the right token (same route, same rules)', async () => {
    const session = await sessionFor(t, martin.id);
    const res = await raw(
      t.url,
      'POST',
      `/%61pi/dossiers/${dossierId}/requests`,
      { ...session.write, 'content-type': 'application/json' },
      JSON.stringify({ establishment: 'EHPAD Les Tilleuls' }),
    );
    expect(res.status).toBe(201);
    expect(res.headers['cache-control']).toBe('no-store');
  });
});
