import type { SchedulesTable } from '../store/schema.ts';
import { isoOrNull } from './mappers.ts';
import { enqueue } from './outbox.ts';
import type { Tx } from './transaction.ts';

export type NewSchedule = Omit<SchedulesTable, 'created_at' | 'updated_at' | 'ended_at' | 'end_reason' | 'ended_by' | 'reminded_level'>;

/** The audit summary of a schedule: what an auditor needs to see, nothing more. */
export function scheduleSummary(s: Pick<SchedulesTable, 'kind' | 'principal_id' | 'principal_type' | 'role_id' | 'scope' | 'start_at' | 'end_at' | 'assignment_type'>) {
  return { kind: s.kind, principalId: s.principal_id, principalType: s.principal_type, roleId: s.role_id, scope: s.scope, startAt: isoOrNull(s.start_at), endAt: isoOrNull(s.end_at), assignmentType: s.assignment_type };
}

export async function insertSchedule(tx: Tx, s: NewSchedule, audit: { requestId?: string | null; justification?: string | null; ticketNumber?: string | null; ticketSystem?: string | null }): Promise<SchedulesTable> {
  const row: SchedulesTable = { ...s, created_at: tx.nowMs, updated_at: tx.nowMs, ended_at: null, end_reason: null, ended_by: null, reminded_level: 0 };
  await tx.db.insertInto('schedules').values(row).execute();
  await tx.audit({ action: `schedule.${s.kind}.created`, targetType: 'schedule', targetId: s.id, roleId: s.role_id, after: scheduleSummary(row), ...audit });
  // Assignment and activation mails (PIM-REFERENCE §2.3) start here, whatever path made the schedule.
  await enqueue(tx, tx.ids, { eventType: 'schedule.created', key: `schedule.created:${s.id}`, payload: { scheduleId: s.id, requestId: audit.requestId ?? null, createdBy: null } });
  return row;
}

/** Schedules are ended, never deleted (STYLE: never destroy history). */
export async function endSchedule(tx: Tx, row: SchedulesTable, reason: string, endedBy: string | null, audit: { requestId?: string | null; justification?: string | null; ticketNumber?: string | null; ticketSystem?: string | null }): Promise<void> {
  await tx.db.updateTable('schedules').set({ ended_at: tx.nowMs, end_reason: reason, ended_by: endedBy, updated_at: tx.nowMs }).where('id', '=', row.id).where('ended_at', 'is', null).execute();
  await tx.audit({ action: `schedule.${row.kind}.ended`, targetType: 'schedule', targetId: row.id, roleId: row.role_id, before: scheduleSummary(row), after: { endReason: reason }, ...audit });
}
