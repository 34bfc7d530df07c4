import { sql, type Transaction } from 'kysely';
import { appendAuditEvent, type AuditInput, type ChainHead } from '../store/audit-store.ts';
import type { Database } from '../store/schema.ts';
import type { ServiceContext } from './context.ts';

/** Arbitrary constant naming the cluster-wide write lock. */
const WRITE_LOCK_KEY = 7_253_001;

export type AuditFields = Omit<AuditInput, 'id' | 'atMs' | 'actorId' | 'actorType' | 'clientAddress'>;

export interface Tx {
  db: Transaction<Database>;
  nowMs: number;
  /** The context's id source, for rows written deep inside a use case (outbox events). */
  ids: { uuid(): string };
  audit(event: AuditFields): Promise<void>;
}

/**
 * Runs one use case's writes in one transaction: state + audit events commit together or
 * not at all (DESIGN invariant 1). On PostgreSQL every writer first takes one advisory
 * transaction lock, so writes are serialized across nodes: guard checks (the last Global
 * Administrator) and the audit hash chain cannot race. SQLite serializes writers itself.
 * PIM writes are rare next to reads, so the single writer costs nothing that matters.
 * After commit the node's access index catches up, so the caller reads its own writes.
 */
export async function inTransaction<T>(ctx: ServiceContext, fn: (tx: Tx) => Promise<T>): Promise<T> {
  const result = await ctx.db.transaction().execute(async (trx) => {
    if (ctx.engine === 'postgres') await sql`SELECT pg_advisory_xact_lock(${WRITE_LOCK_KEY})`.execute(trx);
    const nowMs = ctx.clock.nowMs();
    let head: ChainHead | undefined;
    const tx: Tx = {
      db: trx,
      nowMs,
      ids: ctx.ids,
      audit: async (event) => {
        head = await appendAuditEvent(trx, {
          ...event,
          id: ctx.ids.uuid(),
          atMs: nowMs,
          actorId: ctx.actor.id,
          actorType: ctx.actor.type,
          clientAddress: ctx.actor.clientAddress ?? null,
        }, head);
      },
    };
    return fn(tx);
  });
  await ctx.index.sync();
  return result;
}
