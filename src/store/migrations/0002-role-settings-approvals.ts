import type { Kysely } from 'kysely';

/* Migrations are append-only: once landed, never edit this file; add the next one. */

/** Role settings (one per role, optionally per scope), the rules a request was made under, and approval decisions. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's table types
export async function up(db: Kysely<any>): Promise<void> {
  const ts = 'bigint';
  await db.schema.createTable('role_policies')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('role_id', 'text', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('settings', 'text', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('last_modified_by', 'text')
    .addColumn('last_modified_at', ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('role_policies_role_scope').on('role_policies').columns(['role_id', 'scope']).unique().execute();

  // Each column on its own: SQLite adds one column per ALTER TABLE.
  await db.schema.alterTable('requests').addColumn('principal_type', 'text').execute();
  await db.schema.alterTable('requests').addColumn('policy', 'text').execute();
  await db.schema.alterTable('requests').addColumn('linked_eligibility_id', 'text').execute();
  await db.schema.alterTable('requests').addColumn('approval_stage', 'integer').execute();
  await db.schema.alterTable('requests').addColumn('stage_started_at', ts).execute();
  await db.schema.alterTable('requests').addColumn('approval_expires_at', ts).execute();
  await db.schema.createIndex('requests_status').on('requests').columns(['status', 'approval_expires_at']).execute();

  await db.schema.createTable('approval_decisions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('request_id', 'text', (c) => c.notNull())
    .addColumn('stage', 'integer', (c) => c.notNull())
    .addColumn('approver_id', 'text', (c) => c.notNull())
    .addColumn('decision', 'text', (c) => c.notNull())
    .addColumn('justification', 'text')
    .addColumn('decided_at', ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('approval_decisions_request').on('approval_decisions').columns(['request_id', 'approver_id']).unique().execute();
}

