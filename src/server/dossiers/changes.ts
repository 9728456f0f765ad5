// Which fields of a dossier a write changed, by name only: the journal records the names (« Adresse,
// GIR »), never the values, so that it holds no health data. Pure.
import type { Administrative, Medical, Patient } from '../../shared/dossiers.js';

const empty = (v: unknown) => v === undefined || v === null || v === '';
const same = (a: unknown, b: unknown) => (empty(a) && empty(b)) || a === b;

/** The keys whose value differs between two parts of a dossier, in a stable order. */
export function changedKeys<T extends Administrative | Medical>(before: T, after: T): string[] {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return keys.filter(
    (k) => !same((before as Record<string, unknown>)[k], (after as Record<string, unknown>)[k]),
  );
}

/** The patient's identity fields that differ, as `patient.familyName`… */
export function changedPatient(before: Patient, after: Patient | undefined): string[] {
  if (!after) return [];
  return (['familyName', 'givenName', 'birthDate', 'sex'] as const)
    .filter((k) => !same(before[k], after[k]))
    .map((k) => `patient.${k}`);
}
