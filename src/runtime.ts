import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pino, { type Logger } from 'pino';
import { SecretBox } from './auth/secret-box.ts';
import { systemClock, type Clock } from './clock.ts';
import type { Config } from './config.ts';
import { randomIds, type Ids } from './ids.ts';
import type { App } from './http/app.ts';
import { buildApp } from './http/app.ts';
import { SYSTEM_ACTOR, withActor, type Deps, type ServiceContext } from './services/context.ts';
import { DeniedAuditBudget } from './services/denied-audit-budget.ts';
import { seedBuiltinRoles } from './services/roles.ts';
import { AccessIndex } from './store/access-index.ts';
import { openDatabase, type OpenOptions } from './store/db.ts';
import { assertSchemaNotNewer, migrateToLatest, pendingMigrations } from './store/migrate.ts';

/** The composition root: the one place that wires store, services and edges together. */
export interface Runtime {
  deps: Deps;
  system: ServiceContext;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  clock?: Clock;
  ids?: Ids;
  log?: Logger;
  db?: OpenOptions;
  /** Poll for other nodes' changes (servers do; one-shot commands do not). */
  poll?: boolean;
}

export async function openRuntime(config: Config, opts: RuntimeOptions = {}): Promise<Runtime> {
  const log = opts.log ?? pino({ level: config.logLevel });
  const opened = await openDatabase(config.databaseUrl, opts.db);
  try {
    if (config.autoMigrate) {
      const applied = await migrateToLatest(opened.db, opened.pgSchema);
      if (applied.length > 0) log.info({ applied }, 'database migrated');
    } else {
      await assertSchemaNotNewer(opened.db);
      const pending = await pendingMigrations(opened.db);
      if (pending.length > 0) throw new Error(`The database needs migrations (${pending.join(', ')}): run "pim migrate".`);
    }
  } catch (err) {
    await opened.close();
    throw err;
  }
  const index = new AccessIndex(opened.db);
  const secrets = new SecretBox(config.secretKey ?? serverKeyFile(config.dataDir));
  const deps: Deps = { db: opened.db, engine: opened.engine, clock: opts.clock ?? systemClock, config, ids: opts.ids ?? randomIds, index, log, secrets, deniedAudits: new DeniedAuditBudget() };
  const system = withActor(deps, SYSTEM_ACTOR);
  await seedBuiltinRoles(system);
  await index.load();
  if (opts.poll === true) index.startPolling(config.indexPollMs, (err) => log.error({ err }, 'index sync failed'));
  return {
    deps,
    system,
    close: async () => {
      index.stopPolling();
      await opened.close();
    },
  };
}

/**
 * The server key when PIM_SECRET_KEY is not set: a random key kept in the data directory
 * (mode 0600), made on first start. Several nodes must share one key: set PIM_SECRET_KEY.
 */
function serverKeyFile(dataDir: string): Buffer {
  const file = path.join(dataDir, 'secret.key');
  if (existsSync(file)) return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32);
  writeFileSync(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  return key;
}

export async function openServer(rt: Runtime): Promise<App> {
  return buildApp(rt.deps);
}
