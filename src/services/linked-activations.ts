import type { SchedulesTable } from '../store/schema.ts';
import { isoOrNull } from './mappers.ts';
import { endSchedule } from './schedule-writes.ts';
import type { Tx } from './transaction.ts';

type AuditCtx = { requestId?: string | null; justification?: string | null; ticketNumber?: string | null; ticketSystem?: string | null };

/** Live activations made from these eligibilities (optionally only one principal's). */
async function liveActivations(tx: Tx, eligibilityIds: readonly string[], principalId?: string): Promise<SchedulesTable[]> {
  if (eligibilityIds.length === 0) return [];
  let q = tx.db.selectFrom('schedules').selectAll().where('linked_eligibility_id', 'in', [...eligibilityIds]).where('kind', '=', 'active')
    .where('assignment_type', '=', 'Activated').where('ended_at', 'is', null).where((eb) => eb.or([eb('end_at', 'is', null), eb('end_at', '>', tx.nowMs)]));
  if (principalId !== undefined) q = q.where('principal_id', '=', principalId);
  return q.execute();
}

/**
 * DESIGN invariant 4: an activation never outlives its eligibility. When an eligibility is
 * removed (or the person leaves the group it came through), the activations made from it end
 * in the same transaction; other activations of the role are untouched.
 */
export async function endLinkedActivations(tx: Tx, eligibilityIds: readonly string[], reason: string, endedBy: string | null, audit: AuditCtx, principalId?: string): Promise<number> {
  const rows = await liveActivations(tx, eligibilityIds, principalId);
  for (const s of rows) await endSchedule(tx, s, reason, endedBy, audit);
  return rows.length;
}

/** When an eligibility's end moves earlier, activations made from it end no later. */
export async function capLinkedActivations(tx: Tx, eligibilityId: string, newEnd: number | null, audit: AuditCtx): Promise<void> {
  if (newEnd === null) return;
  for (const s of await liveActivations(tx, [eligibilityId])) {
    if (s.end_at !== null && s.end_at <= newEnd) continue;
    await tx.db.updateTable('schedules').set({ end_at: newEnd, updated_at: tx.nowMs }).where('id', '=', s.id).execute();
    await tx.audit({ action: 'schedule.active.updated', targetType: 'schedule', targetId: s.id, roleId: s.role_id, before: { endAt: isoOrNull(s.end_at) }, after: { endAt: isoOrNull(newEnd), reason: 'eligibility shortened' }, ...audit });
  }
}
