// The journal: append-only, hash-chained audit of delegation events and dossier accesses, with
// retention (archive, signed checkpoint, purge) run daily.
import type { AppContext } from '../context.js';
import { rateLimitCaller } from '../identity/index.js';
import type { Feature } from '../platform/feature.js';
import { rateLimitedRoutes } from '../platform/rate-limit.js';
import { checkpointKey, purgeJournal, RETENTION_CRONTAB, RETENTION_TASK } from './retention.js';
import { journalRoutes } from './routes.js';

export {
  appendEvent,
  appendJournal,
  type JournalAction,
  JournalBatcher,
  type JournalEntryInput,
  verifyJournal,
} from './store.js';

export const retentionDeps = (ctx: AppContext) => ({
  db: ctx.db,
  clock: ctx.clock,
  archiveDir: ctx.config.journalArchiveDir,
  retentionDays: ctx.config.journalRetentionDays,
  signingKey: checkpointKey(ctx.config),
});

export const journalFeature: Feature<AppContext> = {
  name: 'journal',
  routes(app, ctx) {
    const limit = { name: 'journal', max: 120, windowMs: 60_000, caller: rateLimitCaller };
    return rateLimitedRoutes(app, ctx, limit, (scope) => journalRoutes(scope, ctx));
  },
  tasks: (ctx) => ({
    [RETENTION_TASK]: async () => {
      const result = await purgeJournal(retentionDeps(ctx));
      if (result.entries > 0)
        ctx.logger.info({ chains: result.chains, entries: result.entries }, 'journal archivé et purgé');
    },
  }),
  crontab: RETENTION_CRONTAB,
};
