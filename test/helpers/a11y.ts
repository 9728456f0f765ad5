import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';

/**
 * axe with the WCAG A/AA rules; returns the violations as short readable lines. While a modal
 * dialog is open, only the dialog is checked: the page behind it sits under the backdrop, out of
 * reach, and its dimmed text would otherwise count as a contrast failure.
 */
export async function axeViolations(page: Page): Promise<string[]> {
  const builder = new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']);
  const dialog = page.locator('dialog[open]');
  if ((await dialog.count()) > 0) {
    // Colours are measured once the dialog's fade-in has finished, not halfway through it.
    await dialog.evaluate((el) => Promise.all(el.getAnimations({ subtree: true }).map((a) => a.finished)));
    builder.include('dialog[open]');
  }
  const result = await builder.analyze();
  return result.violations.map(
    (v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`,
  );
}

export const SCREENSHOTS = new URL('../../docs/screenshots/', import.meta.url).pathname;
