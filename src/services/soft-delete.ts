import { DAY_MS } from '../domain/duration.ts';
import { conflict } from '../domain/errors.ts';
import type { ServiceContext } from './context.ts';

/** Soft-deleted objects stay restorable for the retention period (30 days by default, PIM-REFERENCE §1.4). */
export function assertRestorable(ctx: ServiceContext, deletedAt: number | null, nowMs: number, what: string): void {
  // The code keeps the API's name (administrativeUnit); the message reads as words (administrative unit).
  const noun = what.replace(/[A-Z]/g, (c) => ` ${c.toLowerCase()}`);
  if (deletedAt === null) throw conflict(`${what}.not_deleted`, `This ${noun} is not deleted.`);
  const until = deletedAt + ctx.config.softDeleteRetentionDays * DAY_MS;
  if (nowMs >= until) {
    throw conflict(`${what}.restore_window_passed`, `This ${noun} was deleted more than ${ctx.config.softDeleteRetentionDays} days ago and can no longer be restored.`, { deletedAt: new Date(deletedAt).toISOString() });
  }
}
