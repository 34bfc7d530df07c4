import type { CreateRequest } from '../contract/requests.ts';
import { notFound } from '../domain/errors.ts';
import { checkRemovable, type ScheduleKind } from '../domain/schedule-rules.ts';
import type { RequestsTable } from '../store/schema.ts';
import type { ServiceContext } from './context.ts';
import { guarded } from './guardrails.ts';
import { auditContext, recordRequest } from './request-records.ts';
import { findLiveSchedule } from './request-targets.ts';
import { endLinkedActivations, membershipEnded } from './linked-activations.ts';
import { endSchedule } from './schedule-writes.ts';
import type { Tx } from './transaction.ts';

/**
 * adminRemove: ends a schedule (never deletes it), and with an eligibility the activations made
 * from it. Refused within 5 minutes of creation, and when it would remove the last Global or
 * Privileged Role Administrator.
 */
export async function adminRemove(ctx: ServiceContext, tx: Tx, input: CreateRequest): Promise<RequestsTable> {
  const kind: ScheduleKind = input.kind ?? 'eligible';
  const scope = input.scope ?? '/';
  const s = await findLiveSchedule(tx, { targetScheduleId: input.targetScheduleId, kind, principalId: input.principalId, roleId: input.roleId, scope, includeActivations: true });
  if (!s || s.principal_id !== input.principalId || s.role_id !== input.roleId) throw notFound('schedule.not_found', 'No live assignment matches this request.', { principalId: input.principalId, roleId: input.roleId, scope });
  checkRemovable(s.created_at, tx.nowMs);
  const request = await recordRequest(ctx, tx, { ...input, scope: s.scope }, { kind: s.kind, status: 'Revoked', targetScheduleId: s.id, startAt: s.start_at, endAt: s.end_at });
  await guarded(tx, async () => {
    await endSchedule(tx, s, 'removed', ctx.actor.id, auditContext(input, request.id));
    if (s.kind === 'eligible') await endLinkedActivations(tx, [s.id], 'eligibility_removed', ctx.actor.id, auditContext(input, request.id));
    else await membershipEnded(tx, s, ctx.actor.id, auditContext(input, request.id));
  });
  return request;
}
