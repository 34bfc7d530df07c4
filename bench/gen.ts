/**
 * Child: creates the benchmark tenant in a database, fast, and writes the check workload.
 *
 *   node --import tsx bench/gen.ts --url=sqlite:/tmp/x.db --schedules=320000 --checks=200000 --base-ms=… --out=/tmp/x.json [--pg-schema=s]
 *
 * The schema comes from the real migrations and the built-in roles from the real seeding
 * (openRuntime); the bulk rows then go straight through the drivers: multi-row prepared
 * INSERTs inside one transaction on SQLite, INSERT … SELECT FROM unnest(array params) in
 * batches of 20K rows on PostgreSQL (one round trip per batch, no per-row parameters).
 * No audit rows are written: AccessIndex.load() only reads max(seq) of audit_events.
 */
import { writeFileSync } from 'node:fs';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import pino from 'pino';
import { hashToken } from '../src/auth/tokens.ts';
import { loadConfig } from '../src/config.ts';
import { openRuntime } from '../src/runtime.ts';
import { argInt, argString, emit, log, parseArgs } from './common.ts';
import { buildChecks, buildTenant, type Tenant } from './tenant.ts';

type ColType = 'text' | 'bigint' | 'integer';
type Cell = string | number | null;

interface BulkWriter {
  /** Inserts n rows; fill(i) returns row i's cells in column order. */
  insert(table: string, cols: ReadonlyArray<readonly [string, ColType]>, n: number, fill: (i: number) => Cell[]): Promise<void>;
  finish(): Promise<void>;
}

function sqliteWriter(file: string): BulkWriter {
  const db = new SQLite(file);
  // A bulk load into a fresh file: no journal while loading, then back to WAL as openpim runs it.
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -262144'); // 256 MiB while loading
  db.exec('BEGIN');
  return {
    insert(table, cols, n, fill) {
      const names = cols.map((c) => c[0]).join(', ');
      const tuple = `(${cols.map(() => '?').join(', ')})`;
      const batch = Math.max(1, Math.min(500, Math.floor(32_000 / cols.length)));
      const full = db.prepare(`INSERT INTO ${table} (${names}) VALUES ${Array.from({ length: batch }, () => tuple).join(', ')}`);
      const params: Cell[] = [];
      let i = 0;
      for (; i + batch <= n; i += batch) {
        params.length = 0;
        for (let j = i; j < i + batch; j++) for (const v of fill(j)) params.push(v);
        full.run(params);
      }
      if (i < n) {
        const rest = db.prepare(`INSERT INTO ${table} (${names}) VALUES ${Array.from({ length: n - i }, () => tuple).join(', ')}`);
        params.length = 0;
        for (let j = i; j < n; j++) for (const v of fill(j)) params.push(v);
        rest.run(params);
      }
      return Promise.resolve();
    },
    finish() {
      db.exec('COMMIT');
      db.pragma('journal_mode = WAL');
      db.close();
      return Promise.resolve();
    },
  };
}

async function pgWriter(url: string, schema: string): Promise<BulkWriter> {
  const client = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
  await client.connect();
  await client.query('SET synchronous_commit = off');
  await client.query('BEGIN');
  const tables: string[] = [];
  return {
    async insert(table, cols, n, fill) {
      tables.push(table);
      const names = cols.map((c) => c[0]).join(', ');
      const sql = `INSERT INTO ${table} (${names}) SELECT * FROM unnest(${cols.map((c, k) => `$${k + 1}::${c[1]}[]`).join(', ')})`;
      const batch = 20_000;
      for (let i = 0; i < n; i += batch) {
        const m = Math.min(batch, n - i);
        const arrays: Cell[][] = cols.map(() => new Array<Cell>(m));
        for (let j = 0; j < m; j++) {
          const row = fill(i + j);
          for (let k = 0; k < cols.length; k++) arrays[k]![j] = row[k]!;
        }
        await client.query(sql, arrays);
      }
    },
    async finish() {
      await client.query('COMMIT');
      // A live database has statistics; give the planner the same before the index loads.
      for (const t of new Set(tables)) await client.query(`ANALYZE ${t}`);
      await client.end();
    },
  };
}

async function writeTenant(w: BulkWriter, t: Tenant): Promise<number> {
  const created = t.baseMs - 800 * 86_400_000;
  let rows = 0;
  const count = async (table: string, cols: ReadonlyArray<readonly [string, ColType]>, n: number, fill: (i: number) => Cell[]) => {
    const t0 = process.hrtime.bigint();
    await w.insert(table, cols, n, fill);
    rows += n;
    log(`  ${table}: ${n} rows in ${(Number(process.hrtime.bigint() - t0) / 1e9).toFixed(2)} s`);
  };
  const custom = t.roles.filter((r) => !r.builtin);
  await count('roles', [['id', 'text'], ['display_name', 'text'], ['name_lower', 'text'], ['description', 'text'], ['is_builtin', 'integer'], ['is_privileged', 'integer'], ['permissions', 'text'], ['created_at', 'bigint'], ['updated_at', 'bigint'], ['deleted_at', 'bigint']],
    custom.length, (i) => { const r = custom[i]!; return [r.id, r.name, r.name.toLowerCase(), 'benchmark role', 0, 0, JSON.stringify(r.permissions), created, created, null]; });
  await count('administrative_units', [['id', 'text'], ['display_name', 'text'], ['description', 'text'], ['created_at', 'bigint'], ['updated_at', 'bigint'], ['deleted_at', 'bigint']],
    t.auIds.length, (i) => [t.auIds[i]!, `AU ${i}`, null, created, created, null]);
  await count('users', [['id', 'text'], ['user_principal_name', 'text'], ['upn_lower', 'text'], ['display_name', 'text'], ['mail', 'text'], ['enabled', 'integer'], ['manager_id', 'text'], ['last_sign_in_at', 'bigint'], ['created_at', 'bigint'], ['updated_at', 'bigint'], ['deleted_at', 'bigint']],
    t.userIds.length, (i) => { const upn = `user${i}@bench.example.com`; return [t.userIds[i]!, upn, upn, `Bench User ${i}`, upn, 1, null, null, created, created, null]; });
  await count('groups', [['id', 'text'], ['display_name', 'text'], ['name_lower', 'text'], ['description', 'text'], ['role_assignable', 'integer'], ['created_at', 'bigint'], ['updated_at', 'bigint'], ['deleted_at', 'bigint']],
    t.groupIds.length, (i) => [t.groupIds[i]!, `Bench Group ${i}`, `bench group ${i}`, null, 1, created, created, null]);
  await count('group_members', [['id', 'text'], ['group_id', 'text'], ['member_id', 'text'], ['member_type', 'text'], ['added_at', 'bigint'], ['removed_at', 'bigint']],
    t.memberships.length, (i) => { const m = t.memberships[i]!; return [m.id, t.groupIds[m.group]!, t.userIds[m.user]!, 'user', Math.round(m.addedAt), m.removedAt === null ? null : Math.round(m.removedAt)]; });
  const s = t.schedules;
  await count('schedules', [['id', 'text'], ['kind', 'text'], ['principal_id', 'text'], ['principal_type', 'text'], ['role_id', 'text'], ['scope', 'text'], ['start_at', 'bigint'], ['end_at', 'bigint'], ['assignment_type', 'text'], ['linked_eligibility_id', 'text'], ['created_by_request_id', 'text'], ['created_at', 'bigint'], ['updated_at', 'bigint'], ['ended_at', 'bigint'], ['end_reason', 'text'], ['ended_by', 'text']],
    s.id.length, (i) => [s.id[i]!, s.kind[i]!, s.principal[i]!, s.principalType[i]!, s.role[i]!, s.scope[i]!, s.start[i]!, s.end[i]!, s.assignmentType[i]!, s.linked[i]!, null, s.start[i]!, s.start[i]!, null, null, null]);
  // The caller of the check API: a service principal with a `check`-scope token.
  const c = t.caller;
  await count('service_principals', [['id', 'text'], ['display_name', 'text'], ['app_id', 'text'], ['enabled', 'integer'], ['created_at', 'bigint'], ['updated_at', 'bigint'], ['deleted_at', 'bigint']],
    1, () => [c.spId, 'Bench check caller', c.appId, 1, created, created, null]);
  await count('api_tokens', [['id', 'text'], ['owner_id', 'text'], ['owner_type', 'text'], ['name', 'text'], ['token_hash', 'text'], ['scopes', 'text'], ['created_by', 'text'], ['created_at', 'bigint'], ['expires_at', 'bigint'], ['revoked_at', 'bigint'], ['last_used_at', 'bigint']],
    1, () => [c.tokenId, c.spId, 'servicePrincipal', 'bench', hashToken(c.token), JSON.stringify(['check']), null, t.baseMs, t.baseMs + 86_400_000, null, null]);
  return rows;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const url = argString(args, 'url');
  const pgSchema = args.get('pg-schema');
  const schedules = argInt(args, 'schedules');
  const nChecks = argInt(args, 'checks');
  const baseMs = argInt(args, 'base-ms');
  const out = argString(args, 'out');
  const engine = url.startsWith('sqlite:') ? 'sqlite' : 'postgres';

  // Migrations and the built-in role catalogue, exactly as a server would create them.
  const config = loadConfig({ PIM_DATABASE_URL: url, PIM_LOG_LEVEL: 'silent' });
  const rt = await openRuntime(config, { log: pino({ level: 'silent' }), ...(pgSchema !== undefined ? { db: { pgSchema } } : {}) });
  await rt.close();

  let t0 = process.hrtime.bigint();
  const tenant = buildTenant(schedules, baseMs);
  const checks = buildChecks(tenant, nChecks);
  const modelS = Number(process.hrtime.bigint() - t0) / 1e9;
  log(`tenant model (${schedules} schedules, ${tenant.spec.users} users, ${tenant.spec.groups} groups, ${tenant.memberships.length} membership rows) and ${checks.length} checks built in ${modelS.toFixed(2)} s`);

  t0 = process.hrtime.bigint();
  const writer = engine === 'sqlite' ? sqliteWriter(url.slice('sqlite:'.length)) : await pgWriter(url, pgSchema ?? 'public');
  const rows = await writeTenant(writer, tenant);
  await writer.finish();
  const insertS = Number(process.hrtime.bigint() - t0) / 1e9;

  writeFileSync(out, JSON.stringify({
    spec: tenant.spec, baseMs, memberships: tenant.memberships.length, token: tenant.caller.token, callerId: tenant.caller.spId, checks,
  }));
  emit('tenant_insert_s', insertS, 's', {
    engine, schedules, users: tenant.spec.users, groups: tenant.spec.groups, eligible: tenant.spec.eligible, active: tenant.spec.active,
    membershipRows: tenant.memberships.length, rows, rowsPerSecond: Math.round(rows / insertS),
    method: engine === 'sqlite' ? 'better-sqlite3 multi-row prepared INSERT (≤500 rows), one transaction' : 'INSERT … SELECT FROM unnest($arrays), 20K rows per statement, one transaction, then ANALYZE',
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
