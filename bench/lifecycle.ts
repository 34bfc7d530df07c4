/**
 * Child: the activation lifecycle, end to end on the real runtime and HTTP server.
 *
 *   node --import tsx bench/lifecycle.ts --url=… [--pg-schema=…] --latency=500 --activations=3000 --concurrency=16 --expiry=10000 [--warmup=50] [--expiry-concurrency=8] [--sqlite-analyze]
 *
 * Needs a fresh database (bench/run.ts hands it a temp SQLite file or a new PostgreSQL schema).
 * The runtime runs on a FakeClock, so activations made at one instant all end at one instant.
 *
 *  1. Setup: a custom role whose settings ask for a justification only (no MFA, no approval),
 *     then a bulk insert of users, each with an `api` token and a permanent eligibility of the
 *     role, and a service principal with a `check` token; the access index is reloaded.
 *  2. Latency and throughput over HTTP (bench/lifecycle-load.ts, a separate process): for K
 *     users in turn, selfActivate then check (must be allowed); then M activations of other
 *     users from C concurrent callers.
 *  3. Expiry: E more users activate for PT1H at the same instant (in process, through
 *     submitRequest as each user); the clock moves to 1 ms before their end (all allowed), then
 *     to the end (all denied, in process and over POST /api/v1/check/batch, before any job
 *     ran); then runDueJobs is timed and the database checked: every one ended with
 *     end_reason 'expired' at its due time, one `schedule.active.ended` event each, and the
 *     audit hash chain verifies.
 *
 * --sqlite-analyze (diagnosis only; run.ts does not pass it) runs ANALYZE on SQLite after the
 * setup, which openpim itself never does: it shows what planner statistics change.
 */
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql, type InsertObject } from 'kysely';
import pino from 'pino';
import { hashToken, newToken } from '../src/auth/tokens.ts';
import { FakeClock } from '../src/clock.ts';
import { loadConfig } from '../src/config.ts';
import { openRuntime, openServer } from '../src/runtime.ts';
import { checkNow } from '../src/services/check-access.ts';
import { withActor } from '../src/services/context.ts';
import { runDueJobs } from '../src/services/due-jobs.ts';
import { updateRoleSettings } from '../src/services/role-settings.ts';
import { createRole } from '../src/services/roles.ts';
import { submitRequest } from '../src/services/submit-request.ts';
import { verifyAuditChain } from '../src/services/verify-audit-chain.ts';
import type { Db } from '../src/store/db.ts';
import type { Database } from '../src/store/schema.ts';
import { argInt, argString, BENCH_DIR, emit, log, parseArgs } from './common.ts';
import type { LifecycleWorkload } from './lifecycle-load.ts';

const HOUR = 3_600_000;
const secondsSince = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e9;

/** Runs fn(0..n-1) with at most `limit` calls in flight. */
async function pool(n: number, limit: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, n) }, async () => {
    for (let i = next++; i < n; i = next++) await fn(i);
  }));
}

/** Multi-row INSERTs through the runtime's own Kysely, in one transaction (both engines). */
async function bulkInsert<T extends keyof Database>(db: Db, table: T, rows: ReadonlyArray<InsertObject<Database, T>>): Promise<void> {
  if (rows.length === 0) return;
  const perRow = Object.keys(rows[0]!).length;
  const batch = Math.max(1, Math.floor(30_000 / perRow));
  await db.transaction().execute(async (trx) => {
    for (let i = 0; i < rows.length; i += batch) {
      await trx.insertInto(table).values(rows.slice(i, i + batch)).execute();
    }
  });
}

interface LoadEvent {
  kind: string;
  [k: string]: unknown;
}
interface Summary { p50Ms: number; p90Ms: number; p99Ms: number; maxMs: number; meanMs: number }

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const url = argString(args, 'url');
  const pgSchema = args.get('pg-schema');
  const nLatency = argInt(args, 'latency');
  const nThroughput = argInt(args, 'activations');
  const concurrency = argInt(args, 'concurrency', 16);
  const nExpiry = argInt(args, 'expiry');
  const nWarmup = argInt(args, 'warmup', 50);
  const expiryConcurrency = argInt(args, 'expiry-concurrency', 8);
  const engine = url.startsWith('sqlite:') ? 'sqlite' : 'postgres';
  const sqliteAnalyze = args.has('sqlite-analyze');
  const nUsers = nWarmup + nLatency + nThroughput + nExpiry;
  const base: Record<string, unknown> = { engine, users: nUsers, eligible: nUsers };
  const problems: string[] = [];

  const clock = new FakeClock('2026-01-05T09:00:00.000Z');
  const config = loadConfig({ PIM_DATABASE_URL: url, PIM_LOG_LEVEL: 'silent', PIM_CHECK_RATE_LIMIT_PER_MINUTE: '100000000' });
  const rt = await openRuntime(config, { clock, log: pino({ level: 'silent' }), ...(pgSchema !== undefined ? { db: { pgSchema } } : {}) });
  const db = rt.deps.db;
  if ((await db.selectFrom('schedules').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n > 0) throw new Error('lifecycle.ts needs a fresh database');

  // ---- 1. setup ----
  let t0 = process.hrtime.bigint();
  const role = await createRole(rt.system, { displayName: 'Bench Lifecycle Operator', description: 'benchmark role', permissions: ['app:operate'] });
  await updateRoleSettings(rt.system, role.id, '/', { activation: { requireMfa: false, requireJustification: true } });
  const now = clock.nowMs();
  const users: Array<[string, string]> = Array.from({ length: nUsers }, () => [randomUUID(), newToken(randomBytes(24).toString('base64url'))]);
  const checkSp = { id: randomUUID(), appId: randomUUID(), token: newToken(randomBytes(24).toString('base64url')) };
  await bulkInsert(db, 'users', users.map(([id], i) => {
    const upn = `lifecycle${i}@bench.example.com`;
    return { id, user_principal_name: upn, upn_lower: upn, display_name: `Lifecycle User ${i}`, mail: upn, enabled: 1, manager_id: null, last_sign_in_at: null, created_at: now, updated_at: now, deleted_at: null };
  }));
  await bulkInsert(db, 'service_principals', [{ id: checkSp.id, display_name: 'Bench check caller', app_id: checkSp.appId, enabled: 1, created_at: now, updated_at: now, deleted_at: null }]);
  const token = (owner: string, ownerType: 'user' | 'servicePrincipal', secret: string, scopes: string[]) => ({
    id: randomUUID(), owner_id: owner, owner_type: ownerType, name: 'bench', token_hash: hashToken(secret), scopes: JSON.stringify(scopes),
    created_by: null, created_at: now, expires_at: now + 30 * 24 * HOUR, revoked_at: null, last_used_at: null,
  });
  await bulkInsert(db, 'api_tokens', [...users.map(([id, t]) => token(id, 'user', t, ['api'])), token(checkSp.id, 'servicePrincipal', checkSp.token, ['check'])]);
  await bulkInsert(db, 'schedules', users.map(([id]) => ({
    id: randomUUID(), kind: 'eligible' as const, principal_id: id, principal_type: 'user' as const, role_id: role.id, scope: '/', start_at: now - 24 * HOUR, end_at: null,
    assignment_type: 'Assigned' as const, linked_eligibility_id: null, created_by_request_id: null, created_at: now, updated_at: now, ended_at: null, end_reason: null, ended_by: null, reminded_level: 0,
  })));
  // A live PostgreSQL has statistics (autovacuum); give the planner the same, as gen.ts does.
  // openpim never runs ANALYZE on SQLite, so a live SQLite file has none: left so unless asked.
  if (engine === 'postgres') for (const t of ['users', 'api_tokens', 'schedules']) await sql.raw(`ANALYZE ${t}`).execute(db);
  else if (sqliteAnalyze) await sql.raw('ANALYZE').execute(db);
  await rt.deps.index.load();
  const setupS = secondsSince(t0);
  base.setupS = Math.round(setupS * 1000) / 1000;
  base.plannerStatistics = engine === 'postgres' ? 'ANALYZE after the bulk insert' : sqliteAnalyze ? 'ANALYZE after the bulk insert (--sqlite-analyze)' : 'none (openpim never runs ANALYZE on SQLite)';
  log(`lifecycle (${engine}): role, ${nUsers} users with tokens and eligibilities set up in ${setupS.toFixed(2)} s`);

  const app = await openServer(rt);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address();
  if (addr === null || typeof addr === 'string') throw new Error('no address');
  const baseUrl = `http://127.0.0.1:${addr.port}`;

  // ---- 2. latency and throughput over HTTP, from a separate process ----
  const dir = mkdtempSync(path.join(os.tmpdir(), 'openpim-lifecycle-'));
  const workloadFile = path.join(dir, 'workload.json');
  const workload: LifecycleWorkload = {
    roleId: role.id, checkToken: checkSp.token, duration: 'PT2H',
    warmup: users.slice(0, nWarmup), latency: users.slice(nWarmup, nWarmup + nLatency), throughput: users.slice(nWarmup + nLatency, nWarmup + nLatency + nThroughput),
  };
  writeFileSync(workloadFile, JSON.stringify(workload));
  const events: Array<LoadEvent & { serverCpuPct: number }> = [];
  try {
    let cpu0 = process.cpuUsage();
    let wall0 = process.hrtime.bigint();
    await new Promise<void>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', path.join(BENCH_DIR, 'lifecycle-load.ts'), `--url=${baseUrl}`, `--workload=${workloadFile}`, `--concurrency=${concurrency}`], { stdio: ['ignore', 'pipe', 'inherit'] });
      let buf = '';
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (chunk: string) => {
        buf += chunk;
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const ev = JSON.parse(buf.slice(0, nl)) as LoadEvent;
          buf = buf.slice(nl + 1);
          if (ev.kind === 'start') {
            cpu0 = process.cpuUsage();
            wall0 = process.hrtime.bigint();
          } else {
            const cpu = process.cpuUsage(cpu0);
            events.push({ ...ev, serverCpuPct: Math.round((100 * (cpu.user + cpu.system)) / (Number(process.hrtime.bigint() - wall0) / 1000)) });
          }
        }
      });
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`lifecycle load generator exited with ${code}`))));
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const transport = 'fetch (undici, keep-alive) from a separate process (bench/lifecycle-load.ts) to 127.0.0.1';
  const lat = events.find((e) => e.kind === 'latency') as (LoadEvent & { serverCpuPct: number; users: number; failures: number; firstFailure: string | null; total: Summary; activation: Summary; check: Summary; loadgenCpuPct: number }) | undefined;
  const thr = events.find((e) => e.kind === 'throughput') as (LoadEvent & { serverCpuPct: number; activations: number; ok: number; errors: number; firstError: string | null; wallMs: number; latency: Summary; loadgenCpuPct: number }) | undefined;
  if (lat === undefined || thr === undefined) throw new Error('the load generator reported no results');
  if (lat.failures > 0) problems.push(`${lat.failures} activation → check sequences failed (first: ${lat.firstFailure ?? ''})`);
  if (thr.errors > 0) problems.push(`${thr.errors} activations failed (first: ${thr.firstError ?? ''})`);
  const latTarget = engine === 'sqlite' ? 50 : 100;
  const latParams = {
    ...base, sequences: lat.users, warmup: nWarmup, failures: lat.failures, activationP50Ms: lat.activation.p50Ms, activationP99Ms: lat.activation.p99Ms,
    checkP50Ms: lat.check.p50Ms, checkP99Ms: lat.check.p99Ms, serverCpuPct: lat.serverCpuPct, loadgenCpuPct: lat.loadgenCpuPct, transport,
    what: 'one caller: POST /api/v1/requests selfActivate (justification, no MFA, no approval), then POST /api/v1/check for that user and role (must be allowed)',
  };
  emit('activation_to_check_ms_p50', lat.total.p50Ms, 'ms', { ...latParams, p90Ms: lat.total.p90Ms, meanMs: lat.total.meanMs });
  emit('activation_to_check_ms_p99', lat.total.p99Ms, 'ms', { ...latParams, maxMs: lat.total.maxMs, target: `<= ${latTarget} ms`, met: lat.total.p99Ms <= latTarget && lat.failures === 0 });
  const rate = thr.ok / (thr.wallMs / 1000);
  emit('activations_per_s', rate, 'activations/s', {
    ...base, activations: thr.activations, ok: thr.ok, errors: thr.errors, concurrency, wallS: Math.round(thr.wallMs) / 1000,
    p50Ms: thr.latency.p50Ms, p99Ms: thr.latency.p99Ms, maxMs: thr.latency.maxMs, serverCpuPct: thr.serverCpuPct, loadgenCpuPct: thr.loadgenCpuPct, transport,
    what: 'POST /api/v1/requests selfActivate of distinct users from concurrent callers, each sending its next request when the last is answered',
    ...(engine === 'sqlite' ? { target: '>= 500/s', met: rate >= 500 && thr.errors === 0 } : { note: 'no target on PostgreSQL' }),
  });
  log(`lifecycle (${engine}): activation → check p50 ${lat.total.p50Ms} ms, p99 ${lat.total.p99Ms} ms (${lat.failures} failures); ${Math.round(rate)} activations/s from ${concurrency} callers (${thr.errors} errors)`);
  const activeAfterHttp = (await db.selectFrom('schedules').select((eb) => eb.fn.countAll<number>().as('n')).where('role_id', '=', role.id).where('kind', '=', 'active').where('ended_at', 'is', null).executeTakeFirstOrThrow()).n;
  if (Number(activeAfterHttp) !== nWarmup + nLatency + nThroughput) problems.push(`${activeAfterHttp} open activations after the HTTP phases, expected ${nWarmup + nLatency + nThroughput}`);

  // ---- 3. expiry: E activations ending at the same instant ----
  const expiryUsers = users.slice(nWarmup + nLatency + nThroughput);
  const scheduleIds: string[] = new Array<string>(expiryUsers.length);
  let activationFailures = 0;
  t0 = process.hrtime.bigint();
  await pool(expiryUsers.length, expiryConcurrency, async (i) => {
    const id = expiryUsers[i]![0];
    const r = await submitRequest(withActor(rt.deps, { id, type: 'user', scopes: ['api'] }), {
      action: 'selfActivate', principalId: id, roleId: role.id, justification: 'benchmark: expiry', schedule: { duration: 'PT1H' },
    });
    if (r.status !== 'Provisioned' || r.targetScheduleId === null) activationFailures++;
    else scheduleIds[i] = r.targetScheduleId;
  });
  const createS = secondsSince(t0);
  if (activationFailures > 0) throw new Error(`${activationFailures} of the expiry activations were not provisioned`);
  const endAt = clock.nowMs() + HOUR;
  log(`lifecycle (${engine}): ${expiryUsers.length} activations for PT1H made in process in ${createS.toFixed(2)} s (${Math.round(expiryUsers.length / createS)}/s); all end at ${new Date(endAt).toISOString()}`);

  const countAllowed = () => {
    const at = clock.nowMs();
    const iso = new Date(at).toISOString();
    let n = 0;
    for (const [id] of expiryUsers) if (checkNow(rt.system, id, { roleId: role.id }, '/', at, iso).allowed) n++;
    return n;
  };
  clock.set(endAt - 1);
  const allowedBefore = countAllowed();
  clock.set(endAt);
  const allowedAtEnd = countAllowed();
  // The same over the API, in calls of 1,000 checks.
  let httpAllowedAtEnd = 0;
  for (let i = 0; i < expiryUsers.length; i += 1000) {
    const res = await fetch(`${baseUrl}/api/v1/check/batch`, {
      method: 'POST', headers: { authorization: `Bearer ${checkSp.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ checks: expiryUsers.slice(i, i + 1000).map(([id]) => ({ principal: id, role: role.id, scope: '/' })) }),
    });
    if (res.status !== 200) throw new Error(`check/batch answered ${res.status}: ${await res.text()}`);
    for (const r of ((await res.json()) as { results: Array<{ allowed: boolean }> }).results) if (r.allowed) httpAllowedAtEnd++;
  }
  const grantsBefore = rt.deps.index.scheduleCount;
  const deniedPct = (100 * (expiryUsers.length - Math.max(allowedAtEnd, httpAllowedAtEnd))) / expiryUsers.length;
  if (allowedBefore !== expiryUsers.length) problems.push(`only ${allowedBefore} of ${expiryUsers.length} allowed 1 ms before their end`);
  if (deniedPct !== 100) problems.push(`${allowedAtEnd} (in process) / ${httpAllowedAtEnd} (HTTP) still allowed at their end`);
  emit('expiry_denied_at_end_pct', deniedPct, '%', {
    ...base, activations: expiryUsers.length, allowedOneMsBefore: allowedBefore, allowedAtEndInProcess: allowedAtEnd, allowedAtEndHttp: httpAllowedAtEnd,
    what: 'at endAt, before any job ran: checkNow for every activation, and POST /api/v1/check/batch (1,000 per call) for every activation; 1 ms earlier all were allowed',
    target: '100 %', met: deniedPct === 100 && allowedBefore === expiryUsers.length,
  });

  // The jobs, as the scheduler's next tick would run them.
  t0 = process.hrtime.bigint();
  const counts = await runDueJobs(rt.system);
  const jobS = secondsSince(t0);
  log(`lifecycle (${engine}): runDueJobs ended ${counts.expiredSchedules} schedules in ${jobS.toFixed(2)} s`);

  // Verify in the database: every one ended as expired at its due time, audited once, queued once.
  const wanted = new Set(scheduleIds);
  const rows = await db.selectFrom('schedules').select(['id', 'end_reason', 'ended_at', 'end_at']).where('role_id', '=', role.id).where('kind', '=', 'active').where('end_at', '=', endAt).execute();
  const ended = rows.filter((r) => wanted.has(r.id) && r.end_reason === 'expired' && r.ended_at === endAt).length;
  const auditRows = await db.selectFrom('audit_events').select(['target_id', 'after_json']).where('action', '=', 'schedule.active.ended').where('role_id', '=', role.id).execute();
  const audited = new Set(auditRows.filter((e) => e.target_id !== null && wanted.has(e.target_id)).map((e) => e.target_id));
  const outbox = (await db.selectFrom('outbox').select((eb) => eb.fn.countAll<number>().as('n')).where('event_type', '=', 'schedule.expired').executeTakeFirstOrThrow()).n;
  const stillOpen = (await db.selectFrom('schedules').select((eb) => eb.fn.countAll<number>().as('n')).where('ended_at', 'is', null).where('end_at', '<=', endAt).executeTakeFirstOrThrow()).n;
  const allowedAfter = countAllowed();
  t0 = process.hrtime.bigint();
  const chain = await verifyAuditChain(rt.system);
  const verifyS = secondsSince(t0);
  const grantsAfter = rt.deps.index.scheduleCount;
  const allEnded = counts.expiredSchedules === expiryUsers.length && ended === expiryUsers.length && rows.length === expiryUsers.length
    && audited.size === expiryUsers.length && auditRows.length === expiryUsers.length && Number(outbox) === expiryUsers.length && Number(stillOpen) === 0
    && grantsBefore - grantsAfter === expiryUsers.length && allowedAfter === 0;
  if (!allEnded) {
    problems.push(`expiry: job ended ${counts.expiredSchedules}, ${ended} of ${expiryUsers.length} rows ended as expired at endAt, ${auditRows.length} ended events for ${audited.size} of them, ${outbox} outbox messages, ${stillOpen} due rows still open, index ${grantsBefore} → ${grantsAfter} grants, ${allowedAfter} allowed after`);
  }
  if (!chain.ok) problems.push(`audit chain broken: ${JSON.stringify(chain.firstBreak)}`);
  emit('expiry_all_ended_s', jobS, 's', {
    ...base, activations: expiryUsers.length, created: `in process: submitRequest selfActivate as each user, ${expiryConcurrency} in flight`, createS: Math.round(createS * 1000) / 1000,
    jobs: counts, batch: 500, endedAsExpired: ended, endedEvents: auditRows.length, endedEventsForThem: audited.size, outboxMessages: Number(outbox), dueStillOpen: Number(stillOpen),
    indexGrantsBefore: grantsBefore, indexGrantsAfter: grantsAfter, auditChainOk: chain.ok, auditEvents: chain.events, auditVerifyS: Math.round(verifyS * 1000) / 1000,
    what: 'runDueJobs(system) after the clock reached their common end: ends every schedule (end_reason expired, ended_at = end_at), one schedule.active.ended event and one outbox message each, index synced',
    target: '<= 30 s', met: jobS <= 30 && allEnded && chain.ok,
  });
  log(`lifecycle (${engine}): audit chain of ${chain.events} events ${chain.ok ? 'verified' : 'BROKEN'} in ${verifyS.toFixed(2)} s`);

  await app.close();
  await rt.close();
  if (problems.length > 0) throw new Error(`lifecycle (${engine}) failed:\n  ${problems.join('\n  ')}`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
