// The national directory (ANS Annuaire Santé): import of the public extract, search, and the
// lookups other features need (a peer delegation is bound to a doctor's RPPS).
import { sql } from 'kysely';
import type { AppContext } from '../context.js';
import type { Feature } from '../platform/feature.js';
import { enqueue } from '../platform/jobs.js';
import { registerScrapeGauge } from '../platform/metrics.js';
import {
  AUTO_IMPORT_TASK,
  type AutoImportOptions,
  type DirectoryImportStatus,
  directoryImportStatus,
  publicSourceUrl,
  runDirectoryAutoImport,
} from './auto-import.js';
import { type Directory, localDirectory } from './directory.js';
import { extractFileName, generateDirectory } from './generator.js';
import { importDirectory } from './importer.js';
import { type DirectoryRouteOptions, directoryRoutes } from './routes.js';

export {
  AUTO_IMPORT_TASK,
  type AutoImportResult,
  type DirectoryImportStatus,
  directoryImportStatus,
  runDirectoryAutoImport,
} from './auto-import.js';
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
  /** Limits of the daily download (tests make them small). */
  autoImport?: Pick<AutoImportOptions, 'maxBytes' | 'timeoutMs'>;
}

/**
 * The daily job's crontab line: one named queue and one job key, so that two nodes never run it
 * side by side (the run also holds an advisory lock, which covers a job queued by hand); a run
 * missed while every node was down (a deployment at that hour) is made up within 6 hours.
 */
export function autoImportCrontab(cron: string): string {
  return `${cron} ${AUTO_IMPORT_TASK} ?fill=6h&max=1&queue=${AUTO_IMPORT_TASK}&jobKey=${AUTO_IMPORT_TASK}&jobKeyMode=preserve_run_at`;
}

export function createDirectoryFeature(options: DirectoryFeatureOptions = {}): Feature<AppContext> {
  const routeOptions: DirectoryRouteOptions = {
    directory: options.directory ?? ((ctx) => localDirectory(ctx.db, { pool: ctx.pool })),
    // A person searches by hand: 60 searches a minute is generous for that and stops scraping.
    searchRateLimit: options.searchRateLimit ?? { max: 60, windowMs: 60_000 },
  };
  return {
    name: 'directory',

    async start(ctx) {
      const url = ctx.config.directoryImportUrl;
      if (!url) return undefined;
      // A new deployment gets its directory now rather than at the next scheduled run.
      const done = await sql<{ n: number }>`
        select count(*)::int as n from directory_import where status = 'succeeded'`.execute(ctx.db);
      if ((done.rows[0]?.n ?? 0) === 0) {
        await enqueue(ctx.db, AUTO_IMPORT_TASK, {}, { jobKey: AUTO_IMPORT_TASK, maxAttempts: 1 });
      }
      ctx.logger.info(
        { source: publicSourceUrl(url), cron: ctx.config.directoryImportCron },
        'import automatique de l’annuaire programmé (UTC)',
      );
      return undefined;
    },

    tasks(ctx) {
      return {
        [AUTO_IMPORT_TASK]: async () => {
          const url = ctx.config.directoryImportUrl;
          if (!url) return;
          // Failures are recorded and shown in /ready and the metrics, and the next run retries:
          // the job itself only fails when the database does.
          await runDirectoryAutoImport(ctx.pool, {
            url,
            dataDir: ctx.config.dataDir,
            ...options.autoImport,
            log: (message, fields) =>
              fields?.error ? ctx.logger.warn(fields, message) : ctx.logger.info(fields ?? {}, message),
          });
        },
      };
    },

    crontab: (ctx) =>
      ctx.config.directoryImportUrl ? autoImportCrontab(ctx.config.directoryImportCron) : undefined,

    async readiness(ctx) {
      const status = await directoryImportStatus(ctx.pool);
      return {
        ...status,
        autoImport: ctx.config.directoryImportUrl
          ? { enabled: true, cron: ctx.config.directoryImportCron, timeZone: 'UTC' }
          : { enabled: false },
      };
    },

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
      registerDirectoryGauges(ctx);
    },
  };
}

/** The import's outcome for Prometheus: alert on success == 0, or on an extract too old. */
function registerDirectoryGauges(ctx: AppContext): void {
  // A scrape collects every gauge at once: they share one read of the import journal.
  let inFlight: Promise<DirectoryImportStatus> | undefined;
  const status = () => {
    inFlight ??= directoryImportStatus(ctx.pool).finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };
  const seconds = (d: Date) => d.getTime() / 1000;
  registerScrapeGauge(ctx, {
    name: 'directory_last_import_success',
    help: 'Dernière tentative d’import de l’annuaire : 1 réussie, 0 en échec ou aucun import encore',
    async collect() {
      const last = (await status()).lastImport;
      return last ? [{ value: last.ok ? 1 : 0 }] : [];
    },
  });
  registerScrapeGauge(ctx, {
    name: 'directory_last_import_timestamp_seconds',
    help: 'Fin de la dernière tentative d’import de l’annuaire, réussie ou non (secondes Unix)',
    async collect() {
      const last = (await status()).lastImport;
      return last ? [{ value: seconds(last.at) }] : [];
    },
  });
  registerScrapeGauge(ctx, {
    name: 'directory_last_success_timestamp_seconds',
    help: 'Fin du dernier import réussi : celui de l’annuaire en service (secondes Unix)',
    async collect() {
      const { importedAt } = await status();
      return importedAt ? [{ value: seconds(importedAt) }] : [];
    },
  });
  registerScrapeGauge(ctx, {
    name: 'directory_extract_timestamp_seconds',
    help: 'Date de l’extraction ANS de l’annuaire en service (secondes Unix) : time() moins cette valeur en donne l’âge',
    async collect() {
      const { extractAt } = await status();
      return extractAt ? [{ value: seconds(extractAt) }] : [];
    },
  });
  registerScrapeGauge(ctx, {
    name: 'directory_people',
    help: 'Personnes dans l’annuaire en service',
    async collect() {
      return [{ value: (await status()).people }];
    },
  });
}

export const directoryFeature: Feature<AppContext> = createDirectoryFeature();
