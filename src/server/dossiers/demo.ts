// Demo dossiers: Dr MARTIN has about thirty in varied states, Dr ROUX a few. Deterministic, so
// that demos and screenshots look the same on every machine; created once.
import type { Administrative, Medical } from '../../shared/dossiers.js';
import type { AppContext } from '../context.js';
import { nextReference } from './service.js';

const FAMILY = [
  'BERNARD',
  'PETIT',
  'DURAND',
  'LEROY',
  'MOREAU',
  'SIMON',
  'LAURENT',
  'LEFEBVRE',
  'MICHEL',
  'GARCIA',
  'DAVID',
  'BERTRAND',
  'ROUX',
  'VINCENT',
  'FOURNIER',
  'MOREL',
  'GIRARD',
  'ANDRÉ',
  'MERCIER',
  'DUPONT',
  'LAMBERT',
  'BONNET',
  'FRANÇOIS',
  'MARTINEZ',
  'LEGRAND',
  'GARNIER',
  'FAURE',
  'ROUSSEAU',
  'BLANC',
  'GUÉRIN',
  "N'GUYEN",
  'MULLER',
];
const GIVEN_F = [
  'Jeanne',
  'Marie-Thérèse',
  'Simone',
  'Odette',
  'Germaine',
  'Yvonne',
  'Paulette',
  'Huguette',
  'Colette',
  'Ginette',
];
const GIVEN_M = [
  'Marcel',
  'René',
  'André',
  'Jean-Claude',
  'Robert',
  'Roger',
  'Lucien',
  'Gérard',
  'Raymond',
  'Henri',
];
const STREETS = [
  'rue Garibaldi',
  'cours Lafayette',
  'rue Paul Bert',
  'avenue Félix Faure',
  'rue de la Villette',
  'rue Servient',
];
const PATHOLOGIES = [
  'Maladie d’Alzheimer, stade modéré',
  'Insuffisance cardiaque chronique',
  'Séquelles d’AVC, hémiplégie droite',
  'Maladie de Parkinson',
  'Troubles cognitifs et chutes répétées',
  'Diabète de type 2 compliqué',
];
const ESTABLISHMENTS = [
  'EHPAD Les Glycines (Villeurbanne)',
  'EHPAD Résidence du Parc (Lyon 3e)',
  'EHPAD Les Tilleuls (Caluire)',
  'EHPAD Saint-Joseph (Lyon 7e)',
  'USLD Hôpital des Charpennes',
];
const REQUEST_STATUSES = ['envoyee', 'acceptee', 'refusee', 'annulee'] as const;

function dossiersFor(count: number, seed: number) {
  return Array.from({ length: count }, (_, i) => {
    const k = i + seed;
    const female = k % 3 !== 0;
    const given = female ? GIVEN_F[k % GIVEN_F.length] : GIVEN_M[k % GIVEN_M.length];
    const stage = k % 4; // 0 brouillon, 1 complet, 2-3 envoyé
    const administrative: Administrative = {
      phone: `04 78 ${String(10 + (k % 89)).padStart(2, '0')} ${String(20 + (k % 79)).padStart(2, '0')} ${String(30 + (k % 69)).padStart(2, '0')}`,
      coverage: 'Régime général',
      livingSituation: k % 2 ? 'domicile_seul' : 'domicile_entoure',
      ...(stage > 0 && {
        address: `${1 + (k % 120)} ${STREETS[k % STREETS.length]}, 6900${3 + (k % 6)} Lyon`,
      }),
      ...(k % 3 === 0 && {
        trustedPerson: `Fille : ${GIVEN_F[(k + 3) % GIVEN_F.length]} ${FAMILY[(k + 5) % FAMILY.length]}`,
      }),
    };
    const medical: Medical =
      stage === 0
        ? { antecedents: 'Hypertension artérielle' }
        : {
            antecedents: 'Hypertension artérielle, fracture du col du fémur (2023)',
            pathologies: PATHOLOGIES[k % PATHOLOGIES.length],
            treatments: 'Amlodipine 5 mg, paracétamol si douleur',
            gir: 1 + (k % 4),
          };
    const requests =
      stage < 2
        ? []
        : Array.from({ length: 1 + (k % 3) }, (_, j) => ({
            establishment: ESTABLISHMENTS[(k + j) % ESTABLISHMENTS.length] as string,
            status: REQUEST_STATUSES[(k + j) % REQUEST_STATUSES.length] as (typeof REQUEST_STATUSES)[number],
          }));
    return {
      patient: {
        familyName: FAMILY[k % FAMILY.length] as string,
        givenName: given as string,
        birthDate: `19${28 + (k % 20)}-${String(1 + (k % 12)).padStart(2, '0')}-${String(1 + (k % 27)).padStart(2, '0')}`,
        sex: (female ? 'F' : 'M') as 'F' | 'M',
      },
      administrative,
      medical,
      requests,
      daysAgo: k % 40,
    };
  });
}

export async function seedDemoDossiers(ctx: AppContext): Promise<void> {
  const owners = await ctx.db
    .selectFrom('users')
    .select(['id', 'subject_name_id'])
    .where('subject_name_id', 'in', ['810001234565', '810004567896'])
    .execute();
  for (const owner of owners) {
    const existing = await ctx.db
      .selectFrom('dossiers')
      .select('id')
      .where('owner_id', '=', owner.id)
      .limit(1)
      .executeTakeFirst();
    if (existing) continue;
    const isMartin = owner.subject_name_id === '810001234565';
    const now = ctx.clock.now();
    await ctx.db.transaction().execute(async (trx) => {
      for (const d of dossiersFor(isMartin ? 30 : 4, isMartin ? 0 : 7)) {
        const at = new Date(now.getTime() - d.daysAgo * 86_400_000);
        const row = await trx
          .insertInto('dossiers')
          .values({
            owner_id: owner.id,
            reference: nextReference(now),
            patient_family_name: d.patient.familyName,
            patient_given_name: d.patient.givenName,
            patient_birth_date: d.patient.birthDate,
            patient_sex: d.patient.sex,
            administrative: JSON.stringify(d.administrative),
            medical: JSON.stringify(d.medical),
            created_by: owner.id,
            updated_by: owner.id,
            created_at: at,
            updated_at: at,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        for (const r of d.requests) {
          await trx
            .insertInto('dossier_requests')
            .values({
              dossier_id: row.id,
              establishment: r.establishment,
              status: r.status,
              sent_by: owner.id,
              sent_at: at,
              updated_at: at,
            })
            .execute();
        }
      }
    });
  }
}
