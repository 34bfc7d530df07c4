import type { ServiceContext } from './context.ts';
import { endSchedule } from './schedule-writes.ts';
import { endSessionsOf } from './sessions.ts';
import type { Tx } from './transaction.ts';

/**
 * A disabled or deleted principal loses what it activated and what it was waiting for: its
 * current activations end (`endReason: principal_disabled`) and its pending requests are
 * canceled, each audited. Its assignments stay, so re-enabling restores what an
 * administrator granted, but never an elevation. Called inside the change's transaction.
 */
export async function endActivationsOf(ctx: ServiceContext, tx: Tx, principalId: string, why: 'disabled' | 'deleted'): Promise<void> {
  const active = await tx.db.selectFrom('schedules').selectAll().where('principal_id', '=', principalId).where('kind', '=', 'active')
    .where('assignment_type', '=', 'Activated').where('ended_at', 'is', null)
    .where((eb) => eb.or([eb('end_at', 'is', null), eb('end_at', '>', tx.nowMs)])).execute();
  for (const s of active) await endSchedule(tx, s, 'principal_disabled', ctx.actor.id, {});
  const pending = await tx.db.selectFrom('requests').select(['id', 'role_id', 'status']).where('status', 'in', ['PendingApproval'])
    .where((eb) => eb.or([eb('principal_id', '=', principalId), eb('created_by', '=', principalId)])).execute();
  // Sessions end at once: a disabled account must not keep a browser signed in.
  await endSessionsOf(tx, principalId, `user_${why}`);
  for (const r of pending) {
    await tx.db.updateTable('requests').set({ status: 'Canceled', status_reason: `Canceled: the requester was ${why}.`, completed_at: tx.nowMs }).where('id', '=', r.id).execute();
    await tx.audit({ action: 'request.canceled', targetType: 'request', targetId: r.id, roleId: r.role_id, requestId: r.id, before: { status: r.status }, after: { status: 'Canceled', reason: `principal ${why}` } });
  }
}
