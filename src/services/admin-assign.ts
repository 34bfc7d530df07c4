import type { CreateRequest } from '../contract/requests.ts';
import { conflict, invalid, mfaRequired } from '../domain/errors.ts';
import { expirationRule, mfaFresh, type RolePolicy } from '../domain/policy.ts';
import { resolveWindow, type ScheduleKind } from '../domain/schedule-rules.ts';
import type { RequestsTable } from '../store/schema.ts';
import type { ServiceContext } from './context.ts';
import { auditContext, recordRequest } from './request-records.ts';
import { isGroupRole } from '../domain/roles.ts';
import { assertGroupRolePrincipal, assertPrincipalMayHold, assertRoleFitsScope, findLiveSchedule, loadLiveRole, loadPrincipal, validateScope } from './request-targets.ts';
import { effectivePolicy } from './role-settings.ts';
import { insertSchedule } from './schedule-writes.ts';
import type { Tx } from './transaction.ts';

/**
 * adminAssign: an administrator makes a principal eligible for, or actively assigned to, a
 * role at a scope. Validated against the role settings' Assignment tab (PIM-REFERENCE §2.2):
 * 5-minute minimum, permanent allowed or a maximum length, justification and MFA of the
 * administrator when the rules ask for them.
 */
export async function adminAssign(ctx: ServiceContext, tx: Tx, input: CreateRequest): Promise<RequestsTable> {
  const kind: ScheduleKind = input.kind ?? 'eligible';
  const scope = await validateScope(tx, input.scope ?? '/');
  const principal = await loadPrincipal(tx, input.principalId);
  await loadLiveRole(tx, input.roleId);
  const { policy } = await effectivePolicy(tx, input.roleId, scope);
  assertRoleFitsScope(input.roleId, scope);
  if (isGroupRole(input.roleId)) await assertGroupRolePrincipal(tx, principal, input.roleId, scope, kind);
  // Beyond Entra: a role whose settings allow workload activation takes eligible service principals.
  else assertPrincipalMayHold(principal, kind, policy.activation.allowWorkloadActivation);
  if (input.schedule === undefined) throw invalid('schedule.expiration_ambiguous', 'Give schedule with exactly one of duration, endAt or permanent: true.');
  const window = resolveWindow(tx.nowMs, input.schedule, expirationRule(policy, kind));
  assertAssignmentRules(ctx, policy, kind, input);
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

/** Rules 7 and 8 (Enablement_Admin_Assignment / _Eligibility): what the administrator must bring. */
export function assertAssignmentRules(ctx: ServiceContext, policy: RolePolicy, kind: ScheduleKind, input: CreateRequest): void {
  const rules = policy.assignment[kind];
  if (rules.requireJustification && (input.justification ?? '').trim() === '') {
    throw invalid('policy.justification_required', `A justification is required for ${kind} assignments of this role.`);
  }
  const fresh = mfaFresh(policy, ctx.actor.mfaAt, ctx.clock.nowMs());
  if (rules.requireMfa && fresh !== 'ok') throw mfaRequired(`Making ${kind} assignments of this role`, fresh === 'stale' ? 'stale' : 'missing', policy.activation.mfaMaxAgeMinutes);
}
