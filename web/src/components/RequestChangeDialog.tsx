import { useState, type FormEvent } from 'react';
import { messageOf } from '../api.ts';
import { describeScope, formatDateTime } from '../format.ts';
import { submitRequest, type RoleAssignment } from '../requests.ts';
import type { User } from '../session.tsx';
import { Dialog } from './Dialog.tsx';
import { ErrorMessage } from './Status.tsx';

/**
 * Extend (an assignment ending within 14 days) or renew (one expired within 30 days): a
 * request that Privileged Role / Global Administrators approve; they set the new dates.
 */
export function RequestChangeDialog({ me, row, action, onClose, onDone }: { me: User; row: RoleAssignment; action: 'selfExtend' | 'selfRenew'; onClose: () => void; onDone: (message: string) => void }) {
  const [justification, setJustification] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const verb = action === 'selfExtend' ? 'Extend' : 'Renew';
  const name = row.roleDisplayName ?? row.roleId;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await submitRequest({ action, principalId: me.id, roleId: row.roleId, kind: row.kind, targetScheduleId: row.scheduleId, ...(justification.trim() !== '' ? { justification: justification.trim() } : {}) });
      onDone(`${name}: ${verb.toLowerCase()} request sent, pending approval by an administrator.`);
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog title={`${verb} ${name}`} onClose={onClose}>
      <form className="stack" onSubmit={(e) => void submit(e)}>
        <p>
          Your {row.kind} assignment at {describeScope(row.scope)} {action === 'selfExtend' ? 'ends' : 'ended'} {formatDateTime(row.endAt)}.
          An administrator approves the request and sets the new dates.
        </p>
        <label>Justification
          <textarea value={justification} onChange={(e) => setJustification(e.target.value)} maxLength={500} rows={3} required />
        </label>
        <ErrorMessage message={error} />
        <div className="actions">
          <button type="submit" disabled={busy}>{busy ? 'Sending…' : `Request ${verb.toLowerCase()}`}</button>
          <button type="button" className="secondary" onClick={onClose}>Cancel</button>
        </div>
      </form>
    </Dialog>
  );
}
