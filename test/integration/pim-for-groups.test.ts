import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ROLE } from '../../src/domain/roles.ts';
import { runDueJobs } from '../../src/services/due-jobs.ts';
import { assign, group, userWithToken } from '../helpers/factories.ts';
import { ENGINE, startWithAdmin, type Api } from '../helpers/harness.ts';

const min = 60_000;
const hour = 60 * min;
const MEMBER = ROLE.groupMember;
const OWNER = ROLE.groupOwner;

describe(`PIM for Groups (${ENGINE})`, () => {
  let h: Awaited<ReturnType<typeof startWithAdmin>>;
  let admin: Api;
  let checker: { api: Api };
  before(async () => {
    h = await startWithAdmin();
    admin = h.admin;
    checker = await userWithToken(admin, undefined, ['check']);
  });
  after(async () => { await h.close(); });
  const allowed = async (principal: string, role: string, scope = '/') => (await checker.api.post('/api/v1/check', { principal, role, scope })).body.allowed as boolean;
  const at = (gid: string) => `/groups/${gid}`;
  const noMfa = async (roleId: string, scope: string) => {
    const r = await admin.patch(`/api/v1/roles/${roleId}/settings?scope=${encodeURIComponent(scope)}`, { activation: { requireMfa: false } });
    assert.equal(r.status, 200, JSON.stringify(r.body));
  };

  test('eligible membership of a role-assignable group that holds a role: activate, hold the role, lose it at the end', async () => {
    const g = await group(admin, true, 'Helpdesk JIT');
    await assign(admin, g, ROLE.userAdministrator, { kind: 'active', permanent: true });
    const u = await userWithToken(admin);
    const elig = await assign(admin, u.id, MEMBER, { kind: 'eligible', scope: at(g), permanent: true });
    assert.equal(elig.status, 'Provisioned');
    const role = ROLE.userAdministrator;
    assert.equal(await allowed(u.id, role), false, 'eligible membership grants nothing');
    assert.equal((await admin.get(`/api/v1/groups/${g}/members`)).body.items.length, 0, 'eligible members are not members');

    // Membership has its own policy, separate from the role's and from other groups'.
    const other = await group(admin, false);
    await noMfa(MEMBER, at(g));
    assert.equal((await admin.get(`/api/v1/roles/${MEMBER}/settings?scope=${encodeURIComponent(at(other))}`)).body.settings.activation.requireMfa, true);

    const act = await u.api.post('/api/v1/requests', { action: 'selfActivate', principalId: u.id, roleId: MEMBER, scope: at(g), justification: 'ticket queue', schedule: { duration: 'PT1H' } });
    assert.equal(act.status, 201, JSON.stringify(act.body));
    const yes = await checker.api.post('/api/v1/check', { principal: u.id, role, scope: '/' });
    assert.equal(yes.body.allowed, true, 'the activated membership carries the group\'s role');
    assert.equal(yes.body.via[0].memberType, 'Group');
    assert.equal(yes.body.via[0].groupId, g);
    assert.equal(yes.body.via[0].endAt, act.body.schedule.endAt, 'it ends with the membership');
    assert.equal(await allowed(u.id, MEMBER, at(g)), true, 'downstream systems can ask about the membership itself');
    const members = await admin.get(`/api/v1/groups/${g}/members`);
    assert.equal(members.body.items.length, 1);
    assert.equal(members.body.items[0].id, u.id);
    assert.equal(members.body.items[0].pim.assignmentType, 'Activated');
    const mine = await u.api.get('/api/v1/me/roles');
    assert.ok(mine.body.active.some((a: { roleId: string; group: { id: string } | null }) => a.roleId === role && a.group?.id === g), 'My roles shows the role through the group');
    const history = await admin.get(`/api/v1/principals/${u.id}/access?at=${new Date(h.clock.nowMs() + 1).toISOString()}`);
    assert.equal(history.status, 200);

    h.clock.advance(hour);
    assert.equal(await allowed(u.id, role), false, 'ends by itself, before any job');
    assert.equal((await admin.get(`/api/v1/groups/${g}/members`)).body.items.length, 0);
    await runDueJobs(h.system);
    const s = await h.rt.deps.db.selectFrom('schedules').select('end_reason').where('id', '=', act.body.targetScheduleId).executeTakeFirstOrThrow();
    assert.equal(s.end_reason, 'expired');
  });

  test('active member of a group that is eligible for a role: the member activates the role', async () => {
    const g = await group(admin, true);
    const roleId = (await admin.post('/api/v1/roles', { displayName: `db-ops-${Math.random().toString(36).slice(2, 8)}`, permissions: ['db:*'] })).body.id as string;
    await admin.patch(`/api/v1/roles/${roleId}/settings`, { activation: { requireMfa: false } });
    await assign(admin, g, roleId, { kind: 'eligible', permanent: true });
    const u = await userWithToken(admin);
    await assign(admin, u.id, MEMBER, { kind: 'active', scope: at(g), duration: 'PT2H' });
    const act = await u.api.post('/api/v1/requests', { action: 'selfActivate', principalId: u.id, roleId, justification: 'migration', schedule: { duration: 'PT1H' } });
    assert.equal(act.status, 201, JSON.stringify(act.body));
    assert.equal(await allowed(u.id, roleId), true);
  });

  test('owners: eligible ownership activated just in time lets the owner manage members; owners assign membership', async () => {
    const g = await group(admin, false, 'Project X');
    const owner = await userWithToken(admin);
    const newcomer = await userWithToken(admin);
    await assign(admin, owner.id, OWNER, { kind: 'eligible', scope: at(g), permanent: true });
    await noMfa(OWNER, at(g));
    const denied = await owner.api.post(`/api/v1/groups/${g}/members`, { id: newcomer.id });
    assert.equal(denied.status, 403, 'an eligible owner is not an owner yet');
    const act = await owner.api.post('/api/v1/requests', { action: 'selfActivate', principalId: owner.id, roleId: OWNER, scope: at(g), justification: 'onboarding', schedule: { duration: 'PT30M' } });
    assert.equal(act.status, 201, JSON.stringify(act.body));
    assert.equal((await owner.api.post(`/api/v1/groups/${g}/members`, { id: newcomer.id })).status, 201);
    const owners = await admin.get(`/api/v1/groups/${g}/owners`);
    assert.equal(owners.body.items[0].pim.assignmentType, 'Activated');
    // An owner may also make people eligible members of their group, without an admin role.
    const elig = await owner.api.post('/api/v1/requests', { action: 'adminAssign', kind: 'eligible', principalId: newcomer.id, roleId: MEMBER, scope: at(g), schedule: { duration: 'P30D' } });
    assert.equal(elig.status, 201, JSON.stringify(elig.body));
    const notHere = await owner.api.post('/api/v1/requests', { action: 'adminAssign', kind: 'eligible', principalId: newcomer.id, roleId: MEMBER, scope: at(await group(admin, false)), schedule: { duration: 'P30D' } });
    assert.equal(notHere.status, 403, 'only for the groups they own');
    h.clock.advance(30 * min);
    assert.equal((await owner.api.post(`/api/v1/groups/${g}/members`, { id: (await userWithToken(admin)).id })).status, 403, 'ownership ended by itself');
  });

  test('rules: group roles only at /groups/{id}, and only they; who may hold them', async () => {
    const g = await group(admin, true);
    const plain = await group(admin, false);
    const u = await userWithToken(admin);
    const sp = await admin.post('/api/v1/servicePrincipals', { displayName: 'bot', appId: `a-${Math.random().toString(36).slice(2)}` });
    const base = { action: 'adminAssign', kind: 'eligible', principalId: u.id, roleId: MEMBER, schedule: { permanent: true }, justification: 'x' };
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ scope: '/' }, 'schedule.scope_not_allowed'],
      [{ roleId: ROLE.userAdministrator, scope: at(g) }, 'schedule.scope_not_allowed'],
      [{ scope: '/groups/nope' }, 'scope.not_found'],
      [{ scope: at(g), principalId: sp.body.id }, 'schedule.principal_type_not_allowed'],
      [{ scope: at(g), roleId: OWNER, principalId: plain }, 'schedule.principal_type_not_allowed'],
      [{ scope: at(g), principalId: plain, kind: 'active' }, 'group.nesting_not_allowed'],
    ];
    for (const [extra, code] of cases) {
      const r = await admin.post('/api/v1/requests', { ...base, ...extra });
      assert.equal(r.body.error?.code, code, `${JSON.stringify(extra)} → ${JSON.stringify(r.body)}`);
    }
    const plainEligible = await admin.post('/api/v1/requests', { ...base, scope: at(g), principalId: plain });
    assert.equal(plainEligible.body.error?.code, 'group.nesting_not_allowed', 'whoever manages a plain group would control who reaches the roles');
    const inner = await group(admin, true);
    const eligibleGroup = await admin.post('/api/v1/requests', { ...base, scope: at(g), principalId: inner });
    assert.equal(eligibleGroup.status, 201, 'a role-assignable group may be an eligible member: its members activate for themselves');
    assert.equal((await admin.post(`/api/v1/groups/${inner}/members`, { id: u.id })).status, 201);
    await noMfa(MEMBER, at(g));
    const act = await u.api.post('/api/v1/requests', { action: 'selfActivate', principalId: u.id, roleId: MEMBER, scope: at(g), justification: 'x', schedule: { duration: 'PT1H' } });
    assert.equal(act.status, 201, JSON.stringify(act.body));
    assert.equal(act.body.principalId, u.id, 'the user, not the whole group, becomes a member');
  });
});
