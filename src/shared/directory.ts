// The directory's API shapes, shared by the server (response schemas, OpenAPI) and the web search.
import { z } from 'zod';
import { frenchDate } from './calendar.js';

export const directoryPlaceSchema = z.object({
  name: z.string(),
  address: z.string(),
  postalCode: z.string(),
  commune: z.string(),
  mode: z.string(),
});
export const directoryPersonSchema = z.object({
  nationalId: z.string(),
  identifierType: z.enum(['RPPS', 'ADELI', 'autre']),
  identifier: z.string(),
  rpps: z.string().nullable(),
  civility: z.string(),
  practiceCivility: z.string(),
  familyName: z.string(),
  givenName: z.string(),
  profession: z
    .object({ code: z.string(), label: z.string() })
    .describe('La profession principale : la première de « professions »'),
  professions: z
    .array(z.object({ code: z.string(), label: z.string() }))
    .describe('Toutes les professions de la personne, par ordre de code'),
  specialty: z.object({ code: z.string(), label: z.string() }).nullable(),
  places: z.array(directoryPlaceSchema),
});
export const directoryPageSchema = z.object({
  items: z.array(directoryPersonSchema),
  nextCursor: z.string().nullable(),
  suggestions: z.array(z.string()),
});
export const directoryStatusSchema = z.object({
  date: z
    .string()
    .nullable()
    .describe('Date de l’extraction (AAAA-MM-JJ), heure de Paris ; date d’import si elle est inconnue'),
  dateSource: z
    .enum(['extraction', 'import'])
    .nullable()
    .describe('« import » : la date de l’extraction est inconnue, « date » est celle de l’import'),
  people: z.number().int(),
});
export type DirectoryStatus = z.infer<typeof directoryStatusSchema>;

/**
 * What « Mes délégations » and the search say of the directory's date: « annuaire à jour du
 * 24/11/2026 », or, when the extract's date is unknown, the import's, said as such.
 */
export function directoryDateLabel(status: DirectoryStatus): string | null {
  if (!status.date) return null;
  return status.dateSource === 'import'
    ? `annuaire importé le ${frenchDate(status.date)} (date de l’extraction inconnue)`
    : `annuaire à jour du ${frenchDate(status.date)}`;
}
export type DirectoryPerson = z.infer<typeof directoryPersonSchema>;
