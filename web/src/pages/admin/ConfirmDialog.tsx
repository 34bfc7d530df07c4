import type { ReactNode } from 'react';
import { Dialog } from '../../components/Dialog.tsx';
import { ErrorMessage } from '../../components/Status.tsx';
import { useAction } from '../../hooks.ts';

/**
 * Asks before a destructive change and makes it; a refusal (a guardrail, a role still
 * assigned) is shown in the dialog with the API's own message, so the admin sees why.
 */
export function ConfirmDialog({ title, confirm, children, onConfirm, onClose, onDone }: {
  title: string; confirm: string; children: ReactNode;
  onConfirm: () => Promise<unknown>; onClose: () => void; onDone: () => void;
}) {
  const { busy, error, run } = useAction();
  const proceed = () => run(async () => { await onConfirm(); onDone(); });
  return (
    <Dialog title={title} onClose={onClose}>
      <div className="stack">
        {children}
        <ErrorMessage message={error} />
        <div className="actions">
          <button type="button" className="danger" disabled={busy} onClick={() => void proceed()}>{busy ? 'Working…' : confirm}</button>
          <button type="button" className="secondary" onClick={onClose}>Cancel</button>
        </div>
      </div>
    </Dialog>
  );
}
