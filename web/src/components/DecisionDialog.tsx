import { useState, type FormEvent } from 'react';
import { messageOf } from '../api.ts';
import { decide, type PimRequest } from '../requests.ts';
import { Dialog } from './Dialog.tsx';
import { Field } from './Field.tsx';
import { FormActions } from './FormActions.tsx';

/** Approve or deny one or several requests with one justification; each is decided on its own. */
export function DecisionDialog({ requests, decision, label, onClose, onDone }: {
  requests: PimRequest[]; decision: 'approve' | 'deny'; label: (r: PimRequest) => string; onClose: () => void; onDone: (messages: string[]) => void;
}) {
  const [justification, setJustification] = useState('');
  const [errors, setErrors] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const verb = decision === 'approve' ? 'Approve' : 'Deny';
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    const done: string[] = [];
    const failed: string[] = [];
    for (const r of requests) {
      try {
        const after = await decide(r.id, decision, justification.trim());
        done.push(`${label(r)}: ${decision === 'approve' ? (after.status === 'PendingApproval' ? 'approved, waiting for the next stage' : 'approved') : 'denied'}.`);
      } catch (err) {
        failed.push(`${label(r)}: ${messageOf(err)}`);
      }
    }
    setBusy(false);
    setErrors(failed);
    if (failed.length === 0) onDone(done);
    else if (done.length > 0) onDone(done);
  };
  const title = requests.length === 1 && requests[0] !== undefined ? `${verb} request: ${label(requests[0])}` : `${verb} ${requests.length} requests`;
  return (
    <Dialog title={title} onClose={onClose}>
      <form className="stack" onSubmit={(e) => void submit(e)}>
        {requests.length > 1 && <ul className="plain" aria-label="Requests">{requests.map((r) => <li key={r.id}>{label(r)}</li>)}</ul>}
        <Field label="Justification" hint={decision === 'deny' ? 'Tell the requester why.' : 'Recorded in the audit log with your decision.'}>
          <textarea value={justification} onChange={(e) => setJustification(e.target.value)} maxLength={500} rows={3} required={decision === 'deny'} />
        </Field>
        {errors.length > 0 && <div className="error" role="alert"><ul className="plain">{errors.map((m) => <li key={m}>{m}</li>)}</ul></div>}
        <FormActions busy={busy} label={verb} className={decision === 'deny' ? 'danger' : ''} onCancel={onClose} />
      </form>
    </Dialog>
  );
}
