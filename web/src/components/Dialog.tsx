import { useEffect, useId, useRef, type ReactNode } from 'react';

/**
 * A modal dialog on the native <dialog> element: focus moves into it and stays there, Escape
 * closes it, and assistive technology announces it by its title. Mounted = open.
 */
export function Dialog({ title, onClose, children, wide = false }: { title: string; onClose: () => void; children: ReactNode; wide?: boolean }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const d = ref.current;
    // Unmounting removes the dialog before close() runs, so the browser cannot hand focus back
    // to what opened it: the dialog does (keyboard users continue where they were).
    const opener = document.activeElement;
    if (d !== null && !d.open) d.showModal();
    return () => {
      if (d?.open === true) d.close();
      if (opener instanceof HTMLElement && opener.isConnected) opener.focus();
    };
  }, []);
  return (
    <dialog ref={ref} className={wide ? 'dialog wide' : 'dialog'} aria-labelledby={titleId}
      onCancel={(e) => { e.preventDefault(); onClose(); }}>
      <div className="dialog-head">
        <h2 id={titleId}>{title}</h2>
        <button type="button" className="icon" aria-label="Close" onClick={onClose}><span aria-hidden="true">×</span></button>
      </div>
      {children}
    </dialog>
  );
}
