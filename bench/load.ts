/**
 * Child: the load generator. Runs autocannon (programmatic API) against POST /api/v1/check,
 * once per connection count, in its own process so it does not share an event loop (or a
 * core) with the server under test.
 *
 *   BENCH_TOKEN=pim_… node --import tsx bench/load.ts --url=http://127.0.0.1:PORT --workload=w.json --connections=1,4,8 --duration=10 [--warmup=2] [--distinct=1000]
 *
 * Writes one JSON line per event on stdout: {"kind":"start",…} before a measured run and
 * {"kind":"result",…} after it (the server process samples its CPU between the two); with
 * --batch=N, a last run against POST /api/v1/check/batch with N checks per request ({"kind":"batch"}).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { argInt, argString, parseArgs } from './common.ts';
import type { Workload } from './inprocess.ts';

interface Hist { average: number; p50: number; p90: number; p97_5: number; p99: number; max: number; total: number }
interface AutocannonResult { requests: Hist; latency: Hist; non2xx: number; errors: number; timeouts: number; duration: number; '2xx': number }
interface AutocannonOptions {
  url: string;
  connections: number;
  duration: number;
  pipelining: number;
  headers: Record<string, string>;
  requests: Array<{ method: string; path: string; body: string }>;
}
type Autocannon = (opts: AutocannonOptions) => Promise<AutocannonResult>;

// autocannon ships no type declarations: load it through require and type the part we use.
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

function say(obj: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(obj)}\n`);
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const url = argString(args, 'url');
  const token = process.env.BENCH_TOKEN ?? '';
  const w = JSON.parse(readFileSync(argString(args, 'workload'), 'utf8')) as Workload;
  const conns = argString(args, 'connections').split(',').map(Number);
  const duration = argInt(args, 'duration', 10);
  const warmup = argInt(args, 'warmup', 2);
  const distinct = Math.min(w.checks.length, argInt(args, 'distinct', 1000));
  // Each connection cycles through `distinct` different checks (request buffers are prebuilt).
  const requests = w.checks.slice(0, distinct).map((c) => ({
    method: 'POST', path: '/api/v1/check',
    body: JSON.stringify(c[1] === 'r' ? { principal: c[0], role: c[2], scope: c[3] } : { principal: c[0], permission: c[2], scope: c[3] }),
  }));
  const base = { url: `${url}/api/v1/check`, pipelining: 1, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, requests };
  const batch = argInt(args, 'batch', 0);
  const batchConnections = argInt(args, 'batch-connections', 4);
  if (warmup > 0) await autocannon({ ...base, connections: 16, duration: warmup });
  for (const connections of conns) {
    say({ kind: 'start', connections });
    const cpu0 = process.cpuUsage();
    const wall0 = process.hrtime.bigint();
    const r = await autocannon({ ...base, connections, duration });
    const cpu = process.cpuUsage(cpu0);
    const loadgenCpuPct = Math.round((100 * (cpu.user + cpu.system)) / (Number(process.hrtime.bigint() - wall0) / 1000));
    say({
      kind: 'result', connections, durationS: r.duration, rps: r.requests.average, total: r.requests.total, ok: r['2xx'],
      non2xx: r.non2xx, errors: r.errors, timeouts: r.timeouts,
      p50Ms: r.latency.p50, p90Ms: r.latency.p90, p975Ms: r.latency.p97_5, p99Ms: r.latency.p99, maxMs: r.latency.max, meanMs: r.latency.average, loadgenCpuPct,
    });
  }
  if (batch > 0) {
    // The batch endpoint: `batch` checks per request (callers that check several things at once).
    const bodies = [];
    for (let i = 0; i + batch <= w.checks.length && bodies.length < 200; i += batch) {
      bodies.push({
        method: 'POST', path: '/api/v1/check/batch',
        body: JSON.stringify({ checks: w.checks.slice(i, i + batch).map((c) => (c[1] === 'r' ? { principal: c[0], role: c[2], scope: c[3] } : { principal: c[0], permission: c[2], scope: c[3] })) }),
      });
    }
    say({ kind: 'start', connections: batchConnections });
    const r = await autocannon({ ...base, url: `${url}/api/v1/check/batch`, requests: bodies, connections: batchConnections, duration });
    say({
      kind: 'batch', batch, connections: batchConnections, durationS: r.duration, rps: r.requests.average, total: r.requests.total, non2xx: r.non2xx, errors: r.errors, timeouts: r.timeouts,
      p50Ms: r.latency.p50, p99Ms: r.latency.p99, maxMs: r.latency.max,
    });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
