import { useState } from 'react';
import { messageOf } from '../api.ts';
import { RequestDetail } from '../components/RequestDetail.tsx';
import { Empty, ErrorMessage, Loading, Notice } from '../components/Status.tsx';
import { describeScope, formatDateTime } from '../format.ts';
import { useLoad, usePolling } from '../hooks.ts';
import { useNames } from '../names.ts';
import { actionLabel, cancelRequest, myRequests, statusLabel, type PimRequest } from '../requests.ts';
import { Link } from '../router.tsx';
import { useMe } from '../session.tsx';

/** My requests: pending ones (cancel) and past ones; /requests/:id shows one in full. */
export function MyRequestsPage({ id }: { id?: string }) {
  const me = useMe();
  const list = useLoad(() => myRequests(`&principalId=${encodeURIComponent(me.id)}`), me.id);
  const items = list.data?.items ?? [];
  const roles = useNames(items.map((r) => r.roleId), 'role');
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const pending = items.filter((r) => r.status === 'PendingApproval');
  const past = items.filter((r) => r.status !== 'PendingApproval');
  usePolling(() => void list.reload(), 3000, pending.length > 0);

  const cancel = async (r: PimRequest) => {
    setError(null);
    try { await cancelRequest(r.id); setNotice(`${roles[r.roleId] ?? r.roleId}: request canceled.`); void list.reload(); } catch (err) { setError(messageOf(err)); }
  };

  const table = (rows: PimRequest[], caption: string, withCancel: boolean) => (
    <table className="list">
      <caption className="sr-only">{caption}</caption>
      <thead><tr><th scope="col">Role</th><th scope="col">Action</th><th scope="col">Scope</th><th scope="col">Requested</th><th scope="col">Start</th><th scope="col">End</th><th scope="col">Status</th><th scope="col">Actions</th></tr></thead>
      <tbody>
        {rows.map((r) => {
          const role = roles[r.roleId] ?? r.roleId;
          return (
            <tr key={r.id}>
              <th scope="row" data-label="Role">{role}</th>
              <td data-label="Action">{actionLabel(r.action)}</td>
              <td data-label="Scope">{describeScope(r.scope)}</td>
              <td data-label="Requested">{formatDateTime(r.createdAt)}</td>
              <td data-label="Start">{formatDateTime(r.schedule.startAt)}</td>
              <td data-label="End">{r.schedule.permanent ? 'Permanent' : formatDateTime(r.schedule.endAt)}</td>
              <td data-label="Status">{statusLabel(r.status)}</td>
              <td data-label="Actions" className="row-actions">
                <Link to={`/requests/${r.id}`} aria-label={`Details of ${actionLabel(r.action).toLowerCase()} ${role}`}>Details</Link>
                {withCancel && <button type="button" className="secondary" aria-label={`Cancel request for ${role}`} onClick={() => void cancel(r)}>Cancel</button>}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );

  return (
    <main id="main">
      <h1>My requests</h1>
      {id !== undefined && (
        <>
          <p><Link to="/requests">← All my requests</Link></p>
          <RequestDetail id={id} onChanged={() => void list.reload()} />
        </>
      )}
      {notice !== null && <Notice>{notice}</Notice>}
      <ErrorMessage message={error} />
      <ErrorMessage message={list.error} onRetry={() => void list.reload()} />
      {list.data === undefined && list.error === null && <Loading what="your requests" />}
      {list.data !== undefined && (
        <>
          <h2>Pending</h2>
          {pending.length === 0 ? <Empty>No request waits for a decision.</Empty> : table(pending, 'Pending requests', true)}
          <h2>Past</h2>
          {past.length === 0 ? <Empty>No earlier requests.</Empty> : table(past, 'Past requests', false)}
        </>
      )}
    </main>
  );
}
