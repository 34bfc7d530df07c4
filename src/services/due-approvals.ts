import { escalationDue } from '../domain/approval.ts';
import type { RolePolicy } from '../domain/policy.ts';
import type { RequestsTable } from '../store/schema.ts';
import { resolveApprovers, stagesOf } from './approvers.ts';
import type { ServiceContext } from './context.ts';
import { claim } from './due-schedules.ts';
import { iso } from './mappers.ts';
import { enqueue } from './outbox.ts';
import { inTransaction } from './transaction.ts';

/** Pending requests nobody decided within the approval window become Canceled, with the reason (PIM-REFERENCE §4.2). */
export async function expirePendingApprovals(ctx: ServiceContext, batch: number): Promise<number> {
  return inTransaction(ctx, async (tx) => {
    const rows = await claim(ctx, tx.db.selectFrom('requests').selectAll().where('status', '=', 'PendingApproval')
      .where('approval_expires_at', '<=', tx.nowMs).orderBy('approval_expires_at').limit(batch)).execute() as RequestsTable[];
    for (const r of rows) {
      await tx.db.updateTable('requests').set({ status: 'Canceled', status_reason: 'Approval expired: no decision within the approval window.', completed_at: tx.nowMs })
        .where('id', '=', r.id).where('status', '=', 'PendingApproval').execute();
      await tx.audit({
        action: 'request.expired', targetType: 'request', targetId: r.id, roleId: r.role_id, requestId: r.id,
        before: { status: r.status }, after: { status: 'Canceled', dueAt: iso(r.approval_expires_at ?? tx.nowMs), ranAt: iso(tx.nowMs) },
      });
      await enqueue(tx, ctx.ids, { eventType: 'request.expired', key: `request.expired:${r.id}`, payload: { requestId: r.id, principalId: r.principal_id, roleId: r.role_id, scope: r.scope, createdBy: r.created_by } });
    }
    return rows.length;
  });
}

/**
 * When a stage has waited its escalation time, its escalation approvers may decide (that
 * follows from the clock, see domain/approval.ts); this job tells them, once per stage.
 */
export async function escalatePendingApprovals(ctx: ServiceContext, batch: number): Promise<number> {
  return inTransaction(ctx, async (tx) => {
    // Only rows whose current stage is due (escalation_due_at is set per stage), so none starves behind others.
    const rows = await claim(ctx, tx.db.selectFrom('requests').selectAll().where('status', '=', 'PendingApproval').where('approval_expires_at', '>', tx.nowMs)
      .where('escalation_due_at', '<=', tx.nowMs)
      .where((eb) => eb.or([eb('escalated_stage', 'is', null), eb('escalated_stage', '<', eb.ref('approval_stage'))]))
      .orderBy('escalation_due_at').limit(batch)).execute() as RequestsTable[];
    for (const r of rows) {
      const stage = r.policy === null || r.approval_stage === null ? undefined : stagesOf(JSON.parse(r.policy) as RolePolicy)[r.approval_stage];
      if (stage?.escalation == null || r.approval_stage === null || !escalationDue(stage, r.stage_started_at ?? r.created_at, tx.nowMs)) {
        // Nothing to escalate after all: mark it so the row is not picked up again.
        await tx.db.updateTable('requests').set({ escalation_due_at: null }).where('id', '=', r.id).execute();
        continue;
      }
      const approvers = [...(await resolveApprovers(tx, stage.escalation.approvers))].filter((id) => id !== r.created_by && id !== r.principal_id);
      await tx.db.updateTable('requests').set({ escalated_stage: r.approval_stage }).where('id', '=', r.id).execute();
      const dueAt = (r.stage_started_at ?? r.created_at) + stage.escalation.afterMinutes * 60_000;
      await tx.audit({
        action: 'request.escalated', targetType: 'request', targetId: r.id, roleId: r.role_id, requestId: r.id,
        after: { stage: r.approval_stage + 1, escalationApprovers: approvers, dueAt: iso(dueAt), ranAt: iso(tx.nowMs) },
      });
      await enqueue(tx, ctx.ids, { eventType: 'request.escalated', key: `request.escalated:${r.id}:${r.approval_stage}`, payload: { requestId: r.id, stage: r.approval_stage + 1, approvers, roleId: r.role_id, principalId: r.principal_id } });
    }
    return rows.length;
  });
}
