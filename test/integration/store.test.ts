import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { sql } from 'kysely';
import { openDatabase } from '../../src/store/db.ts';
import { KNOWN_MIGRATIONS, migrateToLatest, SchemaTooNewError } from '../../src/store/migrate.ts';
import { loadConfig } from '../../src/config.ts';
import { openRuntime } from '../../src/runtime.ts';
import { ENGINE, freshDatabase } from '../helpers/harness.ts';
import pino from 'pino';

/** The storage contract: runs unchanged on SQLite and PostgreSQL (CI runs the suite on both). */
describe(`storage contract (${ENGINE})`, () => {
  const dbs: Array<{ dispose(): Promise<void> }> = [];
  after(async () => { for (const d of dbs) await d.dispose(); });

  const open = async () => {
    const t = freshDatabase(); dbs.push(t);
    return { t, o: await openDatabase(t.url, t.pgSchema !== undefined ? { pgSchema: t.pgSchema } : {}) };
  };

  test('migrations apply once and are idempotent', async () => {
    const { t, o } = await open();
    assert.deepEqual(await migrateToLatest(o.db, t.pgSchema), KNOWN_MIGRATIONS);
    assert.deepEqual(await migrateToLatest(o.db, t.pgSchema), []);
    await o.close();
  });

  test('start-up refuses a schema newer than the code', async () => {
    const { t, o } = await open();
    await migrateToLatest(o.db, t.pgSchema);
    await sql`INSERT INTO kysely_migration (name, timestamp) VALUES ('9999-from-the-future', '2030-01-01T00:00:00Z')`.execute(o.db);
    await assert.rejects(migrateToLatest(o.db, t.pgSchema), SchemaTooNewError);
    await o.close();
    const config = loadConfig({ PIM_DATABASE_URL: t.url, PIM_LOG_LEVEL: 'silent' });
    await assert.rejects(openRuntime(config, { log: pino({ level: 'silent' }), db: t.pgSchema !== undefined ? { pgSchema: t.pgSchema } : {} }), SchemaTooNewError);
  });

  test('several nodes starting at once migrate exactly once', async () => {
    const t = freshDatabase(); dbs.push(t);
    const nodes = await Promise.all([1, 2, 3].map(() => openDatabase(t.url, t.pgSchema !== undefined ? { pgSchema: t.pgSchema } : {})));
    if (ENGINE === 'sqlite') {
      // One SQLite file is one node's store; sequential opens must still agree.
      for (const n of nodes) await migrateToLatest(n.db, t.pgSchema);
    } else {
      const applied = await Promise.all(nodes.map((n) => migrateToLatest(n.db, t.pgSchema)));
      assert.deepEqual(applied.flat(), KNOWN_MIGRATIONS, 'each migration applied by exactly one node');
    }
    const rows = await sql<{ n: number }>`SELECT count(*) AS n FROM kysely_migration`.execute(nodes[0]!.db);
    assert.equal(Number(rows.rows[0]!.n), KNOWN_MIGRATIONS.length);
    for (const n of nodes) await n.close();
  });

  test('types round-trip the same on both engines', async () => {
    const { t, o } = await open();
    await migrateToLatest(o.db, t.pgSchema);
    const big = Date.parse('2099-12-31T23:59:59.999Z');
    await o.db.insertInto('users').values({ id: 'u1', user_principal_name: 'A@x.io', upn_lower: 'a@x.io', display_name: 'Ünïcødé ✓', mail: null, enabled: 1, manager_id: null, last_sign_in_at: big, created_at: 1, updated_at: 2, deleted_at: null }).execute();
    const row = await o.db.selectFrom('users').selectAll().where('id', '=', 'u1').executeTakeFirstOrThrow();
    assert.equal(row.last_sign_in_at, big);
    assert.equal(typeof row.created_at, 'number');
    assert.equal(row.enabled, 1);
    assert.equal(row.display_name, 'Ünïcødé ✓');
    await assert.rejects(o.db.insertInto('users').values({ ...row, id: 'u2' }).execute(), 'upn_lower is unique');
    await o.close();
  });

  test('partial unique indexes: one current membership, any number of past ones', async () => {
    const { t, o } = await open();
    await migrateToLatest(o.db, t.pgSchema);
    const m = { group_id: 'g', member_id: 'u', member_type: 'user' as const, added_at: 1 };
    await o.db.insertInto('group_members').values({ ...m, id: 'm1', removed_at: 5 }).execute();
    await o.db.insertInto('group_members').values({ ...m, id: 'm2', removed_at: 9 }).execute();
    await o.db.insertInto('group_members').values({ ...m, id: 'm3', removed_at: null }).execute();
    await assert.rejects(o.db.insertInto('group_members').values({ ...m, id: 'm4', removed_at: null }).execute());
    await o.close();
  });
});
