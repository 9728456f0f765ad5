// The return path after sign-in (shared by the server and the web app): only a same-origin path
// survives, after full normalisation; anything else gives undefined (the caller goes to `/`).
// Property-tested with fast-check over generated paths made of the tricky pieces: dot segments,
// their percent-encodings, extra slashes, backslashes, `@`, `:`, query and fragment.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { safeReturnTo } from '../../src/shared/identity.js';

const PUBLIC_URL = 'https://delegations.example.fr';
const ORIGIN = new URL(PUBLIC_URL).origin;

const piece = fc.constantFrom(
  '',
  '.',
  '..',
  '%2e',
  '%2E',
  '%2e%2e',
  '.%2e',
  '/',
  '//',
  '\\',
  '%5c',
  '%2f',
  'evil.example',
  'evil.example:443',
  'user@evil.example',
  'https:',
  'javascript:alert(1)',
  'invitation',
  'abc123',
  '?x=//evil.example',
  '#//evil.example',
  '\t',
  ' ',
);
const path = fc.array(piece, { minLength: 1, maxLength: 8 }).map((parts) => `/${parts.join('/')}`);
const anyString = fc.string({ maxLength: 60 });

/** Where a browser goes with this Location header, from any page of the site. */
const landing = (location: string, from = `${PUBLIC_URL}/connexion`) => new URL(location, from);

describe('safeReturnTo', () => {
  it('refuses the paths of the security review (normalised into //host)', () => {
    for (const hostile of [
      '/.//evil.example/x',
      '/..//evil.example/x',
      '/%2e//evil.example/x',
      '/%2E%2E//x',
    ]) {
      expect(safeReturnTo(hostile, PUBLIC_URL), hostile).toBeUndefined();
      expect(safeReturnTo(hostile), hostile).toBeUndefined();
    }
  });

  it('keeps an ordinary path of the site, normalised', () => {
    expect(safeReturnTo('/invitation/abc123', PUBLIC_URL)).toBe('/invitation/abc123');
    expect(safeReturnTo('/dossiers/./x/../y?onBehalfOf=1#h', PUBLIC_URL)).toBe('/dossiers/y?onBehalfOf=1#h');
  });

  it('property: whatever the path, the result stays on the site, starts with one slash, and is stable', () => {
    fc.assert(
      fc.property(fc.oneof(path, anyString), (value) => {
        for (const base of [PUBLIC_URL, undefined]) {
          const out = safeReturnTo(value, base);
          if (out === undefined) continue;
          expect(out.startsWith('/')).toBe(true);
          expect(out.startsWith('//')).toBe(false);
          expect(out).not.toContain('\\');
          expect(landing(out).origin).toBe(ORIGIN);
          expect(landing(out, `${PUBLIC_URL}/a/b/c`).origin).toBe(ORIGIN);
          // Checking the result again changes nothing (the server re-checks what it stored).
          expect(safeReturnTo(out, base)).toBe(out);
        }
      }),
      { numRuns: 5000 },
    );
  });
});
