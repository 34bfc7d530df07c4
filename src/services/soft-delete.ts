import { DAY_MS } from '../domain/duration.ts';
import { conflict } from '../domain/errors.ts';
import type { ServiceContext } from './context.ts';

/** Soft-deleted objects stay restorable for the retention period (30 days by default, PIM-REFERENCE §1.4). */
export function assertRestorable(ctx: ServiceContext, deletedAt: number | null, nowMs: number, what: string): void {
  if (deletedAt === null) throw conflict(`${what}.not_deleted`, `This ${what} is not deleted.`);
  const until = deletedAt + ctx.config.softDeleteRetentionDays * DAY_MS;
  if (nowMs >= until) {
    throw conflict(`${what}.restore_window_passed`, `This ${what} was deleted more than ${ctx.config.softDeleteRetentionDays} days ago and can no longer be restored.`, { deletedAt: new Date(deletedAt).toISOString() });
  }
}
