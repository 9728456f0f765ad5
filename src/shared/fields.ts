// Field rules shared by several forms (and both sides of the API).
import { z } from 'zod';
import { CALENDAR_DATE } from './calendar.js';

/** A person's name as the French civil status writes it: letters, spaces, apostrophes, hyphens. */
export const personName = z
  .string()
  .trim()
  .min(1, 'Ce champ est obligatoire.')
  .max(100, '100 caractères au plus.')
  .regex(/^[\p{L}][\p{L}\p{M} '’-]*$/u, 'Lettres, espaces, apostrophes et traits d’union uniquement.');

export const isoDate = z.string().regex(CALENDAR_DATE, 'Date au format AAAA-MM-JJ attendue.');
