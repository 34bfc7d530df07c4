import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { ROLE } from '../../src/domain/roles.ts';
import { endSchedule, insertSchedule } from '../../src/services/schedule-writes.ts';
import { inTransaction } from '../../src/services/transaction.ts';
import { ENGINE, startWithAdmin, type Harness, type Paged, type Res } from '../helpers/harness.ts';
import { insertLongToken } from '../helpers/direct.ts';
import { group, userWithToken } from '../helpers/factories.ts';

/** A permanent active assignment at `/`, written the way the schedules service writes it. */
async function grant(h: Harness, principalId: string, principalType: 'user' | 'group', roleId: string): Promise<void> {
  await inTransaction(h.system, (tx) => insertSchedule(tx, {
    id: randomUUID(), kind: 'active', principal_id: principalId, principal_type: principalType, role_id: roleId, scope: '/',
    start_at: tx.nowMs, end_at: null, assignment_type: 'Assigned', linked_eligibility_id: null, created_by_request_id: null,
  }, { justification: 'test' }));
}

describe(`groups (${ENGINE})`, () => {
  let h: Awaited<ReturnType<typeof startWithAdmin>>;
  before(async () => { h = await startWithAdmin(); });
  after(async () => { await h.close(); });

  test('create, read, update; roleAssignable is immutable', async () => {
    const owner = await userWithToken(h.admin);
    const c = await h.admin.post('/api/v1/groups', { displayName: 'Tier 0 admins', description: 'break glass', roleAssignable: true, owners: [owner.id] });
    assert.equal(c.status, 201, JSON.stringify(c.body));
    assert.equal(c.body.roleAssignable, true);
    assert.equal(c.body.deletedAt, null);
    const g = await h.admin.get(`/api/v1/groups/${c.body.id}`);
    assert.equal(g.body.description, 'break glass');
    const u = await h.admin.patch(`/api/v1/groups/${c.body.id}`, { displayName: 'Tier zero', description: null });
    assert.equal(u.status, 200);
    assert.equal(u.body.displayName, 'Tier zero');
    assert.equal(u.body.description, null);
    const same = await h.admin.patch(`/api/v1/groups/${c.body.id}`, { roleAssignable: true });
    assert.equal(same.status, 200, 'restating the value is a no-op');
    const flip = await h.admin.patch(`/api/v1/groups/${c.body.id}`, { roleAssignable: false, displayName: 'sneaky' });
    assert.equal(flip.status, 400);
    assert.equal(flip.body.error.code, 'group.role_assignable_immutable');
    assert.equal((await h.admin.get(`/api/v1/groups/${c.body.id}`)).body.displayName, 'Tier zero', 'nothing changed');
    const owners = await h.admin.get(`/api/v1/groups/${c.body.id}/owners`);
    assert.deepEqual(owners.body.items.map((o: { id: string }) => o.id), [owner.id]);
    const missing = await h.admin.get('/api/v1/groups/nope');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, 'group.not_found');
    const badOwner = await h.admin.post('/api/v1/groups', { displayName: 'x', roleAssignable: false, owners: ['ghost'] });
    assert.equal(badOwner.body.error.code, 'group.owner_not_a_user');
    const noFlag = await h.admin.post('/api/v1/groups', { displayName: 'x' });
    assert.equal(noFlag.status, 400, 'roleAssignable is required at creation');
    const extra = await h.admin.post('/api/v1/groups', { displayName: 'x', roleAssignable: false, deletedAt: null });
    assert.equal(extra.body.error.code, 'request.unknown_field');
  });

  test('list pages with a cursor and filters', async () => {
    for (let i = 0; i < 5; i++) await group(h.admin, i % 2 === 0, `Pager ${i}`);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const r: Res<Paged> = await h.admin.get(`/api/v1/groups?search=PAGER&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      assert.equal(r.status, 200);
      seen.push(...r.body.items.map((g: { displayName: string }) => g.displayName));
      cursor = r.body.nextCursor;
    } while (cursor);
    assert.deepEqual(seen, [0, 1, 2, 3, 4].map((i) => `Pager ${i}`));
    const plain = await h.admin.get('/api/v1/groups?search=pager&roleAssignable=false');
    assert.equal(plain.body.items.length, 2);
    assert.equal((await h.admin.get('/api/v1/groups?search=%25')).body.items.length, 0, '% is literal');
  });

  test('members: add, list, duplicate, remove, re-add; history rows are kept', async () => {
    const gid = await group(h.admin, true);
    const bob = await userWithToken(h.admin);
    const add = await h.admin.post(`/api/v1/groups/${gid}/members`, { id: bob.id });
    assert.equal(add.status, 201);
    assert.deepEqual({ id: add.body.id, type: add.body.type }, { id: bob.id, type: 'user' });
    const dup = await h.admin.post(`/api/v1/groups/${gid}/members`, { id: bob.id });
    assert.equal(dup.status, 409);
    assert.equal(dup.body.error.code, 'group.already_member');
    const list = await h.admin.get(`/api/v1/groups/${gid}/members`);
    assert.deepEqual(list.body.items.map((m: { id: string }) => m.id), [bob.id]);
    const mine = await h.admin.get(`/api/v1/users/${bob.id}/groups`);
    assert.deepEqual(mine.body.items.map((g: { id: string }) => g.id), [gid]);
    assert.equal((await h.admin.get('/api/v1/users/nope/groups')).body.error.code, 'user.not_found');
    assert.equal((await h.admin.delete(`/api/v1/groups/${gid}/members/${bob.id}`)).status, 204);
    const again = await h.admin.delete(`/api/v1/groups/${gid}/members/${bob.id}`);
    assert.equal(again.status, 404);
    assert.equal(again.body.error.code, 'group.member_not_found');
    assert.equal((await h.admin.get(`/api/v1/users/${bob.id}/groups`)).body.items.length, 0);
    assert.equal((await h.admin.post(`/api/v1/groups/${gid}/members`, { id: bob.id })).status, 201);
    const rows = await h.system.db.selectFrom('group_members').selectAll().where('group_id', '=', gid).orderBy('added_at').orderBy('removed_at').execute();
    assert.equal(rows.length, 2, 'removal ends the row, re-adding starts a new one');
    assert.equal(rows.filter((r) => r.removed_at === null).length, 1);
    const unknown = await h.admin.post(`/api/v1/groups/${gid}/members`, { id: 'ghost' });
    assert.equal(unknown.body.error.code, 'group.principal_not_found');
    const actions = await h.system.db.selectFrom('audit_events').select(['action', 'after_json', 'before_json'])
      .where('target_type', '=', 'group').where('target_id', '=', gid).orderBy('seq').execute();
    assert.deepEqual(actions.map((a) => a.action), ['group.created', 'group.member.added', 'group.member.removed', 'group.member.added']);
    assert.deepEqual(JSON.parse(actions[2]!.before_json!), { memberId: bob.id, memberType: 'user' });
  });

  test('nesting: only into non-role-assignable groups, never in a loop', async () => {
    const ra = await group(h.admin, true);
    const a = await group(h.admin, false);
    const b = await group(h.admin, false);
    const c = await group(h.admin, false);
    const nested = await h.admin.post(`/api/v1/groups/${ra}/members`, { id: a });
    assert.equal(nested.status, 400);
    assert.equal(nested.body.error.code, 'group.nested_role_assignable');
    assert.equal((await h.admin.post(`/api/v1/groups/${a}/members`, { id: ra })).status, 201, 'a role-assignable group may sit in a plain one');
    const self = await h.admin.post(`/api/v1/groups/${a}/members`, { id: a });
    assert.equal(self.body.error.code, 'group.membership_cycle');
    assert.equal((await h.admin.post(`/api/v1/groups/${a}/members`, { id: b })).status, 201);
    assert.equal((await h.admin.post(`/api/v1/groups/${b}/members`, { id: c })).status, 201);
    const loop = await h.admin.post(`/api/v1/groups/${c}/members`, { id: a });
    assert.equal(loop.status, 400);
    assert.equal(loop.body.error.code, 'group.membership_cycle');
    const members = await h.admin.get(`/api/v1/groups/${a}/members`);
    assert.ok(members.body.items.every((m: { type: string }) => m.type === 'group'));
  });

  test('owners manage members; administrators manage everything else', async () => {
    const bob = await userWithToken(h.admin);
    const eve = await userWithToken(h.admin);
    const ra = (await h.admin.post('/api/v1/groups', { displayName: 'owned ra', roleAssignable: true, owners: [bob.id] })).body.id;
    const plain = await group(h.admin, false);
    assert.equal((await h.admin.post(`/api/v1/groups/${plain}/owners`, { id: bob.id })).status, 201);
    const dupOwner = await h.admin.post(`/api/v1/groups/${plain}/owners`, { id: bob.id });
    assert.equal(dupOwner.body.error.code, 'group.already_owner');
    for (const gid of [ra, plain]) {
      assert.equal((await bob.api.post(`/api/v1/groups/${gid}/members`, { id: eve.id })).status, 201);
      assert.equal((await bob.api.delete(`/api/v1/groups/${gid}/members/${eve.id}`)).status, 204);
    }
    const notOwner = await eve.api.post(`/api/v1/groups/${ra}/members`, { id: eve.id });
    assert.equal(notOwner.status, 403);
    assert.equal(notOwner.body.error.code, 'auth.forbidden');
    assert.equal((await bob.api.patch(`/api/v1/groups/${ra}`, { displayName: 'mine' })).status, 403);
    assert.equal((await bob.api.post(`/api/v1/groups/${ra}/owners`, { id: eve.id })).status, 403);
    assert.equal((await h.admin.delete(`/api/v1/groups/${plain}/owners/${bob.id}`)).status, 204);
    const gone = await h.admin.delete(`/api/v1/groups/${plain}/owners/${bob.id}`);
    assert.equal(gone.status, 404);
    assert.equal(gone.body.error.code, 'group.owner_not_found');
    assert.equal((await bob.api.post(`/api/v1/groups/${plain}/members`, { id: eve.id })).status, 403, 'a former owner has no say');
  });

  test('groups administrators manage plain groups, not role-assignable ones; others are refused', async () => {
    const ga = await userWithToken(h.admin);
    await grant(h, ga.id, 'user', ROLE.groupsAdministrator);
    const bob = await userWithToken(h.admin);
    assert.equal((await ga.api.post('/api/v1/groups', { displayName: 'ga plain', roleAssignable: false })).status, 201);
    const ra = await ga.api.post('/api/v1/groups', { displayName: 'ga ra', roleAssignable: true });
    assert.equal(ra.status, 403);
    assert.equal(ra.body.error.code, 'auth.forbidden');
    const adminRa = await group(h.admin, true);
    assert.equal((await ga.api.post(`/api/v1/groups/${adminRa}/members`, { id: bob.id })).status, 403);
    assert.equal((await ga.api.delete(`/api/v1/groups/${adminRa}`)).status, 403);
    assert.equal((await bob.api.get('/api/v1/groups')).status, 200);
    assert.equal((await bob.api.post('/api/v1/groups', { displayName: 'b', roleAssignable: false })).status, 403);
    assert.equal((await h.anon.get('/api/v1/groups')).status, 401);
    assert.equal((await h.anon.post(`/api/v1/groups/${adminRa}/members`, { id: bob.id })).status, 401);
  });

  test('soft delete is restorable for 30 days, not after', async () => {
    const admin = h.admin.as(await insertLongToken(h, h.adminId));
    const a = await group(h.admin, true);
    const b = await group(h.admin, false);
    assert.equal((await admin.delete(`/api/v1/groups/${a}`)).status, 204);
    assert.equal((await admin.delete(`/api/v1/groups/${b}`)).status, 204);
    assert.equal((await admin.patch(`/api/v1/groups/${a}`, { displayName: 'x' })).body.error.code, 'group.not_found');
    assert.ok((await admin.get('/api/v1/groups?deleted=true')).body.items.some((g: { id: string }) => g.id === a));
    assert.equal((await admin.post(`/api/v1/groups/${a}/restore`)).status, 200);
    assert.equal((await admin.post(`/api/v1/groups/${a}/restore`)).body.error.code, 'group.not_deleted');
    assert.equal((await admin.delete(`/api/v1/groups/${a}`)).status, 204);
    h.clock.advance(29 * 86400_000);
    const r = await admin.post(`/api/v1/groups/${a}/restore`);
    assert.equal(r.status, 200);
    assert.equal(r.body.deletedAt, null);
    h.clock.advance(2 * 86400_000);
    const late = await admin.post(`/api/v1/groups/${b}/restore`);
    assert.equal(late.status, 409);
    assert.equal(late.body.error.code, 'group.restore_window_passed');
    h.admin = admin;
  });

  test('the last Global Administrator holding the role through a group keeps it', async () => {
    const gid = await group(h.admin, true);
    assert.equal((await h.admin.post(`/api/v1/groups/${gid}/members`, { id: h.adminId })).status, 201);
    const bob = await userWithToken(h.admin);
    assert.equal((await h.admin.post(`/api/v1/groups/${gid}/members`, { id: bob.id })).status, 201);
    await grant(h, gid, 'group', ROLE.globalAdministrator);
    const direct = await h.system.db.selectFrom('schedules').selectAll()
      .where('principal_id', '=', h.adminId).where('role_id', '=', ROLE.globalAdministrator).where('ended_at', 'is', null).executeTakeFirstOrThrow();
    await inTransaction(h.system, (tx) => endSchedule(tx, direct, 'test', null, {}));
    // While bob holds it through the group too, either may go; once the admin is the last, not.
    assert.equal((await h.admin.delete(`/api/v1/groups/${gid}/members/${bob.id}`)).status, 204);
    const last = await h.admin.delete(`/api/v1/groups/${gid}/members/${h.adminId}`);
    assert.equal(last.status, 409);
    assert.equal(last.body.error.code, 'guardrail.last_administrator');
    assert.equal(last.body.error.details.roleId, ROLE.globalAdministrator);
    const del = await h.admin.delete(`/api/v1/groups/${gid}`);
    assert.equal(del.status, 409);
    assert.equal(del.body.error.code, 'guardrail.last_administrator');
    const members = await h.admin.get(`/api/v1/groups/${gid}/members`);
    assert.deepEqual(members.body.items.map((m: { id: string }) => m.id), [h.adminId], 'nothing changed');
    assert.equal((await h.admin.get(`/api/v1/groups/${gid}`)).body.deletedAt, null);
  });
});

describe(`role-assignable group cap (${ENGINE})`, () => {
  let h: Awaited<ReturnType<typeof startWithAdmin>>;
  before(async () => { h = await startWithAdmin({ env: { PIM_MAX_ROLE_ASSIGNABLE_GROUPS: '2' } }); });
  after(async () => { await h.close(); });

  test('at most the configured number of live role-assignable groups', async () => {
    const first = await group(h.admin, true);
    await group(h.admin, true);
    const third = await h.admin.post('/api/v1/groups', { displayName: 'third', roleAssignable: true });
    assert.equal(third.status, 409);
    assert.equal(third.body.error.code, 'group.role_assignable_limit');
    assert.equal(third.body.error.details.limit, 2);
    await group(h.admin, false);
    assert.equal((await h.admin.delete(`/api/v1/groups/${first}`)).status, 204);
    await group(h.admin, true);
    const restore = await h.admin.post(`/api/v1/groups/${first}/restore`);
    assert.equal(restore.status, 409, 'restoring counts against the cap too');
    assert.equal(restore.body.error.code, 'group.role_assignable_limit');
  });
});
