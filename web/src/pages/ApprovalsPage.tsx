import { useState } from 'react';
import { DecisionDialog } from '../components/DecisionDialog.tsx';
import { RequestDetail } from '../components/RequestDetail.tsx';
import { Empty, ErrorMessage, Loading, Notice } from '../components/Status.tsx';
import { Tabs } from '../components/Tabs.tsx';
import { describeScope, formatDateTime } from '../format.ts';
import { useLoad, usePolling } from '../hooks.ts';
import { useNames } from '../names.ts';
import { actionLabel, approvals, statusLabel, type PimRequest } from '../requests.ts';
import { Link } from '../router.tsx';

type Tab = 'pending' | 'decided';

/** Approve requests: my inbox (one or many at once) and what I decided; /approvals/:id shows one. */
export function ApprovalsPage({ id }: { id?: string }) {
  const [tab, setTab] = useState<Tab>('pending');
  const list = useLoad(() => approvals(tab), tab);
  const items = list.data?.items ?? [];
  const people = useNames(items.map((r) => r.principalId), 'principal');
  const roles = useNames(items.map((r) => r.roleId), 'role');
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [decision, setDecision] = useState<{ decision: 'approve' | 'deny'; requests: PimRequest[] } | null>(null);
  const [notice, setNotice] = useState<string[]>([]);
  // New requests arrive while the page is open.
  usePolling(() => void list.reload(), 10_000, tab === 'pending');

  const label = (r: PimRequest) => `${roles[r.roleId] ?? r.roleId} for ${people[r.principalId] ?? r.principalId}`;
  const toggle = (rid: string) => setSelected((s) => { const n = new Set(s); if (n.has(rid)) n.delete(rid); else n.add(rid); return n; });
  const chosen = items.filter((r) => selected.has(r.id));
  const done = (messages: string[]) => { setNotice(messages); setDecision(null); setSelected(new Set()); void list.reload(); };

  return (
    <main id="main">
      <h1>Approve requests</h1>
      {id !== undefined && (
        <>
          <p><Link to="/approvals">← All requests waiting for me</Link></p>
          <RequestDetail id={id} onChanged={() => void list.reload()} />
        </>
      )}
      {notice.length > 0 && <Notice>{notice.map((m) => <div key={m}>{m}</div>)}</Notice>}
      <Tabs label="Approvals" current={tab} onChange={(t) => { setTab(t); setSelected(new Set()); }}
        tabs={[{ key: 'pending', label: 'Waiting for me' }, { key: 'decided', label: 'Decided by me' }]}>
        <ErrorMessage message={list.error} onRetry={() => void list.reload()} />
        {list.loading && list.data === undefined && <Loading what="requests" />}
        {tab === 'pending' && chosen.length > 0 && (
          <div className="toolbar">
            <button type="button" onClick={() => setDecision({ decision: 'approve', requests: chosen })}>Approve selected ({chosen.length})</button>
            <button type="button" className="danger" onClick={() => setDecision({ decision: 'deny', requests: chosen })}>Deny selected ({chosen.length})</button>
          </div>
        )}
        {list.data !== undefined && items.length === 0 && <Empty>{tab === 'pending' ? 'No request waits for your decision.' : 'You have not decided any request yet.'}</Empty>}
        {items.length > 0 && (
          <table className="list">
            <caption className="sr-only">{tab === 'pending' ? 'Requests waiting for my decision' : 'Requests I decided'}</caption>
            <thead>
              <tr>
                {tab === 'pending' && <th scope="col"><span className="sr-only">Select</span></th>}
                <th scope="col">Requester</th><th scope="col">Role</th><th scope="col">Scope</th><th scope="col">Requested</th><th scope="col">Start</th><th scope="col">End</th>
                <th scope="col">Justification</th><th scope="col">Ticket</th><th scope="col">{tab === 'pending' ? 'Actions' : 'Status'}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((r) => (
                <tr key={r.id}>
                  {tab === 'pending' && <td data-label="Select"><input type="checkbox" aria-label={`Select ${label(r)}`} checked={selected.has(r.id)} onChange={() => toggle(r.id)} /></td>}
                  <th scope="row" data-label="Requester">{people[r.principalId] ?? r.principalId}</th>
                  <td data-label="Role">{roles[r.roleId] ?? r.roleId}{r.action !== 'selfActivate' ? ` (${actionLabel(r.action).toLowerCase()})` : ''}</td>
                  <td data-label="Scope">{describeScope(r.scope)}</td>
                  <td data-label="Requested">{formatDateTime(r.createdAt)}</td>
                  <td data-label="Start">{r.schedule.startAt === null ? 'When approved' : formatDateTime(r.schedule.startAt)}</td>
                  <td data-label="End">{formatDateTime(r.schedule.endAt)}</td>
                  <td data-label="Justification">{r.justification ?? '—'}</td>
                  <td data-label="Ticket">{r.ticket === null ? '—' : `${r.ticket.number}${r.ticket.system !== null ? ` (${r.ticket.system})` : ''}`}</td>
                  <td data-label={tab === 'pending' ? 'Actions' : 'Status'} className="row-actions">
                    {tab === 'pending'
                      ? <>
                        <button type="button" aria-label={`Approve ${label(r)}`} onClick={() => setDecision({ decision: 'approve', requests: [r] })}>Approve</button>
                        <button type="button" className="danger" aria-label={`Deny ${label(r)}`} onClick={() => setDecision({ decision: 'deny', requests: [r] })}>Deny</button>
                        <Link to={`/approvals/${r.id}`} aria-label={`Details of ${label(r)}`}>Details</Link>
                      </>
                      : <>{statusLabel(r.status)} <Link to={`/requests/${r.id}`} aria-label={`Details of ${label(r)}`}>Details</Link></>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Tabs>
      {decision !== null && <DecisionDialog requests={decision.requests} decision={decision.decision} label={label} onClose={() => setDecision(null)} onDone={done} />}
    </main>
  );
}
