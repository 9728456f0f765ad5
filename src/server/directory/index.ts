// The national directory (ANS Annuaire Santé): import of the public extract, search, and the
// lookups other features need (a peer delegation is bound to a doctor's RPPS).
import { sql } from 'kysely';
import type { AppContext, Feature } from '../app.js';
import { type Directory, localDirectory } from './directory.js';
import { extractFileName, generateDirectory } from './generator.js';
import { importDirectory } from './importer.js';
import { type DirectoryRouteOptions, directoryRoutes } from './routes.js';

export {
  type Directory,
  type DirectoryPage,
  type DirectoryPerson,
  type DirectoryPlace,
  type DirectoryQuery,
  type DirectoryStatus,
  directoryDate,
  findDoctorByRpps,
  findPersonByNationalId,
  findPersonByRpps,
  localDirectory,
  searchDirectory,
} from './directory.js';
export { type ImportOptions, type ImportReport, importDirectory } from './importer.js';

/** People in the directory generated at the first demo start. */
export const DEMO_DIRECTORY_PEOPLE = 20_000;

export interface DirectoryFeatureOptions {
  /** The adapter (default: the local copy of the extract in PostgreSQL). */
  directory?: (ctx: AppContext) => Directory;
  searchRateLimit?: { max: number; windowMs: number };
  demoPeople?: number;
}

export function createDirectoryFeature(options: DirectoryFeatureOptions = {}): Feature {
  const routeOptions: DirectoryRouteOptions = {
    directory: options.directory ?? ((ctx) => localDirectory(ctx.db)),
    // A person searches by hand: 60 searches a minute is generous for that and stops scraping.
    searchRateLimit: options.searchRateLimit ?? { max: 60, windowMs: 60_000 },
  };
  return {
    name: 'directory',

    async demoSeed(ctx) {
      const done = await sql<{ n: number }>`
        select count(*)::int as n from directory_import where status = 'succeeded'`.execute(ctx.db);
      if ((done.rows[0]?.n ?? 0) > 0) return;
      const started = Date.now();
      const name = extractFileName(ctx.clock.now());
      try {
        const report = await importDirectory(ctx.pool, {
          fileName: `${name} (annuaire de démonstration)`,
          extractName: name,
          stream: generateDirectory({ people: options.demoPeople ?? DEMO_DIRECTORY_PEOPLE }),
        });
        ctx.logger.info(
          { people: report.people, ms: Date.now() - started },
          'annuaire de démonstration importé',
        );
      } catch (err) {
        // Another node importing it at the same moment is fine: it will be there.
        if ((err as { code?: string }).code !== 'directory_import_running') throw err;
      }
    },

    routes(app, ctx) {
      directoryRoutes(app, ctx, routeOptions);
    },
  };
}

export const directoryFeature: Feature = createDirectoryFeature();
