/**
 * A second server node, reduced to its delivery worker, in a process of its own (for
 * test/integration/delivery-workers.test.ts). It opens its own runtime, and so its own
 * connection pool, on the database named by PIM_DATABASE_URL (and --pg-schema), with the
 * SMTP server of PIM_SMTP_URL, on a FakeClock set to --now. It prints {"ready":true}, waits
 * for "go" on stdin, runs one delivery pass (fan out, then send until nothing is due) and
 * prints what the pass did: {"counts":{"events","sent","failed"}}.
 *
 *   PIM_DATABASE_URL=… PIM_SMTP_URL=… node --import tsx test/helpers/delivery-node.ts --now=<ms> [--pg-schema=…]
 */
import { createInterface } from 'node:readline';
import pino from 'pino';
import { FakeClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config.ts';
import { DeliveryWorker } from '../../src/delivery/worker.ts';
import { openRuntime } from '../../src/runtime.ts';

const arg = (name: string): string | undefined => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);

async function main(): Promise<void> {
  const pgSchema = arg('pg-schema');
  const clock = new FakeClock(Number(arg('now')));
  const rt = await openRuntime(loadConfig(), { clock, log: pino({ level: 'silent' }), db: pgSchema !== undefined ? { pgSchema, poolSize: 4 } : {} });
  const worker = new DeliveryWorker(rt.system);
  try {
    const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
    process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
    const go = await lines.next();
    if (go.done === true || go.value !== 'go') throw new Error(`expected "go" on stdin, got ${JSON.stringify(go.value)}`);
    const counts = await worker.tick();
    if (counts === undefined) throw new Error('the delivery pass failed');
    process.stdout.write(`${JSON.stringify({ counts })}\n`);
  } finally {
    await worker.stop();
    await rt.close();
  }
}

main().then(() => process.exit(0), (err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
