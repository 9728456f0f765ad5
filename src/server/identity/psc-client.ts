// The OpenID Connect client for Pro Santé Connect (openid-client 6). The same code talks to the
// real PSC and to the local imitation: only the configuration (issuer, client id, secret) differs.
import * as client from 'openid-client';
import type { AppContext } from '../context.js';
import { DomainError } from '../platform/errors.js';
import { acrAccepted } from './claims.js';
import { LOCAL_CLIENT_ID, localClientSecret, localIssuer } from './local-psc/settings.js';

export const PSC_SCOPE = 'openid scope_all';
export const PSC_ACR = 'eidas1';
/** PSC publishes its metadata at this non-standard path under the issuer. */
export const PSC_DISCOVERY_PATH = '/.well-known/wallet-openid-configuration';

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

/** The ID token's acr is missing or below eidas1. */
export class AcrRefused extends Error {
  override name = 'AcrRefused';
}

/** The application's client, made once by the composition root; undefined when not configured. */
export function createPscClient(config: AppContext['config']): PscClient | undefined {
  const settings = pscSettings(config);
  return settings ? new PscClient(settings) : undefined;
}

export class PscClient {
  #config: Promise<client.Configuration> | undefined;

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

  /** Code for tokens (state, nonce and PKCE checked), then userinfo (JSON or signed JWT). */
  async finish(
    callbackUrl: URL,
    checks: { state: string; nonce: string; codeVerifier: string },
  ): Promise<{ idToken: string; userinfo: Record<string, unknown> }> {
    const config = await this.configuration();
    const tokens = await client.authorizationCodeGrant(config, callbackUrl, {
      pkceCodeVerifier: checks.codeVerifier,
      expectedState: checks.state,
      expectedNonce: checks.nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims();
    if (!claims || !tokens.id_token) throw new Error('no ID token');
    if (!acrAccepted(claims.acr)) throw new AcrRefused();
    const userinfo = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
    return { idToken: tokens.id_token, userinfo: userinfo as Record<string, unknown> };
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
