import type { Kysely } from 'kysely';

/* Migrations are append-only: once landed, never edit this file; add the next one. */

/**
 * Second-factor failures are also counted per account across every address (someone who has
 * the password must not get 5 code guesses from each of a thousand addresses), so a failure
 * row says which factor failed.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's table types
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('sign_in_failures').addColumn('kind', 'text', (c) => c.notNull().defaultTo('password')).execute();
  await db.schema.createIndex('sign_in_failures_account_kind').on('sign_in_failures').columns(['account', 'kind', 'at']).execute();
}
