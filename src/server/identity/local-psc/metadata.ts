// The local Pro Santé Connect's metadata: the keys of the real sandbox's discovery document
// (test/identity/fixtures/psc-samples/discovery-sandbox.json), in its order, with this
// provider's own values. Like the real one, its authorization endpoint is not under the issuer
// (PSC's is on another host, wallet.…/auth; here another path, WALLET_AUTHORIZE_PATH).

/** oidc-provider's routes, relative to the issuer: PSC's (Keycloak's) paths. */
export const PSC_ROUTES = {
  authorization: '/protocol/openid-connect/auth',
  token: '/protocol/openid-connect/token',
  userinfo: '/protocol/openid-connect/userinfo',
  end_session: '/protocol/openid-connect/logout',
  jwks: '/protocol/openid-connect/certs',
  introspection: '/protocol/openid-connect/token/introspect',
  revocation: '/protocol/openid-connect/revoke',
  pushed_authorization_request: '/protocol/openid-connect/ext/par/request',
} as const;

/** The published authorization endpoint, outside the issuer's realm. */
export const WALLET_AUTHORIZE_PATH = '/demo/psc/wallet/auth';

/**
 * Endpoints PSC publishes for capabilities this service never uses and the local provider does
 * not offer (session iframe, device flow, CIBA, dynamic registration): published under PSC's
 * paths, they answer that they are not offered.
 */
export const UNSUPPORTED_PATHS = {
  check_session_iframe: '/protocol/openid-connect/login-status-iframe.html',
  device_authorization_endpoint: '/protocol/openid-connect/auth/device',
  backchannel_authentication_endpoint: '/protocol/openid-connect/ext/ciba/auth',
  registration_endpoint: '/clients-registrations/openid-connect',
} as const;

/** How clients authenticate at the introspection and revocation endpoints (provider.ts). */
const SECRET_AUTH = ['client_secret_basic', 'client_secret_post'];

/** The sandbox document's keys, in its order. */
export const PSC_METADATA_KEYS = [
  'issuer',
  'authorization_endpoint',
  'token_endpoint',
  'introspection_endpoint',
  'userinfo_endpoint',
  'end_session_endpoint',
  'frontchannel_logout_session_supported',
  'frontchannel_logout_supported',
  'jwks_uri',
  'check_session_iframe',
  'grant_types_supported',
  'acr_values_supported',
  'response_types_supported',
  'subject_types_supported',
  'id_token_signing_alg_values_supported',
  'id_token_encryption_alg_values_supported',
  'id_token_encryption_enc_values_supported',
  'userinfo_signing_alg_values_supported',
  'userinfo_encryption_alg_values_supported',
  'userinfo_encryption_enc_values_supported',
  'request_object_signing_alg_values_supported',
  'request_object_encryption_alg_values_supported',
  'request_object_encryption_enc_values_supported',
  'response_modes_supported',
  'registration_endpoint',
  'token_endpoint_auth_methods_supported',
  'token_endpoint_auth_signing_alg_values_supported',
  'introspection_endpoint_auth_methods_supported',
  'introspection_endpoint_auth_signing_alg_values_supported',
  'authorization_signing_alg_values_supported',
  'authorization_encryption_alg_values_supported',
  'authorization_encryption_enc_values_supported',
  'claims_supported',
  'claim_types_supported',
  'claims_parameter_supported',
  'scopes_supported',
  'request_parameter_supported',
  'request_uri_parameter_supported',
  'require_request_uri_registration',
  'code_challenge_methods_supported',
  'tls_client_certificate_bound_access_tokens',
  'revocation_endpoint',
  'revocation_endpoint_auth_methods_supported',
  'revocation_endpoint_auth_signing_alg_values_supported',
  'backchannel_logout_supported',
  'backchannel_logout_session_supported',
  'device_authorization_endpoint',
  'backchannel_token_delivery_modes_supported',
  'backchannel_authentication_endpoint',
  'backchannel_authentication_request_signing_alg_values_supported',
  'require_pushed_authorization_requests',
  'pushed_authorization_request_endpoint',
  'mtls_endpoint_aliases',
  'authorization_response_iss_parameter_supported',
] as const;

/**
 * oidc-provider's document → PSC's keys. What oidc-provider states is kept; what PSC states
 * about capabilities the local provider lacks is stated as lacking (false, empty lists, or an
 * endpoint answering that it is not offered); keys PSC does not publish are left out.
 */
export function pscMetadata(doc: Record<string, unknown>, publicUrl: string): Record<string, unknown> {
  const issuer = String(doc.issuer);
  const own: Record<string, unknown> = {
    ...doc,
    authorization_endpoint: `${publicUrl}${WALLET_AUTHORIZE_PATH}`,
    // Answered by provider.ts itself (oidc-provider refuses JWT access tokens there).
    introspection_endpoint: `${issuer}${PSC_ROUTES.introspection}`,
    revocation_endpoint: `${issuer}${PSC_ROUTES.revocation}`,
    frontchannel_logout_session_supported: false,
    frontchannel_logout_supported: false,
    introspection_endpoint_auth_methods_supported: SECRET_AUTH,
    introspection_endpoint_auth_signing_alg_values_supported: [],
    revocation_endpoint_auth_methods_supported: SECRET_AUTH,
    revocation_endpoint_auth_signing_alg_values_supported: [],
    require_request_uri_registration: true,
    tls_client_certificate_bound_access_tokens: false,
    backchannel_token_delivery_modes_supported: [],
    backchannel_authentication_request_signing_alg_values_supported: [],
    require_pushed_authorization_requests: false,
    ...Object.fromEntries(Object.entries(UNSUPPORTED_PATHS).map(([key, path]) => [key, `${issuer}${path}`])),
  };
  own.mtls_endpoint_aliases = Object.fromEntries(
    [
      'token_endpoint',
      'revocation_endpoint',
      'introspection_endpoint',
      'device_authorization_endpoint',
      'registration_endpoint',
      'userinfo_endpoint',
      'pushed_authorization_request_endpoint',
      'backchannel_authentication_endpoint',
    ].map((key) => [key, own[key]]),
  );
  return Object.fromEntries(PSC_METADATA_KEYS.map((key) => [key, own[key]]));
}
