// « Réactiver » over HTTP: only the doctor who gave the delegation, only a suspended one, clear
// French refusals (never a 500), and the route in the OpenAPI document.
import { afterAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../helpers/app.js';
import { sessionFor } from '../helpers/session.js';
import { createUser, DEMO } from '../helpers/users.js';

describe('reactivation over HTTP', async () => {
  const t = await createTestApp();
  afterAll(() => t.close());
  const martin = await createUser(t.ctx.db, DEMO.martin);
  const roux = await createUser(t.ctx.db, DEMO.roux);
  const durand = await createUser(t.ctx.db, DEMO.durand);
  const asMartin = await sessionFor(t, martin.id);
  const asRoux = await sessionFor(t, roux.id);
  const asDurand = await sessionFor(t, durand.id);
  const today = new Date().toLocaleDateString('sv-SE', { timeZone: 'Europe/Paris' });
  const suspendedAt = new Date(Date.now() - 3600 * 1000);
  const { id } = await t.ctx.db
    .insertInto('delegations')
    .values({
      delegator_id: martin.id,
      kind: 'staff',
      delegate_family_name: durand.familyName,
      delegate_given_name: durand.givenName,
      delegate_email: DEMO.durand.email,
      delegate_national_id: durand.subjectNameId,
      rights: ['consulter'],
      starts_on: today,
      ends_on: null,
      accepted_at: new Date(Date.now() - 200 * 24 * 3600 * 1000),
      suspended_at: suspendedAt,
      suspended_unused_since: new Date(Date.now() - 100 * 24 * 3600 * 1000),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const reactivate = (headers: Record<string, string>, rid = id) =>
    t.app.inject({ method: 'POST', url: `/api/delegations/${rid}/reactivate`, headers });

  it('refuses others, in French; reactivates once for the doctor', async () => {
    const list = await t.app.inject({ method: 'GET', url: '/api/delegations', headers: asMartin.headers });
    const line = list.json().staff.find((d: { id: string }) => d.id === id);
    expect(line).toMatchObject({ status: 'suspended', actions: ['reactivate', 'modify', 'delete'] });

    const bad = await reactivate(asMartin.write, 'pas-un-id');
    expect(bad.statusCode).toBe(404);
    expect(bad.json().message).toBe('Cette délégation n’existe pas ou ne vous appartient pas.');
    expect((await reactivate(asRoux.write)).statusCode).toBe(404);
    expect((await reactivate(asDurand.write)).statusCode).toBe(403);

    expect((await reactivate(asMartin.write)).statusCode).toBe(204);
    const again = await reactivate(asMartin.write);
    expect(again.statusCode).toBe(409);
    expect(again.json().message).toBe('Cette délégation est déjà active.');
    const after = await t.app.inject({ method: 'GET', url: '/api/delegations', headers: asMartin.headers });
    expect(after.json().staff.find((d: { id: string }) => d.id === id)?.status).toBe('active');
  });

  it('is in the OpenAPI document', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json() as {
      paths: Record<string, Record<string, { summary?: string }>>;
    };
    expect(doc.paths['/api/delegations/{id}/reactivate']?.post?.summary).toContain('Réactiver');
  });
});
