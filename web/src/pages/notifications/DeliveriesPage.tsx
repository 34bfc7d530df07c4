import { useState, type FormEvent } from 'react';
import { messageOf } from '../../api.ts';
import { Empty, ErrorMessage, Loading, Notice } from '../../components/Status.tsx';
import { Tabs } from '../../components/Tabs.tsx';
import { formatDateTime } from '../../format.ts';
import { useLoad, usePolling } from '../../hooks.ts';
import { CHANNEL_LABEL, notificationsApi, NotificationsNav, STATUS_LABEL, type Delivery, type DeliveryChannel, type DeliveryStatus } from './common.tsx';

type Tab = 'all' | 'pending' | 'sent' | 'failed' | 'kept';
const TABS: Array<{ key: Tab; label: string }> = [
  { key: 'all', label: 'All' }, { key: 'pending', label: 'Pending' }, { key: 'sent', label: 'Sent' }, { key: 'failed', label: 'Failed' }, { key: 'kept', label: 'Kept' },
];
const PAGE_SIZE = 50;

const EMPTY: Record<Tab, string> = {
  all: 'No deliveries yet: mails and webhook calls appear here once PIM events happen.',
  pending: 'Nothing waits to be sent.',
  sent: 'Nothing has been sent yet.',
  failed: 'No delivery has failed for good.',
  kept: 'No kept mails: they appear here when no SMTP server is configured.',
};

/**
 * Deliveries: every mail and webhook call made from PIM events, newest first, by status, with
 * attempts, the next try and the last error; failed ones can be tried again.
 */
export function DeliveriesPage({ path }: { path: string }) {
  const [tab, setTab] = useState<Tab>('all');
  const [channel, setChannel] = useState<DeliveryChannel | ''>('');
  const [recipientInput, setRecipientInput] = useState('');
  const [recipient, setRecipient] = useState('');
  /** Cursors of the pages before this one: [] on the first page. */
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors.at(-1);
  const status: DeliveryStatus | undefined = tab === 'all' ? undefined : tab;
  const list = useLoad(
    () => notificationsApi.deliveries({ ...(status !== undefined ? { status } : {}), ...(channel !== '' ? { channel } : {}), ...(recipient !== '' ? { recipient } : {}), ...(cursor !== undefined ? { cursor } : {}), limit: PAGE_SIZE }),
    `${tab}|${channel}|${recipient}|${cursor ?? ''}`,
  );
  const hooks = useLoad(() => notificationsApi.webhooks(), 'webhooks');
  const hookUrl = new Map((hooks.data?.items ?? []).map((w) => [w.id, w.url]));
  const [notice, setNotice] = useState<string | null>(null);
  const [rowErrors, setRowErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState<string | null>(null);
  const items = list.data?.items ?? [];
  // Pending deliveries move on their own (the worker runs every few seconds).
  usePolling(() => void list.reload(), 10_000, cursors.length === 0 && (tab === 'all' || tab === 'pending'));

  const reset = () => { setCursors([]); setNotice(null); setRowErrors({}); };
  const filter = (e: FormEvent) => { e.preventDefault(); reset(); setRecipient(recipientInput.trim()); };
  const recipientText = (d: Delivery) => (d.channel === 'webhook' ? hookUrl.get(d.recipient) ?? `Webhook ${d.recipient} (deleted)` : d.recipient);

  const retry = async (d: Delivery) => {
    setBusy(d.id);
    setNotice(null);
    setRowErrors((e) => { const n = { ...e }; delete n[d.id]; return n; });
    try {
      await notificationsApi.retry(d.id);
      setNotice(`Queued again: "${d.subject}" to ${recipientText(d)} is tried within seconds.`);
      await list.reload();
    } catch (err) {
      setRowErrors((e) => ({ ...e, [d.id]: messageOf(err) }));
    } finally {
      setBusy(null);
    }
  };

  return (
    <main id="main">
      <NotificationsNav path={path} />
      <h1>Deliveries</h1>
      <p className="muted">Every mail and webhook call made from PIM events, newest first. Failed attempts are retried with growing pauses (30 seconds up to 30 minutes) until the delivery gives up after a few days.</p>
      <form className="notif-filters" onSubmit={filter} aria-label="Filter deliveries">
        <label>Channel
          <select value={channel} onChange={(e) => { reset(); setChannel(e.target.value === 'mail' || e.target.value === 'webhook' ? e.target.value : ''); }}>
            <option value="">Mail and webhooks</option>
            <option value="mail">Mail</option>
            <option value="webhook">Webhooks</option>
          </select>
        </label>
        <label>Recipient
          <input type="search" value={recipientInput} onChange={(e) => setRecipientInput(e.target.value)} maxLength={320} spellCheck={false} aria-describedby="notif-recipient-hint" />
          <span id="notif-recipient-hint" className="hint">An exact mail address or webhook id.</span>
        </label>
        <div className="actions">
          <button type="submit" className="secondary">Filter</button>
          <button type="button" className="secondary" onClick={() => void list.reload()} disabled={list.loading}>Refresh</button>
        </div>
      </form>
      {notice !== null && <Notice>{notice}</Notice>}
      <Tabs label="Delivery status" current={tab} onChange={(t) => { reset(); setTab(t); }} tabs={TABS}>
        <ErrorMessage message={list.error} onRetry={() => void list.reload()} />
        {list.data === undefined && list.error === null && <Loading what="deliveries" />}
        {list.data !== undefined && items.length === 0 && <Empty>{recipient !== '' || channel !== '' ? 'No deliveries match the filter.' : EMPTY[tab]}</Empty>}
        {items.length > 0 && (
          <table className="list notif-table">
            <caption className="sr-only">{TABS.find((t) => t.key === tab)?.label ?? ''} deliveries</caption>
            <thead>
              <tr>
                <th scope="col">Created</th><th scope="col">Channel</th><th scope="col">Recipient</th><th scope="col">Subject / event</th>
                <th scope="col">Status</th><th scope="col">Attempts</th><th scope="col">Next try</th><th scope="col">Last error</th><th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {items.map((d) => (
                <tr key={d.id}>
                  <td data-label="Created">{formatDateTime(d.createdAt)}</td>
                  <td data-label="Channel">{CHANNEL_LABEL[d.channel]}</td>
                  <td data-label="Recipient" className="notif-break">{recipientText(d)}</td>
                  <th scope="row" data-label="Subject / event">
                    {d.subject}
                    <span className="notif-sub">{d.eventType}{d.critical ? ' · action required' : ''}</span>
                  </th>
                  <td data-label="Status"><span className={`badge notif-${d.status}`}>{STATUS_LABEL[d.status]}</span>{d.sentAt !== null && <span className="notif-sub">{formatDateTime(d.sentAt)}</span>}</td>
                  <td data-label="Attempts">{d.attempts}</td>
                  <td data-label="Next try">{formatDateTime(d.nextAttemptAt)}</td>
                  <td data-label="Last error" className="notif-break">{d.lastError === null ? '—' : <span className="error-text">{d.lastError}</span>}</td>
                  <td data-label="Actions" className="row-actions">
                    {d.status === 'failed'
                      ? <button type="button" className="secondary" aria-label={`Retry ${d.subject} to ${recipientText(d)}`} disabled={busy === d.id} onClick={() => void retry(d)}>{busy === d.id ? 'Retrying…' : 'Retry'}</button>
                      : <span className="muted">—</span>}
                    {rowErrors[d.id] !== undefined && <span className="error-text" role="alert">{rowErrors[d.id]}</span>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {(cursors.length > 0 || (list.data?.nextCursor ?? null) !== null) && (
          <nav className="actions notif-pager" aria-label="Pages of deliveries">
            <button type="button" className="secondary" disabled={cursors.length === 0} onClick={() => setCursors((c) => c.slice(0, -1))}>← Newer</button>
            <span className="muted">Page {cursors.length + 1}</span>
            <button type="button" className="secondary" disabled={(list.data?.nextCursor ?? null) === null}
              onClick={() => { const next = list.data?.nextCursor; if (next != null) setCursors((c) => [...c, next]); }}>Older →</button>
          </nav>
        )}
      </Tabs>
    </main>
  );
}
