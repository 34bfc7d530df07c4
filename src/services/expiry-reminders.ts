import { DAY_MS } from '../domain/duration.ts';
import type { SchedulesTable } from '../store/schema.ts';
import type { ServiceContext } from './context.ts';
import { claim } from './due-schedules.ts';
import { iso } from './mappers.ts';
import { enqueue } from './outbox.ts';
import { scheduleSummary } from './schedule-writes.ts';
import { inTransaction } from './transaction.ts';

export const REMINDER_14D = 1;
export const REMINDER_1D = 2;

/**
 * The 14-day and 1-day reminders before an assignment ends (PIM-REFERENCE §3.4; the one at
 * expiry goes with the expiry itself). Activations are left out: they last hours and end by
 * design. A schedule whose end moves (update, extend) gets its reminders again for the new end.
 * A reminder that is already late (the server was down) is sent at once; a 14-day reminder
 * that would arrive within the last day is replaced by the 1-day one.
 */
export async function sendExpiryReminders(ctx: ServiceContext, batch: number): Promise<number> {
  return inTransaction(ctx, async (tx) => {
    const now = tx.nowMs;
    const rows = await claim(ctx, tx.db.selectFrom('schedules').selectAll().where('ended_at', 'is', null).where('assignment_type', '=', 'Assigned')
      .where('end_at', '>', now)
      .where((eb) => eb.or([
        eb.and([eb('reminded_level', '<', REMINDER_14D), eb('end_at', '<=', now + 14 * DAY_MS)]),
        eb.and([eb('reminded_level', '<', REMINDER_1D), eb('end_at', '<=', now + DAY_MS)]),
      ])).orderBy('end_at').limit(batch)).execute() as SchedulesTable[];
    for (const s of rows) {
      const endAt = s.end_at ?? now;
      const level = endAt - now <= DAY_MS ? REMINDER_1D : REMINDER_14D;
      const which = level === REMINDER_1D ? '1d' : '14d';
      await tx.db.updateTable('schedules').set({ reminded_level: level }).where('id', '=', s.id).execute();
      await enqueue(tx, ctx.ids, {
        eventType: 'schedule.expiring', key: `schedule.expiring:${s.id}:${endAt}:${which}`,
        payload: { ...scheduleSummary(s), scheduleId: s.id, reminder: which },
      });
      await tx.audit({
        action: 'schedule.reminder.queued', targetType: 'schedule', targetId: s.id, roleId: s.role_id,
        after: { reminder: which, endAt: iso(endAt), dueAt: iso(endAt - (level === REMINDER_1D ? DAY_MS : 14 * DAY_MS)) },
      });
    }
    return rows.length;
  });
}
