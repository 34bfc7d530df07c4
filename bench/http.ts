/**
 * Child: HTTP throughput of the check API. Starts the real server (openRuntime + openServer,
 * index polling on, log level silent, rate limit raised out of the way) on 127.0.0.1, port 0,
 * then drives POST /api/v1/check from a separate load-generator process (bench/load.ts,
 * autocannon) at several connection counts. Reports every point and the best requests/s
 * whose p99 latency is at most 5 ms.
 *
 *   node --import tsx bench/http.ts --url=… [--pg-schema=…] --workload=w.json --connections=1,4,8,16,32,64 --duration=10
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { loadConfig } from '../src/config.ts';
import { openRuntime, openServer } from '../src/runtime.ts';
import { checkNow } from '../src/services/check-access.ts';
import { argInt, argString, BENCH_DIR, emit, log, parseArgs } from './common.ts';
import type { Workload } from './inprocess.ts';

const P99_LIMIT_MS = 5;

interface LoadResult {
  kind: string; connections: number; durationS: number; rps: number; total: number; ok: number; non2xx: number; errors: number; timeouts: number;
  p50Ms: number; p90Ms: number; p975Ms: number; p99Ms: number; maxMs: number; meanMs: number; loadgenCpuPct: number;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const url = argString(args, 'url');
  const pgSchema = args.get('pg-schema');
  const workloadFile = argString(args, 'workload');
  const connections = argString(args, 'connections');
  const duration = argInt(args, 'duration', 10);
  const batch = argInt(args, 'batch', 0);
  const engine = url.startsWith('sqlite:') ? 'sqlite' : 'postgres';
  const w = JSON.parse(readFileSync(workloadFile, 'utf8')) as Workload;
  const base = { engine, schedules: w.spec.schedules, users: w.spec.users, groups: w.spec.groups };

  const config = loadConfig({ PIM_DATABASE_URL: url, PIM_LOG_LEVEL: 'silent', PIM_CHECK_RATE_LIMIT_PER_MINUTE: '100000000' });
  const t0 = process.hrtime.bigint();
  const rt = await openRuntime(config, { log: pino({ level: 'silent' }), poll: true, ...(pgSchema !== undefined ? { db: { pgSchema } } : {}) });
  const app = await openServer(rt);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address();
  if (addr === null || typeof addr === 'string') throw new Error('no address');
  const baseUrl = `http://127.0.0.1:${addr.port}`;
  log(`server up on ${baseUrl} (${engine}, ${rt.deps.index.scheduleCount} schedules) in ${(Number(process.hrtime.bigint() - t0) / 1e9).toFixed(1)} s`);

  // Sanity: the API answers like the in-process decision for a sample of the checks.
  let disagree = 0;
  const sample = w.checks.slice(0, 300);
  for (const c of sample) {
    const res = await fetch(`${baseUrl}/api/v1/check`, {
      method: 'POST', headers: { authorization: `Bearer ${w.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(c[1] === 'r' ? { principal: c[0], role: c[2], scope: c[3] } : { principal: c[0], permission: c[2], scope: c[3] }),
    });
    if (res.status !== 200) throw new Error(`check API answered ${res.status}: ${await res.text()}`);
    const body = (await res.json()) as { allowed: boolean };
    const now = rt.system.clock.nowMs();
    const expected = checkNow(rt.system, c[0], c[1] === 'r' ? { roleId: c[2] } : { permission: c[2] }, c[3], now, new Date(now).toISOString()).allowed;
    if (body.allowed !== expected) disagree++;
  }
  if (disagree > 0) throw new Error(`HTTP and in-process answers differ on ${disagree} of ${sample.length} checks`);

  const results: Array<LoadResult & { serverCpuPct: number }> = [];
  let batchResult: (LoadResult & { batch: number; serverCpuPct: number }) | undefined;
  let cpu0 = process.cpuUsage();
  let wall0 = process.hrtime.bigint();
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(BENCH_DIR, 'load.ts'), `--url=${baseUrl}`, `--workload=${workloadFile}`, `--connections=${connections}`, `--duration=${duration}`, `--batch=${batch}`], {
      stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, BENCH_TOKEN: w.token },
    });
    let buf = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        const ev = JSON.parse(line) as Partial<LoadResult> & { kind: string };
        if (ev.kind === 'start') {
          cpu0 = process.cpuUsage();
          wall0 = process.hrtime.bigint();
        } else if (ev.kind === 'batch') {
          const cpu = process.cpuUsage(cpu0);
          batchResult = { ...(ev as LoadResult & { batch: number }), serverCpuPct: Math.round((100 * (cpu.user + cpu.system)) / (Number(process.hrtime.bigint() - wall0) / 1000)) };
          log(`  batch of ${batchResult.batch}, ${batchResult.connections} connections: ${Math.round(batchResult.rps)} req/s = ${Math.round(batchResult.rps * batchResult.batch)} checks/s, p99 ${batchResult.p99Ms} ms`);
        } else if (ev.kind === 'result') {
          const cpu = process.cpuUsage(cpu0);
          const wallUs = Number(process.hrtime.bigint() - wall0) / 1000;
          const r = ev as LoadResult;
          const serverCpuPct = Math.round((100 * (cpu.user + cpu.system)) / wallUs);
          results.push({ ...r, serverCpuPct });
          log(`  ${r.connections} connections: ${Math.round(r.rps)} req/s, p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms, server CPU ${serverCpuPct}%, loadgen CPU ${r.loadgenCpuPct}%, non-2xx ${r.non2xx}, errors ${r.errors}`);
        }
      }
    });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`load generator exited with ${code}`))));
  });

  const loadgen = 'autocannon 8 in a separate process (bench/load.ts), pipelining 1, 1000 distinct check bodies per connection';
  for (const r of results) {
    emit('http_check_rps', r.rps, 'req/s', {
      ...base, connections: r.connections, durationS: r.durationS, p50Ms: r.p50Ms, p90Ms: r.p90Ms, p99Ms: r.p99Ms, maxMs: r.maxMs,
      requests: r.total, non2xx: r.non2xx, errors: r.errors, timeouts: r.timeouts, serverCpuPct: r.serverCpuPct, loadgenCpuPct: r.loadgenCpuPct, loadgen,
    });
  }
  const ok = results.filter((r) => r.p99Ms <= P99_LIMIT_MS && r.non2xx === 0 && r.errors === 0 && r.timeouts === 0);
  const best = ok.reduce<(typeof results)[number] | undefined>((a, b) => (a === undefined || b.rps > a.rps ? b : a), undefined);
  emit('http_check_rps_best', best?.rps ?? 0, 'req/s', {
    ...base, connections: best?.connections ?? null, p50Ms: best?.p50Ms ?? null, p99Ms: best?.p99Ms ?? null, serverCpuPct: best?.serverCpuPct ?? null, loadgenCpuPct: best?.loadgenCpuPct ?? null,
    rule: `highest req/s among connection counts ${connections} with p99 <= ${P99_LIMIT_MS} ms and no errors`, loadgen,
    target: '>= 10000 checks/s', met: (best?.rps ?? 0) >= 10_000,
  });
  if (batchResult !== undefined) {
    const b = batchResult;
    emit('http_check_batch_checks_per_s', b.rps * b.batch, 'checks/s', {
      ...base, batchSize: b.batch, connections: b.connections, requestsPerSecond: b.rps, p50Ms: b.p50Ms, p99Ms: b.p99Ms, maxMs: b.maxMs,
      non2xx: b.non2xx, errors: b.errors, serverCpuPct: b.serverCpuPct, loadgen: 'autocannon 8 in a separate process, POST /api/v1/check/batch, 200 distinct bodies',
      note: 'supplementary: the single-check figure above is the one the target applies to',
    });
  }
  await app.close();
  await rt.close();
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
