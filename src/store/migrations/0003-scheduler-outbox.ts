import type { Kysely } from 'kysely';

/* Migrations are append-only: once landed, never edit this file; add the next one. */

/**
 * What the scheduler needs to run each due job once: which expiry reminders a schedule has had
 * and which approval stage has been escalated; and the outbox, where every effect outside the
 * database (mail, webhooks, connector calls) is written in the same transaction as its cause.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's table types
export async function up(db: Kysely<any>): Promise<void> {
  const ts = 'bigint';
  await db.schema.alterTable('schedules').addColumn('reminded_level', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.createIndex('schedules_due').on('schedules').columns(['ended_at', 'end_at']).execute();
  await db.schema.alterTable('requests').addColumn('escalated_stage', 'integer').execute();

  await db.schema.createTable('outbox')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('idempotency_key', 'text', (c) => c.notNull().unique())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending'))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', ts, (c) => c.notNull())
    .addColumn('last_error', 'text')
    .addColumn('sent_at', ts)
    .execute();
  await db.schema.createIndex('outbox_due').on('outbox').columns(['status', 'next_attempt_at']).execute();
}
