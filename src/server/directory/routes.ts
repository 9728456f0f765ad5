// HTTP: search the directory, look a person up by RPPS, the directory's date. Signed-in users
// only; the search has a per-session budget.
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { directoryPageSchema, directoryPersonSchema, directoryStatusSchema } from '../../shared/directory.js';
import type { AppContext } from '../context.js';
import { rateLimitCaller, requireUser } from '../identity/index.js';
import { DomainError, notFound } from '../platform/errors.js';
import type { App } from '../platform/http.js';
import { hitRateLimit, rateLimited, scaledMax } from '../platform/rate-limit.js';
import type { Directory } from './directory.js';
import { compactKey, nameTokens, postalFilter } from './normalize.js';
import { decodeCursor, MAX_WORDS } from './query-plan.js';

/** Letters (any alphabet, with accents), spaces, hyphens, apostrophes and dots: a name. */
const NAME_CHARACTERS = /^[\p{L}\p{M} '’.-]*$/u;

const searchQuery = z.object({
  name: z
    .string({ error: 'Saisissez le nom du professionnel recherché.' })
    .max(100, 'Le nom ne peut pas dépasser 100 caractères.')
    .refine((v) => NAME_CHARACTERS.test(v), {
      message: 'Le nom ne peut contenir que des lettres, des espaces, des traits d’union et des apostrophes.',
      abort: true,
    })
    .refine((v) => compactKey(v).length >= 2, {
      message: 'Saisissez au moins 2 caractères du nom.',
      abort: true,
    })
    .refine(
      (v) => nameTokens(v).length <= MAX_WORDS,
      `Le nom ne peut pas compter plus de ${MAX_WORDS} mots.`,
    ),
  postalCode: z
    .string({ error: 'Le code postal est invalide.' })
    .max(10, 'Le code postal doit comporter 5 chiffres, ou 2 chiffres pour un département.')
    .refine(
      (v) => v.trim() === '' || postalFilter(v) !== null,
      'Le code postal doit comporter 5 chiffres, ou 2 chiffres pour un département (3 outre-mer).',
    )
    .optional(),
  profession: z
    .string({ error: 'Le code profession est invalide.' })
    .regex(/^\d{2}$/, 'Le code profession doit comporter 2 chiffres (10 pour les médecins).')
    .optional(),
  limit: z.coerce
    .number({ error: 'Le nombre de résultats doit être un nombre entier.' })
    .int('Le nombre de résultats doit être un nombre entier.')
    .min(1, 'Le nombre de résultats doit être compris entre 1 et 50.')
    .max(50, 'Le nombre de résultats doit être compris entre 1 et 50.')
    .default(20),
  cursor: z
    .string({ error: 'Le curseur de pagination est invalide.' })
    .max(600, 'Le curseur de pagination est invalide : relancez la recherche.')
    .optional(),
});

export interface DirectoryRouteOptions {
  directory: (ctx: AppContext) => Directory;
  /** Searches allowed per session and window. */
  searchRateLimit: { max: number; windowMs: number };
}

/** Who may call these routes: every route calls this once, before anything else. */
function authenticate(request: FastifyRequest): { id: string } {
  return requireUser(request);
}

export function directoryRoutes(app: App, ctx: AppContext, options: DirectoryRouteOptions): void {
  const directory = options.directory(ctx);
  const searchMax = scaledMax(ctx.config, options.searchRateLimit.max);

  app.get(
    '/api/directory/search',
    {
      schema: {
        tags: ['annuaire'],
        summary: 'Rechercher un professionnel dans l’annuaire national',
        description:
          'Nom (au moins 2 caractères ; « nom prénom » ou « prénom nom »), sans tenir compte des accents, majuscules, traits d’union ni apostrophes ; code postal (5 chiffres) ou département (2 chiffres) facultatif. Les noms de famille exacts d’abord, puis les noms composés dont une partie est la saisie (« lopez » pour GARCÍA-LÓPEZ), puis ceux qui commencent par la saisie, puis les prénoms ; au même code postal d’abord.',
        querystring: searchQuery,
        response: {
          200: directoryPageSchema,
        },
        security: [{ session: [] }],
      },
    },
    async (request, reply) => {
      authenticate(request);
      // Counted in PostgreSQL: the budget holds across nodes.
      const { windowMs } = options.searchRateLimit;
      const count = await hitRateLimit(ctx.pool, 'directory:search', rateLimitCaller(request), windowMs);
      if (count.hits > searchMax) {
        const seconds = Math.max(1, Math.ceil(count.resetsInMs / 1000));
        reply.header('retry-after', String(seconds));
        throw rateLimited(
          seconds,
          `Trop de recherches dans l’annuaire : réessayez dans ${seconds} seconde(s).`,
        );
      }
      const q = request.query;
      const cursor = q.cursor ? decodeCursor(q.cursor) : undefined;
      if (cursor === null) {
        throw new DomainError(
          'invalid_cursor',
          'Le curseur de pagination est invalide : relancez la recherche.',
          400,
        );
      }
      return directory.search({
        name: q.name,
        postalCode: q.postalCode?.trim() || undefined,
        profession: q.profession,
        limit: q.limit,
        cursor,
      });
    },
  );

  app.get(
    '/api/directory/people/:rpps',
    {
      schema: {
        tags: ['annuaire'],
        summary: 'Un professionnel de l’annuaire national, par son numéro RPPS',
        params: z.object({
          rpps: z.string().regex(/^\d{11}$/, 'Le numéro RPPS doit comporter 11 chiffres.'),
        }),
        response: { 200: directoryPersonSchema },
        security: [{ session: [] }],
      },
    },
    async (request) => {
      authenticate(request);
      const found = await directory.findByNationalId(`8${request.params.rpps}`);
      if (!found) throw notFound('Aucun professionnel de l’annuaire ne porte ce numéro RPPS.');
      return found;
    },
  );

  app.get(
    '/api/directory/status',
    {
      schema: {
        tags: ['annuaire'],
        summary: 'Date de l’annuaire national importé',
        response: { 200: directoryStatusSchema },
        security: [{ session: [] }],
      },
    },
    async (request) => {
      authenticate(request);
      const state = await directory.status();
      return { date: state.date, dateSource: state.dateSource, people: state.people };
    },
  );
}
