import type { CreateRequest, PimRequest } from '../contract/requests.ts';
import type { RequestsTable } from '../store/schema.ts';
import type { ServiceContext } from './context.ts';
import { isoOrNull, iso } from './mappers.ts';
import type { Tx } from './transaction.ts';

export function toRequest(r: RequestsTable, validateOnly = false): PimRequest {
  return {
    id: r.id, action: r.action, kind: r.kind, status: r.status, principalId: r.principal_id, roleId: r.role_id, scope: r.scope,
    targetScheduleId: r.target_schedule_id, justification: r.justification,
    ticket: r.ticket_number === null ? null : { number: r.ticket_number, system: r.ticket_system },
    schedule: { startAt: isoOrNull(r.requested_start_at), endAt: isoOrNull(r.requested_end_at), duration: r.requested_duration, permanent: r.requested_permanent === 1 },
    createdBy: r.created_by, createdAt: iso(r.created_at), completedAt: isoOrNull(r.completed_at), statusReason: r.status_reason, validateOnly,
  };
}

/**
 * Stores the request itself: every change to a schedule is a request with its
 * justification and ticket, kept apart from what was granted (STYLE: never destroy history).
 */
export async function recordRequest(
  ctx: ServiceContext, tx: Tx, input: CreateRequest,
  outcome: { kind: 'eligible' | 'active'; status: string; targetScheduleId: string | null; startAt: number | null; endAt: number | null; reason?: string },
): Promise<RequestsTable> {
  const row: RequestsTable = {
    id: ctx.ids.uuid(), action: input.action, kind: outcome.kind, status: outcome.status, principal_id: input.principalId, role_id: input.roleId,
    scope: input.scope ?? '/', target_schedule_id: outcome.targetScheduleId, justification: input.justification ?? null,
    ticket_number: input.ticket?.number ?? null, ticket_system: input.ticket?.system ?? null,
    requested_start_at: outcome.startAt, requested_end_at: outcome.endAt, requested_duration: input.schedule?.duration ?? null,
    requested_permanent: input.schedule?.permanent === true ? 1 : 0, created_by: ctx.actor.id ?? 'system', created_at: tx.nowMs,
    completed_at: tx.nowMs, status_reason: outcome.reason ?? null,
  };
  await tx.db.insertInto('requests').values(row).execute();
  await tx.audit({
    action: `request.${input.action}`, targetType: 'request', targetId: row.id, roleId: row.role_id, requestId: row.id,
    after: { kind: row.kind, status: row.status, principalId: row.principal_id, scope: row.scope, targetScheduleId: row.target_schedule_id },
    justification: row.justification, ticketNumber: row.ticket_number, ticketSystem: row.ticket_system,
  });
  return row;
}

export function auditContext(input: CreateRequest, requestId: string | null) {
  return { requestId, justification: input.justification ?? null, ticketNumber: input.ticket?.number ?? null, ticketSystem: input.ticket?.system ?? null };
}
