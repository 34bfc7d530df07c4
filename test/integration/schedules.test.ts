import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ROLE } from '../../src/domain/roles.ts';
import { assign, userWithToken } from '../helpers/factories.ts';
import { insertGroup, insertServicePrincipal, removeMember } from '../helpers/direct.ts';
import { ENGINE, startWithAdmin, type Api } from '../helpers/harness.ts';

const USER_ADMIN = ROLE.userAdministrator;
const min = 60_000;

describe(`schedules through admin requests (${ENGINE})`, () => {
  let h: Awaited<ReturnType<typeof startWithAdmin>>;
  let checker: { api: Api };
  before(async () => {
    h = await startWithAdmin();
    checker = await userWithToken(h.admin, 'checker@example.com', ['check']);
  });
  after(async () => { await h.close(); });
  const allowed = async (principal: string, role: string, scope = '/', at?: string) =>
    (await checker.api.post('/api/v1/check', { principal, role, scope, ...(at ? { at } : {}) })).body;

  test('eligible assignment shows in My roles and grants nothing until activated', async () => {
    const u = await userWithToken(h.admin);
    const r = await assign(h.admin, u.id, USER_ADMIN, { kind: 'eligible', permanent: true });
    assert.equal(r.status, 'Provisioned');
    assert.equal(r.action, 'adminAssign');
    const mine = await u.api.get('/api/v1/me/roles');
    assert.equal(mine.body.eligible.length, 1);
    assert.equal(mine.body.eligible[0].roleDisplayName, 'User Administrator');
    assert.equal(mine.body.eligible[0].memberType, 'Direct');
    assert.equal((await allowed(u.id, USER_ADMIN)).allowed, false);
    const dup = await h.admin.post('/api/v1/requests', { action: 'adminAssign', kind: 'eligible', principalId: u.id, roleId: USER_ADMIN, schedule: { permanent: true } });
    assert.equal(dup.status, 409);
    assert.equal(dup.body.error.code, 'schedule.already_exists');
  });

  test('active assignment: justification required, access ends at endAt with no job', async () => {
    const u = await userWithToken(h.admin);
    const noReason = await h.admin.post('/api/v1/requests', { action: 'adminAssign', kind: 'active', principalId: u.id, roleId: USER_ADMIN, schedule: { duration: 'PT1H' } });
    assert.equal(noReason.body.error.code, 'policy.justification_required');
    await assign(h.admin, u.id, USER_ADMIN, { kind: 'active', duration: 'PT1H' });
    const yes = await allowed(u.upn, USER_ADMIN, '/resources/app/crm');
    assert.equal(yes.allowed, true);
    assert.equal(yes.via[0].memberType, 'Direct');
    h.clock.advance(60 * min - 1);
    assert.equal((await allowed(u.id, USER_ADMIN)).allowed, true, 'one millisecond before the end');
    h.clock.advance(1);
    assert.equal((await allowed(u.id, USER_ADMIN)).allowed, false, 'denied at endAt exactly');
    const mine = await u.api.get('/api/v1/me/roles');
    assert.equal(mine.body.active.length, 0);
    assert.equal(mine.body.expired.length, 1);
    const expired = await h.admin.get(`/api/v1/roles/${USER_ADMIN}/assignments?kind=expired`);
    assert.ok(expired.body.items.some((a: { principalId: string }) => a.principalId === u.id));
  });

  test('future start: Granted, then in force from the start time', async () => {
    const u = await userWithToken(h.admin);
    const start = new Date(h.clock.nowMs() + 2 * 60 * min).toISOString();
    const r = await assign(h.admin, u.id, USER_ADMIN, { kind: 'active', startAt: start, duration: 'PT30M' });
    assert.equal(r.status, 'Granted');
    assert.equal((await allowed(u.id, USER_ADMIN)).allowed, false);
    h.clock.advance(2 * 60 * min);
    assert.equal((await allowed(u.id, USER_ADMIN)).allowed, true);
  });

  test('bad schedules are refused and change nothing', async () => {
    const u = await userWithToken(h.admin);
    const before = (await h.admin.get('/api/v1/requests?limit=500')).body.items.length;
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ schedule: { duration: 'PT4M' } }, 'schedule.too_short'],
      [{ schedule: { duration: '8 hours' } }, 'duration.invalid'],
      [{ schedule: {} }, 'schedule.expiration_ambiguous'],
      [{ schedule: { duration: 'PT1H', permanent: true } }, 'schedule.expiration_ambiguous'],
      [{ schedule: { startAt: '2020-01-01T00:00:00Z', duration: 'PT1H' } }, 'schedule.start_in_past'],
      [{ scope: '/nowhere' }, 'scope.invalid'],
      [{ scope: '/administrativeUnits/missing' }, 'scope.not_found'],
      [{ roleId: 'no-such-role' }, 'role.not_found'],
      [{ principalId: 'nobody' }, 'principal.not_found'],
      [{ action: 'selfActivate' }, 'request.not_self'], [{ action: 'selfExtend' }, 'request.not_self'],
    ];
    for (const [over, code] of cases) {
      const r = await h.admin.post('/api/v1/requests', { action: 'adminAssign', kind: 'eligible', principalId: u.id, roleId: USER_ADMIN, schedule: { permanent: true }, justification: 'x', ...over });
      assert.ok(r.status >= 400 && r.status < 500, `${code}: ${r.status}`);
      assert.equal(r.body.error.code, code);
    }
    assert.equal((await h.admin.get('/api/v1/requests?limit=500')).body.items.length, before);
    assert.equal((await u.api.get('/api/v1/me/roles')).body.eligible.length, 0);
  });

  test('service principals only active; groups only when role-assignable', async () => {
    const sp = await insertServicePrincipal(h);
    const e = await h.admin.post('/api/v1/requests', { action: 'adminAssign', kind: 'eligible', principalId: sp, roleId: USER_ADMIN, schedule: { permanent: true } });
    assert.equal(e.body.error.code, 'schedule.principal_type_not_allowed');
    await assign(h.admin, sp, USER_ADMIN, { kind: 'active', duration: 'P30D' });
    const plain = await insertGroup(h, false);
    const g = await h.admin.post('/api/v1/requests', { action: 'adminAssign', kind: 'eligible', principalId: plain, roleId: USER_ADMIN, schedule: { permanent: true } });
    assert.equal(g.body.error.code, 'schedule.group_not_role_assignable');
  });

  test('group-held roles reach members, named in My roles, and end with membership', async () => {
    const u = await userWithToken(h.admin);
    const grp = await insertGroup(h, true, [u.id]);
    await assign(h.admin, grp, USER_ADMIN, { kind: 'active', duration: 'P7D' });
    const c = await allowed(u.id, USER_ADMIN);
    assert.equal(c.allowed, true);
    assert.equal(c.via[0].memberType, 'Group');
    assert.equal(c.via[0].groupId, grp);
    const mine = await u.api.get('/api/v1/me/roles');
    assert.equal(mine.body.active[0].memberType, 'Group');
    assert.equal(mine.body.active[0].group.id, grp);
    const t0 = new Date(h.clock.nowMs()).toISOString();
    h.clock.advance(min);
    await removeMember(h, grp, u.id);
    assert.equal((await allowed(u.id, USER_ADMIN)).allowed, false);
    assert.equal((await allowed(u.id, USER_ADMIN, '/', t0)).allowed, true, 'time travel: held at t0 through the group');
  });

  test('the decision index follows every change that affects a member (no stale cached answers)', async () => {
    const u = await userWithToken(h.admin);
    const grp = await insertGroup(h, true, [u.id]);
    assert.equal((await allowed(u.id, USER_ADMIN)).allowed, false, 'nothing held yet (and that answer is cached)');
    const a = await assign(h.admin, grp, USER_ADMIN, { kind: 'active', duration: 'P1D' });
    assert.equal((await allowed(u.id, USER_ADMIN)).allowed, true, "the group's first grant reaches the member");
    h.clock.advance(6 * min);
    await h.admin.post('/api/v1/requests', { action: 'adminRemove', kind: 'active', principalId: grp, roleId: USER_ADMIN, targetScheduleId: a.targetScheduleId });
    assert.equal((await allowed(u.id, USER_ADMIN)).allowed, false, "the group's last grant gone");
    await assign(h.admin, grp, USER_ADMIN, { kind: 'active', duration: 'P1D' });
    await removeMember(h, grp, u.id);
    assert.equal((await allowed(u.id, USER_ADMIN)).allowed, false, 'membership ended');
    const other = await insertGroup(h, true, [u.id]);
    await assign(h.admin, other, USER_ADMIN, { kind: 'active', duration: 'P1D' });
    assert.equal((await allowed(u.id, USER_ADMIN)).via[0].groupId, other, 'a new membership counts at once');
  });

  test('update moves the end; remove is locked for 5 minutes, then ends the schedule (kept as history)', async () => {
    const u = await userWithToken(h.admin);
    const a = await assign(h.admin, u.id, USER_ADMIN, { kind: 'active', duration: 'PT2H' });
    const upd = await h.admin.post('/api/v1/requests', { action: 'adminUpdate', kind: 'active', principalId: u.id, roleId: USER_ADMIN, schedule: { duration: 'PT3H' }, justification: 'longer' });
    assert.equal(upd.status, 201, JSON.stringify(upd.body));
    assert.equal(upd.body.targetScheduleId, a.targetScheduleId);
    const moved = await h.admin.post('/api/v1/requests', { action: 'adminUpdate', kind: 'active', principalId: u.id, roleId: USER_ADMIN, schedule: { startAt: new Date(h.clock.nowMs() + 3600_000).toISOString(), duration: 'PT1H' }, justification: 'move it' });
    assert.equal(moved.body.error.code, 'schedule.start_immutable');
    const soon = await h.admin.post('/api/v1/requests', { action: 'adminRemove', kind: 'active', principalId: u.id, roleId: USER_ADMIN });
    assert.equal(soon.body.error.code, 'schedule.removal_too_soon');
    const during = new Date(h.clock.nowMs() + 60_000).toISOString();
    h.clock.advance(5 * min);
    const rm = await h.admin.post('/api/v1/requests', { action: 'adminRemove', kind: 'active', principalId: u.id, roleId: USER_ADMIN, justification: 'done' });
    assert.equal(rm.status, 201);
    assert.equal(rm.body.status, 'Revoked');
    assert.equal((await allowed(u.id, USER_ADMIN)).allowed, false);
    assert.equal((await allowed(u.id, USER_ADMIN, '/', during)).allowed, true, 'history still answers for the past');
    const acc = await checker.api.get(`/api/v1/principals/${u.id}/access?at=${encodeURIComponent(during)}`);
    assert.equal(acc.body.roles.length, 1);
    assert.equal(acc.body.roles[0].roleId, USER_ADMIN);
  });

  test('validateOnly reports and writes nothing', async () => {
    const u = await userWithToken(h.admin);
    const r = await h.admin.post('/api/v1/requests', { action: 'adminAssign', kind: 'eligible', principalId: u.id, roleId: USER_ADMIN, schedule: { duration: 'P30D' }, validateOnly: true });
    assert.equal(r.status, 200);
    assert.equal(r.body.validateOnly, true);
    assert.equal(r.body.status, 'Validated');
    assert.equal((await u.api.get('/api/v1/me/roles')).body.eligible.length, 0);
    assert.equal((await h.admin.get(`/api/v1/requests/${r.body.id}`)).status, 404);
  });

  test('only active Privileged Role / Global Administrators make admin requests', async () => {
    const u = await userWithToken(h.admin);
    const r = await u.api.post('/api/v1/requests', { action: 'adminAssign', kind: 'eligible', principalId: u.id, roleId: ROLE.globalAdministrator, schedule: { permanent: true } });
    assert.equal(r.status, 403);
    // Eligible is not enough: the service governs itself with active assignments.
    await assign(h.admin, u.id, ROLE.privilegedRoleAdministrator, { kind: 'eligible', permanent: true });
    assert.equal((await u.api.post('/api/v1/requests', { action: 'adminAssign', kind: 'eligible', principalId: u.id, roleId: USER_ADMIN, schedule: { permanent: true } })).status, 403);
    await assign(h.admin, u.id, ROLE.privilegedRoleAdministrator, { kind: 'active', duration: 'PT1H' });
    assert.equal((await u.api.post('/api/v1/requests', { action: 'adminAssign', kind: 'eligible', principalId: u.id, roleId: USER_ADMIN, schedule: { permanent: true } })).status, 201);
  });
});

describe(`guardrail: the last administrator (${ENGINE})`, () => {
  test('the last active Global Administrator cannot be removed, even by concurrent requests', async () => {
    const h = await startWithAdmin();
    try {
      h.clock.advance(10 * min);
      const only = await h.admin.post('/api/v1/requests', { action: 'adminRemove', kind: 'active', principalId: h.adminId, roleId: ROLE.globalAdministrator });
      assert.equal(only.status, 409);
      assert.equal(only.body.error.code, 'guardrail.last_administrator');
      // A second Global Administrator; then both are removed at the same moment by different admins.
      const b = await userWithToken(h.admin);
      await assign(h.admin, b.id, ROLE.globalAdministrator, { kind: 'active', permanent: true });
      await assign(h.admin, b.id, ROLE.privilegedRoleAdministrator, { kind: 'active', permanent: true });
      h.clock.advance(10 * min);
      const [r1, r2] = await Promise.all([
        h.admin.post('/api/v1/requests', { action: 'adminRemove', kind: 'active', principalId: b.id, roleId: ROLE.globalAdministrator }),
        b.api.post('/api/v1/requests', { action: 'adminRemove', kind: 'active', principalId: h.adminId, roleId: ROLE.globalAdministrator }),
      ]);
      const statuses = [r1.status, r2.status].sort();
      assert.deepEqual(statuses, [201, 409], JSON.stringify([r1.body, r2.body]));
      const gas = await h.admin.get(`/api/v1/roles/${ROLE.globalAdministrator}/assignments?kind=active`);
      const bGas = await b.api.get(`/api/v1/roles/${ROLE.globalAdministrator}/assignments?kind=active`);
      const list = gas.status === 200 ? gas.body.items : bGas.body.items;
      assert.equal(list.length, 1, 'exactly one Global Administrator remains');
    } finally {
      await h.close();
    }
  });
});
