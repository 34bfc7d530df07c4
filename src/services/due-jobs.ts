import type { ServiceContext } from './context.ts';
import { escalatePendingApprovals, expirePendingApprovals } from './due-approvals.ts';
import { endExpiredSchedules, provisionStartedRequests } from './due-schedules.ts';
import { sendExpiryReminders } from './expiry-reminders.ts';
import { queueWeeklyDigest } from './weekly-digest.ts';

export type DueJobCounts = Record<'provisioned' | 'expiredSchedules' | 'expiredApprovals' | 'escalated' | 'reminders' | 'digests', number>;

const JOBS: Array<[keyof DueJobCounts, (ctx: ServiceContext, batch: number) => Promise<number>]> = [
  ['provisioned', provisionStartedRequests],
  ['expiredSchedules', endExpiredSchedules],
  ['expiredApprovals', expirePendingApprovals],
  ['escalated', escalatePendingApprovals],
  ['reminders', sendExpiryReminders],
  ['digests', queueWeeklyDigest],
];

/**
 * Runs every job that is due, each in transactions of at most `batch` items, until nothing is
 * left. The due times live in the rows themselves (schedule ends, approval deadlines, start
 * times), so jobs missed while no server ran are simply due on the next run, and each run
 * re-reads them inside the write lock: several workers never do the same item twice.
 */
export async function runDueJobs(ctx: ServiceContext, batch = 500): Promise<DueJobCounts> {
  const counts: DueJobCounts = { provisioned: 0, expiredSchedules: 0, expiredApprovals: 0, escalated: 0, reminders: 0, digests: 0 };
  for (const [name, job] of JOBS) {
    for (;;) {
      const n = await job(ctx, batch);
      counts[name] += n;
      if (n < batch) break;
    }
  }
  return counts;
}
