import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { Scheduler } from '../../src/jobs/scheduler.ts';
import { openRuntime } from '../../src/runtime.ts';
import { runDueJobs } from '../../src/services/due-jobs.ts';
import { inTransaction } from '../../src/services/transaction.ts';
import { assign, longLivedClients, userWithToken } from '../helpers/factories.ts';
import { ENGINE, startWithAdmin, type Api } from '../helpers/harness.ts';

const min = 60_000;
const hour = 60 * min;
const day = 24 * hour;

describe(`scheduler: due-time jobs (${ENGINE})`, () => {
  let h: Awaited<ReturnType<typeof startWithAdmin>>;
  let admin: Api;
  let checker: { api: Api };
  before(async () => {
    h = await startWithAdmin();
    ({ admin, checker } = await longLivedClients(h));
  });
  after(async () => { await h.close(); });

  const db = () => h.rt.deps.db;
  const run = () => runDueJobs(h.system);
  const allowed = async (principal: string, role: string) => (await checker.api.post('/api/v1/check', { principal, role, scope: '/' })).body.allowed as boolean;
  const newRole = async () => (await admin.post('/api/v1/roles', { displayName: `r-${Math.random().toString(36).slice(2, 9)}`, permissions: ['app:use'] })).body.id as string;
  const settings = (roleId: string, patch: unknown) => admin.patch(`/api/v1/roles/${roleId}/settings`, patch);
  const outbox = async (type: string) => db().selectFrom('outbox').selectAll().where('event_type', '=', type).execute();
  const auditOf = async (action: string, targetId: string) => (await db().selectFrom('audit_events').selectAll().where('action', '=', action).where('target_id', '=', targetId).execute())
    .map((e) => ({ ...e, after: JSON.parse(e.after_json ?? 'null') as Record<string, unknown> }));

  test('the expiry job ends an activation at its end, once, recording the due time; the check denied already', async () => {
    const roleId = await newRole();
    await settings(roleId, { activation: { requireMfa: false } });
    const u = await userWithToken(admin);
    await assign(admin, u.id, roleId, { kind: 'eligible', permanent: true });
    const act = await u.api.post('/api/v1/requests', { action: 'selfActivate', principalId: u.id, roleId, justification: 'deploy', schedule: { duration: 'PT1H' } });
    assert.equal(act.status, 201);
    const scheduleId = act.body.targetScheduleId as string;
    await run();
    assert.equal((await db().selectFrom('schedules').select('ended_at').where('id', '=', scheduleId).executeTakeFirstOrThrow()).ended_at, null, 'nothing due yet');

    h.clock.advance(hour);
    assert.equal(await allowed(u.id, roleId), false, 'denied at endAt before any job ran');
    h.clock.advance(3 * day); // the server was "down" for three days
    const counts = await run();
    assert.ok(counts.expiredSchedules >= 1);
    const s = await db().selectFrom('schedules').selectAll().where('id', '=', scheduleId).executeTakeFirstOrThrow();
    assert.equal(s.end_reason, 'expired');
    assert.equal(s.ended_at, s.end_at, 'ended at its due time, not when the job ran');
    const [ended] = await auditOf('schedule.active.ended', scheduleId);
    assert.equal(ended?.after.dueAt, new Date(s.end_at!).toISOString());
    assert.equal(ended?.after.ranAt, new Date(h.clock.nowMs()).toISOString());
    assert.equal((await outbox('schedule.expired')).filter((m) => JSON.parse(m.payload).scheduleId === scheduleId).length, 1);
    assert.equal((await run()).expiredSchedules, 0, 'nothing left to do');
    assert.equal((await auditOf('schedule.active.ended', scheduleId)).length, 1);
    const mine = await u.api.get('/api/v1/me/roles');
    assert.ok(mine.body.expired.some((a: { scheduleId: string; endReason: string }) => a.scheduleId === scheduleId && a.endReason === 'expired'));
  });

  test('scheduled starts become Provisioned; pending approvals expire; escalations are sent once', async () => {
    const roleId = await newRole();
    const approver = await userWithToken(admin);
    const escalation = await userWithToken(admin);
    await settings(roleId, {
      activation: {
        requireMfa: false, requireApproval: true,
        approvalStages: [{ approvers: [{ type: 'user', id: approver.id }], requiredApprovals: 1, escalation: { afterMinutes: 30, approvers: [{ type: 'user', id: escalation.id }] } }],
      },
    });
    const u = await userWithToken(admin);
    const future = await assign(admin, u.id, roleId, { kind: 'eligible', permanent: true, startAt: new Date(h.clock.nowMs() + 2 * hour).toISOString() });
    assert.equal(future.status, 'Granted');
    const pending = await u.api.post('/api/v1/requests', { action: 'selfActivate', principalId: u.id, roleId, justification: 'x', schedule: { startAt: new Date(h.clock.nowMs() + 2 * hour).toISOString(), duration: 'PT1H' } });
    assert.equal(pending.body.status, 'PendingApproval', JSON.stringify(pending.body));

    h.clock.advance(29 * min);
    assert.equal((await run()).escalated, 0);
    h.clock.advance(min);
    assert.equal((await run()).escalated, 1);
    assert.equal((await run()).escalated, 0, 'once per stage');
    const [esc] = await auditOf('request.escalated', pending.body.id);
    assert.deepEqual(esc?.after.escalationApprovers, [escalation.id]);
    assert.equal((await outbox('request.escalated')).filter((m) => JSON.parse(m.payload).requestId === pending.body.id).length, 1);

    h.clock.advance(2 * hour);
    await run();
    const started = await admin.get(`/api/v1/requests/${future.id}`);
    assert.equal(started.body.status, 'Provisioned');
    const [prov] = await auditOf('request.provisioned', future.id);
    assert.equal(prov?.after.dueAt, future.schedule.startAt);

    h.clock.advance(22 * hour);
    await run();
    const expired = await u.api.get(`/api/v1/requests/${pending.body.id}`);
    assert.equal(expired.body.status, 'Canceled');
    assert.match(expired.body.statusReason, /expired/i);
    assert.equal((await auditOf('request.expired', pending.body.id)).length, 1);
    assert.equal((await outbox('request.expired')).filter((m) => JSON.parse(m.payload).requestId === pending.body.id).length, 1);
  });

  test('expiry reminders at 14 days and 1 day, again for a new end, and the expiry notice', async () => {
    const roleId = await newRole();
    const u = await userWithToken(admin);
    const a = await assign(admin, u.id, roleId, { kind: 'eligible', duration: 'P30D' });
    const sid = a.targetScheduleId as string;
    const reminders = async () => (await outbox('schedule.expiring')).filter((m) => JSON.parse(m.payload).scheduleId === sid).map((m) => JSON.parse(m.payload).reminder as string);
    await run();
    assert.deepEqual(await reminders(), []);
    h.clock.advance(16 * day);
    await run();
    await run();
    assert.deepEqual(await reminders(), ['14d'], 'sent once');
    h.clock.advance(13 * day + hour);
    await run();
    assert.deepEqual((await reminders()).sort(), ['14d', '1d']);

    // An administrator moves the end out by 20 days: the new end gets its own reminders.
    const newEnd = new Date(Date.parse(a.schedule.endAt) + 20 * day).toISOString();
    const upd = await admin.post('/api/v1/requests', { action: 'adminUpdate', kind: 'eligible', principalId: u.id, roleId, targetScheduleId: sid, schedule: { endAt: newEnd }, justification: 'extend' });
    assert.equal(upd.status, 201, JSON.stringify(upd.body));
    await run();
    assert.equal((await reminders()).length, 2, 'the new end is three weeks away');
    h.clock.advance(7 * day);
    await run();
    assert.deepEqual((await reminders()).sort(), ['14d', '14d', '1d'], 'a 14-day reminder for the new end');
    h.clock.advance(14 * day);
    await run();
    assert.equal((await outbox('schedule.expired')).filter((m) => JSON.parse(m.payload).scheduleId === sid).length, 1);
  });

  test('disabling a user ends their activations and cancels their pending requests, and keeps the audit', async () => {
    const roleId = await newRole();
    const other = await newRole();
    const approver = await userWithToken(admin);
    await settings(roleId, { activation: { requireMfa: false } });
    await settings(other, { activation: { requireMfa: false, requireApproval: true, approvalStages: [{ approvers: [{ type: 'user', id: approver.id }], requiredApprovals: 1, escalation: null }] } });
    const u = await userWithToken(admin);
    await assign(admin, u.id, roleId, { kind: 'eligible', permanent: true });
    await assign(admin, u.id, other, { kind: 'eligible', permanent: true });
    const act = await u.api.post('/api/v1/requests', { action: 'selfActivate', principalId: u.id, roleId, justification: 'x' });
    const pend = await u.api.post('/api/v1/requests', { action: 'selfActivate', principalId: u.id, roleId: other, justification: 'x' });
    assert.equal((await admin.patch(`/api/v1/users/${u.id}`, { enabled: false })).status, 200);
    const s = await db().selectFrom('schedules').selectAll().where('id', '=', act.body.targetScheduleId).executeTakeFirstOrThrow();
    assert.equal(s.end_reason, 'principal_disabled');
    assert.equal((await admin.get(`/api/v1/requests/${pend.body.id}`)).body.status, 'Canceled');
    assert.equal((await admin.post('/api/v1/users/' + u.id + '/restore')).status >= 400, true, 'not deleted, so not restorable');
    assert.equal((await admin.patch(`/api/v1/users/${u.id}`, { enabled: true })).status, 200);
    assert.equal(await allowed(u.id, roleId), false, 're-enabling never restores an elevation');
    const mine = await db().selectFrom('schedules').select('id').where('principal_id', '=', u.id).where('kind', '=', 'eligible').where('ended_at', 'is', null).execute();
    assert.equal(mine.length, 2, 'assignments stay');
    assert.equal((await auditOf('schedule.active.ended', act.body.targetScheduleId)).length, 1);
  });

  test('two workers at once never end a schedule twice', async () => {
    const roleId = await newRole();
    const users = await Promise.all(Array.from({ length: 40 }, () => userWithToken(admin)));
    const end = h.clock.nowMs() + hour;
    await inTransaction(h.system, async (tx) => {
      for (const u of users) {
        const id = crypto.randomUUID();
        await tx.db.insertInto('schedules').values({
          id, kind: 'active', principal_id: u.id, principal_type: 'user', role_id: roleId, scope: '/', start_at: tx.nowMs, end_at: end,
          assignment_type: 'Assigned', linked_eligibility_id: null, created_by_request_id: null, created_at: tx.nowMs, updated_at: tx.nowMs,
          ended_at: null, end_reason: null, ended_by: null, reminded_level: 0,
        }).execute();
        await tx.audit({ action: 'schedule.active.created', targetType: 'schedule', targetId: id, roleId });
      }
    });
    h.clock.advance(hour);
    // On PostgreSQL a second node (its own pool); on SQLite a second worker in the same process.
    const node2 = ENGINE === 'postgres'
      ? await openRuntime(h.config, { clock: h.clock, log: pino({ level: 'silent' }), db: { pgSchema: h.db.pgSchema!, poolSize: 4 } })
      : undefined;
    try {
      const [a, b, c] = await Promise.all([runDueJobs(h.system, 7), runDueJobs(node2?.system ?? h.system, 7), new Scheduler(h.system, 1000).tick()]);
      assert.equal(a.expiredSchedules + b.expiredSchedules + (c?.expiredSchedules ?? 0), users.length, 'each schedule ended by exactly one worker');
    } finally {
      await node2?.close();
    }
    const ended = await db().selectFrom('audit_events').select(['target_id']).where('action', '=', 'schedule.active.ended').where('role_id', '=', roleId).execute();
    assert.equal(ended.length, users.length);
    assert.equal(new Set(ended.map((e) => e.target_id)).size, users.length);
    const verify = await admin.get('/api/v1/audit/verify');
    assert.equal(verify.body.ok, true, JSON.stringify(verify.body));
  });
});
