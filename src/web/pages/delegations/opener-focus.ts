// A confirmation dialog that knows its opener: « Annuler » or Escape gives the focus back to the
// button that opened it (not to the first row's), unless the action went through.
import { useIsModalOpen } from '@codegouvfr/react-dsfr/Modal/useIsModalOpen';
import { useRef } from 'react';

type Modal = Parameters<typeof useIsModalOpen>[0];

export function useOpenerFocus(modal: Modal) {
  const opener = useRef<HTMLElement | null>(null);
  const acting = useRef(false);
  const isOpen = useIsModalOpen(modal, {
    onConceal: () => {
      if (acting.current || !opener.current) return;
      const target = opener.current;
      // After the design system's own focus handling, which knows no opener.
      window.requestAnimationFrame(() => target.focus());
    },
  });
  return { opener, acting, isOpen };
}
