import { useState, type ReactNode } from 'react';
import { messageOf } from '../../api.ts';
import { Dialog } from '../../components/Dialog.tsx';
import { ErrorMessage } from '../../components/Status.tsx';

/**
 * Asks before a destructive change and makes it; a refusal (a guardrail, a role still
 * assigned) is shown in the dialog with the API's own message, so the admin sees why.
 */
export function ConfirmDialog({ title, confirm, children, onConfirm, onClose, onDone }: {
  title: string; confirm: string; children: ReactNode;
  onConfirm: () => Promise<unknown>; onClose: () => void; onDone: () => void;
}) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const run = async () => {
    setBusy(true); setError(null);
    try { await onConfirm(); onDone(); } catch (err) { setError(messageOf(err)); } finally { setBusy(false); }
  };
  return (
    <Dialog title={title} onClose={onClose}>
      <div className="stack">
        {children}
        <ErrorMessage message={error} />
        <div className="actions">
          <button type="button" className="danger" disabled={busy} onClick={() => void run()}>{busy ? 'Working…' : confirm}</button>
          <button type="button" className="secondary" onClick={onClose}>Cancel</button>
        </div>
      </div>
    </Dialog>
  );
}
