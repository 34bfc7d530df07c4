import { DAY_MS } from './duration.ts';

/**
 * The weekly digest covers Monday 00:00 UTC to the next Monday 00:00 UTC and goes out once the
 * week is over: `to` is the latest Monday midnight at or before `now`.
 */
export function digestPeriod(now: number): { from: number; to: number } {
  const midnight = Math.floor(now / DAY_MS) * DAY_MS;
  // 1970-01-01 was a Thursday: day 0 is Thursday, so Monday is day 4 (mod 7).
  const sinceMonday = ((Math.floor(midnight / DAY_MS) - 4) % 7 + 7) % 7;
  const to = midnight - sinceMonday * DAY_MS;
  return { from: to - 7 * DAY_MS, to };
}
