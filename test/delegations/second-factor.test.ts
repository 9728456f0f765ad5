// Strong authentication seen from the delegations (issue 14): the session's strength is a fact of
// the one decision — a delegation marked « Connexion par carte CPx ou e-CPS obligatoire » is
// refused in a password session, with the reason in French, journaled — and the delegating
// doctor sees how the delegate signs in and can reset the delegate's second factor.
import crypto from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { decide } from '../../src/server/access/decide.js';
import { csrfTokenFor, SESSION_COOKIE, sha256 } from '../../src/server/identity/sessions.js';
import { todayInParis } from '../../src/server/platform/paris-time.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { sessionFor } from '../helpers/session.js';
import { createUser, DEMO } from '../helpers/users.js';

async function passwordSession(t: TestApp, userId: string, secondFactor: 'totp' | 'passkey' | null) {
  const rawId = crypto.randomBytes(32).toString('base64url');
  const now = new Date();
  await t.ctx.db
    .insertInto('sessions')
    .values({
      id_hash: sha256(rawId),
      user_id: userId,
      method: 'password',
      second_factor: secondFactor,
      id_token: null,
      return_to: null,
      created_at: now,
      last_seen_at: now,
      expires_at: new Date(now.getTime() + 3600_000),
    })
    .execute();
  const cookie = `${SESSION_COOKIE}=${rawId}`;
  return {
    headers: { cookie },
    write: { cookie, 'x-csrf-token': csrfTokenFor(t.ctx.config.sessionSecret, 'session', rawId) },
  };
}

describe('the decision with the session strength (pure)', () => {
  const grant = {
    id: 'd',
    kind: 'staff' as const,
    startsOn: '2026-01-01',
    endsOn: null,
    deletedAt: null,
    acceptedAt: new Date('2026-01-01T10:00:00Z'),
    invitationExpiresAt: null,
    rights: ['consulter' as const],
    pscRequired: true,
  };
  const ask = (
    strength: 'psc' | 'password+totp' | 'password+passkey' | 'password+recovery',
    pscRequired = true,
  ) =>
    decide({
      actor: { id: 'staff', isDoctor: false, signIn: { strength } },
      onBehalfOfId: 'doctor',
      action: 'read',
      dossierOwnerId: 'doctor',
      delegations: [{ ...grant, pscRequired }],
      now: new Date('2026-06-01T10:00:00Z'),
    });

  it('allows a PSC-only delegation in a PSC session only', () => {
    expect(ask('psc').allowed).toBe(true);
    for (const s of ['password+totp', 'password+passkey', 'password+recovery'] as const) {
      expect(ask(s)).toMatchObject({ allowed: false, reason: 'psc_required', delegationId: 'd' });
      expect(ask(s, false).allowed).toBe(true);
    }
  });
});

describe('delegations and strong authentication (HTTP)', async () => {
  const t = await createTestApp();
  afterAll(() => t.close());
  const martin = await createUser(t.ctx.db, DEMO.martin);
  const roux = await createUser(t.ctx.db, DEMO.roux);
  const durand = await createUser(t.ctx.db, DEMO.durand);
  await t.ctx.db
    .updateTable('users')
    .set({ password_hash: 'argon2-hash' })
    .where('id', '=', durand.id)
    .execute();
  const now = new Date();
  const delegation = await t.ctx.db
    .insertInto('delegations')
    .values({
      delegator_id: martin.id,
      kind: 'staff',
      delegate_family_name: 'DURAND',
      delegate_given_name: 'Sophie',
      delegate_email: DEMO.durand.email,
      delegate_national_id: durand.subjectNameId,
      rights: ['consulter'],
      starts_on: todayInParis(now),
      ends_on: null,
      accepted_at: now,
      created_at: now,
      updated_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const asMartin = await sessionFor(t, martin.id);
  const dossiers = `/api/dossiers?onBehalfOf=${martin.id}`;

  it('lets the doctor mark a delegation PSC-only; a password session is then refused with the reason, a PSC one allowed', async () => {
    const byPassword = await passwordSession(t, durand.id, 'totp');
    expect(
      (await t.app.inject({ method: 'GET', url: dossiers, headers: byPassword.headers })).statusCode,
    ).toBe(200);

    const list = (
      await t.app.inject({ method: 'GET', url: '/api/delegations', headers: asMartin.headers })
    ).json();
    const modified = await t.app.inject({
      method: 'PATCH',
      url: `/api/delegations/${delegation.id}`,
      headers: asMartin.write,
      payload: {
        version: list.staff[0].version,
        rights: ['consulter'],
        startsOn: list.staff[0].startsOn,
        endsOn: null,
        pscRequired: true,
      },
    });
    expect(modified.statusCode).toBe(200);

    const refused = await t.app.inject({ method: 'GET', url: dossiers, headers: byPassword.headers });
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({
      code: 'psc_required',
      message: expect.stringMatching(/exige pour cette délégation une connexion par carte CPx ou e-CPS/),
    });
    const journaled = await t.ctx.db
      .selectFrom('journal_entries')
      .select(['outcome', 'details'])
      .where('actor_id', '=', durand.id)
      .where('outcome', '=', 'denied')
      .execute();
    expect(journaled.map((e) => (e.details as { reason?: string }).reason)).toContain('psc_required');

    const byPsc = await sessionFor(t, durand.id);
    expect((await t.app.inject({ method: 'GET', url: dossiers, headers: byPsc.headers })).statusCode).toBe(
      200,
    );

    // A password waiting for its second factor opens nothing at all.
    const pending = await passwordSession(t, durand.id, null);
    const waiting = await t.app.inject({ method: 'GET', url: dossiers, headers: pending.headers });
    expect(waiting.statusCode).toBe(401);
    expect(waiting.json().code).toBe('second_factor_required');

    const shown = (
      await t.app.inject({ method: 'GET', url: '/api/delegations', headers: asMartin.headers })
    ).json();
    expect(shown.staff[0]).toMatchObject({ pscRequired: true, delegate: { hasPassword: true } });
  });

  it('shows the doctor how the delegate last signed in', async () => {
    await t.ctx.db
      .updateTable('users')
      .set({ last_signin_method: 'password+passkey', last_signin_at: new Date('2026-11-30T08:15:00Z') })
      .where('id', '=', durand.id)
      .execute();
    const shown = (
      await t.app.inject({ method: 'GET', url: '/api/delegations', headers: asMartin.headers })
    ).json();
    expect(shown.staff[0].delegate.lastSignIn).toEqual({
      method: 'password+passkey',
      at: '2026-11-30T08:15:00.000Z',
    });
  });

  it('lets only the delegating doctor reset the second factor: factors gone, password sessions ended, journaled, email sent', async () => {
    await t.ctx.db
      .insertInto('passkeys')
      .values({
        user_id: durand.id,
        credential_id: 'cred-1',
        public_key: Buffer.from('key'),
        counter: 3,
        name: 'Ordinateur',
        created_at: now,
      })
      .execute();
    await t.ctx.db
      .updateTable('users')
      .set({ totp_secret: 'v1.a.b.c', totp_last_step: 12 })
      .where('id', '=', durand.id)
      .execute();
    await t.ctx.db
      .insertInto('recovery_codes')
      .values({ user_id: durand.id, code_hash: Buffer.from('h'), created_at: now })
      .execute();
    const byPassword = await passwordSession(t, durand.id, 'totp');
    const byPsc = await sessionFor(t, durand.id);

    const asRoux = await sessionFor(t, roux.id);
    const other = await t.app.inject({
      method: 'POST',
      url: `/api/delegations/${delegation.id}/second-factor-reset`,
      headers: asRoux.write,
    });
    expect(other.statusCode).toBe(404);
    expect(
      await t.ctx.db.selectFrom('passkeys').select('id').where('user_id', '=', durand.id).execute(),
    ).toHaveLength(1);

    const reset = await t.app.inject({
      method: 'POST',
      url: `/api/delegations/${delegation.id}/second-factor-reset`,
      headers: asMartin.write,
    });
    expect(reset.statusCode).toBe(204);
    expect(
      await t.ctx.db.selectFrom('passkeys').select('id').where('user_id', '=', durand.id).execute(),
    ).toHaveLength(0);
    expect(
      await t.ctx.db
        .selectFrom('recovery_codes')
        .select('user_id')
        .where('user_id', '=', durand.id)
        .execute(),
    ).toHaveLength(0);
    const u = await t.ctx.db
      .selectFrom('users')
      .selectAll()
      .where('id', '=', durand.id)
      .executeTakeFirstOrThrow();
    expect(u.totp_secret).toBeNull();
    expect(
      (await t.app.inject({ method: 'GET', url: '/api/me', headers: byPassword.headers })).statusCode,
    ).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: '/api/me', headers: byPsc.headers })).statusCode).toBe(
      200,
    );
    const entry = await t.ctx.db
      .selectFrom('journal_entries')
      .select(['actor_id', 'on_behalf_of_id', 'delegation_id'])
      .where('action', '=', 'second_factor.reset')
      .executeTakeFirstOrThrow();
    expect(entry).toEqual({ actor_id: martin.id, on_behalf_of_id: martin.id, delegation_id: delegation.id });
    const mail = await t.ctx.db
      .selectFrom('mail_outbox')
      .select(['to_address', 'subject'])
      .where('kind', '=', 'second_factor_reset')
      .executeTakeFirstOrThrow();
    expect(mail.subject).toBe('Dr Camille MARTIN a réinitialisé votre second facteur de connexion');
  });
});
