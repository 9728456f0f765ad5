// The directory's API shapes, shared by the server (response schemas, OpenAPI) and the web search.
import { z } from 'zod';

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
  profession: z.object({ code: z.string(), label: z.string() }),
  specialty: z.object({ code: z.string(), label: z.string() }).nullable(),
  places: z.array(directoryPlaceSchema),
});
export const directoryPageSchema = z.object({
  items: z.array(directoryPersonSchema),
  nextCursor: z.string().nullable(),
  suggestions: z.array(z.string()),
});
export const directoryStatusSchema = z.object({
  date: z.string().nullable().describe('Date de l’extraction (AAAA-MM-JJ), heure de Paris'),
  people: z.number().int(),
});
export type DirectoryPerson = z.infer<typeof directoryPersonSchema>;
