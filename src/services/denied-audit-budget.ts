/**
 * How many refusals a minute each caller gets written to the audit chain one by one.
 *
 * Every refused call is evidence and is audited, but each audit row is a serialized write with a
 * hash: without a cap, anyone holding a token (or anyone at all, sending made-up tokens) could
 * fill the chain and queue behind it the writes that matter. Past the cap the refusal still
 * happens; one `authorization.denied.throttled` event says that more refusals of that caller in
 * that minute were not written one by one. Counted per node, on the injected clock.
 */
export const DENIED_AUDITS_PER_MINUTE = 30;
const WINDOW_MS = 60_000;
/** Past this many callers, windows that have ended are swept (keeps memory bounded under a flood of addresses). */
const SWEEP_AT = 10_000;

export type DeniedAuditVerdict = 'record' | 'record_throttled' | 'skip';

export class DeniedAuditBudget {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(private readonly perMinute = DENIED_AUDITS_PER_MINUTE) {}

  /** Counts one refusal of `caller` at `now`: write it, write the one "throttled" event instead, or skip it. */
  take(caller: string, now: number): DeniedAuditVerdict {
    let w = this.windows.get(caller);
    if (w === undefined || now - w.start >= WINDOW_MS) {
      if (w === undefined && this.windows.size >= SWEEP_AT) this.sweep(now);
      w = { start: now, count: 0 };
      this.windows.set(caller, w);
    }
    w.count++;
    if (w.count <= this.perMinute) return 'record';
    return w.count === this.perMinute + 1 ? 'record_throttled' : 'skip';
  }

  get limit(): number { return this.perMinute; }

  private sweep(now: number): void {
    for (const [k, w] of this.windows) if (now - w.start >= WINDOW_MS) this.windows.delete(k);
  }
}
