import { Migrator, sql, type Migration, type MigrationProvider } from 'kysely';
import * as m0001 from './migrations/0001-initial.ts';
import * as m0002 from './migrations/0002-role-settings-approvals.ts';
import * as m0003 from './migrations/0003-scheduler-outbox.ts';
import * as m0004 from './migrations/0004-role-bundles.ts';
import * as m0005 from './migrations/0005-request-escalation-issuer.ts';
import * as m0006 from './migrations/0006-sign-in.ts';
import * as m0007 from './migrations/0007-oidc.ts';
import * as m0008 from './migrations/0008-schedule-lookup-index.ts';
import * as m0009 from './migrations/0009-second-factor-failures.ts';
import * as m0010 from './migrations/0010-deliveries.ts';
import * as m0011 from './migrations/0011-webhooks.ts';
import * as m0012 from './migrations/0012-mail-preferences.ts';
import type { Db } from './db.ts';

/** The migration chain, in order. Append only. */
const MIGRATIONS: Record<string, Migration> = {
  '0001-initial': m0001,
  '0002-role-settings-approvals': m0002,
  '0003-scheduler-outbox': m0003,
  '0004-role-bundles': m0004,
  '0005-request-escalation-issuer': m0005,
  '0006-sign-in': m0006,
  '0007-oidc': m0007,
  '0008-schedule-lookup-index': m0008,
  '0009-second-factor-failures': m0009,
  '0010-deliveries': m0010,
  '0011-webhooks': m0011,
  '0012-mail-preferences': m0012,
};

export const KNOWN_MIGRATIONS = Object.keys(MIGRATIONS);

const provider: MigrationProvider = { getMigrations: () => Promise.resolve(MIGRATIONS) };

export class SchemaTooNewError extends Error {
  constructor(readonly unknown: string[]) {
    super(`The database schema is newer than this openpim (unknown migrations: ${unknown.join(', ')}). Upgrade openpim before starting it on this database.`);
    this.name = 'SchemaTooNewError';
  }
}

/** Names of migrations the database has applied (empty for a new database). */
export async function appliedMigrations(db: Db): Promise<string[]> {
  try {
    const rows = await sql<{ name: string }>`SELECT name FROM kysely_migration ORDER BY name`.execute(db);
    return rows.rows.map((r) => r.name);
  } catch {
    return [];
  }
}

/** Refuses a database that a newer openpim has migrated: running old code on it could corrupt it. */
export async function assertSchemaNotNewer(db: Db): Promise<void> {
  const unknown = (await appliedMigrations(db)).filter((n) => !KNOWN_MIGRATIONS.includes(n));
  if (unknown.length > 0) throw new SchemaTooNewError(unknown);
}

/**
 * Applies pending migrations. On PostgreSQL, Kysely's migrator holds a transaction-level
 * advisory lock while it runs, so several nodes starting at once migrate exactly once.
 */
export async function migrateToLatest(db: Db, pgSchema?: string): Promise<string[]> {
  await assertSchemaNotNewer(db);
  // Kysely looks for its own tables across all schemas unless told which one is ours.
  const migrator = new Migrator({ db, provider, ...(pgSchema !== undefined ? { migrationTableSchema: pgSchema } : {}) });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) throw error instanceof Error ? error : new Error('migration failed');
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

export async function pendingMigrations(db: Db): Promise<string[]> {
  const applied = new Set(await appliedMigrations(db));
  return KNOWN_MIGRATIONS.filter((n) => !applied.has(n));
}
