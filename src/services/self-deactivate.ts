import type { CreateRequest } from '../contract/requests.ts';
import { invalid, notFound } from '../domain/errors.ts';
import { REMOVAL_LOCK_MS } from '../domain/schedule-rules.ts';
import type { ServiceContext } from './context.ts';
import { guarded } from './guardrails.ts';
import { membershipEnded } from './linked-activations.ts';
import { auditContext, recordRequest } from './request-records.ts';
import type { Submitted } from './self-activate.ts';
import { assertSelf } from './self-service.ts';
import { endSchedule } from './schedule-writes.ts';
import type { Tx } from './transaction.ts';

/**
 * selfDeactivate (PIM-REFERENCE §3.3): ends one of the caller's own activations early. Refused
 * within 5 minutes of its start; an activation that has not started yet can be withdrawn at
 * any time. Other activations of the same role are untouched, so access they grant remains.
 */
export async function selfDeactivate(ctx: ServiceContext, tx: Tx, input: CreateRequest): Promise<Submitted> {
  const principalType = assertSelf(ctx, input);
  let q = tx.db.selectFrom('schedules').selectAll().where('kind', '=', 'active').where('assignment_type', '=', 'Activated')
    .where('principal_id', '=', input.principalId).where('role_id', '=', input.roleId).where('ended_at', 'is', null)
    .where((eb) => eb.or([eb('end_at', 'is', null), eb('end_at', '>', tx.nowMs)]));
  q = input.targetScheduleId !== undefined ? q.where('id', '=', input.targetScheduleId) : q.where('scope', '=', input.scope ?? '/');
  // Without a schedule id, the most recent activation at that scope.
  const s = await q.orderBy('start_at', 'desc').limit(1).executeTakeFirst();
  if (!s) throw notFound('schedule.not_found', 'You have no current activation of this role matching this request.', { roleId: input.roleId, scope: input.scope ?? '/' });
  if (s.start_at <= tx.nowMs && tx.nowMs - s.start_at < REMOVAL_LOCK_MS) {
    throw invalid('request.deactivation_too_soon', 'An activation cannot be deactivated within 5 minutes of its start.', { deactivatableAt: new Date(s.start_at + REMOVAL_LOCK_MS).toISOString() });
  }
  const row = await recordRequest(ctx, tx, { ...input, scope: s.scope }, {
    kind: 'active', status: 'Revoked', targetScheduleId: s.id, startAt: s.start_at, endAt: s.end_at, principalType, linkedEligibilityId: s.linked_eligibility_id,
  });
  await guarded(tx, async () => {
    await endSchedule(tx, s, 'deactivated', ctx.actor.id, auditContext(input, row.id));
    await membershipEnded(tx, s, ctx.actor.id, auditContext(input, row.id));
  });
  return { row };
}
