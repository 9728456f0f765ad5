// OpenID Connect Back-Channel Logout 1.0: Pro Santé Connect tells this service, server to
// server, that a PSC session ended; every session opened through it ends at once.
import formbody from '@fastify/formbody';
import rateLimit from '@fastify/rate-limit';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { DomainError, notFound } from '../platform/errors.js';
import type { App } from '../platform/http.js';
import { rateLimitOptions } from '../platform/rate-limit.js';
import { BACKCHANNEL_LOGOUT_PATH, LogoutTokenRefused } from './psc-client.js';
import type { IdentityContext } from './service.js';
import { endPscSessions } from './sessions.js';

const refused = () =>
  new DomainError(
    'logout_token_refused',
    'Jeton de déconnexion refusé : aucune session n’a été fermée.',
    400,
  );

export function backchannelLogoutRoutes(app: App, ctx: IdentityContext) {
  return app.register(async (plugin) => {
    await plugin.register(formbody, { bodyLimit: 16 * 1024 });
    await plugin.register(rateLimit, rateLimitOptions(ctx, 'psc-logout'));
    const scope = plugin.withTypeProvider<ZodTypeProvider>();
    scope.post(
      BACKCHANNEL_LOGOUT_PATH,
      {
        config: { rateLimit: { max: 300, timeWindow: '1 minute' } },
        schema: {
          summary: 'Déconnexion demandée par Pro Santé Connect (back-channel logout)',
          description:
            'Appelée par Pro Santé Connect, de serveur à serveur, avec un jeton de déconnexion signé (logout_token). Toutes les sessions ouvertes par la session Pro Santé Connect qu’il désigne (sid), ou à défaut toutes les sessions Pro Santé Connect de la personne (sub), sont fermées immédiatement.',
          tags: ['Identité'],
          consumes: ['application/x-www-form-urlencoded'],
          body: z.object({ logout_token: z.string().min(1).max(8000) }),
        },
      },
      async (request, reply) => {
        const psc = ctx.psc;
        if (!psc) throw notFound();
        let target: Awaited<ReturnType<typeof psc.verifyLogoutToken>>;
        try {
          target = await psc.verifyLogoutToken(request.body.logout_token);
        } catch (err) {
          // The reason is a code: the token's contents are never logged.
          const reason = err instanceof LogoutTokenRefused ? err.reason : 'logout_token_unverified';
          request.log.warn({ reason }, 'déconnexion PSC refusée');
          throw refused();
        }
        const ended = await endPscSessions(ctx.db, target);
        request.log.info({ ended, by: target.sid ? 'sid' : 'sub' }, 'déconnexion PSC');
        return reply.code(200).header('cache-control', 'no-store').send();
      },
    );
  });
}
