// Two application processes on one PostgreSQL (production mode): a rate limit is one budget for
// the whole service, not one per node. Requests alternate between the nodes; the first request
// past the limit is refused, wherever it lands, with a French 429 `rate_limited`.
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Db } from '../../src/server/context.js';
import { createDb, createPool, ensureDatabase } from '../../src/server/platform/database.js';
import type { RunningServer } from '../helpers/server.js';
import {
  Client,
  createDoctorWithPassword,
  type SmtpCapture,
  startNode,
  startSmtpCapture,
} from './support.js';

const FRENCH_429 = /^Trop de (requêtes|recherches)/;

describe('rate limits shared by two nodes on one PostgreSQL', { timeout: 150_000 }, () => {
  let smtp: SmtpCapture;
  let db: Db;
  let a: RunningServer;
  let b: RunningServer;
  const node = (i: number) => (i % 2 ? b.url : a.url);

  beforeAll(async () => {
    smtp = await startSmtpCapture();
    const url = await ensureDatabase(inject('pgServerUrl'), `rl_${crypto.randomBytes(6).toString('hex')}`);
    [a, b] = await Promise.all([
      startNode({ databaseUrl: url, smtpUrl: smtp.url }),
      startNode({ databaseUrl: url, smtpUrl: smtp.url }),
    ]);
    db = createDb(createPool(url, 2));
    await createDoctorWithPassword(db);
  }, 180_000);

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await db?.destroy();
    await smtp?.stop();
  });

  it('an address gets 20 invitation look-ups a minute in all, not 20 per node', async () => {
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 24; i++) {
      last = await fetch(`${node(i)}/api/invitations/${'x'.repeat(32)}`);
      statuses.push(last.status);
    }
    expect(statuses.slice(0, 20)).not.toContain(429);
    expect(statuses.slice(20)).toEqual([429, 429, 429, 429]);
    const body = (await last?.json()) as { code: string; message: string };
    expect(body.code).toBe('rate_limited');
    expect(body.message).toMatch(FRENCH_429);
    expect(Number(last?.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('a session gets 120 journal requests a minute in all, across both nodes', async () => {
    const browser = new Client(a.url);
    await browser.signIn('docteur1@exemple.test');
    const statuses: number[] = [];
    for (let i = 0; i < 124; i++)
      statuses.push((await browser.request('GET', '/api/journal', undefined, node(i))).status);
    expect(statuses.slice(0, 120)).toEqual(Array(120).fill(200));
    expect(statuses.slice(120)).toEqual([429, 429, 429, 429]);
    const refused = await browser.request('GET', '/api/journal', undefined, b.url);
    expect(refused.body).toMatchObject({ code: 'rate_limited' });
    expect(String(refused.body.message)).toMatch(FRENCH_429);
  });

  it('a session gets 300 dossier requests and 60 directory searches a minute in all, across both nodes', async () => {
    const browser = new Client(b.url);
    await browser.signIn('docteur1@exemple.test');
    const dossiers: number[] = [];
    for (let i = 0; i < 302; i++)
      dossiers.push((await browser.request('GET', '/api/dossiers', undefined, node(i))).status);
    expect(dossiers.slice(0, 300)).toEqual(Array(300).fill(200));
    expect(dossiers.slice(300)).toEqual([429, 429]);

    const searches: number[] = [];
    for (let i = 0; i < 62; i++)
      searches.push(
        (await browser.request('GET', '/api/directory/search?name=martin', undefined, node(i))).status,
      );
    expect(searches.slice(0, 60)).toEqual(Array(60).fill(200));
    expect(searches.slice(60)).toEqual([429, 429]);
  });
});
