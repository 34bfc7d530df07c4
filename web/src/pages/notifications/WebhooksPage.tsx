import { cloneElement, useId, useRef, useState, type FormEvent, type ReactElement, type ReactNode } from 'react';
import { messageOf } from '../../api.ts';
import { Dialog } from '../../components/Dialog.tsx';
import { FormActions } from '../../components/FormActions.tsx';
import { Empty, ErrorMessage, Loading, Notice } from '../../components/Status.tsx';
import { formatDateTime } from '../../format.ts';
import { useAction, useLoad } from '../../hooks.ts';
import { fieldErrors, notificationsApi, NotificationsNav, type CreatedWebhook, type Webhook } from './common.tsx';

type Format = Webhook['format'];
type FormFieldName = 'url' | 'events' | 'format' | 'description';
const FIELDS: readonly FormFieldName[] = ['url', 'events', 'format', 'description'];
/** The service's own refusals, by the field they are about. */
const CODE_FIELD: Record<string, FormFieldName> = { 'webhook.url_invalid': 'url', 'webhook.url_insecure': 'url' };
const FORMAT_LABEL: Record<Format, string> = { cloudevents: 'CloudEvents 1.0 (JSON)', slack: 'Slack-compatible message' };

/** "openpim.request.*, openpim.role.activated" or one per line. */
const parseEvents = (s: string): string[] => [...new Set(s.split(/[\s,]+/).map((e) => e.trim()).filter((e) => e !== ''))];

type Control = ReactElement<{ id?: string; 'aria-describedby'?: string; 'aria-invalid'?: boolean }>;

/** A labelled control with a hint and, after a refused save, the API's message for it. */
function FormField({ label, hint, error, children }: { label: string; hint?: ReactNode; error?: string | undefined; children: Control }) {
  const id = useId();
  const described = [hint !== undefined ? `${id}-hint` : '', error !== undefined ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {cloneElement(children, { id, ...(described !== '' ? { 'aria-describedby': described } : {}), ...(error !== undefined ? { 'aria-invalid': true } : {}) })}
      {hint !== undefined && <span id={`${id}-hint`} className="hint">{hint}</span>}
      {error !== undefined && <span id={`${id}-error`} className="error-text notif-field-error">{error}</span>}
    </div>
  );
}

/** Create or edit a subscription: URL, event patterns, format, description. */
function WebhookForm({ hook, onClose, onSaved }: { hook: Webhook | null; onClose: () => void; onSaved: (saved: Webhook | CreatedWebhook) => void }) {
  const [url, setUrl] = useState(hook?.url ?? 'https://');
  const [events, setEvents] = useState(hook?.events.join('\n') ?? '*');
  const [format, setFormat] = useState<Format>(hook?.format ?? 'cloudevents');
  const [description, setDescription] = useState(hook?.description ?? '');
  const [errors, setErrors] = useState<Partial<Record<FormFieldName, string>>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const list = parseEvents(events);
    if (list.length === 0) { setErrors({ events: 'Name at least one event type or pattern (* for every event).' }); return; }
    setBusy(true);
    setErrors({});
    setFormError(null);
    try {
      const desc = description.trim();
      const saved = hook === null
        ? await notificationsApi.createWebhook({ url: url.trim(), events: list, format, ...(desc !== '' ? { description: desc } : {}) })
        : await notificationsApi.updateWebhook(hook.id, { url: url.trim(), events: list, format, description: desc === '' ? null : desc });
      onSaved(saved);
    } catch (err) {
      const split = fieldErrors(err, FIELDS, CODE_FIELD);
      setErrors(split.fields);
      setFormError(split.form);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog title={hook === null ? 'Add webhook' : 'Edit webhook'} onClose={onClose} wide>
      <form className="stack" onSubmit={(e) => void submit(e)} noValidate>
        <FormField label="Endpoint URL" hint="https, or http on a loopback host (127.0.0.1, localhost). No user name or password in the URL." error={errors.url}>
          <input type="url" value={url} onChange={(e) => setUrl(e.target.value)} required maxLength={2000} spellCheck={false} autoComplete="off" />
        </FormField>
        <FormField label="Events" error={errors.events}
          hint={<>One per line or separated by commas: <code>*</code> for every event, a prefix such as <code>openpim.request.*</code>, or exact types such as <code>openpim.role.activated</code>.</>}>
          <textarea value={events} onChange={(e) => setEvents(e.target.value)} rows={3} required spellCheck={false} />
        </FormField>
        <FormField label="Format" error={errors.format} hint="CloudEvents for your own receivers and SIEMs; Slack-compatible for Slack, Mattermost, Rocket.Chat and the like.">
          <select value={format} onChange={(e) => setFormat(e.target.value === 'slack' ? 'slack' : 'cloudevents')}>
            <option value="cloudevents">{FORMAT_LABEL.cloudevents}</option>
            <option value="slack">{FORMAT_LABEL.slack}</option>
          </select>
        </FormField>
        <FormField label="Description (optional)" error={errors.description}>
          <input value={description} onChange={(e) => setDescription(e.target.value)} maxLength={1024} />
        </FormField>
        <ErrorMessage message={formError} />
        <FormActions busy={busy} label={hook === null ? 'Add webhook' : 'Save changes'} onCancel={onClose} />
      </form>
    </Dialog>
  );
}

/** The signing secret, shown this once, with a copy button. */
function SecretDialog({ created, onClose }: { created: CreatedWebhook; onClose: () => void }) {
  const input = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<string | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(created.secret);
      setCopied('Copied to the clipboard.');
    } catch {
      input.current?.select();
      setCopied('The browser did not allow copying: the secret is selected, press Ctrl+C (⌘C) to copy it.');
    }
  };
  return (
    <Dialog title="Webhook added: copy its secret" onClose={onClose} wide>
      <div className="stack">
        <div className="notif-warning" role="alert">
          <strong>Copy the signing secret now. It is shown only this once</strong> and cannot be read again; if it is lost, delete the webhook and add it again.
        </div>
        <p>Your receiver checks the <code>openpim-signature</code> header of each call with this secret (HMAC-SHA256, see the notifications documentation).</p>
        <label>Signing secret
          <input ref={input} readOnly value={created.secret} className="notif-secret" spellCheck={false} onFocus={(e) => e.currentTarget.select()} />
        </label>
        <div className="actions">
          <button type="button" onClick={() => void copy()}>Copy secret</button>
          <button type="button" className="secondary" onClick={onClose}>I have stored the secret</button>
        </div>
        {copied !== null && <p role="status" className="muted">{copied}</p>}
        <dl className="facts">
          <dt>URL</dt><dd className="notif-break">{created.url}</dd>
          <dt>Events</dt><dd>{created.events.join(', ')}</dd>
        </dl>
      </div>
    </Dialog>
  );
}

function DeleteDialog({ hook, onClose, onDeleted }: { hook: Webhook; onClose: () => void; onDeleted: () => void }) {
  const { busy, error, run } = useAction();
  const del = () => run(async () => { await notificationsApi.deleteWebhook(hook.id); onDeleted(); });
  return (
    <Dialog title="Delete webhook?" onClose={onClose}>
      <div className="stack">
        <p>Delete the subscription for <strong className="notif-break">{hook.url}</strong>? It gets no more events, and calls to it still waiting for a retry are not sent. This cannot be undone.</p>
        <ErrorMessage message={error} />
        <div className="actions">
          <button type="button" className="danger" disabled={busy} onClick={() => void del()}>{busy ? 'Deleting…' : 'Delete webhook'}</button>
          <button type="button" className="secondary" onClick={onClose}>Cancel</button>
        </div>
      </div>
    </Dialog>
  );
}

type Open = { kind: 'create' } | { kind: 'edit'; hook: Webhook } | { kind: 'secret'; created: CreatedWebhook } | { kind: 'delete'; hook: Webhook };

/** Webhook subscriptions: PIM events to your endpoints, signed, retried like mail. */
export function WebhooksPage({ path }: { path: string }) {
  const list = useLoad(() => notificationsApi.webhooks(), 'webhooks');
  const [open, setOpen] = useState<Open | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const items = list.data?.items ?? [];
  const name = (w: Webhook) => w.description ?? w.url;

  const toggle = async (w: Webhook) => {
    setBusy(w.id);
    setError(null);
    setNotice(null);
    try {
      await notificationsApi.updateWebhook(w.id, { enabled: !w.enabled });
      setNotice(w.enabled ? `Disabled: ${name(w)} gets no events until it is enabled again.` : `Enabled: ${name(w)} gets events again.`);
      await list.reload();
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(null);
    }
  };
  const saved = (w: Webhook | CreatedWebhook) => {
    if ('secret' in w) setOpen({ kind: 'secret', created: w });
    else { setOpen(null); setNotice(`Saved: ${name(w)}.`); }
    void list.reload();
  };

  return (
    <main id="main">
      <NotificationsNav path={path} />
      <h1>Webhooks</h1>
      <p className="muted">Endpoints that receive PIM events as they happen (CloudEvents 1.0 JSON or Slack-compatible messages), signed with HMAC-SHA256 and retried like mail.</p>
      <div className="toolbar">
        <button type="button" onClick={() => { setNotice(null); setOpen({ kind: 'create' }); }}>Add webhook</button>
      </div>
      {notice !== null && <Notice>{notice}</Notice>}
      <ErrorMessage message={error} />
      <ErrorMessage message={list.error} onRetry={() => void list.reload()} />
      {list.data === undefined && list.error === null && <Loading what="webhooks" />}
      {list.data !== undefined && items.length === 0 && <Empty>No webhooks yet. Add one to send PIM events to a SIEM, a chat channel or your own tooling.</Empty>}
      {items.length > 0 && (
        <table className="list notif-table">
          <caption className="sr-only">Webhook subscriptions</caption>
          <thead>
            <tr><th scope="col">Endpoint</th><th scope="col">Events</th><th scope="col">Format</th><th scope="col">Status</th><th scope="col">Created</th><th scope="col">Actions</th></tr>
          </thead>
          <tbody>
            {items.map((w) => (
              <tr key={w.id}>
                <th scope="row" data-label="Endpoint" className="notif-break">
                  {w.url}
                  {w.description !== null && <span className="notif-sub">{w.description}</span>}
                </th>
                <td data-label="Events">{w.events.map((e) => <code key={e} className="notif-event">{e}</code>)}</td>
                <td data-label="Format">{FORMAT_LABEL[w.format]}</td>
                <td data-label="Status"><span className={w.enabled ? 'badge active' : 'badge'}>{w.enabled ? 'Enabled' : 'Disabled'}</span></td>
                <td data-label="Created">{formatDateTime(w.createdAt)}</td>
                <td data-label="Actions" className="row-actions">
                  <button type="button" className="secondary" aria-label={`Edit ${name(w)}`} onClick={() => { setNotice(null); setOpen({ kind: 'edit', hook: w }); }}>Edit</button>
                  <button type="button" className="secondary" aria-label={`${w.enabled ? 'Disable' : 'Enable'} ${name(w)}`} disabled={busy === w.id} onClick={() => void toggle(w)}>
                    {w.enabled ? 'Disable' : 'Enable'}
                  </button>
                  <button type="button" className="danger" aria-label={`Delete ${name(w)}`} onClick={() => { setNotice(null); setOpen({ kind: 'delete', hook: w }); }}>Delete</button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {open?.kind === 'create' && <WebhookForm hook={null} onClose={() => setOpen(null)} onSaved={saved} />}
      {open?.kind === 'edit' && <WebhookForm hook={open.hook} onClose={() => setOpen(null)} onSaved={saved} />}
      {open?.kind === 'secret' && <SecretDialog created={open.created} onClose={() => { setOpen(null); setNotice(`Added: ${name(open.created)}.`); }} />}
      {open?.kind === 'delete' && (
        <DeleteDialog hook={open.hook} onClose={() => setOpen(null)} onDeleted={() => { setOpen(null); setNotice(`Deleted: ${name(open.hook)}.`); void list.reload(); }} />
      )}
    </main>
  );
}
