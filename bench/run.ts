/**
 * The openpim benchmark (npm run bench). Prints one JSON line per figure on stdout:
 * {"name","value","unit","params"}; progress goes to stderr. See docs/benchmarks.md.
 *
 *   npm run bench                      full run: 10K, 320K (the issue's tenant) and 1M schedules
 *   npm run bench -- --quick           smoke run: 10K and 40K schedules, short HTTP runs (< 1 min)
 *   npm run bench -- --only=inprocess  (or http, casbin, lifecycle, outbox; comma-separated for several)
 *   npm run bench -- --engine=sqlite   (or postgres; default: sqlite, plus postgres when
 *                                       PIM_BENCH_DATABASE_URL is set)
 *   --keep                             keep the generated databases (prints where)
 *
 * Every step runs in its own child process (fresh heap, no interference between sizes):
 * gen.ts creates the tenant in a fresh database (a temp SQLite file or a new PostgreSQL
 * schema, dropped afterwards), inprocess.ts measures the decision point and casbin, http.ts
 * runs the server and spawns load.ts (autocannon) as a separate process. lifecycle.ts (once per
 * engine, on a fresh database of its own) runs the server on a FakeClock, activates over HTTP
 * from lifecycle-load.ts, and times the expiry of many activations ending at one instant.
 * outbox.ts (once per engine, twice: default SMTP and pooled, each on a fresh database) times
 * the delivery worker mailing many assignments to a real SMTP server (smtp-sink.ts, a child).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { dropPgSchema, emit, fmtCount, log, machineNote, parseArgs, runChild, type Engine, type Figure } from './common.ts';

const ONLY = ['inprocess', 'http', 'casbin', 'lifecycle', 'outbox'] as const;
type Part = (typeof ONLY)[number];

interface Plan {
  sizes: number[];
  httpSize: number;
  casbinSizes: number[];
  checks: number;
  connections: string;
  duration: number;
  /** checks per request in the supplementary /check/batch run (0: skip) */
  batch: number;
  /** timed passes over the checks in-process; the median pass is reported */
  passes: number;
  /** the activation lifecycle (bench/lifecycle.ts): sequences timed, activations and callers for the rate, activations expiring together */
  lifecycle: { warmup: number; latency: number; activations: number; concurrency: number; expiry: number };
  /** outbox throughput (bench/outbox.ts): assignments made, each mailing the administrator and the assignee */
  outbox: { assignments: number };
}

const FULL: Plan = { sizes: [10_000, 320_000, 1_000_000], httpSize: 320_000, casbinSizes: [10_000, 320_000, 1_000_000], checks: 200_000, connections: '1,4,8,16,32,64', duration: 10, batch: 20, passes: 3,
  lifecycle: { warmup: 50, latency: 500, activations: 3000, concurrency: 16, expiry: 10_000 }, outbox: { assignments: 1500 } };
const QUICK: Plan = { sizes: [10_000, 40_000], httpSize: 40_000, casbinSizes: [10_000, 40_000], checks: 20_000, connections: '1,8,32', duration: 2, batch: 20, passes: 1,
  lifecycle: { warmup: 20, latency: 100, activations: 500, concurrency: 16, expiry: 1000 }, outbox: { assignments: 150 } };

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const quick = args.has('quick');
  const plan = quick ? QUICK : FULL;
  const only = new Set<Part>((args.get('only') ?? ONLY.join(',')).split(',').map((s) => {
    if (!(ONLY as readonly string[]).includes(s)) throw new Error(`--only: expected ${ONLY.join('|')}, got ${s}`);
    return s as Part;
  }));
  const pgUrl = process.env.PIM_BENCH_DATABASE_URL;
  const engineArg = args.get('engine');
  let engines: Engine[];
  if (engineArg === undefined) engines = pgUrl ? ['sqlite', 'postgres'] : ['sqlite'];
  else if (engineArg === 'sqlite' || engineArg === 'postgres') engines = [engineArg];
  else throw new Error('--engine: expected sqlite or postgres');
  if (engines.includes('postgres') && !pgUrl) throw new Error('--engine=postgres needs PIM_BENCH_DATABASE_URL (e.g. postgres://postgres@127.0.0.1:55432/postgres)');
  const keep = args.has('keep');
  const started = process.hrtime.bigint();
  const load0 = os.loadavg()[0] ?? 0;
  log(`${quick ? 'quick' : 'full'} run: engines ${engines.join(', ')}; parts ${[...only].join(', ')}; sizes ${plan.sizes.map(fmtCount).join(', ')} schedules; load average ${load0.toFixed(2)}`);

  const all: Figure[] = [];
  const must = async (script: string, argv: string[], flags: string[] = []) => {
    const r = await runChild(script, argv, flags);
    all.push(...r.figures);
    if (r.code !== 0) throw new Error(`${script} failed (exit ${r.code})`);
    return r.figures;
  };
  // Casbin's figures do not depend on the engine (it holds its rules in memory): run it on the first engine only.
  const casbinEngine = engines[0];

  for (const engine of engines) {
    const p50: Record<number, number> = {};
    const p99: Record<number, number> = {};
    for (const size of plan.sizes) {
      const wantIn = only.has('inprocess');
      const wantCasbin = only.has('casbin') && engine === casbinEngine && plan.casbinSizes.includes(size);
      const wantHttp = only.has('http') && size === plan.httpSize;
      if (!wantIn && !wantCasbin && !wantHttp) continue;

      const dir = mkdtempSync(path.join(os.tmpdir(), 'openpim-bench-'));
      const workload = path.join(dir, 'workload.json');
      const pgSchema = engine === 'postgres' ? `bench_${fmtCount(size).toLowerCase()}_${process.pid}` : undefined;
      const url = engine === 'postgres' ? pgUrl! : `sqlite:${path.join(dir, 'openpim.db')}`;
      const dbArgs = [`--url=${url}`, ...(pgSchema !== undefined ? [`--pg-schema=${pgSchema}`] : [])];
      log(`== ${engine}, ${fmtCount(size)} schedules ==`);
      try {
        await must('gen.ts', [...dbArgs, `--schedules=${size}`, `--checks=${plan.checks}`, `--base-ms=${Date.now()}`, `--out=${workload}`], ['--max-old-space-size=6144']);
        if (wantIn || wantCasbin) {
          const figs = await must('inprocess.ts', [...dbArgs, `--workload=${workload}`, `--passes=${plan.passes}`, ...(wantIn ? ['--openpim'] : []), ...(wantCasbin ? ['--casbin'] : [])], ['--expose-gc', '--max-old-space-size=6144']);
          for (const f of figs) {
            if (f.name === 'checknow_p50') p50[size] = f.value;
            if (f.name === 'checknow_p99') p99[size] = f.value;
          }
        }
        if (wantHttp) await must('http.ts', [...dbArgs, `--workload=${workload}`, `--connections=${plan.connections}`, `--duration=${plan.duration}`, `--batch=${plan.batch}`], ['--max-old-space-size=6144']);
      } finally {
        if (keep) log(`kept ${dir}${pgSchema !== undefined ? ` and schema ${pgSchema}` : ''}`);
        else {
          rmSync(dir, { recursive: true, force: true });
          if (pgSchema !== undefined) await dropPgSchema(pgUrl!, pgSchema);
        }
      }
    }
    // Growth from the smallest to the largest size.
    const small = plan.sizes[0]!;
    const large = plan.sizes[plan.sizes.length - 1]!;
    if (p50[small] !== undefined && p50[large] !== undefined && p99[small] !== undefined && p99[large] !== undefined) {
      const g50 = p50[large] / p50[small];
      const g99 = p99[large] / p99[small];
      const params = { engine, from: small, to: large, scaling: 'users, groups and memberships scale with schedules (tenant ratios: 100K users / 5K groups per 320K schedules)' };
      all.push(emit('checknow_growth_p50', g50, 'x', { ...params, p50From: p50[small], p50To: p50[large], target: '<= 2', met: g50 <= 2 }));
      all.push(emit('checknow_growth_p99', g99, 'x', { ...params, p99From: p99[small], p99To: p99[large], target: '<= 2', met: g99 <= 2 }));
    }

    // The activation lifecycle: its own fresh database per engine (it creates its users and activations).
    if (only.has('lifecycle')) {
      const lc = plan.lifecycle;
      const dir = mkdtempSync(path.join(os.tmpdir(), 'openpim-bench-'));
      const pgSchema = engine === 'postgres' ? `bench_lifecycle_${process.pid}` : undefined;
      const url = engine === 'postgres' ? pgUrl! : `sqlite:${path.join(dir, 'openpim.db')}`;
      log(`== ${engine}, activation lifecycle: ${lc.latency} activation → check, ${fmtCount(lc.activations)} activations from ${lc.concurrency} callers, ${fmtCount(lc.expiry)} expiring together ==`);
      try {
        await must('lifecycle.ts', [`--url=${url}`, ...(pgSchema !== undefined ? [`--pg-schema=${pgSchema}`] : []), `--warmup=${lc.warmup}`, `--latency=${lc.latency}`,
          `--activations=${lc.activations}`, `--concurrency=${lc.concurrency}`, `--expiry=${lc.expiry}`], ['--max-old-space-size=4096']);
      } finally {
        if (keep) log(`kept ${dir}${pgSchema !== undefined ? ` and schema ${pgSchema}` : ''}`);
        else {
          rmSync(dir, { recursive: true, force: true });
          if (pgSchema !== undefined) await dropPgSchema(pgUrl!, pgSchema);
        }
      }
    }

    // Outbox throughput: a fresh database per run (it makes its own users and assignments).
    if (only.has('outbox')) {
      for (const pooled of [false, true]) {
        const dir = mkdtempSync(path.join(os.tmpdir(), 'openpim-bench-'));
        const pgSchema = engine === 'postgres' ? `bench_outbox${pooled ? '_pooled' : ''}_${process.pid}` : undefined;
        const url = engine === 'postgres' ? pgUrl! : `sqlite:${path.join(dir, 'openpim.db')}`;
        log(`== ${engine}, outbox: ${fmtCount(plan.outbox.assignments)} assignments mailed to a local SMTP server${pooled ? ' over pooled connections' : ''} ==`);
        try {
          await must('outbox.ts', [`--url=${url}`, ...(pgSchema !== undefined ? [`--pg-schema=${pgSchema}`] : []), `--assignments=${plan.outbox.assignments}`, ...(pooled ? ['--pooled'] : [])]);
        } finally {
          if (keep) log(`kept ${dir}${pgSchema !== undefined ? ` and schema ${pgSchema}` : ''}`);
          else {
            rmSync(dir, { recursive: true, force: true });
            if (pgSchema !== undefined) await dropPgSchema(pgUrl!, pgSchema);
          }
        }
      }
    }
  }

  const wallS = Number(process.hrtime.bigint() - started) / 1e9;
  emit('bench_wall_time_s', wallS, 's', {
    mode: quick ? 'quick' : 'full', engines, parts: [...only], ...machineNote(),
    loadAverageStart: Math.round(load0 * 100) / 100, loadAverageEnd: Math.round((os.loadavg()[0] ?? 0) * 100) / 100,
  });
  const where = (f: Figure) => (typeof f.params.schedules === 'number' ? fmtCount(f.params.schedules) : typeof f.params.from === 'number' ? `${String(f.params.from)}->${String(f.params.to)}` : f.name.startsWith('outbox_') ? 'outbox' : 'lifecycle');
  const missed = all.filter((f) => f.params.met === false).map((f) => `${f.name} (${String(f.params.engine)}, ${where(f)})`);
  log(`done in ${wallS.toFixed(0)} s; ${missed.length === 0 ? 'all targets met' : `targets missed: ${missed.join(', ')}`}`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
