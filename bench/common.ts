/**
 * Shared helpers of the benchmark: flags, figure output, percentiles, a seeded PRNG and the
 * child-process plumbing. Figures go to stdout as one JSON line each; everything else to stderr.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import os from 'node:os';
import pg from 'pg';

export type Engine = 'sqlite' | 'postgres';

export interface Figure {
  name: string;
  value: number;
  unit: string;
  params: Record<string, unknown>;
}

/** Prints one figure as one JSON line on stdout (the only thing the benchmark writes there). */
export function emit(name: string, value: number, unit: string, params: Record<string, unknown> = {}): Figure {
  const f: Figure = { name, value: round(value), unit, params };
  process.stdout.write(`${JSON.stringify(f)}\n`);
  return f;
}

export function round(v: number, digits = 3): number {
  if (!Number.isFinite(v)) return v;
  const m = 10 ** digits;
  return Math.round(v * m) / m;
}

export function log(msg: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}

/** `--key=value` and `--flag` into a map. */
export function parseArgs(argv: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const a of argv) {
    if (!a.startsWith('--')) continue;
    const eq = a.indexOf('=');
    if (eq < 0) out.set(a.slice(2), 'true');
    else out.set(a.slice(2, eq), a.slice(eq + 1));
  }
  return out;
}

export function argString(args: Map<string, string>, key: string): string {
  const v = args.get(key);
  if (v === undefined) throw new Error(`missing --${key}`);
  return v;
}

export function argInt(args: Map<string, string>, key: string, def?: number): number {
  const v = args.get(key);
  if (v === undefined) {
    if (def === undefined) throw new Error(`missing --${key}`);
    return def;
  }
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`--${key} must be a number`);
  return n;
}

/** Percentile (nearest-rank) of an ascending-sorted array. */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

/** mulberry32: a small, fast, seeded PRNG, so every run (and both engines) gets the same tenant. */
export class Rng {
  private s: number;
  constructor(seed: number) { this.s = seed >>> 0; }
  u32(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
  /** [0, 1) */
  next(): number { return this.u32() / 4294967296; }
  int(n: number): number { return Math.floor(this.next() * n); }
  range(lo: number, hi: number): number { return lo + this.next() * (hi - lo); }
  pick<T>(xs: readonly T[]): T { return xs[this.int(xs.length)]!; }
  /** A UUID-shaped id (version 4 layout), deterministic from the seed. */
  uuid(): string {
    const h = (n: number) => n.toString(16).padStart(8, '0');
    const a = h(this.u32()), b = h(this.u32()), c = h(this.u32()), d = h(this.u32());
    return `${a}-${b.slice(0, 4)}-4${b.slice(5, 8)}-${((parseInt(c[0]!, 16) & 3) | 8).toString(16)}${c.slice(1, 4)}-${c.slice(4, 8)}${d}`;
  }
}

export const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));

export interface ChildResult { code: number; figures: Figure[] }

/**
 * Runs `node --import tsx bench/<script>` and relays its figures (stdout JSON lines) to our
 * stdout, returning them too. Its stderr (progress) passes through.
 */
export function runChild(script: string, args: string[], nodeFlags: string[] = [], env: Record<string, string> = {}): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', path.join(BENCH_DIR, script), ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, ...env },
    });
    const figures: Figure[] = [];
    let buf = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.trim() === '') continue;
        try {
          const f = JSON.parse(line) as Figure;
          figures.push(f);
          process.stdout.write(`${line}\n`);
        } catch {
          process.stderr.write(`[${script}] ${line}\n`);
        }
      }
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, figures }));
  });
}

/** The child side of a JSON-over-stdout conversation: figures are emitted with emit(). */
export function machineNote(): Record<string, unknown> {
  const cpus = os.cpus();
  return { cpus: cpus.length, cpuModel: cpus[0]?.model ?? 'unknown', node: process.version, memGb: Math.round(os.totalmem() / 2 ** 30) };
}

/** Drops a PostgreSQL schema made for a run. */
export async function dropPgSchema(url: string, schema: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try { await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`); } finally { await c.end(); }
}

export function fmtCount(n: number): string {
  if (n >= 1_000_000 && n % 1_000_000 === 0) return `${n / 1_000_000}M`;
  if (n >= 1000 && n % 1000 === 0) return `${n / 1000}K`;
  return String(n);
}
