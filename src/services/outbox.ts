import type { Tx } from './transaction.ts';

export interface OutboxMessage {
  /** What happened, e.g. `schedule.expiring`, `request.expired`. */
  eventType: string;
  /** The same key twice is one message: re-running a job never sends twice. */
  key: string;
  payload: Record<string, unknown>;
}

/**
 * Hands an effect outside the database to the outbox, in the caller's transaction, so it is
 * written if and only if its cause commits (DESIGN invariant 5). Delivery (mail, webhooks,
 * connectors) reads the outbox and retries; a duplicate key is ignored.
 */
export async function enqueue(tx: Tx, ids: { uuid(): string }, m: OutboxMessage): Promise<void> {
  await tx.db.insertInto('outbox').values({
    id: ids.uuid(), event_type: m.eventType, idempotency_key: m.key, payload: JSON.stringify(m.payload),
    created_at: tx.nowMs, status: 'pending', attempts: 0, next_attempt_at: tx.nowMs, last_error: null, sent_at: null,
  }).onConflict((oc) => oc.column('idempotency_key').doNothing()).execute();
}
