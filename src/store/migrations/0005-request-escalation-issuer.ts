import type { Kysely } from 'kysely';

/* Migrations are append-only: once landed, never edit this file; add the next one. */

/**
 * When the current approval stage escalates (so the job finds due escalations by index, not by
 * scanning), and who issued the token a request was made with when that is someone other than
 * the requester (that person may not approve it either).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's table types
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('requests').addColumn('escalation_due_at', 'bigint').execute();
  await db.schema.alterTable('requests').addColumn('token_issuer', 'text').execute();
  await db.schema.createIndex('requests_escalation_due').on('requests').columns(['status', 'escalation_due_at']).execute();
}
