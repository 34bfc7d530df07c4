import { MINUTE_MS } from './duration.ts';

/**
 * The sign-in throttle. Failures are counted per (account, address) and per address, in a
 * sliding window; an account is never locked for everyone:
 *
 * - 5 failures for one account from one address within 15 minutes lock that account *from
 *   that address* for 15 minutes (a guesser is stopped; the owner elsewhere is not).
 * - 30 failures from one address within 15 minutes, whatever the accounts, block that
 *   address for 15 minutes (password spraying).
 *
 * So an attacker cannot lock a victim out: failures from the attacker's addresses never stop
 * sign-ins from the victim's. A success from an address clears that pair's failures.
 */
export const WINDOW_MS = 15 * MINUTE_MS;
export const PER_ACCOUNT_ADDRESS = 5;
export const PER_ADDRESS = 30;

export interface FailureCounts {
  /** Failure times (ms) for this account from this address, within the window. */
  accountAddress: readonly number[];
  /** Failure times (ms) from this address for any account, within the window. */
  address: readonly number[];
}

export type Throttle = { allowed: true } | { allowed: false; retryAfterMs: number; rule: 'account_address' | 'address' };

export function throttle(c: FailureCounts, now: number): Throttle {
  const recent = (xs: readonly number[]) => xs.filter((t) => now - t < WINDOW_MS).sort((a, b) => a - b);
  const pair = recent(c.accountAddress);
  if (pair.length >= PER_ACCOUNT_ADDRESS) return { allowed: false, retryAfterMs: pair[pair.length - PER_ACCOUNT_ADDRESS]! + WINDOW_MS - now, rule: 'account_address' };
  const addr = recent(c.address);
  if (addr.length >= PER_ADDRESS) return { allowed: false, retryAfterMs: addr[addr.length - PER_ADDRESS]! + WINDOW_MS - now, rule: 'address' };
  return { allowed: true };
}
