// The confirmation link of a first sign-in goes through the queue and a real local SMTP server,
// appears in "Courriels (démo)", and confirms the address when opened.
import type { Runner } from 'graphile-worker';
import { afterAll, describe, expect, it } from 'vitest';
import { collectTasks } from '../../src/server/app.js';
import { FEATURES } from '../../src/server/composition.js';
import { CURRENT_CHARTER } from '../../src/server/identity/charter/index.js';
import { startWorker } from '../../src/server/platform/jobs.js';
import { Browser, signInAs, startListeningApp } from './helpers.js';

describe('email confirmation through the queue and SMTP', async () => {
  const t = await startListeningApp({ startFeatures: true });
  const { tasks } = collectTasks(t.ctx, FEATURES);
  const worker: Runner = await startWorker({ pool: t.ctx.pool, tasks, pollInterval: 100 });
  afterAll(async () => {
    await worker.stop();
    await t.close();
  });

  it('delivers Léa’s confirmation link to the demo mailbox, and the link confirms her address', async () => {
    const b = new Browser(t.url);
    await signInAs(b, '3690012345/CPET0002');
    const res = await b.api('POST', '/api/first-sign-in', {
      password: 'Maison-de-sante-69001',
      passwordConfirmation: 'Maison-de-sante-69001',
      profession: 'assistant',
      charterVersion: CURRENT_CHARTER.version,
      charterAccepted: true,
      email: 'lea.garnier@msp-pentes.example',
    });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text).emailConfirmationSent).toBe(true);

    let id: string | undefined;
    await expect
      .poll(
        async () => {
          const list = JSON.parse((await b.get('/api/demo/emails')).text).emails as {
            id: string;
            to: string;
            subject: string;
          }[];
          id = list.find((m) => m.to.includes('lea.garnier@msp-pentes.example'))?.id;
          return id;
        },
        { timeout: 15_000, interval: 200 },
      )
      .toBeDefined();
    const mail = JSON.parse((await b.get(`/api/demo/emails/${id}`)).text);
    expect(mail.subject).toBe('Confirmez votre adresse électronique — Délégations de droits');
    expect(mail.text).toContain('Bonjour Léa GARNIER');
    const link = new URL(/https?:\/\/\S+confirmer-courriel\?jeton=[\w-]+/.exec(mail.text)?.[0] as string);
    expect(link.origin).toBe(t.url);
    expect(mail.html).toContain(link.search);

    // Opened in another browser (no session): the page posts the token.
    const elsewhere = new Browser(t.url);
    const confirmed = await elsewhere.api('POST', '/api/account/email/confirm', {
      token: link.searchParams.get('jeton'),
    });
    expect(confirmed.status).toBe(200);
    expect(JSON.parse((await b.get('/api/me')).text)).toMatchObject({
      email: 'lea.garnier@msp-pentes.example',
      emailVerified: true,
    });
  });
});
