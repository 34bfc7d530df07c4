import { HOUR_MS, MINUTE_MS } from './duration.ts';

/**
 * The sign-in throttle. Failures are counted per (account, address) and per address, in a
 * sliding window; an account is never locked for everyone:
 *
 * - 5 failures for one account from one address within 15 minutes lock that account *from
 *   that address* for 15 minutes (a guesser is stopped; the owner elsewhere is not).
 * - 30 failures from one address within 15 minutes, whatever the accounts, block that
 *   address for 15 minutes (password spraying).
 * - 10 failed second factors (TOTP or recovery code) for one account within an hour, from any
 *   addresses, stop further second-factor attempts for that account from *unfamiliar*
 *   addresses until the hour has passed. Only someone who already has the password (or a
 *   session or token) can fail a second factor, and a thousand addresses must not give them
 *   a thousand times five guesses at a 6-digit code. The owner is not locked out: addresses
 *   the account signed in from in the last 30 days are familiar and keep the per-pair rule
 *   only, and passkeys are not guessable and stay open everywhere.
 *
 * So an attacker cannot lock a victim out: failures from the attacker's addresses never stop
 * sign-ins from the victim's. A success from an address clears that pair's failures.
 */
export const WINDOW_MS = 15 * MINUTE_MS;
export const PER_ACCOUNT_ADDRESS = 5;
export const PER_ADDRESS = 30;
export const SECOND_FACTOR_WINDOW_MS = HOUR_MS;
export const PER_ACCOUNT_SECOND_FACTOR = 10;
/** An address the account signed in from within this long is familiar. */
export const FAMILIAR_MS = 30 * 24 * HOUR_MS;

export interface FailureCounts {
  /** Failure times (ms) for this account from this address, within the window. */
  accountAddress: readonly number[];
  /** Failure times (ms) from this address for any account, within the window. */
  address: readonly number[];
  /** For a second-factor attempt: failed second factors of this account from any address, and whether this address is familiar. */
  secondFactor?: { account: readonly number[]; familiar: boolean };
}

export type ThrottleRule = 'account_address' | 'address' | 'account_second_factor';
export type Throttle = { allowed: true } | { allowed: false; retryAfterMs: number; rule: ThrottleRule };

export function throttle(c: FailureCounts, now: number): Throttle {
  const recent = (xs: readonly number[], window: number) => xs.filter((t) => now - t < window).sort((a, b) => a - b);
  const pair = recent(c.accountAddress, WINDOW_MS);
  if (pair.length >= PER_ACCOUNT_ADDRESS) return { allowed: false, retryAfterMs: pair[pair.length - PER_ACCOUNT_ADDRESS]! + WINDOW_MS - now, rule: 'account_address' };
  const addr = recent(c.address, WINDOW_MS);
  if (addr.length >= PER_ADDRESS) return { allowed: false, retryAfterMs: addr[addr.length - PER_ADDRESS]! + WINDOW_MS - now, rule: 'address' };
  if (c.secondFactor !== undefined && !c.secondFactor.familiar) {
    const sf = recent(c.secondFactor.account, SECOND_FACTOR_WINDOW_MS);
    if (sf.length >= PER_ACCOUNT_SECOND_FACTOR) return { allowed: false, retryAfterMs: sf[sf.length - PER_ACCOUNT_SECOND_FACTOR]! + SECOND_FACTOR_WINDOW_MS - now, rule: 'account_second_factor' };
  }
  return { allowed: true };
}
