// GET /api/journal (page of entries, filters), GET /api/journal/recent (« Changements récents »),
// GET /api/journal/actors, GET /api/journal.csv.
import { Readable } from 'node:stream';
import { z } from 'zod';
import { isoDate } from '../../shared/fields.js';
import {
  journalActionParam,
  journalActorsSchema,
  journalEntrySchema,
  journalPageSchema,
} from '../../shared/journal.js';
import type { AppContext } from '../context.js';
import { requireUser } from '../identity/index.js';
import { errorResponses } from '../platform/errors.js';
import type { App } from '../platform/http.js';
import { parseDate } from '../platform/paris-time.js';
import { delegationNews, journalActors, journalCsv, readJournal } from './queries.js';

const date = isoDate.refine((v) => parseDate(v) !== undefined, 'Cette date n’existe pas.');
const filters = z.object({
  scope: z.enum(['mine', 'actions']).optional(),
  delegate: z.string().max(64).optional(),
  dossier: z.string().max(64).optional(),
  action: journalActionParam.optional(),
  from: date.optional(),
  to: date.optional(),
});
const errors = errorResponses(400, 401, 403, 422);
const tags = ['Journal'];

export function journalRoutes(app: App, ctx: AppContext) {
  const viewerAndFilters = (request: Parameters<typeof requireUser>[0], q: z.infer<typeof filters>) => {
    const user = requireUser(request);
    return { user, f: { ...q, scope: q.scope ?? (user.isDoctor ? 'mine' : 'actions') } as const };
  };

  app.get(
    '/api/journal',
    {
      schema: {
        tags,
        summary:
          'Journal : pour un médecin, les évènements de ses délégations et les accès à ses dossiers (scope=mine) ; pour chacun, ses propres actions (scope=actions)',
        querystring: filters.extend({
          limit: z.coerce.number().int().min(1).max(200).default(50),
          before: z.coerce.number().int().min(1).optional(),
        }),
        response: { 200: journalPageSchema, ...errors },
      },
    },
    async (request) => {
      const { user, f } = viewerAndFilters(request, request.query);
      return readJournal(ctx.db, user, f, { limit: request.query.limit, before: request.query.before });
    },
  );

  app.get(
    '/api/journal/recent',
    {
      schema: {
        tags,
        summary:
          'Changements récents : ce que d’autres ont fait à mes délégations depuis 30 jours — données (side=given : finalisée, renoncée, expirée, suspendue) ou reçues (side=received : créée, modifiée, supprimée, expirée, suspendue, réactivée)',
        querystring: z.object({ side: z.enum(['given', 'received'], { message: 'Côté inconnu.' }) }),
        response: { 200: z.object({ entries: z.array(journalEntrySchema) }), ...errors },
      },
    },
    async (request) => {
      const user = requireUser(request);
      return { entries: await delegationNews(ctx.db, user, request.query.side, ctx.clock.now()) };
    },
  );

  app.get(
    '/api/journal/actors',
    {
      schema: {
        tags,
        summary:
          'Les personnes qui ont agi sur les dossiers du médecin connecté (filtre « par délégataire »)',
        response: {
          200: journalActorsSchema,
          ...errors,
        },
      },
    },
    async (request) => {
      const user = requireUser(request);
      if (!user.isDoctor) return { actors: [] };
      const rows = await journalActors(ctx.db, user);
      return { actors: rows.map((r) => ({ id: r.id, givenName: r.given_name, familyName: r.family_name })) };
    },
  );

  app.get(
    '/api/journal.csv',
    {
      schema: {
        tags,
        summary: 'Export CSV du journal (UTF-8 avec BOM, séparateur « ; »), mêmes filtres',
        querystring: filters,
        produces: ['text/csv'],
      },
    },
    async (request, reply) => {
      const { user, f } = viewerAndFilters(request, request.query);
      // Run the first page now so that bad filters answer 4xx before any byte is sent.
      await readJournal(ctx.db, user, f, { limit: 1 });
      const day = new Date().toISOString().slice(0, 10);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="journal-${day}.csv"`)
        .send(Readable.from(journalCsv(ctx.db, user, f)));
    },
  );
}
