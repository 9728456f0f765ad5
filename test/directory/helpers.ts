// Directory tests: a signed-in session made the way the identity feature makes one (a user who
// completed first sign-in, a session row holding the sha256 of the cookie's id), and imports of
// small files.

import { Readable } from 'node:stream';
import type pg from 'pg';
import type { Db } from '../../src/server/context.js';
import { importDirectory } from '../../src/server/directory/importer.js';
import { CURRENT_CHARTER } from '../../src/server/identity/charter/index.js';
import { randomToken, sha256 } from '../../src/server/identity/sessions.js';

export async function signedInCookie(db: Db, subjectNameId = '810001234565'): Promise<string> {
  const user = await db
    .insertInto('users')
    .values({
      subject_name_id: subjectNameId,
      family_name: 'MARTIN',
      given_name: 'Camille',
      card_type: 'CPS',
      profession_code: '10',
      email: `${subjectNameId}@demo.sante.fr`,
      email_verified_at: new Date(),
      charter_version: CURRENT_CHARTER.version,
      charter_accepted_at: new Date(),
      first_signin_completed_at: new Date(),
    } as never)
    .returning(['id'])
    .executeTakeFirstOrThrow();
  const rawId = randomToken();
  const now = new Date();
  await db
    .insertInto('sessions')
    .values({
      id_hash: sha256(rawId),
      user_id: user.id,
      method: 'psc',
      id_token: null,
      return_to: null,
      created_at: now,
      last_seen_at: now,
      expires_at: new Date(now.getTime() + 3_600_000),
    })
    .execute();
  return `sid=${rawId}`;
}

export function importText(
  pool: pg.Pool,
  text: string | Buffer,
  name = 'PS_LibreAcces_Personne_activite_202504150830.txt',
) {
  return importDirectory(pool, {
    fileName: name,
    extractName: name,
    stream: Readable.from([typeof text === 'string' ? Buffer.from(text, 'utf8') : text]),
  });
}

export interface TestPlace {
  name: string;
  postalCode: string;
  commune: string;
  /** « Bureau cedex (coord. structure) », e.g. "01390 MIONNAY". */
  cedex?: string;
  /** « Enseigne commerciale site ». */
  brand?: string;
  /** « Code commune (coord. structure) » (INSEE). */
  communeCode?: string;
}

export interface TestPerson {
  rpps: string;
  family: string;
  given: string;
  profession?: string;
  civility?: 'M' | 'MME';
  places?: TestPlace[];
}

const PROFESSION_LABELS: Record<string, string> = {
  '10': 'Médecin',
  '40': 'Chirurgien-Dentiste',
  '50': 'Sage-Femme',
  '60': 'Infirmier',
  '70': 'Masseur-Kinésithérapeute',
  '93': 'Psychologue',
};

/** Lines in the 52-column ANS format, one per place (or one with no place). */
export function directoryLines(people: TestPerson[]): string {
  const out: string[] = [];
  for (const p of people) {
    const profession = p.profession ?? '10';
    const places = p.places?.length ? p.places : [undefined];
    for (const place of places) {
      const f = new Array<string>(52).fill('');
      f[0] = '8';
      f[1] = p.rpps;
      f[2] = `8${p.rpps}`;
      if (profession === '10') [f[3], f[4]] = ['DR', 'Docteur'];
      [f[5], f[6]] = p.civility === 'M' ? ['M', 'Monsieur'] : ['MME', 'Madame'];
      f[7] = p.family;
      f[8] = p.given;
      f[9] = profession;
      f[10] = PROFESSION_LABELS[profession] ?? '';
      [f[11], f[12]] = ['C', 'Civil'];
      if (profession === '10')
        [f[13], f[14], f[15], f[16]] = ['S', 'Spécialité ordinale', 'SM54', 'Médecine générale'];
      if (place) {
        [f[17], f[18]] = ['L', 'Libéral'];
        f[24] = place.name;
        f[25] = place.brand ?? '';
        f[34] = place.cedex ?? '';
        f[35] = place.postalCode;
        f[36] = place.communeCode ?? '';
        f[37] = place.commune;
        [f[38], f[39]] = ['99000', 'France'];
      }
      out.push(`${f.join('|')}|`);
    }
  }
  return `${out.join('\n')}\n`;
}
