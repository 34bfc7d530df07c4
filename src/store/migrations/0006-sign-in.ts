import type { Kysely } from 'kysely';

/* Migrations are append-only: once landed, never edit this file; add the next one. */

/** Local sign-in: passwords (argon2id), MFA methods, recovery codes, sessions, and the failure log the throttle reads. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's table types
export async function up(db: Kysely<any>): Promise<void> {
  const ts = 'bigint';
  await db.schema.createTable('user_passwords')
    .addColumn('user_id', 'text', (c) => c.primaryKey())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('changed_at', ts, (c) => c.notNull())
    .execute();

  await db.schema.createTable('mfa_methods')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('secret', 'text')
    .addColumn('last_used_step', 'bigint')
    .addColumn('credential_id', 'text')
    .addColumn('public_key', 'text')
    .addColumn('sign_count', 'bigint')
    .addColumn('transports', 'text')
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('confirmed_at', ts)
    .addColumn('last_used_at', ts)
    .execute();
  await db.schema.createIndex('mfa_methods_user').on('mfa_methods').column('user_id').execute();

  await db.schema.createTable('recovery_codes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('code_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('used_at', ts)
    .execute();
  await db.schema.createIndex('recovery_codes_user').on('recovery_codes').column('user_id').execute();

  await db.schema.createTable('sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('csrf_hash', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('last_seen_at', ts, (c) => c.notNull())
    .addColumn('expires_at', ts, (c) => c.notNull())
    .addColumn('mfa_at', ts)
    .addColumn('auth_method', 'text', (c) => c.notNull())
    .addColumn('client_address', 'text')
    .addColumn('user_agent', 'text')
    .addColumn('ended_at', ts)
    .addColumn('end_reason', 'text')
    .execute();
  await db.schema.createIndex('sessions_user').on('sessions').columns(['user_id', 'ended_at']).execute();

  await db.schema.createTable('sign_in_failures')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account', 'text', (c) => c.notNull())
    .addColumn('client_address', 'text', (c) => c.notNull())
    .addColumn('at', ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sign_in_failures_pair').on('sign_in_failures').columns(['account', 'client_address', 'at']).execute();
  await db.schema.createIndex('sign_in_failures_address').on('sign_in_failures').columns(['client_address', 'at']).execute();
}
