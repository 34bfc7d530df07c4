import { useEffect, useRef } from 'react';

const SITE = 'openpim';

/**
 * What a page load does for screen reader and keyboard users, in a single-page app that never
 * loads a page: after a client-side navigation focus moves to the new page's main region (so it
 * is read and Tab continues from there, not from the link that was clicked), and the document
 * title names the page by its level-1 heading (WCAG 2.4.2).
 */
export function usePageFocusAndTitle(path: string): void {
  const first = useRef(true);
  useEffect(() => {
    // The first page of a visit: the browser has just loaded it, focus stays where it starts.
    if (first.current) { first.current = false; return; }
    const main = document.getElementById('main');
    if (main === null) return;
    if (!main.hasAttribute('tabindex')) main.setAttribute('tabindex', '-1');
    main.focus({ preventScroll: true });
  }, [path]);
  useEffect(() => {
    const root = document.getElementById('root');
    if (root === null) return;
    // The heading often arrives with the page's data (a role's name): follow it as it changes.
    const update = () => {
      const heading = document.querySelector('main h1')?.textContent?.trim() ?? '';
      const title = heading === '' ? SITE : `${heading} – ${SITE}`;
      if (document.title !== title) document.title = title;
    };
    update();
    const observer = new MutationObserver(update);
    observer.observe(root, { subtree: true, childList: true, characterData: true });
    return () => observer.disconnect();
  }, []);
}
