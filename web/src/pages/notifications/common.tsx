import type { Static } from 'typebox';
import type { Delivery, DeliveryPage as DeliveryPageSchema, MailPreferences as MailPreferencesSchema } from '../../../../src/contract/deliveries.ts';
import type { CreatedWebhook as CreatedWebhookSchema, CreateWebhook, UpdateWebhook, Webhook, WebhookList as WebhookListSchema } from '../../../../src/contract/webhooks.ts';
import { api, ApiError } from '../../api.ts';
import { Link } from '../../router.tsx';

/** The notification API as these pages use it (types from the shared contract). */
export type { CreateWebhook, Delivery, UpdateWebhook, Webhook };
export type DeliveryPage = Static<typeof DeliveryPageSchema>;
export type MailPreferences = Static<typeof MailPreferencesSchema>;
export type CreatedWebhook = Static<typeof CreatedWebhookSchema>;
export type WebhookList = Static<typeof WebhookListSchema>;
export type DeliveryStatus = Delivery['status'];
export type DeliveryChannel = Delivery['channel'];

const enc = encodeURIComponent;

function query(params: Record<string, string | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, v);
  const s = q.toString();
  return s === '' ? '' : `?${s}`;
}

export const notificationsApi = {
  deliveries: (p: { status?: DeliveryStatus; channel?: DeliveryChannel; recipient?: string; cursor?: string; limit?: number }) =>
    api.get<DeliveryPage>(`/api/v1/deliveries${query({ status: p.status, channel: p.channel, recipient: p.recipient, cursor: p.cursor, limit: p.limit === undefined ? undefined : String(p.limit) })}`),
  retry: (id: string) => api.post<Delivery>(`/api/v1/deliveries/${enc(id)}/retry`),
  mailbox: (p: { recipient?: string; cursor?: string; limit?: number }) =>
    api.get<DeliveryPage>(`/api/v1/mail${query({ recipient: p.recipient, cursor: p.cursor, limit: p.limit === undefined ? undefined : String(p.limit) })}`),
  webhooks: () => api.get<WebhookList>('/api/v1/webhooks'),
  createWebhook: (body: CreateWebhook) => api.post<CreatedWebhook>('/api/v1/webhooks', body),
  updateWebhook: (id: string, body: UpdateWebhook) => api.patch<Webhook>(`/api/v1/webhooks/${enc(id)}`, body),
  deleteWebhook: (id: string) => api.del<null>(`/api/v1/webhooks/${enc(id)}`),
  preferences: () => api.get<MailPreferences>('/api/v1/me/notification-preferences'),
  setPreferences: (informationalMail: boolean) => api.put<MailPreferences>('/api/v1/me/notification-preferences', { informationalMail }),
};

/**
 * An API error split by form field: the service's own codes (webhook.url_insecure …) and the
 * schema problems (`body/url …`) go next to their field; the rest is for the whole form.
 */
export function fieldErrors<F extends string>(err: unknown, fields: readonly F[], codeField: Record<string, F> = {}): { fields: Partial<Record<F, string>>; form: string | null } {
  if (!(err instanceof ApiError)) return { fields: {}, form: err instanceof Error ? err.message : 'Something went wrong.' };
  const byCode = codeField[err.code];
  if (byCode !== undefined) return { fields: { [byCode]: err.message } as Partial<Record<F, string>>, form: null };
  const problems = err.details.problems;
  if (err.code === 'request.invalid' && Array.isArray(problems)) {
    const out: Partial<Record<F, string>> = {};
    let rest = false;
    for (const p of problems as unknown[]) {
      const path = typeof p === 'object' && p !== null && 'path' in p && typeof p.path === 'string' ? p.path : '';
      const problem = typeof p === 'object' && p !== null && 'problem' in p && typeof p.problem === 'string' ? p.problem : 'is not valid';
      const field = fields.find((f) => path === `body/${f}` || path.startsWith(`body/${f}/`));
      if (field === undefined) { rest = true; continue; }
      const item = /^body\/[^/]+\/(\d+)/.exec(path);
      const text = `${item !== null ? `Entry ${Number(item[1]) + 1} ` : 'It '}${problem}.`;
      out[field] = out[field] === undefined ? text : `${out[field]} ${text}`;
    }
    if (Object.keys(out).length > 0) return { fields: out, form: rest ? err.message : null };
  }
  return { fields: {}, form: err.message };
}

export const STATUS_LABEL: Record<DeliveryStatus, string> = { pending: 'Pending', sending: 'Sending', sent: 'Sent', failed: 'Failed', kept: 'Kept' };
export const CHANNEL_LABEL: Record<DeliveryChannel, string> = { mail: 'Mail', webhook: 'Webhook' };

const SECTIONS = [
  { path: '/admin/notifications/deliveries', label: 'Deliveries' },
  { path: '/admin/notifications/mailbox', label: 'Mailbox' },
  { path: '/admin/notifications/webhooks', label: 'Webhooks' },
] as const;

/** The notification pages' own navigation, under the Administration area. */
export function NotificationsNav({ path }: { path: string }) {
  return (
    <nav aria-label="Notifications sections" className="notif-nav">
      <Link to="/admin" className="notif-back">← Administration</Link>
      <ul>
        {SECTIONS.map((s) => <li key={s.path}><Link to={s.path} aria-current={path === s.path || path.startsWith(`${s.path}/`) ? 'page' : undefined}>{s.label}</Link></li>)}
      </ul>
    </nav>
  );
}
