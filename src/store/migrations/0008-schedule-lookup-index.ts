import type { Kysely } from 'kysely';

/* Migrations are append-only: once landed, never edit this file; add the next one. */

/**
 * Activation looks up a principal's (and its groups') schedules of one role and kind. The
 * existing indexes lead with the role or the principal alone, and without planner statistics
 * SQLite picked the role index and read every eligibility of the role (2.5 ms with 13.5K of
 * them, the bulk of an activation). This one answers the lookup directly on both engines.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's table types
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('schedules_principal_role').on('schedules').columns(['principal_id', 'role_id', 'kind', 'ended_at']).execute();
}
