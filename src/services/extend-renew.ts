import type { CreateRequest } from '../contract/requests.ts';
import { DAY_MS, MINUTE_MS } from '../domain/duration.ts';
import { conflict, invalid, mfaRequired, notFound } from '../domain/errors.ts';
import { expirationRule, mfaFresh, type RolePolicy } from '../domain/policy.ts';
import { isGroupRole } from '../domain/roles.ts';
import { checkLength, resolveWindow, type ScheduleInput, type ScheduleKind, type Window } from '../domain/schedule-rules.ts';
import { assertAssignmentRules } from './admin-assign.ts';
import type { RequestsTable, SchedulesTable } from '../store/schema.ts';
import { nextWindow } from './admin-update.ts';
import type { ServiceContext } from './context.ts';
import { EXPIRED_VISIBLE_MS } from './effective-roles.ts';
import { isoOrNull } from './mappers.ts';
import { enqueue } from './outbox.ts';
import { auditContext, recordRequest } from './request-records.ts';
import { assertGroupRolePrincipal, assertPrincipalMayHold, loadPrincipal } from './request-targets.ts';
import { effectivePolicy } from './role-settings.ts';
import type { Submitted } from './self-activate.ts';
import { assertSelf } from './self-service.ts';
import { insertSchedule, scheduleSummary } from './schedule-writes.ts';
import type { Tx } from './transaction.ts';

/** Users may ask to extend only within the last 14 days of an assignment (PIM-REFERENCE §3.4). */
export const EXTEND_WINDOW_MS = 14 * DAY_MS;

type Target = Pick<CreateRequest, 'targetScheduleId' | 'principalId' | 'roleId' | 'scope' | 'kind'>;

/** The assignment a request names: by id, or the latest one of this kind for principal, role and scope. Never one inherited through a group. */
async function findAssignment(tx: Tx, t: Target): Promise<SchedulesTable | undefined> {
  let q = tx.db.selectFrom('schedules').selectAll().where('principal_id', '=', t.principalId).where('role_id', '=', t.roleId).where('assignment_type', '=', 'Assigned');
  q = t.targetScheduleId !== undefined ? q.where('id', '=', t.targetScheduleId) : q.where('kind', '=', t.kind ?? 'eligible').where('scope', '=', t.scope ?? '/');
  return q.orderBy('created_at', 'desc').limit(1).executeTakeFirst();
}

function live(s: SchedulesTable, now: number): boolean {
  return s.ended_at === null && (s.end_at === null || s.end_at > now);
}

/** Ended by reaching its end (not removed), within the last 30 days: renewable. */
function renewable(s: SchedulesTable, now: number): boolean {
  return s.end_at !== null && s.end_at <= now && (s.ended_at === null || s.end_reason === 'expired') && now - s.end_at <= EXPIRED_VISIBLE_MS;
}

async function extensible(tx: Tx, t: Target): Promise<SchedulesTable> {
  const s = await findAssignment(tx, t);
  if (!s || !live(s, tx.nowMs)) throw notFound('schedule.not_found', 'No current assignment matches this request.', { principalId: t.principalId, roleId: t.roleId });
  if (s.end_at === null) throw invalid('schedule.not_extendable', 'This assignment is permanent: there is nothing to extend.');
  return s;
}

async function renewableOne(tx: Tx, t: Target): Promise<SchedulesTable> {
  const s = await findAssignment(tx, t);
  if (!s) throw notFound('schedule.not_found', 'No assignment matches this request.', { principalId: t.principalId, roleId: t.roleId });
  if (!renewable(s, tx.nowMs)) throw invalid('schedule.not_renewable', 'Only assignments that expired within the last 30 days can be renewed.', { endAt: isoOrNull(s.end_at), endReason: s.end_reason });
  const again = await tx.db.selectFrom('schedules').select('id').where('kind', '=', s.kind).where('principal_id', '=', s.principal_id).where('role_id', '=', s.role_id)
    .where('scope', '=', s.scope).where('assignment_type', '=', 'Assigned').where('ended_at', 'is', null)
    .where((eb) => eb.or([eb('end_at', 'is', null), eb('end_at', '>', tx.nowMs)])).executeTakeFirst();
  if (again) throw conflict('schedule.already_exists', 'The principal already has a current assignment of this role at this scope.', { scheduleId: again.id });
  return s;
}

async function extendTo(ctx: ServiceContext, tx: Tx, s: SchedulesTable, w: Window, requestId: string, audit: ReturnType<typeof auditContext>): Promise<void> {
  if (w.endAt !== null && s.end_at !== null && w.endAt <= s.end_at) {
    throw invalid('schedule.extension_not_later', 'An extension must end later than the assignment does now.', { endAt: isoOrNull(s.end_at) });
  }
  await tx.db.updateTable('schedules').set({ end_at: w.endAt, updated_at: tx.nowMs, reminded_level: 0 }).where('id', '=', s.id).execute();
  await tx.audit({
    action: `schedule.${s.kind}.extended`, targetType: 'schedule', targetId: s.id, roleId: s.role_id,
    before: { endAt: isoOrNull(s.end_at) }, after: { endAt: isoOrNull(w.endAt) }, ...audit, requestId,
  });
  await enqueue(tx, ctx.ids, { eventType: 'schedule.extended', key: `schedule.extended:${requestId}`, payload: { ...scheduleSummary({ ...s, end_at: w.endAt }), scheduleId: s.id, requestId } });
}

async function renewAs(ctx: ServiceContext, tx: Tx, s: SchedulesTable, kind: ScheduleKind, w: Window, requestId: string, audit: ReturnType<typeof auditContext>): Promise<string> {
  const id = ctx.ids.uuid();
  await insertSchedule(tx, {
    id, kind, principal_id: s.principal_id, principal_type: s.principal_type, role_id: s.role_id, scope: s.scope,
    start_at: w.startAt, end_at: w.endAt, assignment_type: 'Assigned', linked_eligibility_id: null, created_by_request_id: requestId,
  }, audit);
  await tx.audit({ action: `schedule.${kind}.renewed`, targetType: 'schedule', targetId: id, roleId: s.role_id, before: { renewedFrom: s.id, endAt: isoOrNull(s.end_at) }, after: { startAt: isoOrNull(w.startAt), endAt: isoOrNull(w.endAt) }, ...audit, requestId });
  return id;
}

/** A renewal (or a change of kind) creates an assignment: the principal must be able to hold that kind, as for adminAssign. */
async function assertMayHoldAs(tx: Tx, s: SchedulesTable, kind: ScheduleKind, policy: RolePolicy): Promise<void> {
  const principal = await loadPrincipal(tx, s.principal_id);
  if (isGroupRole(s.role_id)) await assertGroupRolePrincipal(tx, principal, s.role_id, s.scope, kind);
  else assertPrincipalMayHold(principal, kind, policy.activation.allowWorkloadActivation);
}

/** A granted window must fit the kind's expiration rule, whoever chose it. */
function assertFits(policy: RolePolicy, kind: ScheduleKind, w: Window): void {
  const rule = expirationRule(policy, kind);
  if (w.endAt === null) {
    if (!rule.permanentAllowed) throw invalid('schedule.permanent_not_allowed', 'This role requires assignments to expire: set schedule with an end.');
    return;
  }
  checkLength(w.startAt, w.endAt, rule);
}

/** adminExtend: an administrator moves the end of a current assignment later, directly (PIM-REFERENCE §3.4). */
export async function adminExtend(ctx: ServiceContext, tx: Tx, input: CreateRequest): Promise<RequestsTable> {
  const s = await extensible(tx, input);
  if (input.schedule === undefined) throw invalid('schedule.expiration_ambiguous', 'Give the new schedule (endAt, duration from the start, or permanent).');
  const { policy } = await effectivePolicy(tx, s.role_id, s.scope);
  assertAssignmentRules(ctx, policy, s.kind, input);
  const w = nextWindow(tx.nowMs, s, input.schedule, expirationRule(policy, s.kind));
  const request = await recordRequest(ctx, tx, { ...input, scope: s.scope }, { kind: s.kind, status: 'Provisioned', targetScheduleId: s.id, startAt: w.startAt, endAt: w.endAt });
  await extendTo(ctx, tx, s, w, request.id, auditContext(input, request.id));
  return request;
}

/** adminRenew: an administrator gives an assignment that expired within 30 days a new window. */
export async function adminRenew(ctx: ServiceContext, tx: Tx, input: CreateRequest): Promise<RequestsTable> {
  const s = await renewableOne(tx, input);
  if (input.schedule === undefined) throw invalid('schedule.expiration_ambiguous', 'Give the new schedule (duration, endAt or permanent).');
  const kind = input.kind ?? s.kind;
  const { policy } = await effectivePolicy(tx, s.role_id, s.scope);
  await assertMayHoldAs(tx, s, kind, policy);
  assertAssignmentRules(ctx, policy, kind, input);
  const w = resolveWindow(tx.nowMs, input.schedule, expirationRule(policy, kind));
  const request = await recordRequest(ctx, tx, { ...input, scope: s.scope }, { kind, status: w.startAt > tx.nowMs ? 'Granted' : 'Provisioned', targetScheduleId: null, startAt: w.startAt, endAt: w.endAt });
  const id = await renewAs(ctx, tx, s, kind, w, request.id, auditContext(input, request.id));
  await tx.db.updateTable('requests').set({ target_schedule_id: id }).where('id', '=', request.id).execute();
  return { ...request, target_schedule_id: id };
}

/** The policy snapshot for extension and renewal requests: decided by the active Privileged Role / Global Administrators. */
function adminApprovalPolicy(p: RolePolicy): RolePolicy {
  return { ...p, activation: { ...p.activation, requireApproval: true, approvalStages: [] } };
}

async function assertNonePending(tx: Tx, scheduleId: string): Promise<void> {
  const pending = await tx.db.selectFrom('requests').select('id').where('target_schedule_id', '=', scheduleId).where('status', '=', 'PendingApproval')
    .where('action', 'in', ['selfExtend', 'selfRenew']).executeTakeFirst();
  if (pending) throw conflict('request.already_pending', 'A request to extend or renew this assignment is already waiting for approval.', { requestId: pending.id });
}

/** The window the requester asks for, if any: the approver may set or change it. */
function askedWindow(tx: Tx, s: SchedulesTable, kind: ScheduleKind, input: CreateRequest, policy: RolePolicy, renew: boolean): Window | null {
  if (input.schedule === undefined) return null;
  return renew ? resolveWindow(tx.nowMs, input.schedule, expirationRule(policy, kind)) : nextWindow(tx.nowMs, s, input.schedule, expirationRule(policy, kind));
}

/** selfExtend: ask to extend one's own assignment that ends within 14 days; Privileged Role / Global Administrators approve. */
export async function selfExtend(ctx: ServiceContext, tx: Tx, input: CreateRequest): Promise<Submitted> {
  const principalType = assertSelf(ctx, input);
  const s = await extensible(tx, input);
  if ((s.end_at ?? 0) - tx.nowMs > EXTEND_WINDOW_MS) {
    throw invalid('request.extend_too_early', 'An assignment can be extended only within the last 14 days before it ends.', { extendableFrom: isoOrNull((s.end_at ?? 0) - EXTEND_WINDOW_MS) });
  }
  await assertNonePending(tx, s.id);
  const { policy } = await effectivePolicy(tx, s.role_id, s.scope);
  const w = askedWindow(tx, s, s.kind, input, policy, false);
  const row = await recordRequest(ctx, tx, { ...input, scope: s.scope }, {
    kind: s.kind, status: 'PendingApproval', targetScheduleId: s.id, startAt: w?.startAt ?? null, endAt: w?.endAt ?? null,
    principalType, policy: adminApprovalPolicy(policy), approvalExpiresAt: tx.nowMs + ctx.config.approvalTimeoutHours * 60 * MINUTE_MS,
  });
  return { row };
}

/** selfRenew: ask to renew one's own assignment that expired within 30 days; Privileged Role / Global Administrators approve. */
export async function selfRenew(ctx: ServiceContext, tx: Tx, input: CreateRequest): Promise<Submitted> {
  const principalType = assertSelf(ctx, input);
  const s = await renewableOne(tx, input);
  await assertNonePending(tx, s.id);
  const { policy } = await effectivePolicy(tx, s.role_id, s.scope);
  const w = askedWindow(tx, s, s.kind, input, policy, true);
  const row = await recordRequest(ctx, tx, { ...input, scope: s.scope }, {
    kind: s.kind, status: 'PendingApproval', targetScheduleId: s.id, startAt: w?.startAt ?? null, endAt: w?.endAt ?? null,
    principalType, policy: adminApprovalPolicy(policy), approvalExpiresAt: tx.nowMs + ctx.config.approvalTimeoutHours * 60 * MINUTE_MS,
  });
  return { row };
}

export interface ApproverChanges {
  kind?: ScheduleKind | undefined;
  schedule?: ScheduleInput | undefined;
}

/**
 * The last approval of an extension or renewal. The approver may set start, end and kind
 * (PIM-REFERENCE §3.4–§3.5); without changes the requested window applies, and without one
 * the assignment gets its original length again. Returns the status the request ends in.
 */
export async function grantExtendOrRenew(ctx: ServiceContext, tx: Tx, r: RequestsTable, changes: ApproverChanges): Promise<{ status: string; reason?: string; scheduleId?: string; window?: Window; kind?: ScheduleKind }> {
  const s = await tx.db.selectFrom('schedules').selectAll().where('id', '=', r.target_schedule_id ?? '').executeTakeFirst();
  const policy = JSON.parse(r.policy ?? '{}') as RolePolicy;
  const audit = { requestId: r.id, justification: r.justification, ticketNumber: r.ticket_number, ticketSystem: r.ticket_system };
  if (!s) return { status: 'Failed', reason: 'The assignment no longer exists.' };
  const kind = changes.kind ?? s.kind;
  const length = s.end_at === null ? DAY_MS : s.end_at - s.start_at;
  if (r.action === 'selfExtend') {
    if (!live(s, tx.nowMs)) return { status: 'Failed', reason: 'The assignment ended before the extension was approved; ask to renew it instead.' };
    if (kind !== s.kind) {
      // A change of kind is a new assignment of that kind replacing this one, made by the approver.
      await assertMayHoldAs(tx, s, kind, policy);
      const fresh = mfaFresh(policy, ctx.actor.mfaAt, tx.nowMs);
      if (policy.assignment[kind].requireMfa && fresh !== 'ok') throw mfaRequired(`Approving this as ${kind}`, fresh === 'stale' ? 'stale' : 'missing', policy.activation.mfaMaxAgeMinutes);
      const w = changes.schedule !== undefined ? resolveWindow(tx.nowMs, changes.schedule, expirationRule(policy, kind)) : { startAt: tx.nowMs, endAt: r.requested_end_at ?? (s.end_at ?? tx.nowMs) + length };
      assertFits(policy, kind, w);
      await tx.db.updateTable('schedules').set({ ended_at: tx.nowMs, end_reason: 'replaced', ended_by: ctx.actor.id, updated_at: tx.nowMs }).where('id', '=', s.id).execute();
      await tx.audit({ action: `schedule.${s.kind}.ended`, targetType: 'schedule', targetId: s.id, roleId: s.role_id, before: scheduleSummary(s), after: { endReason: 'replaced' }, ...audit });
      const id = await renewAs(ctx, tx, s, kind, w, r.id, audit);
      return { status: 'Provisioned', scheduleId: id, window: w, kind };
    }
    const w = changes.schedule !== undefined ? nextWindow(tx.nowMs, s, changes.schedule, expirationRule(policy, kind))
      : { startAt: s.start_at, endAt: r.requested_end_at ?? (s.end_at ?? tx.nowMs) + length };
    assertFits(policy, kind, w);
    await extendTo(ctx, tx, s, w, r.id, audit);
    return { status: 'Provisioned', scheduleId: s.id, window: w, kind };
  }
  if (!renewable(s, tx.nowMs)) return { status: 'Failed', reason: 'The assignment is no longer renewable.' };
  const again = await tx.db.selectFrom('schedules').select('id').where('kind', '=', kind).where('principal_id', '=', s.principal_id).where('role_id', '=', s.role_id)
    .where('scope', '=', s.scope).where('assignment_type', '=', 'Assigned').where('ended_at', 'is', null)
    .where((eb) => eb.or([eb('end_at', 'is', null), eb('end_at', '>', tx.nowMs)])).executeTakeFirst();
  if (again) return { status: 'Failed', reason: 'The principal has a current assignment of this role at this scope again; nothing to renew.' };
  await assertMayHoldAs(tx, s, kind, policy);
  const w = changes.schedule !== undefined ? resolveWindow(tx.nowMs, changes.schedule, expirationRule(policy, kind))
    : { startAt: Math.max(tx.nowMs, r.requested_start_at ?? tx.nowMs), endAt: r.requested_end_at !== null && r.requested_end_at > tx.nowMs ? r.requested_end_at : tx.nowMs + length };
  assertFits(policy, kind, w);
  const id = await renewAs(ctx, tx, s, kind, w, r.id, audit);
  return { status: w.startAt > tx.nowMs ? 'Granted' : 'Provisioned', scheduleId: id, window: w, kind };
}
