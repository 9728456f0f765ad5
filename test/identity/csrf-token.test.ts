// The CSRF token is the HMAC-SHA256 of the session (or browser) id under SESSION_SECRET, whatever
// the way it is computed: a token given by one node (or by the previous version during a
// rolling restart) is accepted by every other.
import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { csrfTokenFor, randomToken, sameToken } from '../../src/server/identity/sessions.js';

describe('CSRF token', () => {
  it('is HMAC-SHA256("csrf:<kind>:<id>") under the session secret, for any secret and id', () => {
    for (const secret of ['s'.repeat(32), 'clé-secrète-très-longue-é😀-0123456789abcdef', randomToken(48)]) {
      for (const kind of ['session', 'browser'] as const) {
        for (let i = 0; i < 5; i++) {
          const id = randomToken();
          const expected = crypto
            .createHmac('sha256', secret)
            .update(`csrf:${kind}:${id}`)
            .digest('base64url');
          expect(csrfTokenFor(secret, kind, id)).toBe(expected);
        }
      }
    }
    expect(csrfTokenFor('a'.repeat(32), 'session', 'x')).not.toBe(
      csrfTokenFor('b'.repeat(32), 'session', 'x'),
    );
  });

  it('is compared exactly', () => {
    const token = csrfTokenFor('s'.repeat(32), 'session', randomToken());
    expect(sameToken(token, token)).toBe(true);
    const other = token.endsWith('A') ? 'B' : 'A';
    expect(sameToken(`${token.slice(0, -1)}${other}`, token)).toBe(false);
    expect(sameToken(token.slice(1), token)).toBe(false);
    expect(sameToken(`${token}A`, token)).toBe(false);
    expect(sameToken('', token)).toBe(false);
    // Same number of characters, not of bytes.
    expect(sameToken(`é${token.slice(1)}`, token)).toBe(false);
  });
});
