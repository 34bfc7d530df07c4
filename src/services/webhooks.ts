import type { CreateWebhook, UpdateWebhook, Webhook } from '../contract/webhooks.ts';
import { invalid, notFound } from '../domain/errors.ts';
import { ASSIGNMENT_ADMINS } from '../domain/roles.ts';
import type { WebhooksTable } from '../store/schema.ts';
import { requireRoles } from './authorize.ts';
import type { ServiceContext } from './context.ts';
import { iso } from './mappers.ts';
import { inTransaction } from './transaction.ts';

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

/**
 * An endpoint must be https (the payload names people and roles, the signature is not
 * secrecy), or http on this machine; no credentials in the URL (they would end up in logs).
 */
function checkUrl(text: string): string {
  let u: URL;
  try { u = new URL(text); } catch { throw invalid('webhook.url_invalid', 'The URL is not a valid absolute URL.', { url: text }); }
  if (u.username !== '' || u.password !== '') throw invalid('webhook.url_invalid', 'Put no credentials in the URL: receivers verify the signature instead.');
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && LOOPBACK.test(u.hostname))) throw invalid('webhook.url_insecure', 'Webhook URLs must be https (http only on a loopback host).', { url: text });
  return u.href;
}

export const toWebhook = (w: WebhooksTable): Webhook => ({
  id: w.id, url: w.url, description: w.description, events: JSON.parse(w.events) as string[], format: w.format,
  enabled: w.enabled === 1, createdAt: iso(w.created_at), updatedAt: iso(w.updated_at),
});

async function row(ctx: ServiceContext, id: string): Promise<WebhooksTable> {
  const w = await ctx.db.selectFrom('webhooks').selectAll().where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst();
  if (!w) throw notFound('webhook.not_found', 'No such webhook.', { id });
  return w;
}

/** Registers an endpoint; the signing secret is returned once (sealed with the server key at rest). */
export async function createWebhook(ctx: ServiceContext, input: CreateWebhook): Promise<Webhook & { secret: string }> {
  await requireRoles(ctx, ASSIGNMENT_ADMINS, 'webhook.create');
  const url = checkUrl(input.url);
  const secret = input.secret ?? `whsec_${ctx.ids.secret(32)}`;
  return inTransaction(ctx, async (tx) => {
    const w: WebhooksTable = {
      id: ctx.ids.uuid(), url, description: input.description ?? null, events: JSON.stringify(input.events), format: input.format ?? 'cloudevents',
      secret_sealed: ctx.secrets.seal(secret), enabled: 1, created_by: ctx.actor.id, created_at: tx.nowMs, updated_at: tx.nowMs, deleted_at: null,
    };
    await tx.db.insertInto('webhooks').values(w).execute();
    await tx.audit({ action: 'webhook.created', targetType: 'webhook', targetId: w.id, after: { url, events: input.events, format: w.format } });
    return { ...toWebhook(w), secret };
  });
}

export async function listWebhooks(ctx: ServiceContext): Promise<{ items: Webhook[] }> {
  await requireRoles(ctx, ASSIGNMENT_ADMINS, 'webhook.list');
  const rows = await ctx.db.selectFrom('webhooks').selectAll().where('deleted_at', 'is', null).orderBy('created_at').execute();
  return { items: rows.map(toWebhook) };
}

export async function getWebhook(ctx: ServiceContext, id: string): Promise<Webhook> {
  await requireRoles(ctx, ASSIGNMENT_ADMINS, 'webhook.read');
  return toWebhook(await row(ctx, id));
}

export async function updateWebhook(ctx: ServiceContext, id: string, patch: UpdateWebhook): Promise<Webhook> {
  await requireRoles(ctx, ASSIGNMENT_ADMINS, 'webhook.update');
  const before = await row(ctx, id);
  const url = patch.url !== undefined ? checkUrl(patch.url) : before.url;
  return inTransaction(ctx, async (tx) => {
    const next: WebhooksTable = {
      ...before, url, updated_at: tx.nowMs,
      ...(patch.events !== undefined ? { events: JSON.stringify(patch.events) } : {}),
      ...(patch.format !== undefined ? { format: patch.format } : {}),
      ...(patch.description !== undefined ? { description: patch.description } : {}),
      ...(patch.enabled !== undefined ? { enabled: patch.enabled ? 1 : 0 } : {}),
    };
    await tx.db.updateTable('webhooks').set({ url: next.url, events: next.events, format: next.format, description: next.description, enabled: next.enabled, updated_at: next.updated_at }).where('id', '=', id).execute();
    const view = toWebhook(next);
    const was = toWebhook(before);
    await tx.audit({ action: 'webhook.updated', targetType: 'webhook', targetId: id, before: { url: was.url, events: was.events, format: was.format, enabled: was.enabled }, after: { url: view.url, events: view.events, format: view.format, enabled: view.enabled } });
    return view;
  });
}

/** Removes a subscription; deliveries still waiting for it fail at their next try. */
export async function deleteWebhook(ctx: ServiceContext, id: string): Promise<void> {
  await requireRoles(ctx, ASSIGNMENT_ADMINS, 'webhook.delete');
  const w = await row(ctx, id);
  await inTransaction(ctx, async (tx) => {
    await tx.db.updateTable('webhooks').set({ deleted_at: tx.nowMs, enabled: 0, updated_at: tx.nowMs }).where('id', '=', id).execute();
    await tx.audit({ action: 'webhook.deleted', targetType: 'webhook', targetId: id, before: { url: w.url } });
  });
}

/** For the delivery worker: where to send and with which secret; null once deleted or disabled. */
export async function webhookTarget(ctx: ServiceContext, id: string): Promise<{ url: string; secret: string; format: WebhooksTable['format'] } | null> {
  const w = await ctx.db.selectFrom('webhooks').selectAll().where('id', '=', id).where('deleted_at', 'is', null).where('enabled', '=', 1).executeTakeFirst();
  return w ? { url: w.url, secret: ctx.secrets.open(w.secret_sealed), format: w.format } : null;
}

/** Enabled subscriptions, for the fan-out. */
export async function activeWebhooks(db: ServiceContext['db']): Promise<WebhooksTable[]> {
  return db.selectFrom('webhooks').selectAll().where('deleted_at', 'is', null).where('enabled', '=', 1).execute();
}
