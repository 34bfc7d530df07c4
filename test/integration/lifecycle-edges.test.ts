import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ROLE } from '../../src/domain/roles.ts';
import { runDueJobs } from '../../src/services/due-jobs.ts';
import { assign, group, longLivedClients, userWithToken } from '../helpers/factories.ts';
import { ENGINE, startWithAdmin, type Api } from '../helpers/harness.ts';

const min = 60_000;
const hour = 60 * min;
const day = 24 * hour;

/** The edges where access could outlive its grounds or reach past its authority. */
describe(`lifecycle edges (${ENGINE})`, () => {
  let h: Awaited<ReturnType<typeof startWithAdmin>>;
  let admin: Api;
  let checker: { api: Api };
  before(async () => {
    h = await startWithAdmin();
    ({ admin, checker } = await longLivedClients(h));
  });
  after(async () => { await h.close(); });
  const allowed = async (principal: string, role: string, scope = '/') => (await checker.api.post('/api/v1/check', { principal, role, scope })).body.allowed as boolean;
  const newRole = async (patch: unknown = { activation: { requireMfa: false } }) => {
    const id = (await admin.post('/api/v1/roles', { displayName: `r-${Math.random().toString(36).slice(2, 9)}`, permissions: ['app:use'] })).body.id as string;
    await admin.patch(`/api/v1/roles/${id}/settings`, patch);
    return id;
  };
  const at = (gid: string) => `/groups/${gid}`;
  const req = (api: Api, body: Record<string, unknown>) => api.post('/api/v1/requests', body);
  const sched = (id: string) => h.rt.deps.db.selectFrom('schedules').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  test('a group administrator cannot reach another group\'s assignments through targetScheduleId', async () => {
    const ra = await group(admin, true);
    const victim = await userWithToken(admin);
    const membership = await assign(admin, victim.id, ROLE.groupMember, { kind: 'eligible', scope: at(ra), permanent: true });
    const plain = await group(admin, false);
    const ga = await userWithToken(admin);
    await assign(admin, ga.id, ROLE.groupsAdministrator, { kind: 'active', permanent: true });
    h.clock.advance(6 * min);
    const base = { kind: 'eligible', principalId: victim.id, roleId: ROLE.groupMember, scope: at(plain), targetScheduleId: membership.targetScheduleId, justification: 'x' };
    for (const action of ['adminRemove', 'adminUpdate', 'adminExtend']) {
      const r = await req(ga.api, { ...base, action, ...(action === 'adminRemove' ? {} : { schedule: { duration: 'P400D' } }) });
      assert.equal(r.status, 403, `${action}: ${JSON.stringify(r.body)}`);
    }
    assert.equal((await sched(membership.targetScheduleId)).ended_at, null);
    const own = await req(ga.api, { action: 'adminAssign', kind: 'eligible', principalId: victim.id, roleId: ROLE.groupMember, scope: at(plain), schedule: { permanent: true } });
    assert.equal(own.status, 201, 'their own kind of group is fine');
  });

  test('an administrator cannot lengthen an activation; may end it', async () => {
    const roleId = await newRole();
    const u = await userWithToken(admin);
    await assign(admin, u.id, roleId, { kind: 'eligible', duration: 'P1D' });
    const act = await req(u.api, { action: 'selfActivate', principalId: u.id, roleId, justification: 'x', schedule: { duration: 'PT1H' } });
    const upd = await req(admin, { action: 'adminUpdate', kind: 'active', principalId: u.id, roleId, targetScheduleId: act.body.targetScheduleId, schedule: { permanent: true }, justification: 'x' });
    assert.equal(upd.body.error.code, 'schedule.not_found');
    h.clock.advance(6 * min);
    const rm = await req(admin, { action: 'adminRemove', kind: 'active', principalId: u.id, roleId, targetScheduleId: act.body.targetScheduleId, justification: 'disagree' });
    assert.equal(rm.status, 201, JSON.stringify(rm.body));
    assert.equal(await allowed(u.id, roleId), false);
  });

  test('activations through a PIM membership end with it: capped at its end, ended when it is deactivated; deleting the group ends them', async () => {
    const ra = await group(admin, true);
    const roleId = await newRole();
    await assign(admin, ra, roleId, { kind: 'eligible', permanent: true });
    await admin.patch(`/api/v1/roles/${ROLE.groupMember}/settings?scope=${encodeURIComponent(at(ra))}`, { activation: { requireMfa: false } });
    const u = await userWithToken(admin);
    await assign(admin, u.id, ROLE.groupMember, { kind: 'eligible', scope: at(ra), permanent: true });
    const m = await req(u.api, { action: 'selfActivate', principalId: u.id, roleId: ROLE.groupMember, scope: at(ra), justification: 'x', schedule: { duration: 'PT1H' } });
    const a = await req(u.api, { action: 'selfActivate', principalId: u.id, roleId, justification: 'x', schedule: { duration: 'PT8H' } });
    assert.equal(a.status, 201, JSON.stringify(a.body));
    assert.equal(a.body.schedule.endAt, m.body.schedule.endAt, 'capped at the membership end');
    h.clock.advance(6 * min);
    const off = await req(u.api, { action: 'selfDeactivate', principalId: u.id, roleId: ROLE.groupMember, targetScheduleId: m.body.targetScheduleId });
    assert.equal(off.status, 201, JSON.stringify(off.body));
    assert.equal((await sched(a.body.targetScheduleId)).end_reason, 'membership_removed');
    assert.equal(await allowed(u.id, roleId), false);

    const ra2 = await group(admin, true);
    await assign(admin, ra2, roleId, { kind: 'eligible', scope: '/resources/a/b', permanent: true });
    const w = await userWithToken(admin);
    await admin.post(`/api/v1/groups/${ra2}/members`, { id: w.id });
    const b = await req(w.api, { action: 'selfActivate', principalId: w.id, roleId, scope: '/resources/a/b', justification: 'x' });
    assert.equal(b.status, 201);
    assert.equal((await admin.delete(`/api/v1/groups/${ra2}`)).status, 204);
    assert.equal(await allowed(w.id, roleId, '/resources/a/b'), false, 'deleting the group ended it');
  });

  test('renewals and kind changes follow the assignment rules', async () => {
    const ra = await group(admin, true);
    const inner = await group(admin, true);
    const m = await assign(admin, inner, ROLE.groupMember, { kind: 'eligible', scope: at(ra), duration: 'P2D' });
    h.clock.advance(3 * day);
    const nest = await req(admin, { action: 'adminRenew', kind: 'active', principalId: inner, roleId: ROLE.groupMember, targetScheduleId: m.targetScheduleId, schedule: { permanent: true }, justification: 'x' });
    assert.equal(nest.body.error.code, 'group.nesting_not_allowed');

    const roleId = await newRole({ activation: { requireMfa: false }, assignment: { eligible: { permanentAllowed: false, maximumDuration: 'P30D' }, active: { permanentAllowed: false, maximumDuration: 'P1D' } } });
    const u = await userWithToken(admin);
    const a = await assign(admin, u.id, roleId, { kind: 'active', duration: 'PT12H' });
    h.clock.advance(day);
    const noReason = await req(admin, { action: 'adminRenew', kind: 'active', principalId: u.id, roleId, targetScheduleId: a.targetScheduleId, schedule: { duration: 'PT12H' } });
    assert.equal(noReason.body.error.code, 'policy.justification_required', 'as for adminAssign');

    const e = await assign(admin, u.id, roleId, { kind: 'eligible', duration: 'P30D' });
    h.clock.advance(20 * day);
    const ask = await req(u.api, { action: 'selfExtend', principalId: u.id, roleId, targetScheduleId: e.targetScheduleId, justification: 'x' });
    assert.equal(ask.status, 201, JSON.stringify(ask.body));
    const approver = await userWithToken(admin);
    await assign(admin, approver.id, ROLE.privilegedRoleAdministrator, { kind: 'active', permanent: true });
    const tooLong = await approver.api.post(`/api/v1/requests/${ask.body.id}/approve`, { justification: 'ok' });
    assert.equal(tooLong.body.error.code, 'schedule.too_long', 'the original length again would exceed P30D');
    const asActive = await approver.api.post(`/api/v1/requests/${ask.body.id}/approve`, { justification: 'ok', kind: 'active' });
    assert.equal(asActive.body.error.code, 'schedule.too_long', 'active is capped at P1D');
    const fits = await approver.api.post(`/api/v1/requests/${ask.body.id}/approve`, { justification: 'ok', kind: 'active', schedule: { duration: 'PT20H' } });
    assert.equal(fits.status, 200, JSON.stringify(fits.body));
    assert.equal(fits.body.kind, 'active', 'the request says what was granted');
  });

  test('a renewal approved after a new assignment exists fails instead of duplicating it', async () => {
    const roleId = await newRole();
    const u = await userWithToken(admin);
    const a = await assign(admin, u.id, roleId, { kind: 'eligible', duration: 'P2D' });
    h.clock.advance(3 * day);
    const ask = await req(u.api, { action: 'selfRenew', principalId: u.id, roleId, targetScheduleId: a.targetScheduleId, justification: 'x' });
    assert.equal(ask.status, 201);
    await assign(admin, u.id, roleId, { kind: 'eligible', duration: 'P5D' });
    const approver = await userWithToken(admin);
    await assign(admin, approver.id, ROLE.privilegedRoleAdministrator, { kind: 'active', permanent: true });
    const r = await approver.api.post(`/api/v1/requests/${ask.body.id}/approve`, { justification: 'ok' });
    assert.equal(r.body.status, 'Failed');
    const live = await h.rt.deps.db.selectFrom('schedules').select('id').where('principal_id', '=', u.id).where('role_id', '=', roleId).where('ended_at', 'is', null).execute();
    assert.equal(live.length, 2, 'the expired one (not yet ended by a job) and the new one; no third');
  });

  test('a withdrawn future activation never starts; moving the eligibility start later withdraws it', async () => {
    const roleId = await newRole();
    const u = await userWithToken(admin);
    const e = await assign(admin, u.id, roleId, { kind: 'eligible', permanent: true, startAt: new Date(h.clock.nowMs() + hour).toISOString() });
    const start = new Date(h.clock.nowMs() + 2 * hour).toISOString();
    const a = await req(u.api, { action: 'selfActivate', principalId: u.id, roleId, justification: 'x', schedule: { startAt: start, duration: 'PT1H' } });
    assert.equal(a.body.status, 'Granted', JSON.stringify(a.body));
    const off = await req(u.api, { action: 'selfDeactivate', principalId: u.id, roleId, targetScheduleId: a.body.targetScheduleId });
    assert.equal(off.status, 201);
    h.clock.advance(3 * hour);
    await runDueJobs(h.system);
    assert.equal((await u.api.get(`/api/v1/requests/${a.body.id}`)).body.status, 'Revoked');
    const started = await h.rt.deps.db.selectFrom('outbox').select('id').where('idempotency_key', '=', `schedule.started:${a.body.targetScheduleId}`).execute();
    assert.equal(started.length, 0, 'no connector is told to grant it');

    const roleB = await newRole();
    const e2 = await assign(admin, u.id, roleB, { kind: 'eligible', permanent: true, startAt: new Date(h.clock.nowMs() + hour).toISOString() });
    const b = await req(u.api, { action: 'selfActivate', principalId: u.id, roleId: roleB, justification: 'x', schedule: { startAt: new Date(h.clock.nowMs() + 2 * hour).toISOString(), duration: 'PT1H' } });
    assert.equal(b.status, 201);
    const later = await req(admin, { action: 'adminUpdate', kind: 'eligible', principalId: u.id, roleId: roleB, targetScheduleId: e2.targetScheduleId, schedule: { startAt: new Date(h.clock.nowMs() + 2 * day).toISOString(), permanent: true }, justification: 'x' });
    assert.equal(later.status, 201, JSON.stringify(later.body));
    assert.equal((await sched(b.body.targetScheduleId)).end_reason, 'eligibility_changed');
    h.clock.advance(3 * hour);
    assert.equal(await allowed(u.id, roleB), false);
    void e;
  });

  test('escalations are found by due time, not behind older requests', async () => {
    const quiet = await newRole({ activation: { requireMfa: false, requireApproval: true } });
    const approver = await userWithToken(admin);
    const esc = await userWithToken(admin);
    const loud = await newRole({ activation: { requireMfa: false, requireApproval: true, approvalStages: [{ approvers: [{ type: 'user', id: approver.id }], requiredApprovals: 1, escalation: { afterMinutes: 10, approvers: [{ type: 'user', id: esc.id }] } }] } });
    for (let i = 0; i < 4; i++) {
      const u = await userWithToken(admin);
      await assign(admin, u.id, quiet, { kind: 'eligible', permanent: true });
      assert.equal((await req(u.api, { action: 'selfActivate', principalId: u.id, roleId: quiet, justification: 'x' })).body.status, 'PendingApproval');
    }
    const u = await userWithToken(admin);
    await assign(admin, u.id, loud, { kind: 'eligible', permanent: true });
    const r = await req(u.api, { action: 'selfActivate', principalId: u.id, roleId: loud, justification: 'x' });
    h.clock.advance(11 * min);
    await runDueJobs(h.system, 1);
    const row = await h.rt.deps.db.selectFrom('requests').select('escalated_stage').where('id', '=', r.body.id).executeTakeFirstOrThrow();
    assert.equal(row.escalated_stage, 0);
  });

  test('tokens: a User Administrator cannot mint one for a privileged user', async () => {
    const ua = await userWithToken(admin);
    await assign(admin, ua.id, ROLE.userAdministrator, { kind: 'active', permanent: true });
    const plainUser = await userWithToken(admin);
    assert.equal((await ua.api.post('/api/v1/tokens', { name: 'x', ownerId: plainUser.id })).status, 201);
    const eligibleGa = await userWithToken(admin);
    await assign(admin, eligibleGa.id, ROLE.globalAdministrator, { kind: 'eligible', permanent: true });
    const r = await ua.api.post('/api/v1/tokens', { name: 'x', ownerId: eligibleGa.id });
    assert.equal(r.status, 403, 'even an eligible Global Administrator');
    assert.equal((await ua.api.post('/api/v1/tokens', { name: 'x', ownerId: h.adminId })).status, 403);
  });
});
