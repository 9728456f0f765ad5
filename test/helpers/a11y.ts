import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';

/** axe with the WCAG A/AA rules; returns the violations as short readable lines. */
export async function axeViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  return result.violations.map(
    (v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`,
  );
}

export const SCREENSHOTS = new URL('../../docs/screenshots/', import.meta.url).pathname;
