import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { FakeClock } from '../../src/clock.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import type { App } from '../../src/http/app.ts';
import { openRuntime, openServer, type Runtime } from '../../src/runtime.ts';
import { bootstrapAdmin } from '../../src/services/bootstrap.ts';
import { withActor, type ServiceContext } from '../../src/services/context.ts';

/** PostgreSQL when PIM_TEST_DATABASE_URL is set (CI runs the suite on both), SQLite otherwise. */
export const PG_URL = process.env.PIM_TEST_DATABASE_URL;
export const ENGINE: 'postgres' | 'sqlite' = PG_URL ? 'postgres' : 'sqlite';

let counter = 0;

export interface TestDb {
  url: string;
  pgSchema?: string;
  dispose(): Promise<void>;
}

/** A fresh, empty database: a temp SQLite file, or a new schema on the PostgreSQL server. */
export function freshDatabase(): TestDb {
  if (PG_URL) {
    const schema = `t_${randomUUID().replace(/-/g, '').slice(0, 16)}_${counter++}`;
    return {
      url: PG_URL,
      pgSchema: schema,
      dispose: async () => {
        const c = new pg.Client({ connectionString: PG_URL });
        await c.connect();
        try { await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`); } finally { await c.end(); }
      },
    };
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'openpim-test-'));
  return { url: `sqlite:${path.join(dir, 'openpim.db')}`, dispose: () => { rmSync(dir, { recursive: true, force: true }); return Promise.resolve(); } };
}

export interface Harness {
  rt: Runtime;
  app: App;
  clock: FakeClock;
  config: Config;
  db: TestDb;
  system: ServiceContext;
  close(): Promise<void>;
}

export async function startHarness(opts: { clock?: FakeClock; env?: Record<string, string> } = {}): Promise<Harness> {
  const db = freshDatabase();
  const clock = opts.clock ?? new FakeClock();
  const config = loadConfig({ PIM_DATABASE_URL: db.url, PIM_LOG_LEVEL: 'silent', PIM_SECRET_KEY: randomBytes(32).toString('base64'), ...opts.env });
  const rt = await openRuntime(config, { clock, log: pino({ level: 'silent' }), db: db.pgSchema !== undefined ? { pgSchema: db.pgSchema, poolSize: 12 } : {} });
  const app = await openServer(rt);
  await app.ready();
  return {
    rt, app, clock, config, db, system: rt.system,
    close: async () => { await app.close(); await rt.close(); await db.dispose(); },
  };
}

/** A page of a list endpoint; items stay untyped JSON (tests read them field by field). */
export type Paged = { items: any[]; nextCursor: string | null };

export interface Res<T = any> { status: number; body: T; headers: Record<string, unknown> }

/** A tiny API client over the app (Fastify inject: the real router, validation, auth and serialization). */
export class Api {
  constructor(private readonly app: App, readonly token?: string) {}
  as(token: string): Api { return new Api(this.app, token); }
  async call<T = any>(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<Res<T>> {
    const res = await this.app.inject({
      method: method as 'GET', url,
      headers: { ...(this.token ? { authorization: `Bearer ${this.token}` } : {}), ...(body !== undefined && typeof body !== 'string' ? { 'content-type': 'application/json' } : {}), ...headers },
      ...(body !== undefined ? { payload: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    const text = res.body;
    let parsed: unknown = text;
    try { parsed = text === '' ? null : JSON.parse(text); } catch { /* not JSON */ }
    return { status: res.statusCode, body: parsed as T, headers: res.headers };
  }
  get<T = any>(url: string) { return this.call<T>('GET', url); }
  post<T = any>(url: string, body?: unknown) { return this.call<T>('POST', url, body ?? {}); }
  patch<T = any>(url: string, body: unknown) { return this.call<T>('PATCH', url, body); }
  delete<T = any>(url: string) { return this.call<T>('DELETE', url); }
}

/** A harness with a bootstrapped Global Administrator and an API client for it. */
export async function startWithAdmin(opts: { clock?: FakeClock; env?: Record<string, string> } = {}) {
  const h = await startHarness(opts);
  const boot = await bootstrapAdmin(h.system, 'admin@example.com', 'Admin');
  const anon = new Api(h.app);
  return { ...h, anon, admin: anon.as(boot.token), adminId: boot.userId, adminToken: boot.token };
}

export function ctxAs(h: Harness, id: string, type: 'user' | 'servicePrincipal' = 'user'): ServiceContext {
  return withActor(h.rt.deps, { id, type, scopes: ['api', 'check'] });
}
