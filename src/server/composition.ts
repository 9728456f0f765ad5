// The composition root: built once from the configuration and the started infrastructure, it
// makes every object the features share — the metrics registry, the mailer, the Pro Santé
// Connect client, the journal writer and the features' services — and passes them on as
// constructor arguments. Nothing is kept in module state: two applications in one process
// (the tests) share nothing.
import { accessFeature } from './access/index.js';
import { type CabinetService, cabinetService, cabinetsFeature } from './cabinets/index.js';
import type { AppContext } from './context.js';
import { delegationService, delegationsFeature, invitationResolver } from './delegations/index.js';
import type { DelegationService } from './delegations/service.js';
import { directoryFeature } from './directory/index.js';
import { DossierService, dossiersFeature } from './dossiers/index.js';
import { createPscClient, IdentityService, identityFeature, type PscClient } from './identity/index.js';
import { JournalBatcher, journalFeature } from './journal/index.js';
import { Mailer, mailFeature } from './mail/index.js';
import type { Feature } from './platform/feature.js';
import { createMetrics, metricsFeature } from './platform/metrics.js';

/** What the composition root adds to the platform's context. */
export interface AppServices {
  mailer: Mailer;
  /** Undefined when sign-in with Pro Santé Connect is not configured (DEMO off, no PSC_ISSUER). */
  psc: PscClient | undefined;
  /** Group commit of the dossier accesses' journal entries. */
  journal: JournalBatcher;
  identity: IdentityService;
  delegations: DelegationService;
  cabinets: CabinetService;
  dossiers: DossierService;
}

/** Everything the features of this application receive. */
export type AppRoot = AppContext & AppServices;

export type AppFeature = Feature<AppRoot>;

/** The features, in the order their routes are registered (access before the dossiers: its hook). */
export const FEATURES: AppFeature[] = [
  identityFeature,
  directoryFeature,
  mailFeature,
  delegationsFeature,
  cabinetsFeature,
  accessFeature,
  dossiersFeature,
  journalFeature,
  metricsFeature,
];

/** The started infrastructure the root is built on (platform/runtime.ts, or a test database). */
export type Infrastructure = Omit<AppContext, 'metrics'>;

export function createAppRoot(infrastructure: Infrastructure): AppRoot {
  const platform: AppContext = { ...infrastructure, metrics: createMetrics() };
  const { config, db, clock } = platform;
  const journal = new JournalBatcher(db);
  const psc = createPscClient(config);
  const delegations = delegationService(platform);
  return {
    ...platform,
    mailer: new Mailer({ smtpUrl: config.smtpUrl, db }),
    psc,
    journal,
    // An invitation opened before the first sign-in gives the invitee's address (delegations
    // knows invitations, identity knows sign-ins: the root connects them).
    identity: new IdentityService({
      config,
      db,
      clock,
      pool: platform.pool,
      psc,
      invitation: invitationResolver(delegations),
    }),
    delegations,
    cabinets: cabinetService(platform, delegations),
    dossiers: new DossierService({ db, clock, journal }),
  };
}
