// Excerpts of the ANS code lists used by the generator and as a fallback when a file has no
// label column. Labels are those of the public extract.

export const PROFESSIONS: Record<string, string> = {
  '10': 'Médecin',
  '21': 'Pharmacien',
  '26': 'Audioprothésiste',
  '28': 'Opticien-Lunetier',
  '40': 'Chirurgien-Dentiste',
  '50': 'Sage-Femme',
  '60': 'Infirmier',
  '70': 'Masseur-Kinésithérapeute',
  '80': 'Pédicure-Podologue',
  '91': 'Orthophoniste',
  '92': 'Orthoptiste',
  '93': 'Psychologue',
  '96': 'Psychomotricien',
  '98': 'Manipulateur ERM',
};

export const DOCTOR = '10';

/** "8" + RPPS or "0" + ADELI: the form of Pro Santé Connect's SubjectNameID for a person. */
export const IDENTIFIER_TYPES: Record<string, 'RPPS' | 'ADELI'> = { '8': 'RPPS', '0': 'ADELI' };
