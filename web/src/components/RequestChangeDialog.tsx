import { useState, type FormEvent } from 'react';
import { describeScope, formatDateTime } from '../format.ts';
import { useAction } from '../hooks.ts';
import { submitRequest, type RoleAssignment } from '../requests.ts';
import type { User } from '../session.tsx';
import { Dialog } from './Dialog.tsx';
import { FormActions } from './FormActions.tsx';
import { ErrorMessage } from './Status.tsx';

/**
 * Extend (an assignment ending within 14 days) or renew (one expired within 30 days): a
 * request that Privileged Role / Global Administrators approve; they set the new dates.
 */
export function RequestChangeDialog({ me, row, action, onClose, onDone }: { me: User; row: RoleAssignment; action: 'selfExtend' | 'selfRenew'; onClose: () => void; onDone: (message: string) => void }) {
  const [justification, setJustification] = useState('');
  const { busy, error, run } = useAction();
  const verb = action === 'selfExtend' ? 'Extend' : 'Renew';
  const name = row.roleDisplayName ?? row.roleId;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    await run(async () => {
      await submitRequest({ action, principalId: me.id, roleId: row.roleId, kind: row.kind, targetScheduleId: row.scheduleId, ...(justification.trim() !== '' ? { justification: justification.trim() } : {}) });
      onDone(`${name}: ${verb.toLowerCase()} request sent, pending approval by an administrator.`);
    });
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
        <FormActions busy={busy} label={`Request ${verb.toLowerCase()}`} busyLabel="Sending…" onCancel={onClose} />
      </form>
    </Dialog>
  );
}
