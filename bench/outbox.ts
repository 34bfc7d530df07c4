/**
 * Child: outbox throughput, from PIM events to mail accepted by a real SMTP server.
 *
 *   node --import tsx bench/outbox.ts --url=… [--pg-schema=…] --assignments=1500 [--pooled]
 *
 * Needs a fresh database (bench/run.ts hands it a temp SQLite file or a new PostgreSQL schema).
 *
 *  1. Setup (not timed): bench/smtp-sink.ts (smtp-server on loopback, a separate process)
 *     starts; the runtime opens with PIM_SMTP_URL pointing at it, on a FakeClock (nothing
 *     becomes due by itself); the first administrator is bootstrapped; N users are
 *     bulk-inserted, each with a mail address; the administrator assigns each an eligibility
 *     of one role (submitRequest adminAssign, in process). Every assignment is one outbox
 *     event that calls for two mails: the alert to the administrators and the notice to the
 *     assignee.
 *  2. Fan-out (timed): fanOutEvents until no event is left, as DeliveryWorker.tick() starts.
 *  3. Send (timed): DeliveryWorker.tick() until it returns, i.e. nothing is due: claims of 20,
 *     each sent over SMTP and recorded.
 *  4. Checks: every delivery is `sent`, and the SMTP server received exactly one message per
 *     delivery, carrying that delivery's Message-ID. Any difference fails the run.
 *
 * Figures: outbox_fanout_per_s and outbox_mail_per_s; with --pooled (PIM_SMTP_URL with
 * `?pool=true`: nodemailer keeps up to 5 connections open and sends many mails over each)
 * outbox_mail_pooled_per_s instead, the same run otherwise.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import type { Readable, Writable } from 'node:stream';
import path from 'node:path';
import { createInterface } from 'node:readline';
import pino from 'pino';
import { FakeClock } from '../src/clock.ts';
import { loadConfig } from '../src/config.ts';
import { DeliveryWorker } from '../src/delivery/worker.ts';
import { openRuntime } from '../src/runtime.ts';
import { bootstrapAdmin } from '../src/services/bootstrap.ts';
import { withActor } from '../src/services/context.ts';
import { fanOutEvents } from '../src/services/notification-fanout.ts';
import { createRole } from '../src/services/roles.ts';
import { submitRequest } from '../src/services/submit-request.ts';
import { argInt, argString, BENCH_DIR, emit, log, parseArgs } from './common.ts';

const secondsSince = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e9;

interface SinkReport { kind: 'report'; received: number; messageIds: string[]; rcpts: number; cpuPct: number }

/** The SMTP sink as a child process, spoken to in JSON lines (bench/smtp-sink.ts). */
class Sink {
  private readonly lines: string[] = [];
  private waiting: ((line: string) => void) | undefined;
  private constructor(private readonly child: ChildProcessByStdio<Writable, Readable, null>) {
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (this.waiting !== undefined) { const w = this.waiting; this.waiting = undefined; w(line); } else this.lines.push(line);
    });
  }

  static async start(): Promise<{ sink: Sink; port: number }> {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(BENCH_DIR, 'smtp-sink.ts')], { stdio: ['pipe', 'pipe', 'inherit'] });
    const sink = new Sink(child);
    const hello = JSON.parse(await sink.next()) as { kind: string; port: number };
    if (hello.kind !== 'listening') throw new Error(`smtp-sink: unexpected ${JSON.stringify(hello)}`);
    return { sink, port: hello.port };
  }

  private next(): Promise<string> {
    const queued = this.lines.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      this.waiting = resolve;
      this.child.once('exit', (code) => reject(new Error(`smtp-sink exited (${code})`)));
    });
  }

  /** Starts its CPU reading afresh (at the start of the timed part). */
  reset(): void { this.child.stdin.write('reset\n'); }

  async report(): Promise<SinkReport> {
    this.child.stdin.write('report\n');
    return JSON.parse(await this.next()) as SinkReport;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.child.exitCode !== null) { resolve(); return; }
      this.child.once('exit', () => resolve());
      this.child.stdin.end();
    });
  }
}

/** Runs fn(0..n-1) with at most `limit` calls in flight. */
async function pool(n: number, limit: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, n) }, async () => {
    for (let i = next++; i < n; i = next++) await fn(i);
  }));
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const url = argString(args, 'url');
  const pgSchema = args.get('pg-schema');
  const nAssignments = argInt(args, 'assignments');
  const pooled = args.has('pooled');
  const engine = url.startsWith('sqlite:') ? 'sqlite' : 'postgres';
  const problems: string[] = [];

  const { sink, port } = await Sink.start();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'openpim-outbox-'));
  try {
    const clock = new FakeClock('2026-01-05T09:00:00.000Z');
    const smtpUrl = `smtp://127.0.0.1:${port}${pooled ? '/?pool=true' : ''}`;
    const config = loadConfig({
      PIM_DATABASE_URL: url, PIM_LOG_LEVEL: 'silent', PIM_SMTP_URL: smtpUrl, PIM_DATA_DIR: dataDir,
      PIM_SECRET_KEY: randomBytes(32).toString('base64'), PIM_PUBLIC_URL: 'https://pim.bench.example.com',
    });
    const rt = await openRuntime(config, { clock, log: pino({ level: 'silent' }), ...(pgSchema !== undefined ? { db: { pgSchema } } : {}) });
    const db = rt.deps.db;
    if ((await db.selectFrom('outbox').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n > 0) throw new Error('outbox.ts needs a fresh database');

    // ---- 1. setup: N assignments, each an outbox event calling for two mails ----
    let t0 = process.hrtime.bigint();
    const admin = await bootstrapAdmin(rt.system, 'admin@bench.example.com', 'Bench Admin');
    const asAdmin = withActor(rt.deps, { id: admin.userId, type: 'user', scopes: ['api'] });
    const role = await createRole(rt.system, { displayName: 'Bench Outbox Operator', description: 'benchmark role', permissions: ['app:operate'] });
    const now = clock.nowMs();
    const users = Array.from({ length: nAssignments }, (_, i) => ({ id: randomUUID(), upn: `outbox${i}@bench.example.com` }));
    await db.transaction().execute(async (trx) => {
      for (let i = 0; i < users.length; i += 500) {
        await trx.insertInto('users').values(users.slice(i, i + 500).map((u, j) => ({
          id: u.id, user_principal_name: u.upn, upn_lower: u.upn, display_name: `Outbox User ${i + j}`, mail: u.upn,
          enabled: 1, manager_id: null, last_sign_in_at: null, created_at: now, updated_at: now, deleted_at: null,
        }))).execute();
      }
    });
    await rt.deps.index.load();
    await pool(users.length, 8, async (i) => {
      await submitRequest(asAdmin, {
        action: 'adminAssign', kind: 'eligible', principalId: users[i]!.id, roleId: role.id, scope: '/',
        schedule: { permanent: true }, justification: 'benchmark: outbox',
      });
    });
    const events = Number((await db.selectFrom('outbox').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', 'pending').executeTakeFirstOrThrow()).n);
    log(`outbox (${engine}): ${nAssignments} assignments made in ${secondsSince(t0).toFixed(2)} s; ${events} outbox events waiting`);

    // ---- 2. fan-out, 3. send ----
    const worker = new DeliveryWorker(rt.system);
    sink.reset();
    const cpu0 = process.cpuUsage();
    t0 = process.hrtime.bigint();
    let fannedOut = 0;
    for (let n = await fanOutEvents(rt.system); n > 0; n = await fanOutEvents(rt.system)) fannedOut += n;
    const fanoutS = secondsSince(t0);
    const deliveries = Number((await db.selectFrom('deliveries').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    const t1 = process.hrtime.bigint();
    const counts = await worker.tick();
    const sendS = secondsSince(t1);
    const totalS = secondsSince(t0);
    const cpu = process.cpuUsage(cpu0);
    const workerCpuPct = Math.round((100 * (cpu.user + cpu.system)) / (totalS * 1e6));
    const report = await sink.report();
    await worker.stop();

    // ---- 4. checks ----
    if (counts === undefined) problems.push('the delivery pass failed (see the log)');
    if (fannedOut !== events) problems.push(`fanned out ${fannedOut} events of ${events}`);
    const rows = await db.selectFrom('deliveries').select(['id', 'status']).execute();
    const sent = rows.filter((d) => d.status === 'sent');
    if (sent.length !== rows.length) problems.push(`${rows.length - sent.length} of ${rows.length} deliveries not sent: ${JSON.stringify(Object.fromEntries(['pending', 'sending', 'failed', 'kept'].map((s) => [s, rows.filter((d) => d.status === s).length])))}`);
    if (deliveries < 2 * nAssignments) problems.push(`${deliveries} deliveries for ${nAssignments} assignments (expected at least 2 each)`);
    const received = new Map<string, number>();
    for (const id of report.messageIds) received.set(id, (received.get(id) ?? 0) + 1);
    const duplicates = [...received.values()].filter((n) => n > 1).length;
    const missing = sent.filter((d) => received.get(`<${d.id}@openpim>`) !== 1).length;
    if (report.received !== sent.length || duplicates > 0 || missing > 0 || report.rcpts !== sent.length) {
      problems.push(`the SMTP server received ${report.received} messages (${report.rcpts} recipients, ${duplicates} Message-IDs more than once) for ${sent.length} sent deliveries; ${missing} sent deliveries not received exactly once`);
    }

    const params = {
      engine, assignments: nAssignments, events, deliveries, sent: sent.length, received: report.received, duplicates, missing,
      smtp: `smtp-server on 127.0.0.1 in a separate process (bench/smtp-sink.ts), ${pooled ? 'PIM_SMTP_URL with ?pool=true (nodemailer pool: up to 5 connections, reused)' : 'one connection per message (the default)'}`,
      fanoutS: Math.round(fanoutS * 1000) / 1000, sendS: Math.round(sendS * 1000) / 1000, totalS: Math.round(totalS * 1000) / 1000,
      workerCpuPct, smtpServerCpuPct: report.cpuPct,
    };
    if (!pooled) {
      emit('outbox_fanout_per_s', events / fanoutS, 'events/s', {
        ...params, deliveriesPerS: Math.round(deliveries / fanoutS),
        what: 'fanOutEvents until none is left (the first half of a DeliveryWorker pass): each adminAssign event read with its schedule, request, role settings and addresses, rendered into two mails (text + HTML), inserted as deliveries, the event marked done; 200 events per transaction',
      });
    }
    emit(pooled ? 'outbox_mail_pooled_per_s' : 'outbox_mail_per_s', sent.length / totalS, 'mails/s', {
      ...params, sendOnlyPerS: Math.round(sent.length / sendS),
      what: 'end to end: fan-out, then DeliveryWorker.tick() sending every delivery to the SMTP server (up to 20 in flight, each attempt recorded) until nothing is due; mails accepted by the server per second',
    });
    log(`outbox (${engine}${pooled ? ', pooled SMTP' : ''}): ${events} events → ${deliveries} deliveries in ${fanoutS.toFixed(2)} s; ${sent.length} mails sent in ${sendS.toFixed(2)} s (${Math.round(sent.length / totalS)}/s end to end; worker CPU ${workerCpuPct} %, SMTP server ${report.cpuPct} %)`);
    await rt.close();
  } finally {
    await sink.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
  if (problems.length > 0) throw new Error(`outbox (${engine}) failed:\n  ${problems.join('\n  ')}`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
