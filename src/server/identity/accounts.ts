// Accounts: created or refreshed from Pro Santé Connect at every sign-in, completed at first
// sign-in (password, profession, charter, notification email), and what the API shows of them.
import { type Kysely, sql } from 'kysely';
import { z } from 'zod';
import {
  DECLARED_PROFESSIONS,
  type DeclaredProfession,
  declaredProfessionOf,
  type FirstSignIn,
  type FirstSignInInfo,
  type Me,
  PROFESSION_LABELS,
} from '../../shared/identity.js';
import type { AppContext, Database } from '../context.js';
import { queueEmail, renderEmail } from '../mail/index.js';
import { DomainError } from '../platform/errors.js';
import { CURRENT_CHARTER } from './charter/index.js';
import type { PscIdentity } from './claims.js';
import { DEMO_CARDS } from './local-psc/cards.js';
import { hashPassword, passwordProblems } from './passwords.js';
import { type AccountRow, randomToken, sha256 } from './sessions.js';

type Tx = Kysely<Database>;

export const DOCTOR_PROFESSION = '10';
export const EMAIL_CONFIRMATION_HOURS = 48;

export const isDoctor = (u: Pick<AccountRow, 'profession_code'>) => u.profession_code === DOCTOR_PROFESSION;

export function firstSignInComplete(u: Pick<AccountRow, 'first_signin_completed_at' | 'charter_version'>) {
  return u.first_signin_completed_at !== null && u.charter_version === CURRENT_CHARTER.version;
}

export function professionLabel(u: AccountRow): string | null {
  if (u.profession_code && PROFESSION_LABELS[u.profession_code]) {
    return PROFESSION_LABELS[u.profession_code] ?? null;
  }
  if (u.declared_profession === 'autre') return u.declared_profession_other;
  const declared = DECLARED_PROFESSIONS.find((p) => p.code === u.declared_profession);
  return declared?.label ?? null;
}

export function toMe(u: AccountRow): Me {
  return {
    id: u.id,
    subjectNameId: u.subject_name_id,
    familyName: u.family_name,
    givenName: u.given_name,
    cardType: u.card_type,
    professionCode: u.profession_code,
    professionLabel: professionLabel(u),
    specialtyLabel: u.specialty_label,
    isDoctor: isDoctor(u),
    email: u.email,
    emailVerified: u.email !== null && u.email_verified_at !== null,
    hasPassword: u.password_hash !== null,
    firstSignInComplete: firstSignInComplete(u),
    charterVersion: u.charter_version,
    places: placesOf(u.psc_places),
  };
}

const storedPlace = z.object({
  name: z.string().nullable(),
  postalCode: z.string().nullable(),
  town: z.string().nullable(),
  modeCode: z.string().nullable(),
});

/** users.psc_places (PscPlace[] written at sign-in) → what /api/me shows of them. */
function placesOf(stored: unknown[]): Me['places'] {
  return stored.flatMap((p) => {
    const place = storedPlace.safeParse(p);
    return place.success ? [place.data] : [];
  });
}

/** Names, profession and card type follow Pro Santé Connect at every sign-in. */
export async function upsertFromPsc(db: Tx, identity: PscIdentity, now: Date) {
  const values = {
    family_name: identity.familyName,
    given_name: identity.givenName,
    card_type: identity.cardType,
    profession_code: identity.professionCode,
    specialty_code: identity.specialtyCode,
    specialty_label: identity.specialtyLabel,
    postal_code: identity.postalCode,
    claims_email: identity.email,
    psc_places: JSON.stringify(identity.places),
    last_signin_at: now,
    // A proven identity ends a password lockout.
    failed_password_attempts: 0,
    locked_until: null,
    updated_at: now,
  };
  return db
    .insertInto('users')
    .values({ subject_name_id: identity.subjectNameId, ...values, created_at: now })
    .onConflict((oc) => oc.column('subject_name_id').doUpdateSet(values))
    .returning(['id', 'first_signin_completed_at', 'charter_version'])
    .executeTakeFirstOrThrow();
}

/**
 * An invitation the user opened tells their address (no confirmation link is needed then) and
 * the profession the inviting doctor gave. The resolver is given who is signing in, so that it
 * answers only for the invited person (someone else holding the link must not be handed, and
 * verified with, the invitee's address). The delegations feature provides it; the composition
 * root passes it to identity.
 */
export interface InvitedPerson {
  email: string | null;
  /** As the doctor wrote it, e.g. « Secrétaire médical(e) ». */
  profession: string | null;
}
export type InvitationResolver = (
  returnTo: string,
  person: { familyName: string; givenName: string },
) => Promise<InvitedPerson | undefined>;

/** What the account use cases need: configuration, database, clock, the invitation resolver. */
export type AccountDeps = Pick<AppContext, 'config' | 'db' | 'clock'> & {
  invitation?: InvitationResolver;
};

async function invitationFor(
  deps: Pick<AccountDeps, 'invitation'>,
  returnTo: string | null,
  u: Pick<AccountRow, 'family_name' | 'given_name'>,
): Promise<InvitedPerson | undefined> {
  if (!returnTo || !deps.invitation) return undefined;
  const person = { familyName: u.family_name, givenName: u.given_name };
  return deps.invitation(returnTo, person).catch(() => undefined);
}

export async function invitationEmailFor(
  deps: Pick<AccountDeps, 'invitation'>,
  returnTo: string | null,
  u: Pick<AccountRow, 'family_name' | 'given_name'>,
): Promise<string | undefined> {
  return (await invitationFor(deps, returnTo, u))?.email ?? undefined;
}

function needs(ctx: Pick<AccountDeps, 'config'>, u: AccountRow) {
  const doctor = isDoctor(u);
  const started = u.first_signin_completed_at === null;
  return {
    needsPassword: started && !doctor && ctx.config.passwordLogin && u.password_hash === null,
    needsProfession: started && !doctor && u.declared_profession === null,
    needsCharter: u.charter_version !== CURRENT_CHARTER.version,
    needsEmail: started || u.email === null,
  };
}

/** What the person said before, else what the inviting doctor said, else the card's profession. */
function prefillProfession(
  u: AccountRow,
  invited: InvitedPerson | undefined,
): { profession: DeclaredProfession | null; professionOther: string | null } {
  if (u.declared_profession) {
    return {
      profession: u.declared_profession as DeclaredProfession,
      professionOther: u.declared_profession_other,
    };
  }
  if (invited?.profession) {
    const declared = declaredProfessionOf(invited.profession);
    return { profession: declared.code, professionOther: declared.other };
  }
  if (u.profession_code === '60') return { profession: 'infirmier', professionOther: null };
  return { profession: null, professionOther: null };
}

export async function firstSignInInfo(
  ctx: AccountDeps,
  u: AccountRow,
  returnTo: string | null,
): Promise<FirstSignInInfo> {
  const n = needs(ctx, u);
  const invitation = await invitationFor(ctx, returnTo, u);
  const invited = invitation?.email ?? undefined;
  return {
    ...n,
    charterUpdate: !n.needsPassword && !n.needsProfession && !n.needsEmail && n.needsCharter,
    charter: CURRENT_CHARTER,
    prefill: {
      email: invited ?? u.email ?? u.claims_email,
      ...prefillProfession(u, invitation),
      emailFromInvitation: invited !== undefined,
    },
    user: { givenName: u.given_name, familyName: u.family_name, isDoctor: isDoctor(u) },
  };
}

const invalid = (fields: { path: string; message: string }[]) =>
  new DomainError('invalid_input', 'Certaines informations sont manquantes ou invalides.', 400, { fields });

export const emailTaken = () =>
  new DomainError(
    'email_taken',
    'Cette adresse électronique est déjà utilisée par un autre compte. Indiquez votre propre adresse.',
    409,
  );

/**
 * An address confirmed by another account is taken; an unconfirmed claim by another account is
 * not (it never blocks the confirmed owner: the unique index covers confirmed addresses only).
 */
async function assertAddressFree(trx: Tx, userId: string, email: string): Promise<void> {
  const owner = await trx
    .selectFrom('users')
    .select('id')
    .where(sql<boolean>`lower(email) = lower(${email})`)
    .where('email_verified_at', 'is not', null)
    .where('id', '<>', userId)
    .executeTakeFirst();
  if (owner) throw emailTaken();
}

export function isUniqueViolation(err: unknown, constraint: string): boolean {
  const e = err as { code?: string; constraint?: string };
  return e?.code === '23505' && e.constraint === constraint;
}

/** Validates the first sign-in form against what this user still has to give. */
export function checkFirstSignIn(ctx: Pick<AccountDeps, 'config'>, u: AccountRow, input: FirstSignIn) {
  const n = needs(ctx, u);
  const fields: { path: string; message: string }[] = [];
  if (n.needsPassword) {
    if (!input.password) fields.push({ path: 'body.password', message: 'Choisissez un mot de passe.' });
    else {
      for (const message of passwordProblems(input.password, {
        givenName: u.given_name,
        familyName: u.family_name,
      })) {
        fields.push({ path: 'body.password', message });
      }
      if (input.passwordConfirmation !== input.password) {
        fields.push({
          path: 'body.passwordConfirmation',
          message: 'Les deux mots de passe ne sont pas identiques.',
        });
      }
    }
  }
  if (n.needsProfession) {
    if (!input.profession) fields.push({ path: 'body.profession', message: 'Indiquez votre profession.' });
    else if (input.profession === 'autre' && !input.professionOther) {
      fields.push({ path: 'body.professionOther', message: 'Précisez votre profession.' });
    }
  }
  if (n.needsEmail && !input.email) {
    fields.push({ path: 'body.email', message: 'Indiquez une adresse électronique.' });
  }
  if (fields.length) throw invalid(fields);
  if (input.charterVersion !== CURRENT_CHARTER.version) {
    throw new DomainError(
      'charter_changed',
      'La charte d’utilisation a changé pendant votre saisie : relisez la nouvelle version avant de l’accepter.',
      409,
    );
  }
  return n;
}

/** One transaction: the account is completed, and the confirmation email queued, together. */
export async function completeFirstSignIn(
  ctx: AccountDeps,
  sessionUser: AccountRow,
  sessionIdHash: Buffer,
  returnTo: string | null,
  input: FirstSignIn,
): Promise<{ emailConfirmationSent: boolean; passwordSet: boolean }> {
  const n = checkFirstSignIn(ctx, sessionUser, input);
  // Hashing is slow on purpose: do it before holding a row lock.
  const passwordHash = n.needsPassword && input.password ? await hashPassword(input.password) : undefined;
  const now = ctx.clock.now();
  try {
    return await ctx.db.transaction().execute(async (trx) => {
      const u = await trx
        .selectFrom('users')
        .selectAll()
        .where('id', '=', sessionUser.id)
        .forUpdate()
        .executeTakeFirstOrThrow();
      const invited = await invitationEmailFor(ctx, returnTo, u);
      const email = n.needsEmail ? (input.email as string) : u.email;
      const sameAsVerified =
        email !== null &&
        u.email !== null &&
        u.email_verified_at !== null &&
        email.toLowerCase() === u.email.toLowerCase();
      const fromInvitation =
        email !== null && invited !== undefined && invited.toLowerCase() === email.toLowerCase();
      const verified = sameAsVerified || fromInvitation;
      if (email) await assertAddressFree(trx, u.id, email);
      await trx
        .updateTable('users')
        .set({
          ...(passwordHash ? { password_hash: passwordHash } : {}),
          ...(n.needsProfession
            ? {
                declared_profession: input.profession ?? null,
                declared_profession_other:
                  input.profession === 'autre' ? (input.professionOther ?? null) : null,
              }
            : {}),
          email,
          email_verified_at: verified ? (sameAsVerified ? u.email_verified_at : now) : null,
          charter_version: CURRENT_CHARTER.version,
          charter_accepted_at: now,
          first_signin_completed_at: u.first_signin_completed_at ?? now,
          updated_at: now,
        })
        .where('id', '=', u.id)
        .execute();
      await trx
        .updateTable('sessions')
        .set({ return_to: null })
        .where('id_hash', '=', sessionIdHash)
        .execute();
      const passwordSet = passwordHash !== undefined;
      if (!verified && email) {
        await sendEmailConfirmation(ctx, trx, { ...u, email }, now);
        return { emailConfirmationSent: true, passwordSet };
      }
      return { emailConfirmationSent: false, passwordSet };
    });
  } catch (err) {
    if (isUniqueViolation(err, 'users_email_unique')) throw emailTaken();
    throw err;
  }
}

export async function changeEmail(ctx: AccountDeps, userId: string, email: string) {
  const now = ctx.clock.now();
  try {
    return await ctx.db.transaction().execute(async (trx) => {
      const u = await trx
        .selectFrom('users')
        .selectAll()
        .where('id', '=', userId)
        .forUpdate()
        .executeTakeFirstOrThrow();
      if (u.email && u.email_verified_at && u.email.toLowerCase() === email.toLowerCase()) {
        return { emailConfirmationSent: false };
      }
      await assertAddressFree(trx, userId, email);
      await trx
        .updateTable('users')
        .set({ email, email_verified_at: null, updated_at: now })
        .where('id', '=', userId)
        .execute();
      await sendEmailConfirmation(ctx, trx, { ...u, email }, now);
      return { emailConfirmationSent: true };
    });
  } catch (err) {
    if (isUniqueViolation(err, 'users_email_unique')) throw emailTaken();
    throw err;
  }
}

async function sendEmailConfirmation(
  ctx: Pick<AccountDeps, 'config'>,
  trx: Tx,
  u: { id: string; email: string; given_name: string; family_name: string },
  now: Date,
) {
  const token = randomToken();
  // A new link makes the previous ones useless.
  await trx
    .deleteFrom('email_confirmations')
    .where('user_id', '=', u.id)
    .where('used_at', 'is', null)
    .execute();
  await trx
    .insertInto('email_confirmations')
    .values({
      token_hash: sha256(token),
      user_id: u.id,
      email: u.email,
      created_at: now,
      expires_at: new Date(now.getTime() + EMAIL_CONFIRMATION_HOURS * 3_600_000),
    })
    .execute();
  const url = `${ctx.config.publicUrl}/confirmer-courriel?jeton=${token}`;
  const content = renderEmail({
    title: 'Confirmez votre adresse électronique',
    paragraphs: [
      `Bonjour ${u.given_name} ${u.family_name},`,
      'Vous avez indiqué cette adresse pour recevoir les notifications du service Délégations de droits (invitations, modifications et suppressions de délégations).',
      'Pour la confirmer, ouvrez le lien ci-dessous.',
    ],
    action: { label: 'Confirmer mon adresse électronique', url },
    notes: [
      `Ce lien est valable ${EMAIL_CONFIRMATION_HOURS} heures et ne peut servir qu’une fois.`,
      'Si vous n’êtes pas à l’origine de cette demande, ignorez ce message.',
    ],
  });
  await queueEmail(trx, {
    to: u.email,
    subject: 'Confirmez votre adresse électronique — Délégations de droits',
    text: content.text,
    html: content.html,
    kind: 'email_confirmation',
  });
}

export async function confirmEmail(ctx: AccountDeps, token: string): Promise<{ email: string }> {
  const now = ctx.clock.now();
  const refused = () =>
    new DomainError(
      'email_confirmation_invalid',
      'Ce lien de confirmation est invalide, a expiré ou a déjà été utilisé. Vous pouvez en demander un nouveau depuis « Mon compte ».',
      410,
    );
  return ctx.db
    .transaction()
    .execute(async (trx) => {
      const row = await trx
        .updateTable('email_confirmations')
        .set({ used_at: now })
        .where('token_hash', '=', sha256(token))
        .where('used_at', 'is', null)
        .where('expires_at', '>', now)
        .returning(['user_id', 'email'])
        .executeTakeFirst();
      if (!row) throw refused();
      const updated = await trx
        .updateTable('users')
        .set({ email_verified_at: now, updated_at: now })
        .where('id', '=', row.user_id)
        .where(sql<boolean>`lower(email) = lower(${row.email})`)
        .returning('email')
        .executeTakeFirst();
      if (!updated?.email) throw refused();
      return { email: updated.email };
    })
    .catch((err) => {
      // Confirmed meanwhile by its owner: an unconfirmed claim loses.
      if (isUniqueViolation(err, 'users_email_unique')) throw emailTaken();
      throw err;
    });
}

/** Demo mode: the three doctors are set up already; the three staff cards are not. */
export async function seedDemoAccounts(ctx: Pick<AppContext, 'db' | 'clock'>): Promise<void> {
  const now = ctx.clock.now();
  for (const card of DEMO_CARDS.filter((c) => c.professionCode === DOCTOR_PROFESSION)) {
    await ctx.db
      .insertInto('users')
      .values({
        subject_name_id: card.subjectNameId,
        family_name: card.familyName,
        given_name: card.givenName,
        card_type: card.cardType,
        profession_code: card.professionCode,
        specialty_code: card.savoirFaire ?? null,
        specialty_label:
          card.savoirFaire === 'SM04' ? 'Cardiologie et maladies vasculaires' : 'Médecine générale',
        postal_code: card.postalCode ?? null,
        claims_email: card.email ?? null,
        email: card.email ?? null,
        email_verified_at: now,
        charter_version: CURRENT_CHARTER.version,
        charter_accepted_at: now,
        first_signin_completed_at: now,
        created_at: now,
        updated_at: now,
      })
      .onConflict((oc) => oc.column('subject_name_id').doNothing())
      .execute();
  }
}
