// Safe defaults of "Mes délégations" over HTTP: a blank end date is refused (only « Sans date de
// fin », sent as null, means no end); a pending invitation's person, who never had access, is told
// of a change or a withdrawal in words that fit; the profession the doctor gave is offered at the
// invited person's first sign-in, whatever the card.
import { afterAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../helpers/app.js';
import { sessionFor } from '../helpers/session.js';
import { createUser, DEMO } from '../helpers/users.js';

describe('safe defaults of delegations', async () => {
  const t = await createTestApp();
  afterAll(() => t.close());
  const martin = await createUser(t.ctx.db, DEMO.martin);
  const asMartin = await sessionFor(t, martin.id);
  const today = new Date().toLocaleDateString('sv-SE', { timeZone: 'Europe/Paris' });
  const staff = (email: string, extra: Record<string, unknown> = {}) => ({
    familyName: 'GARNIER',
    givenName: 'Léa',
    email,
    profession: 'Assistant(e) médical(e)',
    rights: ['consulter'],
    startsOn: today,
    endsOn: null,
    ...extra,
  });
  const post = (payload: Record<string, unknown>) =>
    t.app.inject({ method: 'POST', url: '/api/delegations/staff', headers: asMartin.write, payload });
  const count = async () =>
    Number(
      (
        await t.ctx.db
          .selectFrom('delegations')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const mails = () =>
    t.ctx.db
      .selectFrom('mail_outbox')
      .select(['kind', 'subject', 'text_body'])
      .orderBy('created_at')
      .execute();

  it('refuses a blank end date with a French message naming the field; null is « Sans date de fin »', async () => {
    const before = await count();
    const res = await post(staff('blank@cabinet.example', { endsOn: '' }));
    expect(res.statusCode).toBe(422);
    expect(res.json().fields).toEqual([
      { path: 'endsOn', message: 'Indiquez une date de fin, ou cochez « Sans date de fin ».' },
    ]);
    expect(await count()).toBe(before);

    const peer = await t.app.inject({
      method: 'POST',
      url: '/api/delegations/peer',
      headers: asMartin.write,
      payload: { rpps: '10002345675', startsOn: today, endsOn: '' },
    });
    expect(peer.statusCode).toBe(422);
    expect(peer.json().fields[0].message).toBe(
      'La date de fin est obligatoire pour une délégation à un confrère.',
    );

    const open = await post(staff('open@cabinet.example'));
    expect(open.statusCode).toBe(201);
    const modified = await t.app.inject({
      method: 'PATCH',
      url: `/api/delegations/${open.json().id}`,
      headers: asMartin.write,
      payload: { version: 1, startsOn: today, endsOn: '' },
    });
    expect(modified.statusCode).toBe(422);
    expect(modified.json().fields[0].path).toBe('endsOn');
  });

  it('tells a pending invitation’s person of a change and of a withdrawal without speaking of lost access', async () => {
    const created = await post(staff('lea.garnier@cabinet.example'));
    expect(created.statusCode).toBe(201);
    const id = created.json().id as string;
    const patch = await t.app.inject({
      method: 'PATCH',
      url: `/api/delegations/${id}`,
      headers: asMartin.write,
      payload: { version: 1, rights: ['volet_medical'], startsOn: today, endsOn: null },
    });
    expect(patch.statusCode).toBe(200);
    const del = await t.app.inject({
      method: 'DELETE',
      url: `/api/delegations/${id}`,
      headers: asMartin.write,
    });
    expect(del.statusCode).toBe(204);

    const sent = (await mails()).filter((m) => m.kind !== 'delegation_invitation');
    const modifiedMail = sent.find((m) => m.kind === 'invitation_modified');
    const cancelledMail = sent.find((m) => m.kind === 'invitation_cancelled');
    expect(modifiedMail?.subject).toBe('Dr Camille MARTIN a modifié son invitation à gérer ses dossiers');
    expect(modifiedMail?.text_body).toContain('Consulter et compléter le volet médical');
    expect(modifiedMail?.text_body).toContain('reste valable');
    expect(cancelledMail?.subject).toBe('Dr Camille MARTIN a annulé son invitation à gérer ses dossiers');
    expect(cancelledMail?.text_body).toContain('n’est plus valable');
    for (const m of sent) {
      expect(m.text_body).not.toContain('plus accès');
      expect(m.kind).not.toBe('delegation_deleted');
      expect(m.kind).not.toBe('delegation_modified');
    }
  });

  it('offers the profession the doctor gave at the invited person’s first sign-in, for a CPE card too', async () => {
    expect((await post(staff('lea@cabinet-garnier.example'))).statusCode).toBe(201);
    const outbox = await t.ctx.db
      .selectFrom('mail_outbox')
      .select(['text_body'])
      .where('to_address', '=', 'lea@cabinet-garnier.example')
      .executeTakeFirstOrThrow();
    const link = `/invitation/${outbox.text_body.match(/\/invitation\/([\w-]+)/)?.[1]}`;
    const lea = await t.ctx.db
      .insertInto('users')
      .values({
        subject_name_id: DEMO.garnier.subjectNameId,
        family_name: 'GARNIER',
        given_name: 'Léa',
        card_type: 'CPE',
      } as never)
      .returning('id')
      .executeTakeFirstOrThrow();
    const session = await sessionFor(t, lea.id, { returnTo: link });
    const info = await t.app.inject({ url: '/api/first-sign-in', headers: session.headers });
    expect(info.statusCode).toBe(200);
    expect(info.json().needsProfession).toBe(true);
    expect(info.json().prefill).toMatchObject({ profession: 'assistant', professionOther: null });
  });
});
