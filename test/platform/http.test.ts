import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { AppFeature } from '../../src/server/composition.js';
import { DomainError } from '../../src/server/platform/errors.js';
import { createTestApp } from '../helpers/app.js';

const probe: AppFeature = {
  name: 'probe',
  routes(app) {
    app.post(
      '/api/probe',
      { schema: { body: z.object({ name: z.string().min(2).max(50), age: z.number().int().min(0) }) } },
      async (request) => ({ hello: request.body.name }),
    );
    app.get('/api/probe/domain', async () => {
      throw new DomainError('delegation_self', 'Vous ne pouvez pas vous déléguer vos propres droits.', 422);
    });
    app.get('/api/probe/bug', async () => {
      throw new Error('secret internal detail: Camille MARTIN');
    });
  },
};

describe('HTTP platform', async () => {
  const t = await createTestApp({ features: [probe] });
  afterAll(() => t.close());

  it('answers /health and /ready', async () => {
    expect((await t.app.inject('/health')).json()).toEqual({ status: 'ok' });
    const ready = await t.app.inject('/ready');
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready' });
  });

  it('sends security headers and a request id', async () => {
    const res = await t.app.inject('/health');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['x-request-id']).toMatch(/^[\w-]{8,}$/);
  });

  it('maps a domain error to its status with its code and French message', async () => {
    const res = await t.app.inject('/api/probe/domain');
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({
      code: 'delegation_self',
      message: 'Vous ne pouvez pas vous déléguer vos propres droits.',
    });
  });

  it('never sends a stack trace or an internal message to a client', async () => {
    const res = await t.app.inject('/api/probe/bug');
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain('secret internal detail');
    expect(res.body).not.toContain('at ');
    expect(res.json().message).toMatch(/erreur interne/);
  });

  it('answers invalid input with 400, a French message and the fields', async () => {
    const missing = await t.app.inject({ method: 'POST', url: '/api/probe', payload: {} });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().message).toBe('Certaines informations sont manquantes ou invalides.');
    expect(missing.json().fields.map((f: { path: string }) => f.path)).toEqual(['body.name', 'body.age']);
    const wrongType = await t.app.inject({
      method: 'POST',
      url: '/api/probe',
      payload: { name: 'ab', age: 'x' },
    });
    expect(wrongType.statusCode).toBe(400);
    expect(wrongType.json().fields[0].message).toMatch(/[Aa]ttendu|invalide/);
    const badJson = await t.app.inject({
      method: 'POST',
      url: '/api/probe',
      headers: { 'content-type': 'application/json' },
      payload: '{"name":',
    });
    expect(badJson.statusCode).toBe(400);
    expect(badJson.json().message).toBe('La requête est invalide.');
  });

  it('refuses an oversized body with 413 in French', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/probe',
      payload: { name: 'x'.repeat(1024 * 1024), age: 1 },
    });
    expect(res.statusCode).toBe(413);
    expect(res.json().message).toBe('La requête est trop volumineuse.');
  });

  it('answers unknown API routes with a French 404', async () => {
    const res = await t.app.inject('/api/nothing-here');
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 'not_found', message: 'Ressource introuvable.' });
  });

  it('serves the web app for page routes and the OpenAPI document', async () => {
    const page = await t.app.inject('/delegations');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<div id="root">');
    const doc = await t.app.inject('/api/openapi.json');
    expect(doc.json()).toMatchObject({ openapi: '3.1.0', info: { title: 'Délégations de droits — API' } });
    expect(Object.keys(doc.json().paths)).toContain('/api/probe');
    expect((await t.app.inject('/api/docs/')).statusCode).toBe(200);
  });
});
