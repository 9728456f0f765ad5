// Accounts as the identity feature stores them, created directly for service-level tests.
import type { Db } from '../../src/server/context.js';
import { CURRENT_CHARTER } from '../../src/server/identity/charter/index.js';
import type { SignedInUser } from '../../src/server/platform/signed-in-user.js';

export const DEMO = {
  martin: {
    subjectNameId: '810001234565',
    familyName: 'MARTIN',
    givenName: 'Camille',
    professionCode: '10',
    email: 'camille.martin@demo.sante.fr',
  },
  lefevre: {
    subjectNameId: '810002345675',
    familyName: 'LEFÈVRE',
    givenName: 'Jean-Pierre',
    professionCode: '10',
    email: 'jp.lefevre@demo.sante.fr',
  },
  roux: {
    subjectNameId: '810004567896',
    familyName: 'ROUX',
    givenName: 'Hélène',
    professionCode: '10',
    email: 'helene.roux@demo.sante.fr',
  },
  durand: {
    subjectNameId: '4123456782/CPAT0001',
    familyName: 'DURAND',
    givenName: 'Sophie',
    professionCode: null,
    email: 'sophie.durand@demo.sante.fr',
  },
  benali: {
    subjectNameId: '810005678908',
    familyName: 'BENALI',
    givenName: 'Nadia',
    professionCode: '60',
    email: 'nadia.benali@demo.sante.fr',
  },
  garnier: {
    subjectNameId: '3690012345/CPET0002',
    familyName: 'GARNIER',
    givenName: 'Léa',
    professionCode: null,
    email: 'lea.garnier@demo.sante.fr',
  },
} as const;

export async function createUser(
  db: Db,
  p: {
    subjectNameId: string;
    familyName: string;
    givenName: string;
    professionCode: string | null;
    email: string | null;
  },
): Promise<SignedInUser> {
  const row = await db
    .insertInto('users')
    .values({
      subject_name_id: p.subjectNameId,
      family_name: p.familyName,
      given_name: p.givenName,
      profession_code: p.professionCode,
      card_type: p.professionCode ? 'CPS' : 'CPA',
      email: p.email,
      email_verified_at: new Date(),
      first_signin_completed_at: new Date(),
      charter_version: CURRENT_CHARTER.version,
      charter_accepted_at: new Date(),
    } as never)
    .returning(['id'])
    .executeTakeFirstOrThrow();
  return {
    id: row.id,
    subjectNameId: p.subjectNameId,
    familyName: p.familyName,
    givenName: p.givenName,
    cardType: p.professionCode ? 'CPS' : 'CPA',
    professionCode: p.professionCode,
    isDoctor: p.professionCode === '10',
    email: p.email,
    emailVerified: true,
    firstSignInComplete: true,
    signIn: { method: 'psc', strength: 'psc', acr: 'eidas1', authLevel: null },
  };
}
