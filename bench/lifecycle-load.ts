/**
 * Child: the load generator of the activation lifecycle (bench/lifecycle.ts starts it), in its
 * own process so it shares neither an event loop nor a core with the server under test.
 *
 *   node --import tsx bench/lifecycle-load.ts --url=http://127.0.0.1:PORT --workload=w.json --concurrency=16
 *
 * Talks to the server with Node's fetch (undici, keep-alive connections), as users with their
 * own `api` tokens and as the check caller with its `check` token:
 *  - warm-up: the latency sequence for a few users of their own (not measured);
 *  - latency: one caller, for each user in turn, POST /api/v1/requests (selfActivate) then
 *    POST /api/v1/check for that user and role; timed from sending the first to reading the
 *    second's answer, which must say allowed;
 *  - throughput: `concurrency` callers activate the remaining users, each sending its next
 *    request as soon as the last one is answered.
 * Writes one JSON line per event on stdout: {"kind":"start",…} before each measured phase (the
 * server samples its CPU from there) and {"kind":"latency"|"throughput",…} after it.
 */
import { readFileSync } from 'node:fs';
import { argInt, argString, parseArgs, percentile } from './common.ts';

/** What bench/lifecycle.ts hands over: the role, the check token and users as [id, token]. */
export interface LifecycleWorkload {
  roleId: string;
  checkToken: string;
  /** Activation length in the latency and throughput phases (long enough not to end in the run). */
  duration: string;
  warmup: Array<[string, string]>;
  latency: Array<[string, string]>;
  throughput: Array<[string, string]>;
}

function say(obj: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(obj)}\n`);
}

const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;

function summary(xs: number[]): { p50Ms: number; p90Ms: number; p99Ms: number; maxMs: number; meanMs: number } {
  const s = Float64Array.from(xs).sort();
  const r = (v: number) => Math.round(v * 1000) / 1000;
  return { p50Ms: r(percentile(s, 50)), p90Ms: r(percentile(s, 90)), p99Ms: r(percentile(s, 99)), maxMs: r(s[s.length - 1] ?? NaN), meanMs: r(xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length)) };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const url = argString(args, 'url');
  const w = JSON.parse(readFileSync(argString(args, 'workload'), 'utf8')) as LifecycleWorkload;
  const concurrency = argInt(args, 'concurrency', 16);

  const activate = async ([id, token]: [string, string]): Promise<{ ok: boolean; detail: string }> => {
    const res = await fetch(`${url}/api/v1/requests`, {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'selfActivate', principalId: id, roleId: w.roleId, justification: 'benchmark: on call', schedule: { duration: w.duration } }),
    });
    const body = (await res.json()) as { status?: string };
    return { ok: res.status === 201 && body.status === 'Provisioned', detail: `${res.status} ${JSON.stringify(body).slice(0, 300)}` };
  };
  const allowed = async (id: string): Promise<boolean> => {
    const res = await fetch(`${url}/api/v1/check`, {
      method: 'POST', headers: { authorization: `Bearer ${w.checkToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ principal: id, role: w.roleId, scope: '/' }),
    });
    const body = (await res.json()) as { allowed?: boolean };
    return res.status === 200 && body.allowed === true;
  };

  // One activation followed by one check, as a caller that needs the access would do it.
  const sequence = async (users: Array<[string, string]>) => {
    const total: number[] = [];
    const act: number[] = [];
    const chk: number[] = [];
    let failures = 0;
    let firstFailure: string | undefined;
    for (const u of users) {
      const t0 = process.hrtime.bigint();
      const a = await activate(u);
      const t1 = process.hrtime.bigint();
      const ok = await allowed(u[0]);
      const t2 = process.hrtime.bigint();
      total.push(Number(t2 - t0) / 1e6);
      act.push(Number(t1 - t0) / 1e6);
      chk.push(Number(t2 - t1) / 1e6);
      if (!a.ok || !ok) {
        failures++;
        firstFailure ??= a.ok ? `check not allowed for ${u[0]}` : `activation: ${a.detail}`;
      }
    }
    return { total, act, chk, failures, firstFailure };
  };

  const warm = await sequence(w.warmup);
  if (warm.failures > 0) throw new Error(`warm-up failed: ${warm.firstFailure ?? ''}`);

  say({ kind: 'start', phase: 'latency' });
  let cpu0 = process.cpuUsage();
  let wall0 = process.hrtime.bigint();
  const lat = await sequence(w.latency);
  let cpu = process.cpuUsage(cpu0);
  say({
    kind: 'latency', users: w.latency.length, failures: lat.failures, firstFailure: lat.firstFailure ?? null, total: summary(lat.total),
    activation: summary(lat.act), check: summary(lat.chk), wallMs: ms(wall0), loadgenCpuPct: Math.round((100 * (cpu.user + cpu.system)) / (ms(wall0) * 1000)),
  });

  say({ kind: 'start', phase: 'throughput' });
  cpu0 = process.cpuUsage();
  wall0 = process.hrtime.bigint();
  const lats: number[] = [];
  let next = 0;
  let ok = 0;
  let errors = 0;
  let firstError: string | undefined;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= w.throughput.length) return;
      const t0 = process.hrtime.bigint();
      try {
        const a = await activate(w.throughput[i]!);
        if (a.ok) ok++;
        else { errors++; firstError ??= a.detail; }
      } catch (err) {
        errors++;
        firstError ??= err instanceof Error ? err.message : String(err);
      }
      lats.push(ms(t0));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const wallMs = ms(wall0);
  cpu = process.cpuUsage(cpu0);
  say({
    kind: 'throughput', activations: w.throughput.length, ok, errors, firstError: firstError ?? null, concurrency, wallMs,
    latency: summary(lats), loadgenCpuPct: Math.round((100 * (cpu.user + cpu.system)) / (wallMs * 1000)),
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
