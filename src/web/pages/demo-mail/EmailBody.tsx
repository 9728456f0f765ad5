// One received email: its HTML in a sandboxed frame (no script, no access to the application;
// links open in a new tab), as tall as its content, and its text version with the addresses made
// clickable.
import { type SyntheticEvent, useEffect, useState } from 'react';
import type { DemoEmail } from '../../../shared/demo-mail';

/** Every link of the message opens outside the frame, in a new tab. */
function withBaseTarget(html: string): string {
  const base = '<base target="_blank">';
  return /<head[^>]*>/i.test(html) ? html.replace(/<head[^>]*>/i, (m) => `${m}${base}`) : `${base}${html}`;
}

const URL_PATTERN = /(https?:\/\/[^\s<>"]+)/g;

function LinkifiedText({ text }: { text: string }) {
  const parts = text.split(URL_PATTERN);
  return (
    <pre className="demo-mail-text">
      {parts.map((part, i) =>
        i % 2 === 1 ? (
          // biome-ignore lint/suspicious/noArrayIndexKey: the parts of one fixed text.
          <a key={i} href={part} target="_blank" rel="noopener noreferrer">
            {part}
          </a>
        ) : (
          part
        ),
      )}
    </pre>
  );
}

const dateFormat = new Intl.DateTimeFormat('fr-FR', {
  dateStyle: 'full',
  timeStyle: 'medium',
  timeZone: 'Europe/Paris',
});

export function formatReceivedAt(iso: string): string {
  return dateFormat.format(new Date(iso));
}

/** The frame's height bounds, in pixels: a short email leaves no grey area, a huge one scrolls. */
const MIN_HEIGHT = 160;
const MAX_HEIGHT = 6000;

/**
 * Fits the frame to its content once loaded, and again when its width changes (the text wraps
 * anew). The frame is sandboxed with `allow-same-origin` but without `allow-scripts`: nothing in
 * the email can run, so the page may read its height (the two together would not be safe).
 */
function fitHeight(frame: HTMLIFrameElement) {
  const doc = frame.contentDocument;
  if (!doc?.documentElement) return;
  frame.style.height = `${MIN_HEIGHT}px`;
  const content = Math.max(doc.documentElement.scrollHeight, doc.body?.scrollHeight ?? 0);
  const border = frame.offsetHeight - frame.clientHeight;
  frame.style.height = `${Math.min(MAX_HEIGHT, Math.max(MIN_HEIGHT, content + border))}px`;
}

function useFitToContent() {
  const [frame, setFrame] = useState<HTMLIFrameElement | null>(null);
  useEffect(() => {
    if (!frame) return;
    let width = frame.clientWidth;
    const observer = new ResizeObserver(() => {
      if (frame.clientWidth === width) return;
      width = frame.clientWidth;
      fitHeight(frame);
    });
    observer.observe(frame);
    return () => observer.disconnect();
  }, [frame]);
  return { ref: setFrame, onLoad: (e: SyntheticEvent<HTMLIFrameElement>) => fitHeight(e.currentTarget) };
}

export function EmailBody({ email }: { email: DemoEmail }) {
  const frame = useFitToContent();
  return (
    <article aria-labelledby="courriel-objet">
      <h2 id="courriel-objet" className="fr-h4">
        {email.subject || '(sans objet)'}
      </h2>
      <dl className="demo-mail-headers">
        <dt>De</dt>
        <dd>{email.from}</dd>
        <dt>À</dt>
        <dd>{email.to}</dd>
        <dt>Reçu le</dt>
        <dd>
          <time dateTime={email.receivedAt}>{formatReceivedAt(email.receivedAt)}</time>
        </dd>
      </dl>
      {email.html ? (
        <iframe
          title={`Contenu du courriel : ${email.subject}`}
          className="demo-mail-frame"
          ref={frame.ref}
          onLoad={frame.onLoad}
          sandbox="allow-same-origin allow-popups allow-popups-to-escape-sandbox"
          referrerPolicy="no-referrer"
          srcDoc={withBaseTarget(email.html)}
        />
      ) : null}
      {email.text ? (
        <>
          <h3 className="fr-h6 fr-mt-3w">Version texte</h3>
          <LinkifiedText text={email.text} />
        </>
      ) : null}
    </article>
  );
}
