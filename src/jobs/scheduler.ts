import type { ServiceContext } from '../services/context.ts';
import { runDueJobs, type DueJobCounts } from '../services/due-jobs.ts';

/**
 * The due-time loop: runs the due jobs at start (catching up on anything missed while no
 * server ran) and then every `intervalMs`. Runs never overlap on one node; across nodes the
 * write lock serializes them.
 */
export class Scheduler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();
  private busy = false;

  constructor(private readonly ctx: ServiceContext, private readonly intervalMs: number) {}

  /** One pass now (also what the timer calls). */
  async tick(): Promise<DueJobCounts | undefined> {
    if (this.busy) return undefined;
    this.busy = true;
    const run = runDueJobs(this.ctx);
    this.running = run.catch(() => undefined);
    try {
      const counts = await run;
      let total = 0;
      for (const n of Object.values(counts)) total += n;
      if (total > 0) this.ctx.log.info({ jobs: counts }, 'due jobs ran');
      return counts;
    } catch (err) {
      this.ctx.log.error({ err }, 'due jobs failed; retrying on the next tick');
      return undefined;
    } finally {
      this.busy = false;
    }
  }

  start(): void {
    void this.tick();
    this.timer = setInterval(() => { void this.tick(); }, this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    await this.running;
  }
}
