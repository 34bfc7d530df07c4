import type { CreateRequest } from '../contract/requests.ts';
import { MINUTE_MS, parseDuration, formatDuration } from '../domain/duration.ts';
import { conflict, forbidden, invalid, mfaRequired } from '../domain/errors.ts';
import { activationMaximumMs, activationRequirements, mfaFresh, missingRequirements, type ActivationRequirements } from '../domain/policy.ts';
import { MIN_ASSIGNMENT_MS, START_SKEW_MS } from '../domain/schedule-rules.ts';
import type { RequestsTable } from '../store/schema.ts';
import type { ServiceContext } from './context.ts';
import { coveringEligibilities } from './eligibility.ts';
import { auditContext, recordRequest } from './request-records.ts';
import { assertRoleFitsScope, loadLiveRole, validateScope } from './request-targets.ts';
import { effectivePolicy } from './role-settings.ts';
import { insertSchedule } from './schedule-writes.ts';
import { assertSelf } from './self-service.ts';
import type { Tx } from './transaction.ts';

export interface Submitted {
  row: RequestsTable;
  requirements?: ActivationRequirements & { missing: Array<'mfa' | 'justification' | 'ticket'> };
}

function instant(text: string, field: string): number {
  const ms = Date.parse(text);
  if (!Number.isFinite(ms)) throw invalid('schedule.invalid_time', `${field} must be an ISO-8601 date-time.`, { field });
  return ms;
}

/** The requested window: start now or later; length from duration or endAt, the policy maximum when neither is given. */
function requestedWindow(nowMs: number, s: CreateRequest['schedule'], maxMs: number): { startAt: number; endAt: number } {
  if (s?.permanent === true) throw invalid('request.permanent_activation', 'Activations always end: give a duration or an end time (or neither for the role\'s maximum).');
  if (s?.duration !== undefined && s.endAt !== undefined) throw invalid('schedule.expiration_ambiguous', 'Give schedule.duration or schedule.endAt, not both.');
  let startAt = s?.startAt === undefined ? nowMs : instant(s.startAt, 'schedule.startAt');
  if (startAt < nowMs - START_SKEW_MS) throw invalid('schedule.start_in_past', 'The start time is in the past.', { startAt: s?.startAt });
  startAt = Math.max(startAt, nowMs);
  const endAt = s?.duration !== undefined ? startAt + parseDuration(s.duration) : s?.endAt !== undefined ? instant(s.endAt, 'schedule.endAt') : startAt + maxMs;
  if (endAt - startAt < MIN_ASSIGNMENT_MS) throw invalid('schedule.too_short', 'An activation must last at least 5 minutes.', { minimumMinutes: 5 });
  if (endAt - startAt > maxMs) {
    throw invalid('policy.duration_exceeds_maximum', `This role can be activated for at most ${formatDuration(maxMs)}.`, { maximumDuration: formatDuration(maxMs), requested: formatDuration(endAt - startAt) });
  }
  return { startAt, endAt };
}

/**
 * selfActivate (PIM-REFERENCE §3.1): a principal turns a live eligibility (its own or a
 * group's) into a bounded active assignment, meeting the role's settings. Without approval the
 * schedule exists when this returns; with approval the request waits (PendingApproval) and the
 * window is fixed when the last stage approves. The scope may be narrower than the
 * eligibility's. The activation never outlives the eligibility: its end is capped there.
 */
export async function selfActivate(ctx: ServiceContext, tx: Tx, input: CreateRequest): Promise<Submitted> {
  const principalType = assertSelf(ctx, input);
  const scope = await validateScope(tx, input.scope ?? '/');
  assertRoleFitsScope(input.roleId, scope);
  await loadLiveRole(tx, input.roleId);
  const { policy } = await effectivePolicy(tx, input.roleId, scope);
  if (principalType === 'servicePrincipal' && !policy.activation.allowWorkloadActivation) {
    throw forbidden('policy.workload_activation_not_allowed', 'The settings of this role do not let service principals activate it.');
  }
  const req = activationRequirements(policy, principalType);
  const wanted = requestedWindow(tx.nowMs, input.schedule, activationMaximumMs(policy));

  const [elig] = await coveringEligibilities(tx, input.principalId, input.roleId, scope, wanted.startAt);
  if (elig === undefined) {
    throw forbidden('request.not_eligible', 'You have no eligible assignment of this role covering this scope at the requested start.', { roleId: input.roleId, scope });
  }
  const eligEnd = elig.endsBy;
  const window = { startAt: wanted.startAt, endAt: eligEnd === null ? wanted.endAt : Math.min(wanted.endAt, eligEnd) };
  if (window.endAt - window.startAt < MIN_ASSIGNMENT_MS) {
    throw invalid('schedule.too_short', 'Your eligibility ends less than 5 minutes after the requested start.', { eligibilityEndsAt: new Date(eligEnd ?? 0).toISOString() });
  }

  const fresh = mfaFresh(policy, ctx.actor.mfaAt, tx.nowMs);
  const missing = missingRequirements(req, { mfaVerified: fresh === 'ok', justification: input.justification, ticketNumber: input.ticket?.number });
  const requirements = { ...req, missing };
  if (input.validateOnly !== true) {
    if (missing.includes('mfa')) throw mfaRequired('Activating this role', fresh === 'stale' ? 'stale' : 'missing', policy.activation.mfaMaxAgeMinutes);
    if (missing.includes('justification')) throw invalid('policy.justification_required', 'This role requires a justification to activate.');
    if (missing.includes('ticket')) throw invalid('policy.ticket_required', 'This role requires ticket information (ticket.number) to activate.');
  }

  if (req.approval) {
    const pending = await tx.db.selectFrom('requests').select('id').where('action', '=', 'selfActivate').where('status', '=', 'PendingApproval')
      .where('principal_id', '=', input.principalId).where('role_id', '=', input.roleId).where('scope', '=', scope).executeTakeFirst();
    if (pending) throw conflict('request.already_pending', 'You already have a request for this role at this scope waiting for approval.', { requestId: pending.id });
    const row = await recordRequest(ctx, tx, { ...input, scope }, {
      kind: 'active', status: 'PendingApproval', targetScheduleId: null, startAt: window.startAt, endAt: window.endAt,
      principalType, policy, linkedEligibilityId: elig.schedule.id, approvalExpiresAt: tx.nowMs + ctx.config.approvalTimeoutHours * 60 * MINUTE_MS,
    });
    return { row, requirements };
  }

  const scheduleId = ctx.ids.uuid();
  const row = await recordRequest(ctx, tx, { ...input, scope }, {
    kind: 'active', status: window.startAt > tx.nowMs ? 'Granted' : 'Provisioned', targetScheduleId: scheduleId, startAt: window.startAt, endAt: window.endAt,
    principalType, policy, linkedEligibilityId: elig.schedule.id,
  });
  await insertSchedule(tx, {
    id: scheduleId, kind: 'active', principal_id: input.principalId, principal_type: principalType, role_id: input.roleId, scope,
    start_at: window.startAt, end_at: window.endAt, assignment_type: 'Activated', linked_eligibility_id: elig.schedule.id, created_by_request_id: row.id,
  }, auditContext(input, row.id));
  return { row, requirements };
}
