import type { Clock } from '../clock.ts';

interface Window { current: number; ttl: number; startMs: number }

/**
 * A fixed-window counter for @fastify/rate-limit that reads time from our Clock, like the rest
 * of the service (the plugin's own store reads the wall clock, which tests cannot move).
 * Per node and in memory, as the plugin's default; entries are pruned as windows pass.
 */
export function clockedRateLimitStore(clock: Clock) {
  return class ClockedStore {
    private windows = new Map<string, Window>();
    private lastPrune = 0;

    // The plugin calls incr(key, cb, timeWindow, max); its type declarations name only the first two.
    incr(key: string, cb: (err: Error | null, res?: { current: number; ttl: number }) => void, timeWindow = 60_000): void {
      const now = clock.nowMs();
      if (now - this.lastPrune > timeWindow) this.prune(now, timeWindow);
      let w = this.windows.get(key);
      if (w === undefined || w.startMs + timeWindow <= now) {
        w = { current: 0, ttl: timeWindow, startMs: now };
        this.windows.set(key, w);
      }
      w.current++;
      w.ttl = timeWindow - (now - w.startMs);
      cb(null, { current: w.current, ttl: w.ttl });
    }

    child(): ClockedStore {
      return new ClockedStore();
    }

    private prune(now: number, timeWindow: number): void {
      this.lastPrune = now;
      for (const [k, w] of this.windows) if (w.startMs + timeWindow <= now) this.windows.delete(k);
    }
  };
}
