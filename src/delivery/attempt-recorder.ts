import type { ServiceContext } from '../services/context.ts';
import { recordAttempts, type AttemptResult } from '../services/deliveries.ts';

interface Waiting { result: AttemptResult; resolve(): void; reject(err: unknown): void }

/**
 * Group commit for the worker's attempt records. A send's result is recorded at once when no
 * record is being committed; results that arrive while one is committing wait for it and then
 * go together in the next transaction. Each send's promise resolves only once its own result
 * is committed, so a crash never loses more than before: what was not recorded is sent again
 * after the lease, under the same Message-ID. It only saves transactions (one write-lock hold
 * per group instead of per message) when many sends finish close together.
 */
export class AttemptRecorder {
  private queue: Waiting[] = [];
  private flushing = false;

  constructor(private readonly ctx: ServiceContext) {}

  record(result: AttemptResult): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ result, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.queue.length > 0) {
        const group = this.queue;
        this.queue = [];
        try {
          await recordAttempts(this.ctx, group.map((w) => w.result));
          for (const w of group) w.resolve();
        } catch (err) {
          for (const w of group) w.reject(err);
        }
      }
    } finally {
      this.flushing = false;
    }
  }
}
