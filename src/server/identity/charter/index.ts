// The usage charter, a versioned French text kept in this folder. The current version is the
// one users must have accepted; publishing a new file and pointing CURRENT_CHARTER_FILE at it
// asks every user to accept it again at their next request.
import { readFileSync } from 'node:fs';
import type { Charter } from '../../../shared/identity.js';

const CURRENT_CHARTER_FILE = '2026-11-v1.md';

/** Version = file name without extension: stored with each acceptance. */
export function parseCharter(version: string, markdown: string): Charter {
  let title = '';
  const blocks: Charter['blocks'] = [];
  for (const raw of markdown.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    if (line.startsWith('# ')) title = line.slice(2).trim();
    else if (line.startsWith('## ')) blocks.push({ kind: 'h2', text: line.slice(3).trim() });
    else if (line.startsWith('- ')) blocks.push({ kind: 'li', text: line.slice(2).trim() });
    else blocks.push({ kind: 'p', text: line });
  }
  return { version, title, blocks };
}

export const CURRENT_CHARTER: Charter = parseCharter(
  CURRENT_CHARTER_FILE.replace(/\.md$/, ''),
  readFileSync(new URL(`./${CURRENT_CHARTER_FILE}`, import.meta.url), 'utf8'),
);
