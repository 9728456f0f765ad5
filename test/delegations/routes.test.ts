// "Mes délégations" through HTTP, as the web app calls it: who may call what, hostile and
// oversized input answered 4xx with a French message and nothing persisted, CSRF required.
import type { InjectOptions } from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../helpers/app.js';
import { sessionFor } from '../helpers/session.js';
import { createUser, DEMO } from '../helpers/users.js';

describe('delegations over HTTP', async () => {
  const t = await createTestApp();
  afterAll(() => t.close());
  const martin = await createUser(t.ctx.db, DEMO.martin);
  const durand = await createUser(t.ctx.db, DEMO.durand);
  const asMartin = await sessionFor(t, martin.id);
  const asDurand = await sessionFor(t, durand.id);
  const inject = (request: InjectOptions) => t.app.inject(request);
  const today = new Date().toLocaleDateString('sv-SE', { timeZone: 'Europe/Paris' });
  const staff = {
    familyName: 'DURAND',
    givenName: 'Sophie',
    email: 'sophie.durand@cabinet-martin.example',
    profession: 'Secrétaire médical(e)',
    rights: ['consulter', 'gerer'],
    startsOn: today,
    endsOn: null,
  };

  const counts = async () => {
    const n = async (table: 'delegations' | 'invitations' | 'mail_outbox' | 'journal_entries') =>
      Number(
        (
          await t.ctx.db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    return {
      delegations: await n('delegations'),
      invitations: await n('invitations'),
      mails: await n('mail_outbox'),
      journal: await n('journal_entries'),
    };
  };

  /** A refusal: 4xx, a French sentence, and nothing written anywhere. */
  async function expectRefused(request: InjectOptions, status: number | RegExp, message?: string | RegExp) {
    const before = await counts();
    const res = await inject(request);
    if (typeof status === 'number') expect(res.statusCode, res.body).toBe(status);
    else expect(String(res.statusCode)).toMatch(status);
    const body = res.json() as { message: string; fields?: { path: string; message: string }[] };
    expect(body.message).toMatch(/[éèàùâêîôûç]|^[A-Z][a-z’' ]+/);
    expect(body.message).not.toMatch(/\b(the|must|invalid|required|expected)\b/i);
    if (message)
      expect([body.message, ...(body.fields ?? []).map((f) => f.message)].join(' | ')).toMatch(message);
    expect(await counts()).toEqual(before);
    return body;
  }

  it('requires a session (401) and the CSRF token (403) to add a delegation', async () => {
    await expectRefused({ method: 'POST', url: '/api/delegations/staff', payload: staff }, /^40[13]$/);
    await expectRefused(
      { method: 'POST', url: '/api/delegations/staff', headers: asMartin.headers, payload: staff },
      403,
    );
    await expectRefused(
      {
        method: 'POST',
        url: '/api/delegations/staff',
        headers: { ...asMartin.headers, 'x-csrf-token': 'forged' },
        payload: staff,
      },
      403,
    );
    const list = await inject({ method: 'GET', url: '/api/delegations' });
    expect(list.statusCode).toBe(401);
    expect(list.json().message).toBe('Vous devez vous connecter pour accéder à cette page.');
  });

  it('refuses "Mes délégations" to a non-doctor, in French', async () => {
    const list = await inject({ method: 'GET', url: '/api/delegations', headers: asDurand.headers });
    expect(list.statusCode).toBe(403);
    expect(list.json().message).toBe('Seuls les médecins peuvent déléguer la gestion de leurs dossiers.');
    await expectRefused(
      { method: 'POST', url: '/api/delegations/staff', headers: asDurand.write, payload: staff },
      403,
      'Seuls les médecins peuvent déléguer',
    );
    const received = await inject({
      method: 'GET',
      url: '/api/delegations/received',
      headers: asDurand.headers,
    });
    expect(received.statusCode).toBe(200);
    expect(received.json()).toEqual({ delegations: [] });
  });

  it('answers hostile and oversized staff input with the field in error, in French, and keeps nothing', async () => {
    const post = (payload: unknown) => ({
      method: 'POST' as const,
      url: '/api/delegations/staff',
      headers: asMartin.write,
      payload: payload as Record<string, unknown>,
    });
    let body = await expectRefused(post({ ...staff, familyName: '<script>alert(1)</script>' }), 400);
    expect(body.fields?.[0]).toMatchObject({
      path: 'body.familyName',
      message: 'Lettres, espaces, apostrophes et traits d’union uniquement.',
    });
    body = await expectRefused(
      post({ ...staff, givenName: 'A'.repeat(10_000) }),
      400,
      '100 caractères au plus.',
    );
    await expectRefused(post({ ...staff, email: 'pas-une-adresse' }), 400, 'Adresse électronique invalide.');
    await expectRefused(
      post({ ...staff, email: `${'a'.repeat(250)}@example.fr` }),
      400,
      /trop longue|invalide/,
    );
    await expectRefused(post({ ...staff, rights: ['administrer'] }), 400, 'Droit inconnu.');
    await expectRefused(post({ ...staff, rights: Array(50).fill('gerer') }), 400);
    await expectRefused(post({ ...staff, rights: [] }), 422, 'Choisissez au moins un droit d’accès.');
    await expectRefused(
      post({ ...staff, startsOn: '2026-02-30' }),
      422,
      'La date de début n’est pas une date valide.',
    );
    await expectRefused(
      post({ ...staff, startsOn: '01/12/2026' }),
      400,
      'Date au format AAAA-MM-JJ attendue.',
    );
    await expectRefused(
      post({ ...staff, startsOn: '2000-01-01' }),
      422,
      'La date de début ne peut pas être dans le passé.',
    );
    await expectRefused(
      post({ ...staff, endsOn: '2000-01-01' }),
      422,
      /La date de fin doit être postérieure/,
    );
    await expectRefused(
      post({ ...staff, email: martin.email }),
      422,
      'Vous ne pouvez pas vous déléguer vos propres droits.',
    );
    await expectRefused(post({ ...staff, profession: 42 }), 400);
    await expectRefused(
      {
        method: 'POST',
        url: '/api/delegations/staff',
        headers: { ...asMartin.write, 'content-type': 'application/json' },
        payload: '{"familyName": ',
      },
      400,
    );
    await expectRefused(
      {
        method: 'POST',
        url: '/api/delegations/staff',
        headers: { ...asMartin.write, 'content-type': 'text/plain' },
        payload: JSON.stringify(staff),
      },
      400,
      'objet attendu',
    );
    // A body over the limit is refused before it is read.
    await expectRefused(
      {
        method: 'POST',
        url: '/api/delegations/staff',
        headers: { ...asMartin.write, 'content-type': 'application/json' },
        payload: JSON.stringify({ ...staff, profession: 'x'.repeat(2_000_000) }),
      },
      413,
      'La requête est trop volumineuse.',
    );
    // Prototype pollution attempts are rejected by the JSON parser.
    await expectRefused(
      {
        method: 'POST',
        url: '/api/delegations/staff',
        headers: { ...asMartin.write, 'content-type': 'application/json' },
        payload: `{"__proto__": {"isDoctor": true}, ${JSON.stringify(staff).slice(1)}`,
      },
      400,
    );
  });

  it('answers hostile peer input and unknown identifiers in French', async () => {
    const post = (payload: unknown) => ({
      method: 'POST' as const,
      url: '/api/delegations/peer',
      headers: asMartin.write,
      payload: payload as Record<string, unknown>,
    });
    await expectRefused(
      post({ rpps: '123', startsOn: today, endsOn: today }),
      400,
      'Le numéro RPPS comporte 11 chiffres.',
    );
    await expectRefused(post({ rpps: "1' OR '1'='1", startsOn: today, endsOn: today }), 400);
    await expectRefused(
      post({ rpps: '19999999999', startsOn: today, endsOn: today }),
      422,
      'Ce numéro RPPS ne correspond à aucun professionnel de l’annuaire national.',
    );
    for (const [method, url] of [
      ['PATCH', '/api/delegations/00000000-0000-4000-8000-000000000000'],
      ['DELETE', '/api/delegations/00000000-0000-4000-8000-000000000000'],
      ['POST', '/api/delegations/not-a-uuid/resend'],
    ] as const) {
      await expectRefused(
        {
          method,
          url,
          headers: asMartin.write,
          ...(method === 'PATCH' ? { payload: { version: 1, startsOn: today, endsOn: null } } : {}),
        },
        404,
        'Cette délégation n’existe pas ou ne vous appartient pas.',
      );
    }
    await expectRefused(
      { method: 'DELETE', url: `/api/delegations/${'x'.repeat(90)}`, headers: asMartin.write },
      400,
    );
    await expectRefused(
      { method: 'GET', url: `/api/invitations/${'x'.repeat(60)}%27%3B--` },
      404,
      'Ce lien d’invitation n’est pas valide.',
    );
    // Longer than a route parameter may be: refused by the router itself.
    await expectRefused({ method: 'GET', url: `/api/invitations/${'x'.repeat(500)}` }, 414);
    await expectRefused(
      { method: 'GET', url: `/api/invitations/${'x'.repeat(43)}` },
      404,
      'Ce lien d’invitation n’est pas valide.',
    );
    await expectRefused(
      { method: 'POST', url: `/api/invitations/${'x'.repeat(43)}/accept`, headers: asDurand.write },
      404,
      'Ce lien d’invitation n’est pas valide.',
    );
  });

  it('adds, then refuses a stale modification (409) and a second delegation to the same person (409 with "Modifier")', async () => {
    const created = await inject({
      method: 'POST',
      url: '/api/delegations/staff',
      headers: asMartin.write,
      payload: staff,
    });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().id as string;
    const list = await inject({ method: 'GET', url: '/api/delegations', headers: asMartin.headers });
    const view = list.json().staff[0];
    expect(view).toMatchObject({
      id,
      status: 'pending',
      actions: ['modify', 'delete', 'resend'],
      version: 1,
    });

    const modified = await inject({
      method: 'PATCH',
      url: `/api/delegations/${id}`,
      headers: asMartin.write,
      payload: { version: 1, rights: ['volet_medical'], startsOn: today, endsOn: null },
    });
    expect(modified.statusCode, modified.body).toBe(200);
    expect(modified.json().version).toBe(2);

    const stale = await expectRefused(
      {
        method: 'PATCH',
        url: `/api/delegations/${id}`,
        headers: asMartin.write,
        payload: { version: 1, rights: ['envoyer'], startsOn: today, endsOn: null },
      },
      409,
      'Cette délégation a été modifiée entre-temps.',
    );
    expect(stale).toMatchObject({ code: 'delegation_stale' });

    const again = await expectRefused(
      {
        method: 'POST',
        url: '/api/delegations/staff',
        headers: asMartin.write,
        payload: { ...staff, email: staff.email.toUpperCase() },
      },
      409,
      'Une délégation de droits existe déjà pour cette personne.',
    );
    expect(again).toMatchObject({ code: 'delegation_exists', delegationId: id, action: 'Modifier' });
  });
});
