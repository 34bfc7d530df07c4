import { MINUTE_MS } from './duration.ts';

const SECOND_MS = 1000;

/**
 * Retrying a delivery: 30 s after the first failure, doubling each time, at most 30 minutes
 * apart, so a receiver that is down for a day gets about 50 tries instead of thousands, and one
 * that comes back is reached within half an hour. A delivery that has not gone out by its
 * give-up time (default 4 days after the event) fails for good and raises an alert.
 */
export const FIRST_RETRY_MS = 30 * SECOND_MS;
export const MAX_RETRY_MS = 30 * MINUTE_MS;

/** The wait after the `failures`-th failed attempt (1-based). */
export function retryDelayMs(failures: number): number {
  const n = Math.max(1, Math.min(failures, 20));
  return Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** (n - 1));
}

export type AttemptOutcome =
  | { status: 'sent' }
  | { status: 'pending'; nextAttemptAt: number }
  | { status: 'failed' };

/** What a failed attempt leads to: another try, or giving up when the next try would come too late. */
export function afterFailure(failures: number, now: number, giveUpAt: number): AttemptOutcome {
  const next = now + retryDelayMs(failures);
  return next > giveUpAt ? { status: 'failed' } : { status: 'pending', nextAttemptAt: next };
}
