import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Empty, ErrorMessage, Loading } from '../../components/Status.tsx';
import { Tabs } from '../../components/Tabs.tsx';
import { formatDateTime } from '../../format.ts';
import { useLoad } from '../../hooks.ts';
import { notificationsApi, NotificationsNav, type Delivery } from './common.tsx';

const PAGE_SIZE = 50;

/**
 * One kept mail: its text body, and its HTML body in a sandboxed frame. sandbox="" gives the
 * frame an opaque origin with no scripts, forms, popups or top navigation, so a mail's HTML
 * can never act as the portal; it is never put into the portal's own DOM. The frame loads
 * GET /api/v1/mail/{id}/html, whose own policy lets the mail's inline style through (a
 * srcDoc frame would inherit the portal's policy, which forbids it).
 */
function MailView({ mail, onClose }: { mail: Delivery; onClose: () => void }) {
  const [tab, setTab] = useState<'text' | 'html'>('text');
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => { heading.current?.focus(); }, [mail.id]);
  return (
    <section className="card stack notif-mail" aria-labelledby={`mail-${mail.id}`}>
      <div className="dialog-head">
        <h2 id={`mail-${mail.id}`} ref={heading} tabIndex={-1}>{mail.subject}</h2>
        <button type="button" className="secondary" onClick={onClose}>Close</button>
      </div>
      <dl className="facts">
        <dt>To</dt><dd className="notif-break">{mail.recipient}</dd>
        <dt>Created</dt><dd>{formatDateTime(mail.createdAt)}</dd>
        <dt>Event</dt><dd>{mail.eventType}{mail.critical ? ' (asks for an action)' : ''}</dd>
      </dl>
      <Tabs label="Mail body" current={tab} onChange={setTab} tabs={[{ key: 'text', label: 'Text' }, { key: 'html', label: 'HTML preview' }]}>
        {tab === 'text' && <pre className="notif-text" aria-label="Text body">{mail.text ?? ''}</pre>}
        {tab === 'html' && (mail.html === null || mail.html === undefined
          ? <Empty>This mail has no HTML part.</Empty>
          : <iframe className="notif-html" sandbox="" src={`/api/v1/mail/${encodeURIComponent(mail.id)}/html`} title={`HTML body of ${mail.subject}`} referrerPolicy="no-referrer" />)}
      </Tabs>
    </section>
  );
}

/**
 * The kept mailbox: with no SMTP server configured (PIM_SMTP_URL unset) mails are not sent but
 * kept, and administrators read them here.
 */
export function MailboxPage({ path }: { path: string }) {
  const [recipientInput, setRecipientInput] = useState('');
  const [recipient, setRecipient] = useState('');
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors.at(-1);
  const list = useLoad(
    () => notificationsApi.mailbox({ ...(recipient !== '' ? { recipient } : {}), ...(cursor !== undefined ? { cursor } : {}), limit: PAGE_SIZE }),
    `${recipient}|${cursor ?? ''}`,
  );
  const [openId, setOpenId] = useState<string | null>(null);
  const items = list.data?.items ?? [];
  const open = items.find((m) => m.id === openId);
  const filter = (e: FormEvent) => { e.preventDefault(); setCursors([]); setOpenId(null); setRecipient(recipientInput.trim()); };

  return (
    <main id="main">
      <NotificationsNav path={path} />
      <h1>Mailbox</h1>
      <p className="muted">
        While no SMTP server is configured (<code>PIM_SMTP_URL</code>), openpim keeps the mails it would send, and they are listed here.
        Once a server is configured, new mails go out; the kept ones stay here.
      </p>
      <form className="notif-filters" onSubmit={filter} aria-label="Filter mails">
        <label>Recipient address
          <input type="search" value={recipientInput} onChange={(e) => setRecipientInput(e.target.value)} maxLength={320} spellCheck={false} />
        </label>
        <div className="actions">
          <button type="submit" className="secondary">Filter</button>
          <button type="button" className="secondary" onClick={() => void list.reload()} disabled={list.loading}>Refresh</button>
        </div>
      </form>
      {open !== undefined && <MailView mail={open} onClose={() => setOpenId(null)} />}
      <ErrorMessage message={list.error} onRetry={() => void list.reload()} />
      {list.data === undefined && list.error === null && <Loading what="kept mails" />}
      {list.data !== undefined && items.length === 0 && <Empty>{recipient !== '' ? `No kept mail to ${recipient}.` : 'No kept mails. They appear here as PIM events happen while no SMTP server is configured.'}</Empty>}
      {items.length > 0 && (
        <table className="list notif-table">
          <caption className="sr-only">Kept mails</caption>
          <thead><tr><th scope="col">To</th><th scope="col">Subject</th><th scope="col">Created</th><th scope="col">Actions</th></tr></thead>
          <tbody>
            {items.map((m) => (
              <tr key={m.id} aria-current={m.id === openId ? 'true' : undefined}>
                <td data-label="To" className="notif-break">{m.recipient}</td>
                <th scope="row" data-label="Subject">{m.subject}</th>
                <td data-label="Created">{formatDateTime(m.createdAt)}</td>
                <td data-label="Actions" className="row-actions">
                  <button type="button" className="secondary" aria-label={`Read ${m.subject} to ${m.recipient}`} onClick={() => { setOpenId(m.id); window.scrollTo(0, 0); }}>Read</button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {(cursors.length > 0 || (list.data?.nextCursor ?? null) !== null) && (
        <nav className="actions notif-pager" aria-label="Pages of kept mails">
          <button type="button" className="secondary" disabled={cursors.length === 0} onClick={() => { setOpenId(null); setCursors((c) => c.slice(0, -1)); }}>← Newer</button>
          <span className="muted">Page {cursors.length + 1}</span>
          <button type="button" className="secondary" disabled={(list.data?.nextCursor ?? null) === null}
            onClick={() => { const next = list.data?.nextCursor; if (next != null) { setOpenId(null); setCursors((c) => [...c, next]); } }}>Older →</button>
        </nav>
      )}
    </main>
  );
}
