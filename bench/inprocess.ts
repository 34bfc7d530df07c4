/**
 * Child: in-process decision latency against a loaded AccessIndex, and the casbin comparison.
 *
 *   node --expose-gc --import tsx bench/inprocess.ts --url=… [--pg-schema=…] --workload=w.json [--openpim] [--casbin]
 *
 * Builds a ServiceContext the way runtime.ts does (systemClock, the real AccessIndex), times
 * index.load(), then times every checkNow() call with process.hrtime.bigint() (one warm-up
 * pass first, a GC before the timed pass). Also times the full async check() (scope parse,
 * principal lookup, ISO timestamps) and, with --casbin, the same checks in node-casbin,
 * verifying that both give the same answer to every check.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pino from 'pino';
import { SecretBox } from '../src/auth/secret-box.ts';
import { systemClock } from '../src/clock.ts';
import { loadConfig } from '../src/config.ts';
import type { Wanted } from '../src/domain/access.ts';
import { randomIds } from '../src/ids.ts';
import { check, checkNow } from '../src/services/check-access.ts';
import { SYSTEM_ACTOR, withActor } from '../src/services/context.ts';
import { AccessIndex } from '../src/store/access-index.ts';
import { openDatabase } from '../src/store/db.ts';
import { casbinCheck, loadCasbin } from './casbin.ts';
import { argString, emit, log, parseArgs, percentile } from './common.ts';
import type { Check, SizeSpec } from './tenant.ts';

export interface Workload { spec: SizeSpec; baseMs: number; memberships: number; token: string; callerId: string; checks: Check[] }

const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
const us = (ns: number) => ns / 1000;

function stats(lat: Float64Array) {
  const sorted = lat.slice().sort();
  let sum = 0;
  for (const v of sorted) sum += v;
  return { p50: percentile(sorted, 50), p90: percentile(sorted, 90), p99: percentile(sorted, 99), p999: percentile(sorted, 99.9), max: sorted[sorted.length - 1] ?? NaN, mean: sum / sorted.length };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const url = argString(args, 'url');
  const pgSchema = args.get('pg-schema');
  const doOpenpim = args.has('openpim');
  const doCasbin = args.has('casbin');
  const passes = Math.max(1, Number(args.get('passes') ?? '1'));
  const engine = url.startsWith('sqlite:') ? 'sqlite' : 'postgres';
  const w = JSON.parse(readFileSync(argString(args, 'workload'), 'utf8')) as Workload;
  const base = { engine, schedules: w.spec.schedules, users: w.spec.users, groups: w.spec.groups };

  const opened = await openDatabase(url, pgSchema !== undefined ? { pgSchema } : {});
  const config = loadConfig({ PIM_DATABASE_URL: url, PIM_LOG_LEVEL: 'silent' });
  const index = new AccessIndex(opened.db);
  gc();
  const heap0 = process.memoryUsage().heapUsed;
  let t0 = process.hrtime.bigint();
  await index.load();
  const loadMs = Number(process.hrtime.bigint() - t0) / 1e6;
  gc();
  const heapMb = (process.memoryUsage().heapUsed - heap0) / 2 ** 20;
  log(`index loaded: ${index.scheduleCount} schedules in ${loadMs.toFixed(0)} ms, +${heapMb.toFixed(0)} MiB heap`);
  if (doOpenpim) {
    emit('index_load_ms', loadMs, 'ms', { ...base, schedulesLoaded: index.scheduleCount, membershipRows: w.memberships, what: 'AccessIndex.load(): users, groups, memberships, roles, all open schedules, tokens' });
    emit('index_heap_mb', heapMb, 'MiB', { ...base, what: 'V8 heap growth from AccessIndex.load() (after GC)' });
  }

  const ctx = withActor({ db: opened.db, engine: opened.engine, clock: systemClock, config, ids: randomIds, index, log: pino({ level: 'silent' }), secrets: new SecretBox(randomBytes(32)) }, SYSTEM_ACTOR);
  const checks = w.checks;
  const n = checks.length;
  const wanted: Wanted[] = checks.map((c) => (c[1] === 'r' ? { roleId: c[2] } : { permission: c[2] }));
  const answers = new Uint8Array(n);

  // Timer overhead: two hrtime.bigint() reads around nothing.
  const empty = new Float64Array(n);
  for (let i = 0; i < n; i++) { const a = process.hrtime.bigint(); empty[i] = Number(process.hrtime.bigint() - a); }
  const timerNs = stats(empty).p50;

  // checkNow: the synchronous hot path.
  const runCheckNow = (lat: Float64Array | null) => {
    for (let i = 0; i < n; i++) {
      const c = checks[i]!;
      const at = systemClock.nowMs();
      const evaluatedAt = new Date(at).toISOString();
      const a = process.hrtime.bigint();
      const r = checkNow(ctx, c[0], wanted[i]!, c[3], at, evaluatedAt);
      const b = process.hrtime.bigint();
      if (lat) lat[i] = Number(b - a);
      answers[i] = r.allowed ? 1 : 0;
    }
  };
  const lat = new Float64Array(n);
  const categories = new Map<string, { n: number; allowed: number }>();
  const passStats: Array<ReturnType<typeof stats>> = [];
  if (doOpenpim || doCasbin) {
    runCheckNow(null); // warm-up: JIT, inline caches
    for (let k = 0; k < passes; k++) {
      gc();
      runCheckNow(lat);
      passStats.push(stats(lat));
    }
    for (let i = 0; i < n; i++) {
      const k = checks[i]![4];
      const e = categories.get(k) ?? { n: 0, allowed: 0 };
      e.n++; e.allowed += answers[i]!;
      categories.set(k, e);
    }
  }
  // Several timed passes on a shared 2-core machine: report the median pass (p50 and p99 each).
  const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
  const s = passStats.length > 0
    ? { ...passStats[0]!, p50: median(passStats.map((x) => x.p50)), p90: median(passStats.map((x) => x.p90)), p99: median(passStats.map((x) => x.p99)), p999: median(passStats.map((x) => x.p999)), mean: median(passStats.map((x) => x.mean)), max: Math.max(...passStats.map((x) => x.max)) }
    : stats(lat);
  const perPass = { passes, passP50s: passStats.map((x) => Math.round(x.p50) / 1000), passP99s: passStats.map((x) => Math.round(x.p99) / 1000) };
  const allowed = answers.reduce((x, y) => x + y, 0);
  const mix = Object.fromEntries([...categories].map(([k, v]) => [k, `${v.n} (${Math.round((100 * v.allowed) / v.n)}% allowed)`]));
  const roleChecks = checks.filter((c) => c[1] === 'r').length;
  const workload = { checks: n, allowedPct: Math.round((1000 * allowed) / n) / 10, roleChecks, permissionChecks: n - roleChecks, mix };
  if (doOpenpim) {
    emit('checknow_p50', us(s.p50), 'us', { ...base, ...workload, ...perPass, p90: us(s.p90), mean: us(s.mean), timerOverheadUs: us(timerNs), target: '<= 20 us', met: us(s.p50) <= 20 });
    emit('checknow_p99', us(s.p99), 'us', { ...base, ...perPass, p999: us(s.p999), max: us(s.max), target: '<= 200 us', met: us(s.p99) <= 200 });

    // check(): the whole service call the HTTP route makes (validation of scope, principal lookup, timestamps).
    const full = new Float64Array(n);
    const runFull = async (rec: boolean) => {
      for (let i = 0; i < n; i++) {
        const c = checks[i]!;
        const input = c[1] === 'r' ? { principal: c[0], role: c[2], scope: c[3] } : { principal: c[0], permission: c[2], scope: c[3] };
        const a = process.hrtime.bigint();
        const r = await check(ctx, input);
        const b = process.hrtime.bigint();
        if (rec) full[i] = Number(b - a);
        if ((r.allowed ? 1 : 0) !== answers[i]) throw new Error(`check() and checkNow() disagree on check ${i}`);
      }
    };
    await runFull(false);
    gc();
    await runFull(true);
    const f = stats(full);
    emit('check_service_p50', us(f.p50), 'us', { ...base, checks: n, what: 'await check(ctx, input): parseScope + resolvePrincipal + clock + checkNow' });
    emit('check_service_p99', us(f.p99), 'us', { ...base, checks: n, p999: us(f.p999) });
  }

  if (doCasbin) {
    gc();
    const heapC0 = process.memoryUsage().heapUsed;
    const c = await loadCasbin(opened.db, systemClock.nowMs());
    gc();
    const casbinHeap = (process.memoryUsage().heapUsed - heapC0) / 2 ** 20;
    log(`casbin loaded: ${c.pRules} p, ${c.gAssignments} + ${c.gMemberships} g rules (query ${c.queryMs.toFixed(0)} ms, build ${c.buildMs.toFixed(0)} ms)`);
    const clat = new Float64Array(n);
    let mismatches = 0;
    let enforceCalls = 0;
    const runCasbin = (rec: boolean) => {
      mismatches = 0; enforceCalls = 0;
      for (let i = 0; i < n; i++) {
        const k = checks[i]!;
        const a = process.hrtime.bigint();
        const [ok, calls] = casbinCheck(c.enforcer, k[0], k[1], k[2], k[3]);
        const b = process.hrtime.bigint();
        if (rec) clat[i] = Number(b - a);
        enforceCalls += calls;
        if ((ok ? 1 : 0) !== answers[i]) mismatches++;
      }
    };
    // Casbin is much slower per check: warm up on a slice, time the whole set.
    t0 = process.hrtime.bigint();
    const warm = Math.min(n, 20_000);
    for (let i = 0; i < warm; i++) { const k = checks[i]!; casbinCheck(c.enforcer, k[0], k[1], k[2], k[3]); }
    gc();
    runCasbin(true);
    log(`casbin: ${n} checks in ${(Number(process.hrtime.bigint() - t0) / 1e9).toFixed(1)} s, ${mismatches} answers differ from openpim`);
    const cs = stats(clat);
    const cParams = {
      ...base, checks: n, pRules: c.pRules, gAssignmentRules: c.gAssignments, gMembershipRules: c.gMemberships, casbinHeapMb: Math.round(casbinHeap),
      enforceCallsPerCheck: Math.round((100 * enforceCalls) / n) / 100, answersDifferingFromOpenpim: mismatches,
      mapping: 'RBAC with domains, domain = scope; g = live active schedules + memberships expanded per group scope; role checks by matcher g(r.sub, r.obj, r.dom); permission checks by p rules with keyMatch; inheritance by enforcing up the scope chain; enforceSync',
      casbin: '5.51.1',
    };
    emit('casbin_load_ms', c.queryMs + c.buildMs, 'ms', { ...cParams, queryMs: Math.round(c.queryMs), buildMs: Math.round(c.buildMs) });
    emit('casbin_check_p50', us(cs.p50), 'us', { ...cParams, p90: us(cs.p90), mean: us(cs.mean) });
    emit('casbin_check_p99', us(cs.p99), 'us', { ...base, p999: us(cs.p999), max: us(cs.max) });
    emit('casbin_vs_openpim_p50', cs.p50 / s.p50, 'x', { ...base, what: 'casbin p50 / openpim checkNow p50 (same checks, same answers)' });
    emit('casbin_vs_openpim_p99', cs.p99 / s.p99, 'x', { ...base, what: 'casbin p99 / openpim checkNow p99' });
    if (mismatches > 0) log(`WARNING: casbin and openpim disagree on ${mismatches} checks`);
  }
  await opened.close();
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
