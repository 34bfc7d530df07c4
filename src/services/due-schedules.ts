import type { SelectQueryBuilder } from 'kysely';
import type { Database, SchedulesTable } from '../store/schema.ts';
import type { ServiceContext } from './context.ts';
import { iso } from './mappers.ts';
import { enqueue } from './outbox.ts';
import { scheduleSummary } from './schedule-writes.ts';
import { inTransaction, type Tx } from './transaction.ts';

/**
 * On PostgreSQL a worker claims the rows it works on with FOR UPDATE SKIP LOCKED. Writers
 * already take the cluster-wide write lock (transaction.ts), so today this never skips
 * anything; it keeps a due row from being worked twice even if that lock is ever narrowed.
 */
export function claim<O>(ctx: ServiceContext, q: SelectQueryBuilder<Database, keyof Database, O>): SelectQueryBuilder<Database, keyof Database, O> {
  return ctx.engine === 'postgres' ? q.forUpdate().skipLocked() : q;
}

/**
 * Ends schedules whose end has come (`endReason: expired`). Access already stopped at
 * `endAt` (the check API compares with now); this records it: `ended_at` is the due time,
 * and the audit event says when it was due and when the job ran, so catch-up after downtime
 * is visible. Each expiry also goes to the outbox (reminder "expired", connector revoke).
 */
export async function endExpiredSchedules(ctx: ServiceContext, batch: number): Promise<number> {
  return inTransaction(ctx, async (tx) => {
    const rows = await claim(ctx, tx.db.selectFrom('schedules').selectAll().where('ended_at', 'is', null).where('end_at', '<=', tx.nowMs)
      .orderBy('end_at').limit(batch)).execute() as SchedulesTable[];
    for (const s of rows) await expireOne(ctx, tx, s);
    return rows.length;
  });
}

async function expireOne(ctx: ServiceContext, tx: Tx, s: SchedulesTable): Promise<void> {
  const dueAt = s.end_at ?? tx.nowMs;
  await tx.db.updateTable('schedules').set({ ended_at: dueAt, end_reason: 'expired', ended_by: null, updated_at: tx.nowMs }).where('id', '=', s.id).where('ended_at', 'is', null).execute();
  await tx.audit({
    action: `schedule.${s.kind}.ended`, targetType: 'schedule', targetId: s.id, roleId: s.role_id, requestId: s.created_by_request_id,
    before: scheduleSummary(s), after: { endReason: 'expired', dueAt: iso(dueAt), ranAt: iso(tx.nowMs) },
  });
  await enqueue(tx, ctx.ids, {
    eventType: 'schedule.expired', key: `schedule.expired:${s.id}`,
    payload: { ...scheduleSummary(s), scheduleId: s.id, requestId: s.created_by_request_id },
  });
}

/** Requests granted for a future start become Provisioned when the start comes. */
export async function provisionStartedRequests(ctx: ServiceContext, batch: number): Promise<number> {
  return inTransaction(ctx, async (tx) => {
    const rows = await claim(ctx, tx.db.selectFrom('requests').select(['id', 'role_id', 'requested_start_at', 'target_schedule_id', 'principal_id'])
      .where('status', '=', 'Granted').where('requested_start_at', '<=', tx.nowMs).orderBy('requested_start_at').limit(batch)).execute();
    for (const r of rows) {
      const s = r.target_schedule_id === null ? undefined : await tx.db.selectFrom('schedules').select(['ended_at', 'end_reason']).where('id', '=', r.target_schedule_id).executeTakeFirst();
      if (s !== undefined && s.ended_at !== null) {
        // Withdrawn (or its eligibility ended) before it started: it never starts.
        await tx.db.updateTable('requests').set({ status: 'Revoked', status_reason: `Ended before its start (${s.end_reason ?? 'ended'}).` }).where('id', '=', r.id).where('status', '=', 'Granted').execute();
        await tx.audit({ action: 'request.revoked', targetType: 'request', targetId: r.id, roleId: r.role_id, requestId: r.id, before: { status: 'Granted' }, after: { status: 'Revoked', endReason: s.end_reason } });
        continue;
      }
      await tx.db.updateTable('requests').set({ status: 'Provisioned' }).where('id', '=', r.id).where('status', '=', 'Granted').execute();
      await tx.audit({
        action: 'request.provisioned', targetType: 'request', targetId: r.id, roleId: r.role_id, requestId: r.id,
        before: { status: 'Granted' }, after: { status: 'Provisioned', dueAt: iso(r.requested_start_at ?? tx.nowMs), ranAt: iso(tx.nowMs) },
      });
      await enqueue(tx, ctx.ids, { eventType: 'schedule.started', key: `schedule.started:${r.target_schedule_id ?? r.id}`, payload: { requestId: r.id, scheduleId: r.target_schedule_id, principalId: r.principal_id, roleId: r.role_id } });
    }
    return rows.length;
  });
}
