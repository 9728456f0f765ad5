// A local Pro Santé Connect for demo mode and tests: a real OpenID provider (oidc-provider)
// mounted inside this Fastify app under LOCAL_PSC_PATH, with PSC's discovery path, endpoint
// paths, claims and identifier formats. It is only ever mounted when DEMO is on.
import crypto from 'node:crypto';
import { promises as fs } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import formbody from '@fastify/formbody';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import Provider, { type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import { z } from 'zod';
import { CARD_TYPES } from '../../../shared/identity.js';
import type { AppContext } from '../../context.js';
import type { App } from '../../platform/http.js';
import { cardTypeOf } from '../claims.js';
import { DEMO_CARDS, federatedSub, type LocalIdentity, PSC_CLAIM_NAMES, pscClaims } from './cards.js';
import { createMemoryAdapter, dropMemoryAdapter } from './memory-adapter.js';
import { EMPTY_FORM, esc, loginPage, logoutPage, messagePage, type OtherIdentityForm } from './pages.js';
import {
  LOCAL_CLIENT_ID,
  LOCAL_JWT_CLIENT_ID,
  LOCAL_PSC_PATH,
  localClientSecret,
  localIssuer,
} from './settings.js';

const require = createRequire(import.meta.url);
const DSFR_DIR = path.join(path.dirname(require.resolve('@codegouvfr/react-dsfr/package.json')), 'dsfr');
const DSFR_FILES = /^(dsfr\.min\.css|fonts\/Marianne-[A-Za-z_]+\.woff2?|icons\/[a-z-]+\/[a-z0-9-]+\.svg)$/;
const LOGOUT_JS = `document.addEventListener('DOMContentLoaded', function () {
  var button = document.getElementById('psc-logout');
  if (button) button.click();
});
`;

const otherIdentitySchema = z.object({
  subjectNameId: z.string().trim(),
  familyName: z.string().trim(),
  givenName: z.string().trim(),
  professionCode: z.string().trim(),
  cardType: z.string(),
  acr: z.string(),
});

function checkOtherIdentity(form: OtherIdentityForm): Partial<Record<keyof OtherIdentityForm, string>> {
  const errors: Partial<Record<keyof OtherIdentityForm, string>> = {};
  const name = /^[\p{L}][\p{L} '’-]{0,99}$/u;
  if (!/^(8\d{11}|0\d{9}|[13456][0-9A-Za-z]{1,20}\/[0-9A-Za-z]{1,30})$/.test(form.subjectNameId)) {
    errors.subjectNameId =
      'Identifiant invalide : 8 suivi des 11 chiffres du RPPS, 0 suivi des 9 chiffres ADELI, ou 1, 3, 4, 5 ou 6 suivi de l’identifiant de structure, « / » et l’identifiant interne.';
  }
  if (!name.test(form.familyName))
    errors.familyName = 'Saisissez un nom (lettres, espaces, apostrophes et tirets).';
  if (!name.test(form.givenName))
    errors.givenName = 'Saisissez un prénom (lettres, espaces, apostrophes et tirets).';
  if (!/^(\d{2})?$/.test(form.professionCode))
    errors.professionCode = 'Le code profession fait 2 chiffres, ou reste vide.';
  if (!(CARD_TYPES as readonly string[]).includes(form.cardType))
    errors.cardType = 'Choisissez un type de carte.';
  else if (!errors.subjectNameId) {
    const expected = cardTypeOf(form.subjectNameId);
    const ok = form.cardType === expected || (form.cardType === 'CPF' && expected === 'CPS');
    if (!ok) {
      errors.cardType = `Ce type de carte ne correspond pas à l’identifiant : un identifiant commençant par ${form.subjectNameId[0]} correspond à une carte ${expected}.`;
    }
  }
  if (!['eidas1', '0', 'aucun'].includes(form.acr)) errors.acr = 'Choisissez un niveau d’authentification.';
  return errors;
}

/**
 * The provider's signing key, kept in the database so that ID tokens issued before a restart
 * (needed as id_token_hint at sign-out) still verify. Demo data only.
 */
async function signingKey(ctx: AppContext): Promise<object> {
  const key = 'local_psc_signing_key';
  const read = () =>
    ctx.db.selectFrom('app_settings').select('value').where('key', '=', key).executeTakeFirst();
  const found = await read();
  if (found) return JSON.parse(found.value);
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...privateKey.export({ format: 'jwk' }), kid: crypto.randomUUID(), alg: 'RS256', use: 'sig' };
  await ctx.db
    .insertInto('app_settings')
    .values({ key, value: JSON.stringify(jwk) })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
  return JSON.parse((await read())?.value ?? JSON.stringify(jwk));
}

interface LocalPscOptions {
  ctx: AppContext;
}

export async function mountLocalPsc(app: App, { ctx }: LocalPscOptions): Promise<void> {
  if (!ctx.config.demo) throw new Error('the local Pro Santé Connect exists only in demo mode');
  const { publicUrl, sessionSecret } = ctx.config;
  const issuer = localIssuer(publicUrl);
  const secret = ctx.config.pscClientSecret ?? localClientSecret(sessionSecret);
  const identities = new Map<string, LocalIdentity>(
    DEMO_CARDS.map((c) => [federatedSub(c.subjectNameId), c]),
  );

  const jwk = await signingKey(ctx);
  const cookieKey = crypto
    .createHmac('sha256', sessionSecret)
    .update('local-psc-cookies')
    .digest('base64url');

  const client = (clientId: string, extra: object = {}) => ({
    client_id: clientId,
    client_secret: secret,
    client_name: 'Délégations de droits',
    redirect_uris: [`${publicUrl}/auth/psc/callback`],
    post_logout_redirect_uris: [`${publicUrl}/`],
    grant_types: ['authorization_code'],
    response_types: ['code' as const],
    token_endpoint_auth_method: 'client_secret_post' as const,
    ...extra,
  });

  const namespace = crypto.randomUUID();
  app.addHook('onClose', async () => dropMemoryAdapter(namespace));
  const configuration: Configuration = {
    adapter: createMemoryAdapter(namespace),
    clients: [
      client(LOCAL_CLIENT_ID),
      client(LOCAL_JWT_CLIENT_ID, { userinfo_signed_response_alg: 'RS256' }),
    ],
    jwks: { keys: [jwk as never] },
    cookies: { keys: [cookieKey] },
    scopes: ['openid', 'scope_all'],
    claims: { openid: ['sub'], scope_all: PSC_CLAIM_NAMES },
    acrValues: ['eidas1'],
    responseTypes: ['code'],
    pkce: { required: () => true },
    routes: {
      authorization: '/protocol/openid-connect/auth',
      token: '/protocol/openid-connect/token',
      userinfo: '/protocol/openid-connect/userinfo',
      end_session: '/protocol/openid-connect/logout',
      jwks: '/protocol/openid-connect/certs',
    },
    features: {
      devInteractions: { enabled: false },
      jwtUserinfo: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (koa, form) => {
          koa.type = 'html';
          koa.body = logoutPage(LOCAL_PSC_PATH, form);
        },
        postLogoutSuccessSource: async (koa) => {
          koa.type = 'html';
          koa.body = messagePage(
            LOCAL_PSC_PATH,
            'Vous êtes déconnecté(e)',
            'Vous êtes déconnecté(e) de Pro Santé Connect (démonstration).',
            `<p><a class="fr-link" href="${esc(publicUrl)}/">Revenir au service Délégations de droits</a></p>`,
          );
        },
      },
    },
    interactions: { url: (_koa, interaction) => `${LOCAL_PSC_PATH}/interaction/${interaction.uid}` },
    findAccount: async (_koa, sub) => {
      const identity = identities.get(sub);
      if (!identity) return undefined;
      return { accountId: sub, claims: async () => ({ ...pscClaims(identity), sub }) };
    },
    // First-party service: the grant is given with the sign-in, as PSC does (no consent screen).
    loadExistingGrant: async (koa: KoaContextWithOIDC) => {
      const { session, client: oidcClient, provider } = koa.oidc;
      if (!session?.accountId || !oidcClient) return undefined;
      const existing = session.grantIdFor(oidcClient.clientId);
      if (existing) {
        const found = await provider.Grant.find(existing);
        if (found) return found;
      }
      const grant = new provider.Grant({ clientId: oidcClient.clientId, accountId: session.accountId });
      grant.addOIDCScope('openid scope_all');
      await grant.save();
      return grant;
    },
    renderError: async (koa, out) => {
      koa.type = 'html';
      koa.body = messagePage(
        LOCAL_PSC_PATH,
        'La connexion n’a pas pu aboutir',
        'Pro Santé Connect (démonstration) a refusé la demande de connexion.',
        `<p class="fr-text--sm">Code : ${esc(out.error)}${out.error_description ? ` — ${esc(out.error_description)}` : ''}</p>
<p><a class="fr-link" href="${esc(publicUrl)}/connexion">Revenir à la page de connexion</a></p>`,
      );
    },
    ttl: {
      AccessToken: 600,
      AuthorizationCode: 60,
      IdToken: 3600,
      Interaction: 600,
      Session: 8 * 3600,
      Grant: 8 * 3600,
    },
  };

  const provider = new Provider(issuer, configuration);
  provider.proxy = ctx.config.trustProxy;
  const callback = provider.callback();
  const pass = (raw: IncomingMessage, res: ServerResponse, url: string) => {
    (raw as IncomingMessage & { originalUrl?: string }).originalUrl = `${LOCAL_PSC_PATH}${url}`;
    raw.url = url;
    callback(raw, res);
  };

  // The provider's own endpoints, bodies left unread for it.
  await app.register(
    async (scope) => {
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser('*', (_request, _payload, done) => done(null));
      scope.all('/*', { schema: { hide: true } }, (request, reply) => {
        reply.hijack();
        pass(request.raw, reply.raw, (request.raw.url ?? '/').slice(LOCAL_PSC_PATH.length) || '/');
      });
      // PSC publishes its metadata at a non-standard path: so does this imitation.
      scope.get('/.well-known/wallet-openid-configuration', { schema: { hide: true } }, (request, reply) => {
        reply.hijack();
        pass(request.raw, reply.raw, '/.well-known/openid-configuration');
      });
    },
    { prefix: LOCAL_PSC_PATH },
  );

  // The sign-in page (the provider's "interaction") and its static files.
  await app.register(
    async (plugin) => {
      await plugin.register(formbody, { bodyLimit: 16 * 1024 });
      const scope = plugin.withTypeProvider<ZodTypeProvider>();

      scope.get('/assets/logout.js', { schema: { hide: true } }, async (_request, reply) =>
        reply.type('text/javascript; charset=utf-8').send(LOGOUT_JS),
      );
      scope.get('/assets/dsfr/*', { schema: { hide: true } }, async (request, reply) => {
        const file = (request.params as { '*': string })['*'];
        if (!DSFR_FILES.test(file))
          return reply.status(404).send({ code: 'not_found', message: 'Ressource introuvable.' });
        const content = await fs.readFile(path.join(DSFR_DIR, file)).catch(() => undefined);
        if (!content) return reply.status(404).send({ code: 'not_found', message: 'Ressource introuvable.' });
        const type = file.endsWith('.css')
          ? 'text/css; charset=utf-8'
          : file.endsWith('.svg')
            ? 'image/svg+xml'
            : file.endsWith('.woff2')
              ? 'font/woff2'
              : 'font/woff';
        return reply.type(type).header('cache-control', 'public, max-age=86400').send(content);
      });

      const details = async (request: { raw: IncomingMessage }, res: ServerResponse, uid: string) => {
        const found = await provider.interactionDetails(request.raw, res).catch(() => undefined);
        return found && found.uid === uid ? found : undefined;
      };
      const expired = (reply: { status(n: number): { type(t: string): { send(b: string): unknown } } }) =>
        reply
          .status(400)
          .type('text/html; charset=utf-8')
          .send(
            messagePage(
              LOCAL_PSC_PATH,
              'Demande de connexion expirée',
              'Cette demande de connexion a expiré ou a déjà été utilisée. Revenez au service et recommencez la connexion.',
              `<p><a class="fr-link" href="${esc(publicUrl)}/connexion">Revenir à la page de connexion</a></p>`,
            ),
          );

      const uidParams = z.object({ uid: z.string().regex(/^[\w-]{10,64}$/) });

      scope.get(
        '/interaction/:uid',
        { schema: { hide: true, params: uidParams } },
        async (request, reply) => {
          const interaction = await details(request, reply.raw, request.params.uid);
          if (!interaction) return expired(reply);
          const oidcClient = await provider.Client.find(String(interaction.params.client_id ?? ''));
          return reply
            .type('text/html; charset=utf-8')
            .header('cache-control', 'no-store')
            .send(
              loginPage({
                prefix: LOCAL_PSC_PATH,
                uid: interaction.uid,
                clientName: oidcClient?.clientName ?? 'Délégations de droits',
                cards: DEMO_CARDS,
              }),
            );
        },
      );

      scope.post(
        '/interaction/:uid/login',
        {
          schema: {
            hide: true,
            params: uidParams,
            body: z.record(z.string(), z.union([z.string(), z.array(z.string())])),
          },
        },
        async (request, reply) => {
          const interaction = await details(request, reply.raw, request.params.uid);
          if (!interaction) return expired(reply);
          const body = Object.fromEntries(
            Object.entries(request.body).map(([k, v]) => [
              k,
              (Array.isArray(v) ? v[0] : v)?.slice(0, 200) ?? '',
            ]),
          );
          let identity: LocalIdentity | undefined;
          let acr: string | undefined = 'eidas1';
          if (body.card && body.card !== 'autre') {
            identity = DEMO_CARDS.find((c) => c.subjectNameId === body.card);
          } else {
            const form = { ...EMPTY_FORM, ...otherIdentitySchema.partial().parse(body) } as OtherIdentityForm;
            const errors = checkOtherIdentity(form);
            if (Object.keys(errors).length > 0) {
              const oidcClient = await provider.Client.find(String(interaction.params.client_id ?? ''));
              return reply
                .status(400)
                .type('text/html; charset=utf-8')
                .send(
                  loginPage({
                    prefix: LOCAL_PSC_PATH,
                    uid: interaction.uid,
                    clientName: oidcClient?.clientName ?? 'Délégations de droits',
                    cards: DEMO_CARDS,
                    form,
                    errors: { ...errors, form: 'Corrigez les champs signalés ci-dessous.' },
                  }),
                );
            }
            identity = {
              subjectNameId: form.subjectNameId,
              familyName: form.familyName,
              givenName: form.givenName,
              cardType: form.cardType,
              professionCode: form.professionCode,
              description: '',
              modeExercice: form.professionCode ? 'L' : 'S',
            };
            acr = form.acr === 'eidas1' ? 'eidas1' : form.acr === '0' ? '0' : undefined;
          }
          if (!identity) {
            return reply
              .status(400)
              .type('text/html; charset=utf-8')
              .send(
                messagePage(LOCAL_PSC_PATH, 'Carte inconnue', 'Cette carte de démonstration n’existe pas.'),
              );
          }
          const sub = federatedSub(identity.subjectNameId);
          // Identities typed in the form live as long as the process (demo only), within bounds.
          if (!identities.has(sub) && identities.size > 5000) identities.clear();
          if (!DEMO_CARDS.includes(identity)) identities.set(sub, identity);
          const redirectTo = await provider.interactionResult(
            request.raw,
            reply.raw,
            { login: { accountId: sub, acr, amr: ['pwd'], remember: false } },
            { mergeWithLastSubmission: false },
          );
          return reply.redirect(redirectTo, 303);
        },
      );

      scope.post(
        '/interaction/:uid/abort',
        { schema: { hide: true, params: uidParams } },
        async (request, reply) => {
          const interaction = await details(request, reply.raw, request.params.uid);
          if (!interaction) return expired(reply);
          const redirectTo = await provider.interactionResult(
            request.raw,
            reply.raw,
            { error: 'access_denied', error_description: 'Connexion annulée par l’utilisateur' },
            { mergeWithLastSubmission: false },
          );
          return reply.redirect(redirectTo, 303);
        },
      );
    },
    { prefix: LOCAL_PSC_PATH },
  );
}
