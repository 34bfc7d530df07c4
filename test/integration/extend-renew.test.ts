import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assign, userWithToken } from '../helpers/factories.ts';
import { insertLongToken } from '../helpers/direct.ts';
import { ENGINE, startWithAdmin, type Api } from '../helpers/harness.ts';

const day = 24 * 60 * 60_000;

describe(`extend and renew (${ENGINE})`, () => {
  let h: Awaited<ReturnType<typeof startWithAdmin>>;
  let admin: Api;
  before(async () => {
    h = await startWithAdmin();
    admin = h.admin.as(await insertLongToken(h, h.adminId));
  });
  after(async () => { await h.close(); });
  const newRole = async () => (await admin.post('/api/v1/roles', { displayName: `r-${Math.random().toString(36).slice(2, 9)}`, permissions: ['app:use'] })).body.id as string;
  const req = (api: Api, body: Record<string, unknown>) => api.post('/api/v1/requests', body);
  const schedule = async (id: string) => h.rt.deps.db.selectFrom('schedules').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  test('adminExtend moves the end later, directly, audited', async () => {
    const roleId = await newRole();
    const u = await userWithToken(admin);
    const a = await assign(admin, u.id, roleId, { kind: 'eligible', duration: 'P30D' });
    const base = { action: 'adminExtend', kind: 'eligible', principalId: u.id, roleId, targetScheduleId: a.targetScheduleId, justification: 'project extended' };
    const earlier = await req(admin, { ...base, schedule: { duration: 'P10D' } });
    assert.equal(earlier.body.error.code, 'schedule.extension_not_later');
    const ok = await req(admin, { ...base, schedule: { duration: 'P60D' } });
    assert.equal(ok.status, 201, JSON.stringify(ok.body));
    const s = await schedule(a.targetScheduleId);
    assert.equal(s.end_at! - s.start_at, 60 * day);
    const audit = await admin.get(`/api/v1/audit?action=schedule.eligible.extended&targetId=${a.targetScheduleId}`);
    assert.equal(audit.body.items.length, 1);
    const perm = await assign(admin, u.id, await newRole(), { kind: 'eligible', permanent: true });
    const none = await req(admin, { ...base, roleId: perm.roleId, targetScheduleId: perm.targetScheduleId, schedule: { duration: 'P60D' } });
    assert.equal(none.body.error.code, 'schedule.not_extendable');
    const notAdmin = await req(u.api, { ...base, schedule: { duration: 'P90D' } });
    assert.equal(notAdmin.status, 403);
  });

  test('selfExtend: within 14 days only, one at a time, approved by administrators who may change end and kind', async () => {
    const roleId = await newRole();
    const u = await userWithToken(admin);
    const colleague = await userWithToken(admin);
    const a = await assign(admin, u.id, roleId, { kind: 'eligible', duration: 'P30D' });
    const ask = { action: 'selfExtend', principalId: u.id, roleId, targetScheduleId: a.targetScheduleId, justification: 'still on the project', schedule: { duration: 'P60D' } };
    const early = await req(u.api, ask);
    assert.equal(early.body.error.code, 'request.extend_too_early');
    assert.ok(early.body.error.details.extendableFrom);
    h.clock.advance(17 * day);
    const pending = await req(u.api, ask);
    assert.equal(pending.status, 201, JSON.stringify(pending.body));
    assert.equal(pending.body.status, 'PendingApproval');
    assert.equal((await req(u.api, ask)).body.error.code, 'request.already_pending');
    assert.equal((await colleague.api.post(`/api/v1/requests/${pending.body.id}/approve`, { justification: 'ok' })).body.error.code, 'request.not_an_approver');
    assert.equal((await u.api.post(`/api/v1/requests/${pending.body.id}/approve`, { justification: 'ok' })).body.error.code, 'request.self_approval');
    const inbox = await admin.get('/api/v1/approvals');
    assert.ok(inbox.body.items.some((r: { id: string }) => r.id === pending.body.id), 'administrators see extension requests');

    // The administrator approves, making it active for 10 days instead.
    const ok = await admin.post(`/api/v1/requests/${pending.body.id}/approve`, { justification: 'approved as active', kind: 'active', schedule: { duration: 'P10D' } });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal(ok.body.status, 'Provisioned');
    assert.notEqual(ok.body.targetScheduleId, a.targetScheduleId);
    const old = await schedule(a.targetScheduleId);
    assert.equal(old.end_reason, 'replaced');
    const fresh = await schedule(ok.body.targetScheduleId);
    assert.equal(fresh.kind, 'active');
    assert.equal(fresh.end_at! - fresh.start_at, 10 * day);
  });

  test('selfExtend approved as asked keeps the kind and moves the end', async () => {
    const roleId = await newRole();
    const u = await userWithToken(admin);
    const a = await assign(admin, u.id, roleId, { kind: 'eligible', duration: 'P20D' });
    h.clock.advance(10 * day);
    const p = await req(u.api, { action: 'selfExtend', principalId: u.id, roleId, targetScheduleId: a.targetScheduleId, justification: 'x', schedule: { duration: 'P50D' } });
    assert.equal(p.status, 201, JSON.stringify(p.body));
    const ok = await admin.post(`/api/v1/requests/${p.body.id}/approve`, { justification: 'fine' });
    assert.equal(ok.body.status, 'Provisioned');
    const s = await schedule(a.targetScheduleId);
    assert.equal(s.end_at! - s.start_at, 50 * day);
    assert.equal(s.ended_at, null);
  });

  test('selfRenew within 30 days of expiry; adminRenew directly; later than that, not renewable', async () => {
    const roleId = await newRole();
    const u = await userWithToken(admin);
    const a = await assign(admin, u.id, roleId, { kind: 'eligible', duration: 'P7D' });
    const ask = { action: 'selfRenew', principalId: u.id, roleId, targetScheduleId: a.targetScheduleId, justification: 'need it again' };
    assert.equal((await req(u.api, ask)).body.error.code, 'schedule.not_renewable', 'not expired yet');
    h.clock.advance(10 * day);
    const p = await req(u.api, ask);
    assert.equal(p.status, 201, JSON.stringify(p.body));
    const changesOnActivation = await admin.post(`/api/v1/requests/${p.body.id}/deny`, { justification: 'x', kind: 'active' });
    assert.equal(changesOnActivation.body.error.code, 'request.changes_not_allowed', 'a deny carries no changes');
    const ok = await admin.post(`/api/v1/requests/${p.body.id}/approve`, { justification: 'renewed' });
    assert.equal(ok.body.status, 'Provisioned', JSON.stringify(ok.body));
    const renewed = await schedule(ok.body.targetScheduleId);
    assert.equal(renewed.end_at! - renewed.start_at, 7 * day, 'the original length again');
    assert.equal(renewed.start_at, h.clock.nowMs());
    const twice = await req(u.api, ask);
    assert.equal(twice.body.error?.code, 'schedule.already_exists', JSON.stringify(twice.body));

    const b = await assign(admin, u.id, await newRole(), { kind: 'active', duration: 'P2D' });
    h.clock.advance(33 * day); // ended 31 days ago
    const late = await req(admin, { action: 'adminRenew', principalId: u.id, roleId: b.roleId, targetScheduleId: b.targetScheduleId, schedule: { duration: 'P5D' }, justification: 'x' });
    assert.equal(late.body.error.code, 'schedule.not_renewable');
    const c = await assign(admin, u.id, await newRole(), { kind: 'active', duration: 'P2D' });
    h.clock.advance(3 * day);
    const direct = await req(admin, { action: 'adminRenew', principalId: u.id, roleId: c.roleId, targetScheduleId: c.targetScheduleId, schedule: { duration: 'P5D' }, justification: 'again' });
    assert.equal(direct.status, 201, JSON.stringify(direct.body));
    assert.equal((await schedule(direct.body.targetScheduleId)).kind, 'active');
  });
});
