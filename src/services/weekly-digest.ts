import { digestPeriod } from '../domain/digest-period.ts';
import type { ServiceContext } from './context.ts';
import { enqueue } from './outbox.ts';
import { inTransaction } from './transaction.ts';

/**
 * Queues last week's digest for the administrators once (its outbox key names the week), the
 * first time the scheduler runs after Monday 00:00 UTC, or on catching up after downtime. A
 * database created after the week ended has nothing to report and sends nothing.
 */
export async function queueWeeklyDigest(ctx: ServiceContext): Promise<number> {
  const { from, to } = digestPeriod(ctx.clock.nowMs());
  const key = `digest.weekly:${new Date(to).toISOString()}`;
  const queued = await ctx.db.selectFrom('outbox').select('id').where('idempotency_key', '=', key).executeTakeFirst();
  if (queued) return 0;
  const first = await ctx.db.selectFrom('audit_events').select('at').orderBy('seq').limit(1).executeTakeFirst();
  if (first === undefined || Date.parse(first.at) >= to) return 0;
  await inTransaction(ctx, (tx) => enqueue(tx, ctx.ids, { eventType: 'digest.weekly', key, payload: { from, to } }));
  return 1;
}
