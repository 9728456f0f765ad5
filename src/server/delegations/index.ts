// "Mes délégations": the feature that lets a doctor delegate the management of his or her
// dossiers, with invitations, notifications, the daily reminders and the journal of each change.
import type { AppContext } from '../context.js';
import { findPersonByRpps } from '../directory/index.js';
import type { InvitationResolver } from '../identity/index.js';
import type { Feature } from '../platform/feature.js';
import { DAILY_CRONTAB, DAILY_TASK, runDailyNotices } from './daily.js';
import { lifecycleRoutes } from './lifecycle-routes.js';
import { RequestService } from './requests.js';
import { ReviewService } from './review.js';
import { delegationRoutes } from './routes.js';
import { sameIdentity } from './rules.js';
import { type DelegationDeps, DelegationService, type DirectoryDoctor } from './service.js';
import { suspendUnusedDelegations } from './suspension.js';

export { DelegationService, inTransaction, requireDoctor } from './service.js';

/** What the delegations feature needs: the platform's context and its service. */
export type DelegationsContext = AppContext & { delegations: DelegationService };

export function delegationService(ctx: Pick<AppContext, 'db' | 'clock' | 'config'>): DelegationService {
  return new DelegationService(delegationDeps(ctx));
}

const reviewService = (ctx: Pick<AppContext, 'db' | 'clock' | 'config'>) =>
  new ReviewService({
    db: ctx.db,
    clock: ctx.clock,
    publicUrl: ctx.config.publicUrl,
    months: ctx.config.accessReviewMonths,
  });

function delegationDeps(ctx: Pick<AppContext, 'db' | 'clock' | 'config'>): DelegationDeps {
  return {
    db: ctx.db,
    clock: ctx.clock,
    publicUrl: ctx.config.publicUrl,
    async findDoctorByRpps(rpps): Promise<DirectoryDoctor | undefined> {
      const person = await findPersonByRpps(ctx.db, rpps);
      if (!person) return undefined;
      return {
        rpps,
        nationalId: person.nationalId,
        familyName: person.familyName,
        givenName: person.givenName,
        professionCode: person.profession.code,
        specialty: person.specialty?.label ?? null,
        places: person.places.map((p) => ({
          name: p.name || null,
          postalCode: p.postalCode || null,
          city: p.commune || null,
        })),
      };
    },
  };
}

/**
 * First sign-in from an invitation link: the invitation's address is the notification address,
 * already confirmed by the invited person opening the link, and the profession the doctor gave
 * is offered — only if the card's identity is the invited person's (the same check as at
 * finalisation). Given to identity by the composition root.
 */
export function invitationResolver(service: DelegationService): InvitationResolver {
  return async (returnTo, person) => {
    const token = /^\/invitation\/([A-Za-z0-9_-]{20,100})$/.exec(returnTo)?.[1];
    if (!token) return undefined;
    const { invitation, problem } = await service.describeInvitation(token);
    if (!invitation || problem) return undefined;
    const invited = {
      familyName: invitation.delegate_family_name,
      givenName: invitation.delegate_given_name,
    };
    return sameIdentity(invited, person)
      ? { email: invitation.delegate_email, profession: invitation.delegate_profession }
      : undefined;
  };
}

export const delegationsFeature: Feature<DelegationsContext> = {
  name: 'delegations',
  async routes(app, ctx) {
    await delegationRoutes(app, ctx.delegations, ctx);
    await lifecycleRoutes(
      app,
      ctx.delegations,
      new RequestService(delegationDeps(ctx)),
      reviewService(ctx),
      ctx,
    );
  },
  tasks: (ctx) => ({
    [DAILY_TASK]: async () => {
      await runDailyNotices({ db: ctx.db, clock: ctx.clock, publicUrl: ctx.config.publicUrl });
      await suspendUnusedDelegations({
        db: ctx.db,
        clock: ctx.clock,
        publicUrl: ctx.config.publicUrl,
        days: ctx.config.suspendUnusedDays,
      });
      await reviewService(ctx).openDueReviews();
    },
  }),
  crontab: DAILY_CRONTAB,
};
