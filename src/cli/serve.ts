import { loadConfig } from '../config.ts';
import { DeliveryWorker } from '../delivery/worker.ts';
import { Scheduler } from '../jobs/scheduler.ts';
import { openRuntime, openServer } from '../runtime.ts';
import { needsBootstrap } from '../services/bootstrap.ts';

export async function serve(): Promise<void> {
  const config = loadConfig();
  const rt = await openRuntime(config, { poll: true });
  const app = await openServer(rt);
  // Due jobs first run at start: anything missed while no server ran happens now.
  const scheduler = config.scheduler ? new Scheduler(rt.system, config.schedulerIntervalMs) : undefined;
  scheduler?.start();
  // Mail and webhooks: new events become deliveries, due ones are sent (and retried) here.
  const delivery = config.delivery.worker ? new DeliveryWorker(rt.system) : undefined;
  delivery?.start(config.delivery.intervalMs);
  await app.listen({ host: config.host, port: config.port });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : config.port;
  const urlHost = config.host.includes(':') ? `[${config.host}]` : config.host;
  process.stdout.write(`openpim is listening on http://${urlHost}:${port}  (API docs: http://${urlHost}:${port}/api/docs, database: ${rt.deps.engine})\n`);
  if (await needsBootstrap(rt.system)) {
    process.stdout.write('\nNo administrator exists yet. Create the first one (it prints a one-time API token):\n\n  npm run pim -- bootstrap --admin you@example.com\n\n');
    process.stdout.write(`Or open the first-run setup page (this code works until the server restarts):\n\n  http://${urlHost}:${port}/setup?code=${app.firstRunSetupCode}\n\n`);
  }
  const stop = async () => {
    await scheduler?.stop();
    await delivery?.stop();
    await app.close();
    await rt.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}
