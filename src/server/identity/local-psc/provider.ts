// A local Pro Santé Connect for demo mode and tests: a real OpenID provider (oidc-provider)
// mounted inside this Fastify app under LOCAL_PSC_PATH, with PSC's discovery path, endpoint
// paths, claims and identifier formats. It is only ever mounted when DEMO is on.
import crypto from 'node:crypto';
import { promises as fs } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import formbody from '@fastify/formbody';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import * as jose from 'jose';
import Provider, { type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import { z } from 'zod';
import { CARD_TYPES } from '../../../shared/identity.js';
import type { AppContext } from '../../context.js';
import type { App } from '../../platform/http.js';
import { SUBJECT_NAME_ID } from '../claims.js';
import { BACKCHANNEL_LOGOUT_PATH } from '../psc-client.js';
import { DEMO_CARDS, federatedSub, type LocalIdentity, PSC_CLAIM_NAMES, pscClaims } from './cards.js';
import { createMemoryAdapter, dropMemoryAdapter } from './memory-adapter.js';
import { PSC_ROUTES, pscMetadata, UNSUPPORTED_PATHS, WALLET_AUTHORIZE_PATH } from './metadata.js';
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

/** What each choice of the form's acr field puts in the ID token and in the access token. */
const ACR_CHOICES: Record<string, LocalAccount['acr']> = {
  eidas1: { idToken: 'eidas1', accessToken: 'eidas1' },
  jeton: { accessToken: 'eidas1' },
  identite: { idToken: 'eidas1' },
  '0': { idToken: '0', accessToken: '0' },
  aucun: {},
};

/** Form check only (the local provider's page): the card type agrees with the identifier. */
function cardTypesFor(subjectNameId: string): string[] {
  const first = subjectNameId[0];
  if (first === '8' || first === '0') return ['CPS', 'CPF'];
  if (first === '1' || first === '3') return ['CPE'];
  if (first === '4' || first === '5' || first === '6') return ['CPA'];
  return [...CARD_TYPES];
}

function checkOtherIdentity(form: OtherIdentityForm): Partial<Record<keyof OtherIdentityForm, string>> {
  const errors: Partial<Record<keyof OtherIdentityForm, string>> = {};
  const name = /^[\p{L}][\p{L} '’-]{0,99}$/u;
  if (
    !/^(8\d{11}|0\d{9}|[13456][0-9A-Za-z]{1,20}\/[0-9A-Za-z]{1,30}|ANS\d{6,30})$/.test(form.subjectNameId) ||
    !SUBJECT_NAME_ID.test(form.subjectNameId)
  ) {
    errors.subjectNameId =
      'Identifiant invalide : 8 suivi des 11 chiffres du RPPS, 0 suivi des 9 chiffres ADELI, 1, 3, 4, 5 ou 6 suivi de l’identifiant de structure, « / » et l’identifiant interne, ou ANS suivi de chiffres (identité de test EDIT).';
  }
  if (!name.test(form.familyName))
    errors.familyName = 'Saisissez un nom (lettres, espaces, apostrophes et tirets).';
  if (!name.test(form.givenName))
    errors.givenName = 'Saisissez un prénom (lettres, espaces, apostrophes et tirets).';
  if (!/^(\d{2})?$/.test(form.professionCode))
    errors.professionCode = 'Le code profession fait 2 chiffres, ou reste vide.';
  if (!(CARD_TYPES as readonly string[]).includes(form.cardType))
    errors.cardType = 'Choisissez un type de carte.';
  else if (!errors.subjectNameId && !cardTypesFor(form.subjectNameId).includes(form.cardType)) {
    errors.cardType = `Ce type de carte ne correspond pas à l’identifiant : un identifiant commençant par ${form.subjectNameId[0]} correspond à une carte ${cardTypesFor(form.subjectNameId).join(' ou ')}.`;
  } else if (!errors.professionCode) {
    const professional = form.cardType === 'CPS' || form.cardType === 'CPF';
    if (professional && form.professionCode === '')
      errors.professionCode = `Une carte ${form.cardType} est celle d’un professionnel de santé : indiquez son code profession.`;
    if (!professional && form.professionCode !== '')
      errors.professionCode = `Une carte ${form.cardType} est celle d’un personnel sans profession de santé : laissez le code profession vide.`;
  }
  if (!(form.acr in ACR_CHOICES)) errors.acr = 'Choisissez un niveau d’authentification.';
  return errors;
}

/** An identity the provider can sign in: its userinfo claims and the levels it asserts. */
interface LocalAccount {
  subjectNameId: string;
  /** Userinfo claims, `sub` apart. */
  claims: Record<string, unknown>;
  /** False for an answer without `sub` (as in the minimal fixture of the samples). */
  withSub: boolean;
  /** The acr of the ID token and of the access token (absent: not sent). */
  acr: { idToken?: string; accessToken?: string };
}

const accountOf = (identity: LocalIdentity, acr: LocalAccount['acr'] = ACR_CHOICES.eidas1 ?? {}) => ({
  subjectNameId: identity.subjectNameId,
  claims: pscClaims(identity),
  withSub: true,
  acr,
});

/** What tests reach of a running local provider. */
export interface LocalPsc {
  /**
   * Serves these userinfo claims (e.g. a real sandbox answer) to whoever signs in with
   * `card` = their SubjectNameID, with their own `sub` (none: the answer has no `sub`).
   */
  addIdentity(claims: Record<string, unknown>, acr?: LocalAccount['acr']): string;
}
const handles = new WeakMap<AppContext, LocalPsc>();
export const localPscOf = (ctx: AppContext): LocalPsc | undefined => handles.get(ctx);

const authLevelOf = (acr: string) => (/^eidas(\d)$/.exec(acr)?.[1] ?? acr).slice(0, 8);

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
  // Who can sign in, by federated sub: the demo cards, the identities typed in the form, and
  // those tests add (real sandbox answers).
  const accounts = new Map<string, LocalAccount>(
    DEMO_CARDS.map((c) => [federatedSub(c.subjectNameId), accountOf(c)]),
  );
  const remember = (sub: string, account: LocalAccount) => {
    // Identities typed in the form live as long as the process (demo only), within bounds.
    if (!accounts.has(sub) && accounts.size > 5000) {
      for (const key of accounts.keys()) {
        if (!DEMO_CARDS.some((c) => federatedSub(c.subjectNameId) === key)) accounts.delete(key);
      }
    }
    accounts.set(sub, account);
  };
  handles.set(ctx, {
    addIdentity(claims, acr = ACR_CHOICES.eidas1) {
      const subjectNameId = String(claims.SubjectNameID ?? '');
      const { sub, ...rest } = claims;
      const withSub = typeof sub === 'string';
      remember(withSub ? sub : federatedSub(subjectNameId), {
        subjectNameId,
        claims: rest,
        withSub,
        acr: acr ?? {},
      });
      return subjectNameId;
    },
  });

  const jwk = (await signingKey(ctx)) as jose.JWK & { kid: string };
  const privateKey = crypto.createPrivateKey({ key: jwk as crypto.JsonWebKey, format: 'jwk' });
  const publicKey = crypto.createPublicKey(privateKey);
  const cookieKey = crypto
    .createHmac('sha256', sessionSecret)
    .update('local-psc-cookies')
    .digest('base64url');

  /**
   * PSC's access tokens are JWTs (access-token-claims-sandbox.json); oidc-provider's, for its
   * own userinfo endpoint, are opaque. The token endpoint hands out a JWT with PSC's claims
   * whose `jti` is the opaque token: presented back (userinfo, introspection, revocation), it is
   * verified and read as that opaque token.
   */
  const wrapAccessToken = async (koa: KoaContextWithOIDC, opaque: string): Promise<string> => {
    const at = koa.oidc.entities.AccessToken;
    const code = koa.oidc.entities.AuthorizationCode;
    const account = at?.accountId ? accounts.get(at.accountId) : undefined;
    if (!at || !account) return opaque;
    const acr = account.acr.accessToken;
    const now = Math.floor(Date.now() / 1000);
    return new jose.SignJWT({
      azp: at.clientId,
      sub: at.accountId,
      SubjectNameID: account.subjectNameId,
      PSISubjectNameID: '',
      preferred_username: account.subjectNameId,
      otherIds: account.claims.otherIds ?? [],
      sid: code?.sid ?? at.sid,
      ...(acr ? { acr } : {}),
      authMode: 'CARD',
      ...(acr ? { auth_level: authLevelOf(acr) } : {}),
      exp: at.exp ?? now + 600,
      iat: at.iat ?? now,
      auth_time: code?.authTime,
      jti: opaque,
      nonce: code?.nonce,
      scope: at.scope,
      typ: 'Bearer',
    })
      .setProtectedHeader({ alg: 'RS256', kid: jwk.kid, typ: 'JWT' })
      .setIssuer(issuer)
      .sign(privateKey);
  };
  const unwrapAccessToken = async (
    value: string,
  ): Promise<{ opaque: string; claims: jose.JWTPayload } | undefined> => {
    try {
      const { payload } = await jose.jwtVerify(value, publicKey, { issuer, algorithms: ['RS256'] });
      // Only its access tokens (typ Bearer, a jti): not its ID or logout tokens.
      return payload.typ === 'Bearer' && typeof payload.jti === 'string'
        ? { opaque: payload.jti, claims: payload }
        : undefined;
    } catch {
      return undefined;
    }
  };

  const client = (clientId: string, extra: object = {}) => ({
    client_id: clientId,
    client_secret: secret,
    client_name: 'Délégations de droits',
    redirect_uris: [`${publicUrl}/auth/psc/callback`],
    post_logout_redirect_uris: [`${publicUrl}/`],
    backchannel_logout_uri: `${publicUrl}${BACKCHANNEL_LOGOUT_PATH}`,
    backchannel_logout_session_required: true,
    grant_types: ['authorization_code'],
    response_types: ['code' as const],
    token_endpoint_auth_method: 'client_secret_post' as const,
    ...extra,
  });

  const namespace = crypto.randomUUID();
  app.addHook('onClose', async () => {
    handles.delete(ctx);
    dropMemoryAdapter(namespace);
  });
  const configuration: Configuration = {
    adapter: createMemoryAdapter(namespace, async (value) => (await unwrapAccessToken(value))?.opaque),
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
    routes: PSC_ROUTES,
    features: {
      devInteractions: { enabled: false },
      // PSC does not offer DPoP; it offers what follows (see metadata.ts). Introspection and
      // revocation are answered below: oidc-provider refuses JWT access tokens there.
      dPoP: { enabled: false },
      jwtUserinfo: { enabled: true },
      claimsParameter: { enabled: true },
      requestObjects: { enabled: true, requireSignedRequestObject: false },
      encryption: { enabled: true },
      jwtResponseModes: { enabled: true },
      backchannelLogout: { enabled: true },
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
      const account = accounts.get(sub);
      if (!account) return undefined;
      return { accountId: sub, claims: async () => ({ ...account.claims, sub }) };
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
    // Its only outgoing requests are the logout tokens it posts to this very application,
    // on loopback in demo mode: oidc-provider's guard against special-use addresses is lifted
    // for this application's address only.
    fetch: (url, options) => {
      if (!String(url).startsWith(`${publicUrl}/`)) return fetch(url, options);
      const { dispatcher: _guard, ...rest } = options as RequestInit & { dispatcher?: unknown };
      return fetch(url, rest);
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
  // PSC's shapes where oidc-provider's differ: metadata keys, JWT access tokens, introspection,
  // userinfo without `sub` for an identity that has none.
  provider.use(async (koaContext, next) => {
    await next();
    const koa = koaContext as KoaContextWithOIDC;
    const body = koa.body as Record<string, unknown> | undefined;
    if (koa.status !== 200 || !body || typeof body !== 'object') return;
    if (koa.path === '/.well-known/openid-configuration') {
      koa.body = pscMetadata(body, publicUrl);
    } else if (koa.path === PSC_ROUTES.token && typeof body.access_token === 'string') {
      koa.body = { ...body, access_token: await wrapAccessToken(koa, body.access_token) };
    } else if (koa.path === PSC_ROUTES.userinfo) {
      const accountId = koa.oidc?.entities.AccessToken?.accountId;
      if (accountId && accounts.get(accountId)?.withSub === false) {
        const { sub: _sub, ...rest } = body;
        koa.body = rest;
      }
    }
  });
  provider.on('backchannel.error', (_koa, err) => {
    ctx.logger.warn(
      { err: { type: (err as Error).name } },
      'Pro Santé Connect local : déconnexion non transmise',
    );
  });
  const callback = provider.callback();
  const pass = (raw: IncomingMessage, res: ServerResponse, url: string) => {
    (raw as IncomingMessage & { originalUrl?: string }).originalUrl = `${LOCAL_PSC_PATH}${url}`;
    raw.url = url;
    callback(raw, res);
  };
  const unsupported = (reply: { status(n: number): { send(b: unknown): unknown } }) =>
    reply.status(400).send({
      error: 'request_not_supported',
      error_description: 'Non proposé par le Pro Santé Connect de démonstration.',
    });

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
      // Requests start at the published authorization endpoint (WALLET_AUTHORIZE_PATH), as at
      // PSC, not under the issuer; only the provider's own resumptions come here.
      scope.all(PSC_ROUTES.authorization, { schema: { hide: true } }, async (_request, reply) =>
        reply
          .status(404)
          .type('text/html; charset=utf-8')
          .send(
            messagePage(
              LOCAL_PSC_PATH,
              'Adresse de connexion inconnue',
              'Les demandes de connexion se font à l’adresse publiée par Pro Santé Connect (authorization_endpoint).',
            ),
          ),
      );
      for (const path of Object.values(UNSUPPORTED_PATHS)) {
        scope.all(path, { schema: { hide: true } }, async (_request, reply) => unsupported(reply));
      }
    },
    { prefix: LOCAL_PSC_PATH },
  );
  // PSC's authorization endpoint is on another host (wallet.…/auth): here, another path.
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null));
    scope.route({
      method: ['GET', 'POST'],
      url: WALLET_AUTHORIZE_PATH,
      schema: { hide: true },
      handler: (request, reply) => {
        reply.hijack();
        const query = (request.raw.url ?? '').slice(WALLET_AUTHORIZE_PATH.length);
        pass(request.raw, reply.raw, `${PSC_ROUTES.authorization}${query}`);
      },
    });
  });

  // Introspection (introspection-sandbox-card.json's shape) and revocation of the JWT access
  // tokens, for this provider's clients (client_secret_basic or client_secret_post).
  const clientIds = [LOCAL_CLIENT_ID, LOCAL_JWT_CLIENT_ID];
  const authenticated = (request: FastifyRequest, body: Record<string, string | undefined>) => {
    let id = body.client_id;
    let given = body.client_secret;
    const basic = /^Basic ([A-Za-z0-9+/=]+)$/.exec(request.headers.authorization ?? '');
    if (basic?.[1]) {
      const [user, password] = Buffer.from(basic[1], 'base64').toString('utf8').split(':');
      try {
        id = decodeURIComponent(user ?? '');
        given = decodeURIComponent(password ?? '');
      } catch {
        return undefined;
      }
    }
    if (!id || !given || !clientIds.includes(id)) return undefined;
    const a = crypto.createHash('sha256').update(given).digest();
    const b = crypto.createHash('sha256').update(secret).digest();
    return crypto.timingSafeEqual(a, b) ? id : undefined;
  };
  const liveToken = async (value: string | undefined) => {
    const wrapped = value ? await unwrapAccessToken(value) : undefined;
    const stored = wrapped ? await provider.AccessToken.find(wrapped.opaque) : undefined;
    return wrapped && stored?.isValid ? { wrapped, stored } : undefined;
  };
  await app.register(
    async (plugin) => {
      await plugin.register(formbody, { bodyLimit: 16 * 1024 });
      const tokenBody = z.record(z.string(), z.string().max(8000));
      const invalidClient = (reply: FastifyReply) =>
        reply.status(401).send({ error: 'invalid_client', error_description: 'Client non authentifié.' });
      plugin.post(PSC_ROUTES.introspection, { schema: { hide: true } }, async (request, reply) => {
        const body = tokenBody.safeParse(request.body ?? {});
        if (!body.success) return reply.status(400).send({ error: 'invalid_request' });
        const clientId = authenticated(request, body.data);
        if (!clientId) return invalidClient(reply);
        reply.header('cache-control', 'no-store');
        const live = await liveToken(body.data.token);
        if (!live) return { active: false };
        const c = live.wrapped.claims;
        return {
          exp: c.exp,
          iat: c.iat,
          auth_time: c.auth_time,
          jti: c.jti,
          iss: c.iss,
          sub: c.sub,
          typ: 'Bearer',
          azp: c.azp,
          nonce: c.nonce ?? '',
          session_state: c.sid,
          preferred_username: c.preferred_username,
          ...(c.acr ? { acr: c.acr } : {}),
          scope: c.scope,
          sid: c.sid,
          authMode: c.authMode,
          otherIds: c.otherIds,
          client_id: c.azp,
          username: c.preferred_username,
          active: true,
        };
      });
      plugin.post(PSC_ROUTES.revocation, { schema: { hide: true } }, async (request, reply) => {
        const body = tokenBody.safeParse(request.body ?? {});
        if (!body.success) return reply.status(400).send({ error: 'invalid_request' });
        const clientId = authenticated(request, body.data);
        if (!clientId) return invalidClient(reply);
        const live = await liveToken(body.data.token);
        if (live && live.stored.clientId === clientId) await live.stored.destroy();
        return reply.status(200).send();
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
          let sub: string | undefined;
          if (body.card && body.card !== 'autre') {
            const card = DEMO_CARDS.find((c) => c.subjectNameId === body.card);
            if (card) {
              sub = federatedSub(card.subjectNameId);
              accounts.set(sub, accountOf(card));
            } else {
              sub = [...accounts].find(([, a]) => a.subjectNameId === body.card)?.[0];
            }
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
            const identity: LocalIdentity = {
              subjectNameId: form.subjectNameId,
              familyName: form.familyName,
              givenName: form.givenName,
              cardType: form.cardType,
              professionCode: form.professionCode,
              description: '',
              modeExercice: form.professionCode ? 'L' : 'S',
            };
            sub = federatedSub(identity.subjectNameId);
            remember(sub, accountOf(identity, ACR_CHOICES[form.acr]));
          }
          const account = sub ? accounts.get(sub) : undefined;
          if (!sub || !account) {
            return reply
              .status(400)
              .type('text/html; charset=utf-8')
              .send(
                messagePage(LOCAL_PSC_PATH, 'Carte inconnue', 'Cette carte de démonstration n’existe pas.'),
              );
          }
          const acr = account.acr.idToken;
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
