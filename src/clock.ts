/**
 * The only place that reads the time. Everything else is handed a Clock and asks it,
 * so tests can move time to prove expiry, start times and reminders without sleeping.
 */
export interface Clock {
  /** Milliseconds since the epoch, UTC. */
  nowMs(): number;
  now(): Date;
  /** A monotonic reading in nanoseconds, for measuring durations only. */
  monotonicNs(): bigint;
}

export const systemClock: Clock = {
  nowMs: () => Date.now(),
  now: () => new Date(),
  monotonicNs: () => process.hrtime.bigint(),
};

/** A clock that only moves when told to. */
export class FakeClock implements Clock {
  private current: number;
  constructor(start: Date | string | number = '2026-01-05T09:00:00.000Z') {
    this.current = new Date(start).getTime();
  }
  nowMs(): number { return this.current; }
  now(): Date { return new Date(this.current); }
  monotonicNs(): bigint { return BigInt(this.current) * 1_000_000n; }
  set(at: Date | string | number): void { this.current = new Date(at).getTime(); }
  advance(ms: number): void { this.current += ms; }
  advanceMinutes(min: number): void { this.current += min * 60_000; }
}
