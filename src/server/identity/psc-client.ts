// The OpenID Connect client for Pro Santé Connect (openid-client 6). The same code talks to the
// real PSC and to the local imitation: only the configuration (issuer, client id, secret) differs.
import * as jose from 'jose';
import * as client from 'openid-client';
import type { AppContext } from '../context.js';
import { DomainError } from '../platform/errors.js';
import { authenticationLevel } from './claims.js';
import { LOCAL_CLIENT_ID, localClientSecret, localIssuer } from './local-psc/settings.js';

export const PSC_SCOPE = 'openid scope_all';
export const PSC_ACR = 'eidas1';
/** PSC publishes its metadata at this non-standard path under the issuer. */
export const PSC_DISCOVERY_PATH = '/.well-known/wallet-openid-configuration';
/** Where Pro Santé Connect posts its logout tokens (register PUBLIC_URL + this path at PSC). */
export const BACKCHANNEL_LOGOUT_PATH = '/auth/psc/backchannel-logout';

export interface PscSettings {
  issuer: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  postLogoutRedirectUri: string;
  local: boolean;
}

/** Undefined when sign-in with Pro Santé Connect is not configured (DEMO off, no PSC_ISSUER). */
export function pscSettings(config: AppContext['config']): PscSettings | undefined {
  const base = {
    redirectUri: `${config.publicUrl}/auth/psc/callback`,
    postLogoutRedirectUri: `${config.publicUrl}/`,
  };
  if (config.pscIssuer && config.pscClientId && config.pscClientSecret) {
    return {
      ...base,
      issuer: config.pscIssuer,
      clientId: config.pscClientId,
      clientSecret: config.pscClientSecret,
      local: config.demo && config.pscIssuer === localIssuer(config.publicUrl),
    };
  }
  if (!config.demo) return undefined;
  return {
    ...base,
    issuer: localIssuer(config.publicUrl),
    clientId: config.pscClientId ?? LOCAL_CLIENT_ID,
    clientSecret: config.pscClientSecret ?? localClientSecret(config.sessionSecret),
    local: true,
  };
}

export const pscUnavailable = () =>
  new DomainError(
    'psc_unavailable',
    'La connexion avec Pro Santé Connect est momentanément indisponible. Veuillez réessayer dans quelques instants.',
    503,
  );

/** Why a sign-in or a back-channel logout was refused: a code, logged as is (no personal data). */
export type PscRefusalReason =
  | 'iss_missing'
  | 'iss_mismatch'
  | 'acr_missing'
  | 'acr_insufficient'
  | 'access_token_invalid'
  | 'userinfo_without_sub'
  | 'userinfo_sub_mismatch';

/** The `/connexion?erreur=…` code each refusal shows (messages in shared/identity.ts). */
const SIGN_IN_ERROR: Record<PscRefusalReason, 'emetteur' | 'niveau' | 'profil' | 'echec'> = {
  iss_missing: 'emetteur',
  iss_mismatch: 'emetteur',
  acr_missing: 'niveau',
  acr_insufficient: 'niveau',
  access_token_invalid: 'echec',
  userinfo_without_sub: 'profil',
  userinfo_sub_mismatch: 'profil',
};

export class PscRefused extends Error {
  override name = 'PscRefused';
  constructor(readonly reason: PscRefusalReason) {
    super(reason);
  }
  get signInError() {
    return SIGN_IN_ERROR[this.reason];
  }
}

/**
 * RFC 9207: when the provider says it puts `iss` in its authorization responses, the response
 * must carry it and it must be the issuer's. (openid-client checks it too; checked here first
 * to tell the user why.)
 */
export function issParameterProblem(
  params: URLSearchParams,
  metadata: { issuer: string; authorization_response_iss_parameter_supported?: boolean },
): 'iss_missing' | 'iss_mismatch' | undefined {
  const iss = params.get('iss');
  if (iss === null)
    return metadata.authorization_response_iss_parameter_supported ? 'iss_missing' : undefined;
  return iss === metadata.issuer ? undefined : 'iss_mismatch';
}

/** What went wrong with a userinfo answer openid-client refused, when it is about `sub`. */
function userinfoProblem(err: unknown): PscRefusalReason | undefined {
  let e: unknown = err;
  for (let depth = 0; depth < 4 && e && typeof e === 'object'; depth++) {
    const x = e as { code?: unknown; cause?: unknown };
    const cause = x.cause as { body?: unknown; attribute?: unknown } | undefined;
    if (cause && typeof cause === 'object' && 'body' in cause) {
      const body = cause.body;
      if (body && typeof body === 'object' && typeof (body as { sub?: unknown }).sub !== 'string') {
        return 'userinfo_without_sub';
      }
      if (cause.attribute === 'sub') return 'userinfo_sub_mismatch';
    }
    e = x.cause;
  }
  return undefined;
}

/** Signature algorithms accepted on tokens this client verifies itself (no HMAC, no none). */
const ASYMMETRIC = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';
const SESSION_ID = /^[\x21-\x7e]{1,200}$/;

/** What a verified logout token names: a PSC session (`sid`), a person (`sub`), or both. */
export interface LogoutTarget {
  sid: string | null;
  sub: string | null;
}

/**
 * The checks of OpenID Connect Back-Channel Logout 1.0 §2.6 beyond signature, iss, aud and iat
 * (done by jose): the event, `sid` or `sub`, no `nonce`, a `jti`, the JWT type if given.
 */
export function logoutTokenProblem(
  header: { typ?: unknown },
  payload: Record<string, unknown>,
): string | LogoutTarget {
  if (header.typ !== undefined && !/^(logout\+jwt|jwt|application\/logout\+jwt)$/i.test(String(header.typ))) {
    return 'logout_token_type';
  }
  const events = payload.events;
  const event =
    events && typeof events === 'object' && !Array.isArray(events)
      ? (events as Record<string, unknown>)[BACKCHANNEL_LOGOUT_EVENT]
      : undefined;
  if (!event || typeof event !== 'object' || Array.isArray(event)) return 'logout_token_event';
  if ('nonce' in payload) return 'logout_token_nonce';
  if (typeof payload.jti !== 'string' || payload.jti === '') return 'logout_token_jti';
  const sid = typeof payload.sid === 'string' && SESSION_ID.test(payload.sid) ? payload.sid : null;
  const sub = typeof payload.sub === 'string' && SESSION_ID.test(payload.sub) ? payload.sub : null;
  if (payload.sid !== undefined && sid === null) return 'logout_token_sid';
  if (payload.sub !== undefined && sub === null) return 'logout_token_sub';
  if (!sid && !sub) return 'logout_token_no_target';
  return { sid, sub };
}

export class LogoutTokenRefused extends Error {
  override name = 'LogoutTokenRefused';
  constructor(readonly reason: string) {
    super(reason);
  }
}

export interface PscSignIn {
  idToken: string;
  userinfo: Record<string, unknown>;
  /** The accepted level and where it was read. */
  acr: string;
  acrSource: 'id_token' | 'access_token';
  /** PSC's session id (ID token, else access token): what a back-channel logout names. */
  pscSid: string | null;
  /** PSC's `sub` (a federated id), when of a sane size. */
  pscSub: string | null;
}

/** The application's client, made once by the composition root; undefined when not configured. */
export function createPscClient(config: AppContext['config']): PscClient | undefined {
  const settings = pscSettings(config);
  return settings ? new PscClient(settings) : undefined;
}

export class PscClient {
  #config: Promise<client.Configuration> | undefined;
  #jwks: ReturnType<typeof jose.createRemoteJWKSet> | undefined;

  constructor(readonly settings: PscSettings) {}

  /** Discovery once, retried on the next sign-in if the provider did not answer. */
  configuration(): Promise<client.Configuration> {
    if (!this.#config) {
      const { issuer, clientId, clientSecret } = this.settings;
      const insecure = issuer.startsWith('http:');
      this.#config = client
        .discovery(
          new URL(`${issuer}${PSC_DISCOVERY_PATH}`),
          clientId,
          { client_secret: clientSecret },
          client.ClientSecretPost(clientSecret),
          // Plain http only for the local provider of demo mode (config refuses http otherwise).
          insecure ? { execute: [client.allowInsecureRequests], timeout: 10 } : { timeout: 10 },
        )
        .then((config) => {
          if (config.serverMetadata().issuer !== issuer) {
            throw new Error('discovered issuer differs from PSC_ISSUER');
          }
          // Userinfo may come back as a signed JWT: verify its signature with the provider's keys.
          client.enableNonRepudiationChecks(config);
          return config;
        });
      this.#config.catch(() => {
        this.#config = undefined;
      });
    }
    return this.#config;
  }

  /** The provider's signing keys (jwks_uri), fetched when needed and cached by jose. */
  async #keys() {
    const config = await this.configuration();
    if (!this.#jwks) {
      const uri = config.serverMetadata().jwks_uri;
      if (!uri) throw new Error('no jwks_uri');
      this.#jwks = jose.createRemoteJWKSet(new URL(uri), { timeoutDuration: 10_000 });
    }
    return this.#jwks;
  }

  async authorizationUrl(values: { state: string; nonce: string; codeVerifier: string }): Promise<URL> {
    const config = await this.configuration().catch(() => {
      throw pscUnavailable();
    });
    return client.buildAuthorizationUrl(config, {
      redirect_uri: this.settings.redirectUri,
      scope: PSC_SCOPE,
      acr_values: PSC_ACR,
      state: values.state,
      nonce: values.nonce,
      code_challenge: await client.calculatePKCECodeChallenge(values.codeVerifier),
      code_challenge_method: 'S256',
    });
  }

  /**
   * The access token's claims when it is a JWT (PSC's are), verified with the provider's keys:
   * issuer, this client as `azp`, the sign-in's nonce when it carries one. Undefined for an
   * opaque token.
   */
  async #accessTokenClaims(accessToken: string, nonce: string): Promise<jose.JWTPayload | undefined> {
    if (!JWT_SHAPE.test(accessToken)) return undefined;
    try {
      const { payload } = await jose.jwtVerify(accessToken, await this.#keys(), {
        issuer: this.settings.issuer,
        algorithms: ASYMMETRIC,
        clockTolerance: 30,
      });
      if (payload.azp !== undefined && payload.azp !== this.settings.clientId) throw new Error('azp');
      if (typeof payload.nonce === 'string' && payload.nonce !== '' && payload.nonce !== nonce) {
        throw new Error('nonce');
      }
      return payload;
    } catch {
      throw new PscRefused('access_token_invalid');
    }
  }

  /**
   * The authorization response's `iss` (RFC 9207), code for tokens (state, nonce and PKCE
   * checked), the authentication level (ID token, else access token), then userinfo (JSON or
   * signed JWT, its `sub` the ID token's).
   */
  async finish(
    callbackUrl: URL,
    checks: { state: string; nonce: string; codeVerifier: string },
  ): Promise<PscSignIn> {
    const config = await this.configuration();
    const issProblem = issParameterProblem(callbackUrl.searchParams, config.serverMetadata());
    if (issProblem) throw new PscRefused(issProblem);
    const tokens = await client.authorizationCodeGrant(config, callbackUrl, {
      pkceCodeVerifier: checks.codeVerifier,
      expectedState: checks.state,
      expectedNonce: checks.nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims();
    if (!claims || !tokens.id_token) throw new Error('no ID token');
    const idSid = typeof claims.sid === 'string' && SESSION_ID.test(claims.sid) ? claims.sid : null;
    // The access token is read only when the ID token lacks what is needed.
    const accessClaims =
      claims.acr === undefined || idSid === null
        ? await this.#accessTokenClaims(tokens.access_token, checks.nonce)
        : undefined;
    const level = authenticationLevel(claims.acr, accessClaims?.acr);
    if (!level.ok) throw new PscRefused(level.reason);
    const atSid = accessClaims?.sid;
    let userinfo: client.UserInfoResponse;
    try {
      userinfo = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
    } catch (err) {
      const problem = userinfoProblem(err);
      if (problem) throw new PscRefused(problem);
      throw err;
    }
    return {
      idToken: tokens.id_token,
      userinfo: userinfo as Record<string, unknown>,
      acr: level.acr,
      acrSource: level.source,
      pscSid: idSid ?? (typeof atSid === 'string' && SESSION_ID.test(atSid) ? atSid : null),
      pscSub: SESSION_ID.test(claims.sub) ? claims.sub : null,
    };
  }

  /** A back-channel logout token, verified: signature, iss, aud, iat, event, sid or sub, no nonce. */
  async verifyLogoutToken(token: string): Promise<LogoutTarget> {
    if (!JWT_SHAPE.test(token)) throw new LogoutTokenRefused('logout_token_not_a_jwt');
    let verified: jose.JWTVerifyResult;
    try {
      verified = await jose.jwtVerify(token, await this.#keys(), {
        issuer: this.settings.issuer,
        audience: this.settings.clientId,
        algorithms: ASYMMETRIC,
        requiredClaims: ['iat'],
        maxTokenAge: '10 minutes',
        clockTolerance: 60,
      });
    } catch (err) {
      throw new LogoutTokenRefused(
        err instanceof jose.errors.JOSEError ? `logout_token_${err.code}` : 'logout_token_unverified',
      );
    }
    const target = logoutTokenProblem(verified.protectedHeader, verified.payload);
    if (typeof target === 'string') throw new LogoutTokenRefused(target);
    return target;
  }

  async endSessionUrl(idToken: string | null): Promise<string | undefined> {
    try {
      const config = await this.configuration();
      if (!config.serverMetadata().end_session_endpoint) return undefined;
      return client
        .buildEndSessionUrl(config, {
          post_logout_redirect_uri: this.settings.postLogoutRedirectUri,
          ...(idToken ? { id_token_hint: idToken } : {}),
        })
        .toString();
    } catch {
      return undefined;
    }
  }
}
