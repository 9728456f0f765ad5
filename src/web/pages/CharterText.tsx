import type { ReactNode } from 'react';
import type { Charter } from '../../shared/identity';

/** The usage charter, in a scrollable region that the keyboard can scroll too. */
export function CharterText({ charter }: { charter: Charter }) {
  const items: ReactNode[] = [];
  let list: string[] = [];
  const flush = (key: string) => {
    if (list.length) {
      items.push(
        <ul key={`liste-${key}`}>
          {list.map((t) => (
            <li key={t}>{t}</li>
          ))}
        </ul>,
      );
      list = [];
    }
  };
  for (const b of charter.blocks) {
    if (b.kind === 'li') {
      list.push(b.text);
      continue;
    }
    flush(b.text);
    items.push(
      b.kind === 'h2' ? (
        <h3 key={`titre-${b.text}`} className="fr-h6 fr-mt-3w fr-mb-1w">
          {b.text}
        </h3>
      ) : (
        <p key={`texte-${b.text}`}>{b.text}</p>
      ),
    );
  }
  flush('fin');
  return (
    <section
      className="fr-p-3w"
      aria-label={`${charter.title} (version ${charter.version})`}
      // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard.
      tabIndex={0}
      style={{ maxHeight: '24rem', overflowY: 'auto', border: '1px solid var(--border-default-grey)' }}
    >
      <p className="fr-text--bold">{charter.title}</p>
      {items}
    </section>
  );
}
