import type { CreateRequest } from '../contract/requests.ts';
import { conflict, invalid } from '../domain/errors.ts';
import { DEFAULT_EXPIRATION, resolveWindow, type ScheduleKind } from '../domain/schedule-rules.ts';
import type { RequestsTable } from '../store/schema.ts';
import type { ServiceContext } from './context.ts';
import { auditContext, recordRequest } from './request-records.ts';
import { assertPrincipalMayHold, findLiveSchedule, loadLiveRole, loadPrincipal, validateScope } from './request-targets.ts';
import { insertSchedule } from './schedule-writes.ts';
import type { Tx } from './transaction.ts';

/**
 * adminAssign: an administrator makes a principal eligible for, or actively assigned to, a
 * role at a scope. Validated against the role's assignment rules (PIM-REFERENCE §2.2 defaults
 * until role settings exist): 5-minute minimum, permanent allowed or a maximum length,
 * justification required on active assignments.
 */
export async function adminAssign(ctx: ServiceContext, tx: Tx, input: CreateRequest): Promise<RequestsTable> {
  const kind: ScheduleKind = input.kind ?? 'eligible';
  const scope = await validateScope(tx, input.scope ?? '/');
  const principal = await loadPrincipal(tx, input.principalId);
  assertPrincipalMayHold(principal, kind);
  await loadLiveRole(tx, input.roleId);
  if (input.schedule === undefined) throw invalid('schedule.expiration_ambiguous', 'Give schedule with exactly one of duration, endAt or permanent: true.');
  const window = resolveWindow(tx.nowMs, input.schedule, DEFAULT_EXPIRATION[kind]);
  // Entra's default: justification required on active assignment (Enablement_Admin_Assignment).
  if (kind === 'active' && (input.justification ?? '').trim() === '') {
    throw invalid('policy.justification_required', 'A justification is required for active assignments of this role.');
  }
  const existing = await findLiveSchedule(tx, { kind, principalId: principal.id, roleId: input.roleId, scope });
  if (existing) throw conflict('schedule.already_exists', `The principal already has a live ${kind} assignment of this role at this scope; update or extend it instead.`, { scheduleId: existing.id });

  const scheduleId = ctx.ids.uuid();
  const request = await recordRequest(ctx, tx, { ...input, scope }, {
    kind, status: window.startAt > tx.nowMs ? 'Granted' : 'Provisioned', targetScheduleId: scheduleId, startAt: window.startAt, endAt: window.endAt,
  });
  await insertSchedule(tx, {
    id: scheduleId, kind, principal_id: principal.id, principal_type: principal.type, role_id: input.roleId, scope,
    start_at: window.startAt, end_at: window.endAt, assignment_type: 'Assigned', linked_eligibility_id: null, created_by_request_id: request.id,
  }, auditContext(input, request.id));
  return request;
}
