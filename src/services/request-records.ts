import type { CreateRequest, PimRequest } from '../contract/requests.ts';
import type { RolePolicy } from '../domain/policy.ts';
import type { Kysely } from 'kysely';
import type { ApprovalDecisionsTable, Database, RequestsTable } from '../store/schema.ts';
import { escalationDueAt, stagesOf } from './approvers.ts';
import { enqueue } from './outbox.ts';
import type { ServiceContext } from './context.ts';
import { isoOrNull, iso } from './mappers.ts';
import type { Tx } from './transaction.ts';

type Requirements = NonNullable<PimRequest['requirements']>;

/** Row (and its approval decisions) → contract shape. */
export function toRequest(r: RequestsTable, decisions: readonly ApprovalDecisionsTable[] = [], extra: { validateOnly?: boolean; requirements?: Requirements } = {}): PimRequest {
  const policy = r.policy === null ? null : (JSON.parse(r.policy) as RolePolicy);
  const approval: PimRequest['approval'] = r.approval_stage === null || policy === null ? null : {
    stage: r.approval_stage + 1,
    expiresAt: isoOrNull(r.approval_expires_at),
    stages: stagesOf(policy).map((st) => ({ requiredApprovals: st.requiredApprovals, approvers: st.approvers, escalation: st.escalation })),
    decisions: decisions.map((d) => ({ stage: d.stage + 1, approverId: d.approver_id, decision: d.decision, justification: d.justification, decidedAt: iso(d.decided_at) })),
  };
  return {
    id: r.id, action: r.action, kind: r.kind, status: r.status, principalId: r.principal_id, roleId: r.role_id, scope: r.scope,
    targetScheduleId: r.target_schedule_id, justification: r.justification,
    ticket: r.ticket_number === null ? null : { number: r.ticket_number, system: r.ticket_system },
    schedule: { startAt: isoOrNull(r.requested_start_at), endAt: isoOrNull(r.requested_end_at), duration: r.requested_duration, permanent: r.requested_permanent === 1 },
    createdBy: r.created_by, createdAt: iso(r.created_at), completedAt: isoOrNull(r.completed_at), statusReason: r.status_reason,
    validateOnly: extra.validateOnly === true, linkedEligibilityId: r.linked_eligibility_id, approval,
    ...(extra.requirements !== undefined ? { requirements: extra.requirements } : {}),
  };
}

/** Loads the decisions of many requests in one query. */
export async function decisionsOf(db: Kysely<Database>, requestIds: readonly string[]): Promise<Map<string, ApprovalDecisionsTable[]>> {
  const out = new Map<string, ApprovalDecisionsTable[]>();
  if (requestIds.length === 0) return out;
  const rows = await db.selectFrom('approval_decisions').selectAll().where('request_id', 'in', [...requestIds]).orderBy('decided_at').orderBy('stage').execute();
  for (const d of rows) {
    const list = out.get(d.request_id);
    if (list) list.push(d); else out.set(d.request_id, [d]);
  }
  return out;
}

export async function toRequests(db: Kysely<Database>, rows: readonly RequestsTable[]): Promise<PimRequest[]> {
  const decisions = await decisionsOf(db, rows.filter((r) => r.approval_stage !== null).map((r) => r.id));
  return rows.map((r) => toRequest(r, decisions.get(r.id) ?? []));
}

/**
 * Stores the request itself: every change to a schedule is a request with its
 * justification and ticket, kept apart from what was granted (STYLE: never destroy history).
 */
export async function recordRequest(
  ctx: ServiceContext, tx: Tx, input: CreateRequest,
  outcome: {
    kind: 'eligible' | 'active'; status: string; targetScheduleId: string | null; startAt: number | null; endAt: number | null; reason?: string;
    principalType?: RequestsTable['principal_type']; policy?: RolePolicy; linkedEligibilityId?: string | null; approvalExpiresAt?: number | null;
  },
): Promise<RequestsTable> {
  const pending = outcome.status === 'PendingApproval';
  const row: RequestsTable = {
    id: ctx.ids.uuid(), action: input.action, kind: outcome.kind, status: outcome.status, principal_id: input.principalId, role_id: input.roleId,
    scope: input.scope ?? '/', target_schedule_id: outcome.targetScheduleId, justification: input.justification ?? null,
    ticket_number: input.ticket?.number ?? null, ticket_system: input.ticket?.system ?? null,
    requested_start_at: outcome.startAt, requested_end_at: outcome.endAt, requested_duration: input.schedule?.duration ?? null,
    requested_permanent: input.schedule?.permanent === true ? 1 : 0, created_by: ctx.actor.id ?? 'system', created_at: tx.nowMs,
    completed_at: pending ? null : tx.nowMs, status_reason: outcome.reason ?? null,
    principal_type: outcome.principalType ?? null, policy: outcome.policy === undefined ? null : JSON.stringify(outcome.policy),
    linked_eligibility_id: outcome.linkedEligibilityId ?? null,
    approval_stage: pending ? 0 : null, stage_started_at: pending ? tx.nowMs : null, approval_expires_at: pending ? outcome.approvalExpiresAt ?? null : null, escalated_stage: null,
    escalation_due_at: pending && outcome.policy !== undefined ? escalationDueAt(outcome.policy, 0, tx.nowMs) : null,
    // A workload's requests stand on whoever issued its token: that person may not approve them.
    token_issuer: ctx.actor.type === 'servicePrincipal' && ctx.actor.issuedBy !== undefined ? ctx.actor.issuedBy : null,
  };
  await tx.db.insertInto('requests').values(row).execute();
  await tx.audit({
    action: `request.${input.action}`, targetType: 'request', targetId: row.id, roleId: row.role_id, requestId: row.id,
    after: { kind: row.kind, status: row.status, principalId: row.principal_id, scope: row.scope, targetScheduleId: row.target_schedule_id },
    justification: row.justification, ticketNumber: row.ticket_number, ticketSystem: row.ticket_system,
  });
  if (pending) await enqueue(tx, tx.ids, { eventType: 'request.awaiting', key: `request.awaiting:${row.id}:0`, payload: { requestId: row.id, stage: 0 } });
  return row;
}

export function auditContext(input: CreateRequest, requestId: string | null) {
  return { requestId, justification: input.justification ?? null, ticketNumber: input.ticket?.number ?? null, ticketSystem: input.ticket?.system ?? null };
}
