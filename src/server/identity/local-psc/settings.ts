// Where the local Pro Santé Connect lives and how the client finds it. Kept apart from the
// provider itself so that production never loads oidc-provider.
import crypto from 'node:crypto';

export const LOCAL_PSC_PATH = '/demo/psc/auth/realms/esante-wallet';
export const LOCAL_CLIENT_ID = 'delegations-de-droits';
/** Same provider, a client registered for userinfo as a signed JWT (application/jwt). */
export const LOCAL_JWT_CLIENT_ID = 'delegations-de-droits-jwt';

export const localIssuer = (publicUrl: string) => `${publicUrl}${LOCAL_PSC_PATH}`;

/** Derived from the session secret: nothing to configure, nothing fixed in the code. */
export function localClientSecret(sessionSecret: string): string {
  return crypto.createHmac('sha256', sessionSecret).update('local-psc-client-secret').digest('base64url');
}
