// The demo cards of the local Pro Santé Connect (shared/design/PRODUCT.md, "Demo data"), and
// how an identity becomes PSC-shaped claims (same names and formats as the real provider).
import crypto from 'node:crypto';

export interface LocalIdentity {
  subjectNameId: string;
  givenName: string;
  familyName: string;
  cardType: string;
  /** '' for staff without a health profession, as PSC sends it. */
  professionCode: string;
  /** Shown on the card list only. */
  description: string;
  civility?: 'M' | 'MME';
  savoirFaire?: string;
  modeExercice: 'L' | 'S' | 'B';
  site?: string;
  postalCode?: string;
  city?: string;
  email?: string;
  acr?: string;
}

export const DEMO_CARDS: LocalIdentity[] = [
  {
    subjectNameId: '810001234565',
    givenName: 'Camille',
    familyName: 'MARTIN',
    cardType: 'CPS',
    professionCode: '10',
    description: 'Médecin — médecine générale, Lyon 69003',
    civility: 'MME',
    savoirFaire: 'SM54',
    modeExercice: 'L',
    site: 'CABINET DU DR MARTIN',
    postalCode: '69003',
    city: 'LYON',
    email: 'camille.martin@cabinet-martin.example',
  },
  {
    subjectNameId: '810002345675',
    givenName: 'Jean-Pierre',
    familyName: 'LEFÈVRE',
    cardType: 'CPS',
    professionCode: '10',
    description: 'Médecin — médecine générale, Lyon 69006',
    civility: 'M',
    savoirFaire: 'SM54',
    modeExercice: 'L',
    site: 'CABINET DU DR LEFEVRE',
    postalCode: '69006',
    city: 'LYON',
    email: 'jp.lefevre@medecins-lyon6.example',
  },
  {
    subjectNameId: '810004567896',
    givenName: 'Hélène',
    familyName: 'ROUX',
    cardType: 'CPS',
    professionCode: '10',
    description: 'Médecin — cardiologie, Marseille 13008',
    civility: 'MME',
    savoirFaire: 'SM04',
    modeExercice: 'L',
    site: 'CABINET DE CARDIOLOGIE DU PRADO',
    postalCode: '13008',
    city: 'MARSEILLE',
    email: 'helene.roux@cardio-prado.example',
  },
  {
    subjectNameId: '4123456782/CPAT0001',
    givenName: 'Sophie',
    familyName: 'DURAND',
    cardType: 'CPA',
    professionCode: '',
    description: 'Secrétaire médicale',
    civility: 'MME',
    modeExercice: 'S',
    site: 'CABINET DU DR MARTIN',
    postalCode: '69003',
    city: 'LYON',
  },
  {
    subjectNameId: '810005678908',
    givenName: 'Nadia',
    familyName: 'BENALI',
    cardType: 'CPS',
    professionCode: '60',
    description: 'Infirmière libérale, Lyon 69003',
    civility: 'MME',
    modeExercice: 'L',
    site: 'CABINET INFIRMIER BENALI',
    postalCode: '69003',
    city: 'LYON',
    email: 'nadia.benali@infirmiere-lyon3.example',
  },
  {
    subjectNameId: '3690012345/CPET0002',
    givenName: 'Léa',
    familyName: 'GARNIER',
    cardType: 'CPE',
    professionCode: '',
    description: 'Assistante médicale',
    civility: 'MME',
    modeExercice: 'S',
    site: 'MAISON DE SANTE DES PENTES',
    postalCode: '69001',
    city: 'LYON',
  },
];

/** PSC's `sub` is a federated id distinct from the national identifier: imitate that. */
export function federatedSub(subjectNameId: string): string {
  const h = crypto.createHash('sha256').update(`psc-sub:${subjectNameId}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

const upper = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').toUpperCase();

/** The userinfo claims of PSC (names are exact; see shared/reference/pro-sante-connect.md). */
export function pscClaims(id: LocalIdentity): Record<string, unknown> {
  const hasProfession = id.professionCode !== '';
  return {
    sub: federatedSub(id.subjectNameId),
    SubjectNameID: id.subjectNameId,
    preferred_username: id.subjectNameId,
    given_name: id.givenName,
    family_name: id.familyName,
    email_verified: false,
    SubjectRefPro: {
      codeCivilite: id.civility ?? '',
      exercices: [
        {
          codeProfession: id.professionCode,
          codeCategorieProfessionnelle: hasProfession ? 'C' : '',
          codeCiviliteDexercice: id.professionCode === '10' ? 'DR' : '',
          nomDexercice: upper(id.familyName),
          prenomDexercice: upper(id.givenName),
          codeTypeSavoirFaire: id.savoirFaire ? 'S' : '',
          codeSavoirFaire: id.savoirFaire ?? '',
          activities: [
            {
              codeModeExercice: id.modeExercice,
              codeSecteurDactivite: id.modeExercice === 'L' ? 'SA07' : 'SA01',
              raisonSocialeSite: id.site ?? '',
              codePostal: id.postalCode ?? '',
              bureauCedex: id.postalCode && id.city ? `${id.postalCode} ${id.city}` : '',
              identifiantTechniqueDeLaStructure: 'R10000001',
              numeroFinessSite: '',
              numeroSiretSite: '',
              adresseEMail: id.email ?? '',
            },
          ],
        },
      ],
    },
    SubjectOrganization: id.site ?? '',
    SubjectOrganizationID: '',
    SubjectRole: hasProfession ? [`${id.professionCode}^1.2.250.1.213.1.1.5.5`] : [],
    Secteur_Activite: id.modeExercice === 'L' ? 'SA07^1.2.250.1.71.4.2.4' : 'SA01^1.2.250.1.71.4.2.4',
    Palier_Authentification: 'APPPRIP3^1.2.250.1.213.1.5.1.1.1',
    otherIds: [],
    Mode_Acces_Raison: '',
    Acces_Regulation_Medicale: 'FAUX',
    UITVersion: '1.0',
    PSI_Locale: 'FR',
  };
}

export const PSC_CLAIM_NAMES = [
  'SubjectNameID',
  'preferred_username',
  'given_name',
  'family_name',
  'email_verified',
  'SubjectRefPro',
  'SubjectOrganization',
  'SubjectOrganizationID',
  'SubjectRole',
  'Secteur_Activite',
  'Palier_Authentification',
  'otherIds',
  'Mode_Acces_Raison',
  'Acces_Regulation_Medicale',
  'UITVersion',
  'PSI_Locale',
];
