// What every page does on arrival: its own title in the browser tab (« Erreur : » first while a
// form shows errors), and the focus on its main heading after a client-side navigation or a
// change of acting context, so that a screen reader announces the new page.
import { useEffect } from 'react';

export const SERVICE_NAME = 'Délégations de droits';

export function pageTitle(title: string, hasError = false): string {
  return `${hasError ? 'Erreur : ' : ''}${title === SERVICE_NAME ? title : `${title} — ${SERVICE_NAME}`}`;
}

/** The page's title in the browser tab. */
export function usePageTitle(title: string, hasError = false) {
  useEffect(() => {
    document.title = pageTitle(title, hasError);
  }, [title, hasError]);
}

let watching: (() => void) | undefined;

/**
 * Puts the focus on the main heading (`main h1`) once it is on screen: now if it is there, else
 * as soon as the page renders it (pages often show « Chargement… » first). For a few seconds the
 * heading gets the focus back if the focus is lost (the heading replaced by the loaded page's, the
 * pressed button disabled), unless the page itself has put the focus somewhere (a message, a form).
 */
export function focusMainHeading(from: Element | null = document.activeElement, watchMs = 4000) {
  watching?.();
  const main = document.getElementById('contenu');
  if (!main) return;
  let placed = false;
  const lost = (el: Element | null) =>
    !el || el === document.body || !el.isConnected || (el as HTMLButtonElement).disabled === true;
  const attempt = () => {
    const heading = main.querySelector('h1');
    if (!heading) return;
    const active = document.activeElement;
    const pageMovedFocus = active !== from && active !== null && main.contains(active) && !lost(active);
    if (placed ? !lost(active) : pageMovedFocus) {
      placed = true;
      return;
    }
    if (!heading.hasAttribute('tabindex')) heading.setAttribute('tabindex', '-1');
    heading.focus({ preventScroll: false });
    placed = true;
  };
  const observer = new MutationObserver(attempt);
  observer.observe(main, { childList: true, subtree: true, attributes: true, attributeFilter: ['disabled'] });
  const timer = window.setTimeout(() => stop(), watchMs);
  const stop = () => {
    observer.disconnect();
    window.clearTimeout(timer);
    if (watching === stop) watching = undefined;
  };
  watching = stop;
  attempt();
}
