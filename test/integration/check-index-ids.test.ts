import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { ROLE } from '../../src/domain/roles.ts';
import { inTransaction } from '../../src/services/transaction.ts';
import { assign, userWithToken } from '../helpers/factories.ts';
import { removeMember } from '../helpers/direct.ts';
import { ENGINE, startWithAdmin, type Api } from '../helpers/harness.ts';

/**
 * The check index keys principals by their UUID's 128 bits (src/domain/held-table.ts). Ids
 * openpim makes are canonical UUIDs, but rows can carry other ids (written by hand, imported,
 * an upper-case UUID); those take the table's fallback and must answer exactly as before,
 * with the same invalidation, and an upper-case id must never reach its lower-case twin's grants.
 */
describe(`check index: principals whose id is not a canonical UUID (${ENGINE})`, () => {
  let h: Awaited<ReturnType<typeof startWithAdmin>>;
  let checker: { api: Api };
  before(async () => {
    h = await startWithAdmin();
    checker = await userWithToken(h.admin, 'ids-checker@example.com', ['check']);
  });
  after(async () => { await h.close(); });

  const check = async (principal: string, role: string) => (await checker.api.post('/api/v1/check', { principal, role, scope: '/' })).body;

  async function insertUser(id: string, upn: string): Promise<void> {
    await inTransaction(h.system, async (tx) => {
      await tx.db.insertInto('users').values({
        id, user_principal_name: upn, upn_lower: upn.toLowerCase(), display_name: upn, mail: null, enabled: 1, manager_id: null,
        last_sign_in_at: null, created_at: tx.nowMs, updated_at: tx.nowMs, deleted_at: null,
      }).execute();
      await tx.audit({ action: 'user.created', targetType: 'user', targetId: id });
    });
  }

  async function insertGroup(id: string, members: string[]): Promise<void> {
    await inTransaction(h.system, async (tx) => {
      await tx.db.insertInto('groups').values({ id, display_name: id, name_lower: id, description: null, role_assignable: 1, created_at: tx.nowMs, updated_at: tx.nowMs, deleted_at: null }).execute();
      await tx.audit({ action: 'group.created', targetType: 'group', targetId: id });
      for (const m of members) {
        await tx.db.insertInto('group_members').values({ id: randomUUID(), group_id: id, member_id: m, member_type: 'user', added_at: tx.nowMs, removed_at: null }).execute();
        await tx.audit({ action: 'group.member.added', targetType: 'group', targetId: id, after: { memberId: m } });
      }
    });
  }

  test('grants, group grants and membership changes reach them; case is part of the id', async () => {
    const alice = `user-alice-${randomUUID().slice(0, 8)}`;
    const upper = randomUUID().toUpperCase();
    const lower = upper.toLowerCase();
    const grp = `grp-ops-${randomUUID().slice(0, 8)}`;
    await insertUser(alice, `${alice}@example.com`);
    await insertUser(upper, `upper-${lower.slice(0, 8)}@example.com`);
    await insertUser(lower, `lower-${lower.slice(0, 8)}@example.com`);
    await insertGroup(grp, [alice, lower]);

    // Asked first with nothing held: those empty answers are built and kept, then must be dropped.
    for (const id of [alice, upper, lower]) assert.equal((await check(id, ROLE.userAdministrator)).allowed, false, id);

    await assign(h.admin, upper, ROLE.userAdministrator, { kind: 'active', duration: 'P1D' });
    const up = await check(upper, ROLE.userAdministrator);
    assert.equal(up.allowed, true, 'the upper-case id holds its grant');
    assert.equal(up.via[0].memberType, 'Direct');
    assert.equal((await check(lower, ROLE.userAdministrator)).allowed, false, 'its lower-case twin is another principal');

    await assign(h.admin, grp, ROLE.groupsAdministrator, { kind: 'active', duration: 'P1D' });
    for (const id of [alice, lower]) {
      const c = await check(id, ROLE.groupsAdministrator);
      assert.equal(c.allowed, true, `${id} through ${grp}`);
      assert.equal(c.via[0].memberType, 'Group');
      assert.equal(c.via[0].groupId, grp);
    }
    assert.equal((await check(upper, ROLE.groupsAdministrator)).allowed, false, 'not a member');

    h.clock.advance(60_000);
    await removeMember(h, grp, alice);
    assert.equal((await check(alice, ROLE.groupsAdministrator)).allowed, false, 'membership ended');
    assert.equal((await check(lower, ROLE.groupsAdministrator)).allowed, true, 'the other member keeps it');
    assert.equal((await check(alice.toUpperCase(), ROLE.groupsAdministrator)).reason, 'principal_unknown');
  });
});
