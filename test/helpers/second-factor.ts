// The second factor in tests: TOTP codes computed as an authenticator app would, and a software
// passkey (a P-256 key pair that answers WebAuthn ceremonies the way a browser and an
// authenticator do, with the origin of the page it is given), for service-level tests.
import crypto from 'node:crypto';
import { isoCBOR } from '@simplewebauthn/server/helpers';
import * as OTPAuth from 'otpauth';

/** The 6-digit code an authenticator app shows at `at` for this (base32, spaces allowed) secret. */
export function totpCode(secret: string, at: number = Date.now()): string {
  return new OTPAuth.TOTP({
    secret: OTPAuth.Secret.fromBase32(secret.replace(/\s+/g, '')),
    algorithm: 'SHA1',
    digits: 6,
    period: 30,
  }).generate({ timestamp: at });
}

const b64url = (b: Buffer | Uint8Array) => Buffer.from(b).toString('base64url');
const sha256 = (b: Buffer | string) => crypto.createHash('sha256').update(b).digest();

export class SoftPasskey {
  readonly credentialId = crypto.randomBytes(32);
  private readonly keys = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  counter = 0;
  userHandle: string | undefined;

  private authData(rpId: string, flags: number, attested?: Buffer): Buffer {
    const count = Buffer.alloc(4);
    count.writeUInt32BE(this.counter);
    return Buffer.concat([sha256(rpId), Buffer.from([flags]), count, ...(attested ? [attested] : [])]);
  }

  /** navigator.credentials.create(): a "none" attestation, user present and verified. */
  register(options: { challenge: string; rp: { id?: string }; user: { id: string } }, origin: string) {
    const rpId = options.rp.id ?? new URL(origin).hostname;
    this.userHandle = options.user.id;
    const jwk = this.keys.publicKey.export({ format: 'jwk' });
    const cose = isoCBOR.encode(
      new Map<number, number | Uint8Array>([
        [1, 2],
        [3, -7],
        [-1, 1],
        [-2, Buffer.from(jwk.x as string, 'base64url')],
        [-3, Buffer.from(jwk.y as string, 'base64url')],
      ]),
    );
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(this.credentialId.length);
    const attested = Buffer.concat([Buffer.alloc(16), idLength, this.credentialId, Buffer.from(cose)]);
    const authData = this.authData(rpId, 0x01 | 0x04 | 0x40, attested);
    const attestationObject = isoCBOR.encode(
      new Map<string, unknown>([
        ['fmt', 'none'],
        ['attStmt', new Map()],
        ['authData', authData],
      ]) as never,
    );
    const clientDataJSON = Buffer.from(
      JSON.stringify({ type: 'webauthn.create', challenge: options.challenge, origin, crossOrigin: false }),
    );
    return {
      id: b64url(this.credentialId),
      rawId: b64url(this.credentialId),
      type: 'public-key' as const,
      response: {
        clientDataJSON: b64url(clientDataJSON),
        attestationObject: b64url(attestationObject),
        transports: ['internal'],
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }

  /** navigator.credentials.get(): signs the challenge for `origin`; the counter grows unless told. */
  assert(options: { challenge: string; rpId?: string }, origin: string, { keepCounter = false } = {}) {
    if (!keepCounter) this.counter += 1;
    const rpId = options.rpId ?? new URL(origin).hostname;
    const authenticatorData = this.authData(rpId, 0x01 | 0x04);
    const clientDataJSON = Buffer.from(
      JSON.stringify({ type: 'webauthn.get', challenge: options.challenge, origin, crossOrigin: false }),
    );
    const signature = crypto.sign(
      'sha256',
      Buffer.concat([authenticatorData, sha256(clientDataJSON)]),
      this.keys.privateKey,
    );
    return {
      id: b64url(this.credentialId),
      rawId: b64url(this.credentialId),
      type: 'public-key' as const,
      response: {
        clientDataJSON: b64url(clientDataJSON),
        authenticatorData: b64url(authenticatorData),
        signature: b64url(signature),
        userHandle: this.userHandle,
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }
}

interface ApiBrowser {
  base: string;
  api(method: string, path: string, json?: unknown): Promise<{ status: number; text: string }>;
}

/**
 * After a right password: the second factor with this software passkey, registered first when
 * the account has none (its first password sign-in since 2026). Throws unless the session is
 * then strong.
 */
export async function passkeySecondFactor(b: ApiBrowser, key: SoftPasskey): Promise<void> {
  const state = JSON.parse((await b.api('GET', '/api/second-factor')).text);
  const registering = state.passkeys.length === 0;
  const options = JSON.parse(
    (
      await b.api(
        'POST',
        registering
          ? '/api/second-factor/passkey/registration-options'
          : '/api/second-factor/passkey/authentication-options',
      )
    ).text,
  );
  const done = registering
    ? await b.api('POST', '/api/second-factor/passkey/registration', {
        name: 'Clé de test',
        response: key.register(options, b.base),
      })
    : await b.api('POST', '/api/second-factor/passkey', { response: key.assert(options, b.base) });
  if (done.status !== 200) throw new Error(`second factor: ${done.status} ${done.text}`);
}
