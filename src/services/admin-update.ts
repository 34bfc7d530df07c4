import type { CreateRequest } from '../contract/requests.ts';
import { parseDuration } from '../domain/duration.ts';
import { invalid, notFound } from '../domain/errors.ts';
import { expirationRule } from '../domain/policy.ts';
import { checkLength, resolveWindow, type ExpirationRule, type ScheduleKind, type Window } from '../domain/schedule-rules.ts';
import type { RequestsTable, SchedulesTable } from '../store/schema.ts';
import type { ServiceContext } from './context.ts';
import { isoOrNull } from './mappers.ts';
import { auditContext, recordRequest } from './request-records.ts';
import { assertAssignmentRules } from './admin-assign.ts';
import { guarded } from './guardrails.ts';
import { capLinkedActivations, membershipShortened } from './linked-activations.ts';
import { findLiveSchedule } from './request-targets.ts';
import { effectivePolicy } from './role-settings.ts';
import type { Tx } from './transaction.ts';

/**
 * The new window of a live schedule. Once a schedule has started its start is history and
 * stays; only its end can move (never into the past — that would be a removal).
 */
export function nextWindow(nowMs: number, s: SchedulesTable, input: NonNullable<CreateRequest['schedule']>, rule: ExpirationRule): Window {
  if (s.start_at > nowMs) return resolveWindow(nowMs, input, rule);
  if (input.startAt !== undefined && Date.parse(input.startAt) !== s.start_at) {
    throw invalid('schedule.start_immutable', 'This assignment has already started; its start time cannot change.');
  }
  const given = [input.duration !== undefined, input.endAt !== undefined, input.permanent === true].filter(Boolean).length;
  if (given !== 1) throw invalid('schedule.expiration_ambiguous', 'Give exactly one of schedule.duration, schedule.endAt or schedule.permanent: true.');
  if (input.permanent === true) {
    if (!rule.permanentAllowed) throw invalid('schedule.permanent_not_allowed', 'This role requires assignments to expire.');
    return { startAt: s.start_at, endAt: null };
  }
  const endAt = input.duration !== undefined ? s.start_at + parseDuration(input.duration) : Date.parse(input.endAt ?? '');
  if (!Number.isFinite(endAt)) throw invalid('schedule.invalid_time', 'schedule.endAt must be an ISO-8601 date-time.');
  if (endAt <= nowMs) throw invalid('schedule.end_in_past', 'The new end is in the past; remove the assignment instead.');
  checkLength(s.start_at, endAt, rule);
  return { startAt: s.start_at, endAt };
}

/** adminUpdate: change the window of a live assigned schedule. */
export async function adminUpdate(ctx: ServiceContext, tx: Tx, input: CreateRequest): Promise<RequestsTable> {
  const kind: ScheduleKind = input.kind ?? 'eligible';
  const scope = input.scope ?? '/';
  const s = await findLiveSchedule(tx, { targetScheduleId: input.targetScheduleId, kind, principalId: input.principalId, roleId: input.roleId, scope });
  if (!s || s.principal_id !== input.principalId || s.role_id !== input.roleId) throw notFound('schedule.not_found', 'No live assignment matches this request.', { principalId: input.principalId, roleId: input.roleId, scope });
  if (input.schedule === undefined) throw invalid('schedule.expiration_ambiguous', 'Give the new schedule.');
  const { policy } = await effectivePolicy(tx, s.role_id, s.scope);
  assertAssignmentRules(ctx, policy, s.kind, input);
  const w = nextWindow(tx.nowMs, s, input.schedule, expirationRule(policy, s.kind));
  const request = await recordRequest(ctx, tx, { ...input, scope: s.scope }, { kind: s.kind, status: 'Provisioned', targetScheduleId: s.id, startAt: w.startAt, endAt: w.endAt });
  await guarded(tx, () => tx.db.updateTable('schedules').set({ start_at: w.startAt, end_at: w.endAt, updated_at: tx.nowMs, reminded_level: 0 }).where('id', '=', s.id).execute());
  await tx.audit({
    action: `schedule.${s.kind}.updated`, targetType: 'schedule', targetId: s.id, roleId: s.role_id,
    before: { startAt: isoOrNull(s.start_at), endAt: isoOrNull(s.end_at) }, after: { startAt: isoOrNull(w.startAt), endAt: isoOrNull(w.endAt) },
    ...auditContext(input, request.id),
  });
  if (s.kind === 'eligible') await capLinkedActivations(tx, s.id, w, auditContext(input, request.id));
  else await membershipShortened(tx, s, w.endAt, auditContext(input, request.id));
  return request;
}
