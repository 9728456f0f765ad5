// The demo cards of the local Pro Santé Connect (shared/design/PRODUCT.md, "Demo data"), and
// how an identity becomes PSC-shaped claims (same names and formats as the real provider).

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

/**
 * PSC's `sub` is a federated id distinct from the national identifier, shaped like the
 * sandbox's (`f:<uuid>:<SubjectNameID>`): imitate that. Never used to key accounts.
 */
const REALM_UUID = '0c5e2d4a-7b1f-4c3e-9a6d-2f8b1e4d7a90';
export function federatedSub(subjectNameId: string): string {
  return `f:${REALM_UUID}:${subjectNameId}`;
}

const upper = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').toUpperCase();

/** The identity's structure identifiers, as PSC gives them for its kind of card. */
function structureOf(id: LocalIdentity) {
  const none = { siret: '', siren: '', finess: '', finessEj: '', technical: 'R10000001' };
  if (id.cardType === 'CPE') {
    // Establishment staff: the FINESS of the site (identifier 3<FINESS>/…).
    const finess = /^3(\d{9})/.exec(id.subjectNameId)?.[1] ?? '690000017';
    return { ...none, finess, finessEj: finess, technical: `F${finess}` };
  }
  if (id.cardType === 'CPA') {
    // Authorised staff of a practice or company: its SIREN (4…) or SIRET (5…).
    const siren = /^4(\d{9})/.exec(id.subjectNameId)?.[1];
    const siret = /^5(\d{14})/.exec(id.subjectNameId)?.[1];
    return { ...none, siren: siren ?? siret?.slice(0, 9) ?? '', siret: siret ?? '', technical: 'R10000002' };
  }
  return none;
}

/** `otherIds`: where the identifier comes from (RPPS, ADELI, the ANS EDIT tool). */
function otherIdsOf(subjectNameId: string) {
  const origine = subjectNameId.startsWith('8')
    ? 'RPPS'
    : subjectNameId.startsWith('0')
      ? 'ADELI'
      : /^ANS/.test(subjectNameId)
        ? 'EDIT'
        : undefined;
  return origine ? [{ identifiant: subjectNameId, origine, qualite: 1 }] : [];
}

/**
 * The userinfo claims of PSC, with the names, order and shapes of the real sandbox answers
 * (test/identity/fixtures/psc-samples: a CPS card, and an identity made with the ANS EDIT
 * tool, whose answer differs slightly: no authMode, codeCivilite and codeGenreActivite at the
 * top level). `sub` is added by the provider.
 */
export function pscClaims(id: LocalIdentity): Record<string, unknown> {
  const hasProfession = id.professionCode !== '';
  const edit = /^ANS/.test(id.subjectNameId);
  const sector = id.modeExercice === 'L' ? 'SA07' : 'SA01';
  const structure = structureOf(id);
  const site = id.site ?? '';
  const activity = {
    codeModeExercice: id.modeExercice,
    codeSecteurDactivite: sector,
    codeSectionPharmacien: '',
    codeRole: '',
    codeGenreActivite: edit ? 'GENR01' : '',
    numeroSiretSite: structure.siret,
    numeroSirenSite: structure.siren,
    numeroFinessSite: structure.finess,
    numeroFinessetablissementJuridique: structure.finessEj,
    identifiantTechniqueDeLaStructure: structure.technical,
    raisonSocialeSite: site,
    enseigneCommercialeSite: '',
    complementDestinataire: '',
    complementPointGeographique: '',
    numeroVoie: '',
    indiceRepetitionVoie: '',
    codeTypeDeVoie: '',
    libelleVoie: '',
    mentionDistribution: '',
    bureauCedex: id.postalCode && id.city ? `${id.postalCode} ${id.city}` : '',
    codePostal: id.postalCode ?? '',
    codeCommune: '',
    codePays: '99000',
    telephone: '',
    telephone2: '',
    telecopie: '',
    adresseEMail: id.email ?? '',
    codeDepartement: '',
    ancienIdentifiantDeLaStructure: '',
    autoriteDenregistrement: '',
  };
  const exercice = {
    codeProfession: id.professionCode,
    codeCategorieProfessionnelle: hasProfession ? (id.cardType === 'CPF' ? 'E' : 'C') : '',
    codeCiviliteDexercice: id.professionCode === '10' ? 'DR' : '',
    nomDexercice: upper(id.familyName),
    prenomDexercice: upper(id.givenName),
    codeTypeSavoirFaire: id.savoirFaire ? 'S' : '',
    codeSavoirFaire: id.savoirFaire ?? '',
    activities: [activity],
  };
  const civility = id.civility ?? '';
  return {
    Secteur_Activite: `${sector}^1.2.250.1.71.4.2.4`,
    ...(edit ? { codeGenreActivite: 'GENR01' } : {}),
    SubjectOrganization: site,
    Mode_Acces_Raison: '',
    preferred_username: id.subjectNameId,
    ...(edit ? { codeCivilite: civility } : {}),
    given_name: id.givenName,
    Acces_Regulation_Medicale: 'FAUX',
    UITVersion: '1.0',
    ...(edit ? {} : { authMode: 'CARD' }),
    Palier_Authentification: 'APPPRIP3^1.2.250.1.213.1.5.1.1.1',
    SubjectRefPro: edit ? { exercices: [exercice] } : { codeCivilite: civility, exercices: [exercice] },
    SubjectOrganizationID: structure.technical,
    SubjectRole: hasProfession ? [`${id.professionCode}^1.2.250.1.213.1.1.5.5`] : [],
    PSI_Locale: '1.2.250.1.213.1.3.1.1',
    otherIds: otherIdsOf(id.subjectNameId),
    SubjectNameID: id.subjectNameId,
    family_name: id.familyName,
  };
}

/** Every userinfo claim PSC sends under scope_all (both sandbox answers and the fixture). */
export const PSC_CLAIM_NAMES = [
  'Secteur_Activite',
  'codeGenreActivite',
  'SubjectOrganization',
  'Mode_Acces_Raison',
  'preferred_username',
  'codeCivilite',
  'given_name',
  'Acces_Regulation_Medicale',
  'UITVersion',
  'authMode',
  'Palier_Authentification',
  'SubjectRefPro',
  'SubjectOrganizationID',
  'SubjectRole',
  'PSI_Locale',
  'otherIds',
  'SubjectNameID',
  'family_name',
  'email_verified',
];
