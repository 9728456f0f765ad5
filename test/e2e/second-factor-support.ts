// The second factor in the browser tests: a virtual authenticator (Chrome DevTools Protocol,
// WebAuthn domain) for passkeys, and TOTP enrolment with the code computed as an app would.
import type { Page } from 'playwright-core';
import { totpCode } from '../helpers/second-factor.js';

/** Gives the page a platform authenticator with user verification (a passkey-capable device). */
export async function addVirtualAuthenticator(page: Page): Promise<{ credentials(): Promise<unknown[]> }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return {
    credentials: async () => (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials,
  };
}

/**
 * On « Choisir votre second facteur de connexion »: enrols an authenticator app, the code computed
 * from the secret shown; then leaves the recovery codes page. Returns the secret and the codes.
 */
export async function enrolTotp(
  page: Page,
  /** Runs once the QR code is shown (axe, screenshot). */
  onQrCode?: () => Promise<void>,
): Promise<{ secret: string; recoveryCodes: string[] }> {
  await page.getByRole('heading', { level: 1, name: 'Choisir votre second facteur de connexion' }).waitFor();
  await page.getByRole('button', { name: 'Utiliser une application d’authentification' }).click();
  await page.getByTestId('totp-secret').waitFor();
  await onQrCode?.();
  const secret = (await page.getByTestId('totp-secret').textContent()) ?? '';
  await page.getByLabel('Code affiché par l’application').fill(totpCode(secret));
  await page.getByRole('button', { name: 'Valider le code' }).click();
  await page.getByRole('heading', { level: 1, name: 'Vos codes de secours' }).waitFor();
  const recoveryCodes = await page
    .getByRole('list', { name: 'Codes de secours' })
    .locator('code')
    .allTextContents();
  await page.getByRole('button', { name: 'J’ai noté mes codes de secours, continuer' }).click();
  return { secret, recoveryCodes };
}

/** A TOTP code of a step not used yet: waits for the next 30-second step when needed. */
export async function freshTotpCode(secret: string, used: Set<string>): Promise<string> {
  for (;;) {
    const code = totpCode(secret);
    const step = Math.floor(Date.now() / 30_000);
    if (!used.has(String(step))) {
      used.add(String(step));
      return code;
    }
    await new Promise((r) => setTimeout(r, 30_000 - (Date.now() % 30_000) + 200));
  }
}
