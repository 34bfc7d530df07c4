import { afterFailure } from '../domain/delivery-rules.ts';
import { notFound, conflict } from '../domain/errors.ts';
import { ASSIGNMENT_ADMINS } from '../domain/roles.ts';
import type { DeliveriesTable } from '../store/schema.ts';
import { requireRoles } from './authorize.ts';
import type { ServiceContext } from './context.ts';
import { isoOrNull, iso } from './mappers.ts';
import { enqueue } from './outbox.ts';
import { inTransaction, type Tx } from './transaction.ts';

/** How long a worker may take to send one claimed delivery before another may take it over. */
export const LEASE_MS = 5 * 60_000;

/**
 * Claims up to `batch` deliveries that are due: pending ones whose time has come, and ones a
 * worker claimed but never finished (its lease ran out: it crashed mid-send). The claim is a
 * write under the cluster-wide write lock (services/transaction.ts), so two nodes never hold
 * the same delivery at once.
 */
export async function claimDueDeliveries(ctx: ServiceContext, batch: number): Promise<DeliveriesTable[]> {
  return inTransaction(ctx, async (tx) => {
    const rows = await tx.db.selectFrom('deliveries').selectAll()
      .where((eb) => eb.or([
        eb.and([eb('status', '=', 'pending'), eb('next_attempt_at', '<=', tx.nowMs)]),
        eb.and([eb('status', '=', 'sending'), eb('claimed_until', '<=', tx.nowMs)]),
      ]))
      .orderBy('next_attempt_at').limit(batch).execute();
    if (rows.length > 0) {
      await tx.db.updateTable('deliveries').set({ status: 'sending', claimed_until: tx.nowMs + LEASE_MS })
        .where('id', 'in', rows.map((r) => r.id)).execute();
    }
    return rows;
  });
}

export interface AttemptResult {
  id: string;
  /** null: sent. */
  error: string | null;
}

/**
 * Records attempts, several in one transaction: the worker hands over the sends that finished
 * while its previous record was committing, so a busy worker takes the write lock once per
 * group instead of once per message. Each delivery moves exactly as if recorded alone: a
 * success is `sent`; a failure schedules the next try (domain/delivery-rules.ts) or, past the
 * give-up time, fails the delivery for good, audited as `delivery.failed`, which the alerts
 * read. Only deliveries still `sending` (claimed) are touched.
 */
export async function recordAttempts(ctx: ServiceContext, results: readonly AttemptResult[]): Promise<void> {
  if (results.length === 0) return;
  await inTransaction(ctx, async (tx) => {
    // Successes need nothing read first: one guarded UPDATE for all of them.
    const sent = results.filter((r) => r.error === null).map((r) => r.id);
    if (sent.length > 0) {
      await tx.db.updateTable('deliveries').set((eb) => ({ status: 'sent', attempts: eb('attempts', '+', 1), sent_at: tx.nowMs, claimed_until: null, last_error: null }))
        .where('id', 'in', sent).where('status', '=', 'sending').execute();
    }
    const failed = results.filter((r): r is AttemptResult & { error: string } => r.error !== null);
    if (failed.length === 0) return;
    const claimed = new Map((await tx.db.selectFrom('deliveries').selectAll().where('id', 'in', failed.map((r) => r.id)).where('status', '=', 'sending').execute()).map((d) => [d.id, d]));
    for (const r of failed) {
      const d = claimed.get(r.id);
      if (d !== undefined) await recordFailure(tx, d, r.error);
    }
  });
}

async function recordFailure(tx: Tx, d: DeliveriesTable, error: string): Promise<void> {
  const attempts = d.attempts + 1;
  const next = afterFailure(attempts, tx.nowMs, d.give_up_at);
  const lastError = error.slice(0, 1000);
  if (next.status === 'pending') {
    await tx.db.updateTable('deliveries').set({ status: 'pending', attempts, next_attempt_at: next.nextAttemptAt, claimed_until: null, last_error: lastError }).where('id', '=', d.id).execute();
    return;
  }
  await tx.db.updateTable('deliveries').set({ status: 'failed', attempts, claimed_until: null, last_error: lastError }).where('id', '=', d.id).execute();
  await tx.audit({
    action: 'delivery.failed', targetType: 'delivery', targetId: d.id, outcome: 'failure',
    after: { channel: d.channel, eventType: d.event_type, recipient: d.recipient, attempts, lastError, createdAt: iso(d.created_at) },
  });
  // The alert: administrators are told (mail, and webhooks subscribed to it). One alert an hour
  // at most, listing every failed delivery then (a relay down for days fails hundreds at once);
  // and never an alert about a failed alert, or a dead relay would feed itself.
  if (d.event_type !== FAILED_ALERT) {
    await enqueue(tx, tx.ids, { eventType: FAILED_ALERT, key: `${FAILED_ALERT}:${Math.floor(tx.nowMs / 3_600_000)}`, payload: { deliveryId: d.id } });
  }
}

/** The outbox event that tells administrators deliveries failed for good. */
export const FAILED_ALERT = 'delivery.failed';

export function toDelivery(d: DeliveriesTable, withBody = false) {
  return {
    id: d.id, channel: d.channel, eventType: d.event_type, recipient: d.recipient, subject: d.subject, critical: d.critical === 1,
    status: d.status, attempts: d.attempts, nextAttemptAt: d.status === 'pending' ? iso(d.next_attempt_at) : null, lastError: d.last_error,
    createdAt: iso(d.created_at), sentAt: isoOrNull(d.sent_at), giveUpAt: iso(d.give_up_at),
    ...(withBody ? { text: d.body_text, html: d.body_html } : {}),
  };
}
export type DeliveryView = ReturnType<typeof toDelivery>;

export interface DeliveriesQuery {
  status?: DeliveriesTable['status'] | undefined;
  channel?: DeliveriesTable['channel'] | undefined;
  recipient?: string | undefined;
  /** Messages created before this cursor (the previous page's last id). */
  cursor?: string | undefined;
  limit?: number | undefined;
}

/**
 * Deliveries, newest first: what went out, what waits and why, what failed. Mail bodies name
 * people and roles, so this is for Privileged Role and Global Administrators.
 */
export async function listDeliveries(ctx: ServiceContext, q: DeliveriesQuery, withBody = false): Promise<{ items: DeliveryView[]; nextCursor: string | null }> {
  await requireRoles(ctx, ASSIGNMENT_ADMINS, withBody ? 'mail.list' : 'delivery.list');
  const limit = Math.min(Math.max(q.limit ?? 50, 1), 200);
  let sel = ctx.db.selectFrom('deliveries').selectAll();
  if (q.status !== undefined) sel = sel.where('status', '=', q.status);
  if (q.channel !== undefined) sel = sel.where('channel', '=', q.channel);
  if (q.recipient !== undefined) sel = sel.where('recipient', '=', q.recipient);
  if (q.cursor !== undefined) {
    const at = await ctx.db.selectFrom('deliveries').select(['created_at', 'id']).where('id', '=', q.cursor).executeTakeFirst();
    if (at) sel = sel.where((eb) => eb.or([eb('created_at', '<', at.created_at), eb.and([eb('created_at', '=', at.created_at), eb('id', '<', at.id)])]));
  }
  const rows = await sel.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit + 1).execute();
  const page = rows.slice(0, limit);
  return { items: page.map((d) => toDelivery(d, withBody)), nextCursor: rows.length > limit ? page[page.length - 1]!.id : null };
}

/**
 * One mail with its text and HTML bodies (kept, pending, sent or failed alike): what the
 * recipient reads or would read. Same readers as the mailbox.
 */
export async function getMail(ctx: ServiceContext, id: string): Promise<DeliveryView> {
  await requireRoles(ctx, ASSIGNMENT_ADMINS, 'mail.read');
  const d = await ctx.db.selectFrom('deliveries').selectAll().where('id', '=', id).where('channel', '=', 'mail').executeTakeFirst();
  if (!d) throw notFound('mail.not_found', 'No mail with this id.', { id });
  return toDelivery(d, true);
}

/** Sends a failed delivery again now (a fresh give-up period); audited. */
export async function retryDelivery(ctx: ServiceContext, id: string): Promise<DeliveryView> {
  await requireRoles(ctx, ASSIGNMENT_ADMINS, 'delivery.retry');
  return inTransaction(ctx, async (tx) => {
    const d = await tx.db.selectFrom('deliveries').selectAll().where('id', '=', id).executeTakeFirst();
    if (!d) throw notFound('delivery.not_found', 'No such delivery.', { id });
    if (d.status !== 'failed') throw conflict('delivery.not_failed', `Only failed deliveries are retried; this one is ${d.status}.`, { status: d.status });
    const giveUpAt = tx.nowMs + (d.give_up_at - d.created_at);
    await tx.db.updateTable('deliveries').set({ status: 'pending', next_attempt_at: tx.nowMs, give_up_at: giveUpAt, claimed_until: null }).where('id', '=', id).execute();
    await tx.audit({ action: 'delivery.retried', targetType: 'delivery', targetId: id, before: { status: d.status, attempts: d.attempts, lastError: d.last_error } });
    return toDelivery({ ...d, status: 'pending', next_attempt_at: tx.nowMs, give_up_at: giveUpAt, claimed_until: null });
  });
}
