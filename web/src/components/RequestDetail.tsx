import { useState } from 'react';
import { messageOf } from '../api.ts';
import { describeScope, formatDateTime } from '../format.ts';
import { useLoad, usePolling } from '../hooks.ts';
import { useNames } from '../names.ts';
import { actionLabel, approvals, cancelRequest, getRequest, statusLabel } from '../requests.ts';
import { useMe } from '../session.tsx';
import { DecisionDialog } from './DecisionDialog.tsx';
import { ErrorMessage, Loading, Notice } from './Status.tsx';

/**
 * One request (deep links from mail: /requests/:id, /approvals/:id): everything about it, and
 * what the viewer may do now — cancel their own pending request, or approve/deny it.
 */
export function RequestDetail({ id, onChanged }: { id: string; onChanged?: () => void }) {
  const me = useMe();
  const req = useLoad(() => getRequest(id), id);
  const inbox = useLoad(() => approvals('pending'), `inbox:${id}`);
  const [decision, setDecision] = useState<'approve' | 'deny' | null>(null);
  const [notice, setNotice] = useState<string[]>([]);
  const [error, setError] = useState<string | null>(null);
  const r = req.data;
  const names = useNames(r === undefined ? [] : [r.principalId, r.createdBy, ...(r.approval?.decisions.map((d) => d.approverId) ?? [])], 'principal');
  const roles = useNames(r === undefined ? [] : [r.roleId], 'role');
  usePolling(() => void req.reload(), 3000, r?.status === 'PendingApproval');

  if (req.error !== null) return <ErrorMessage message={req.error} onRetry={() => void req.reload()} />;
  if (r === undefined) return <Loading what="the request" />;

  const role = roles[r.roleId] ?? r.roleId;
  const mayDecide = r.status === 'PendingApproval' && (inbox.data?.items.some((i) => i.id === r.id) ?? false);
  const mayCancel = r.status === 'PendingApproval' && (r.createdBy === me.id || r.principalId === me.id);
  const changed = (messages: string[]) => { setNotice(messages); setDecision(null); void req.reload(); void inbox.reload(); onChanged?.(); };
  const cancel = async () => {
    setError(null);
    try { await cancelRequest(r.id); changed(['Request canceled.']); } catch (err) { setError(messageOf(err)); }
  };

  return (
    <section className="card stack" aria-labelledby={`req-${r.id}`}>
      <h2 id={`req-${r.id}`}>{actionLabel(r.action)} {role}</h2>
      {notice.length > 0 && <Notice>{notice.map((m) => <div key={m}>{m}</div>)}</Notice>}
      <ErrorMessage message={error} />
      <dl className="facts">
        <dt>Status</dt><dd><span className={`badge ${r.status === 'PendingApproval' ? 'pending' : ''}`}>{statusLabel(r.status)}</span>{r.statusReason !== null ? ` — ${r.statusReason}` : ''}</dd>
        <dt>Requester</dt><dd>{names[r.principalId] ?? r.principalId}{r.createdBy !== r.principalId ? ` (made by ${names[r.createdBy] ?? r.createdBy})` : ''}</dd>
        <dt>Role</dt><dd>{role}</dd>
        <dt>Scope</dt><dd>{describeScope(r.scope)}</dd>
        <dt>Requested</dt><dd>{formatDateTime(r.createdAt)}</dd>
        <dt>Start</dt><dd>{r.schedule.startAt === null ? 'When approved' : formatDateTime(r.schedule.startAt)}</dd>
        <dt>End</dt><dd>{r.schedule.permanent ? 'Permanent' : formatDateTime(r.schedule.endAt)}</dd>
        <dt>Justification</dt><dd>{r.justification ?? '—'}</dd>
        <dt>Ticket</dt><dd>{r.ticket === null ? '—' : `${r.ticket.number}${r.ticket.system !== null ? ` (${r.ticket.system})` : ''}`}</dd>
        <dt>Request id</dt><dd><code>{r.id}</code></dd>
      </dl>
      {r.approval !== null && r.approval.decisions.length > 0 && (
        <div>
          <h3>Decisions</h3>
          <ul className="plain">
            {r.approval.decisions.map((d) => (
              <li key={`${d.approverId}-${d.stage}`}>{d.decision === 'approve' ? 'Approved' : 'Denied'} by {names[d.approverId] ?? d.approverId} on {formatDateTime(d.decidedAt)}{d.justification !== null ? `: “${d.justification}”` : ''}</li>
            ))}
          </ul>
        </div>
      )}
      <div className="actions">
        {mayDecide && <button type="button" onClick={() => setDecision('approve')}>Approve</button>}
        {mayDecide && <button type="button" className="danger" onClick={() => setDecision('deny')}>Deny</button>}
        {mayCancel && <button type="button" className="secondary" onClick={() => void cancel()}>Cancel request</button>}
      </div>
      {decision !== null && (
        <DecisionDialog requests={[r]} decision={decision} label={() => `${role} for ${names[r.principalId] ?? r.principalId}`} onClose={() => setDecision(null)} onDone={changed} />
      )}
    </section>
  );
}
