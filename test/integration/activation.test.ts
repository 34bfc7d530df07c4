import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ROLE } from '../../src/domain/roles.ts';
import { runDueJobs } from '../../src/services/due-jobs.ts';
import { submitRequest } from '../../src/services/submit-request.ts';
import { assign, group, userWithToken } from '../helpers/factories.ts';
import { ctxAs, ENGINE, startWithAdmin, type Api } from '../helpers/harness.ts';
import { insertLongToken } from '../helpers/direct.ts';

const min = 60_000;
const hour = 60 * min;

describe(`activation, approval and deactivation (${ENGINE})`, () => {
  let h: Awaited<ReturnType<typeof startWithAdmin>>;
  let checker: { api: Api };
  let admin: Api;
  before(async () => {
    h = await startWithAdmin();
    // The bootstrap token lasts 30 days; these tests travel further.
    admin = h.admin.as(await insertLongToken(h, h.adminId));
    checker = await userWithToken(admin, undefined, ['check']);
  });
  after(async () => { await h.close(); });

  const allowed = async (principal: string, role: string, scope = '/') => (await checker.api.post('/api/v1/check', { principal, role, scope })).body.allowed as boolean;
  const customRole = async (name = `role-${Math.random().toString(36).slice(2, 8)}`) => {
    const r = await admin.post('/api/v1/roles', { displayName: name, permissions: ['db:read'] });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body.id as string;
  };
  const settings = async (roleId: string, patch: unknown, scope?: string) => {
    const r = await admin.patch(`/api/v1/roles/${roleId}/settings${scope ? `?scope=${encodeURIComponent(scope)}` : ''}`, patch);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body;
  };
  const NO_MFA = { activation: { requireMfa: false } };
  const activate = (api: Api, principalId: string, roleId: string, extra: Record<string, unknown> = {}) =>
    api.post('/api/v1/requests', { action: 'selfActivate', principalId, roleId, justification: 'on call', ...extra });

  test('the seed story: group eligibility, activation with justification, approval by a group, check, end at endAt', async () => {
    const roleId = ROLE.userAdministrator;
    const approverA = await userWithToken(admin);
    const approvers = await group(admin, false, 'User Administrator approvers');
    assert.equal((await admin.post(`/api/v1/groups/${approvers}/members`, { id: approverA.id })).status, 201);
    await settings(roleId, { activation: { requireMfa: false, requireApproval: true, approvalStages: [{ approvers: [{ type: 'group', id: approvers }], requiredApprovals: 1, escalation: null }] } });

    const eligibility = await group(admin, true, 'User Administrator eligibility');
    await assign(admin, eligibility, roleId, { kind: 'eligible', permanent: true });
    const member = await userWithToken(admin);
    assert.equal((await admin.post(`/api/v1/groups/${eligibility}/members`, { id: member.id })).status, 201);

    const noReason = await activate(member.api, member.id, roleId, { justification: undefined, schedule: { duration: 'PT2H' } });
    assert.equal(noReason.status, 400);
    assert.equal(noReason.body.error.code, 'policy.justification_required');

    const req = await activate(member.api, member.id, roleId, { schedule: { duration: 'PT2H' }, justification: 'Reset passwords for new hires' });
    assert.equal(req.status, 201, JSON.stringify(req.body));
    assert.equal(req.body.status, 'PendingApproval');
    assert.equal(req.body.approval.stage, 1);
    assert.equal(req.body.requirements.approval, true);
    assert.equal(await allowed(member.id, roleId), false, 'nothing granted while pending');

    const inbox = await approverA.api.get('/api/v1/approvals?status=pending');
    assert.deepEqual(inbox.body.items.map((r: { id: string }) => r.id), [req.body.id]);
    assert.equal((await member.api.get('/api/v1/approvals')).body.items.length, 0, 'requesters never see their own request to decide');

    h.clock.advance(10 * min);
    const bare = await approverA.api.post(`/api/v1/requests/${req.body.id}/approve`, {});
    assert.equal(bare.status, 400);
    assert.equal(bare.body.error.code, 'request.justification_required');
    const ok = await approverA.api.post(`/api/v1/requests/${req.body.id}/approve`, { justification: 'Ticket checked' });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal(ok.body.status, 'Provisioned');
    assert.equal(ok.body.approval.decisions[0].approverId, approverA.id);
    // The window starts at approval and keeps the requested two hours.
    assert.equal(Date.parse(ok.body.schedule.endAt) - Date.parse(ok.body.schedule.startAt), 2 * hour);
    assert.equal(ok.body.schedule.startAt, new Date(h.clock.nowMs()).toISOString());
    assert.equal(await allowed(member.id, roleId), true);
    const mine = await member.api.get('/api/v1/me/roles');
    assert.ok(mine.body.active.some((a: { assignmentType: string; roleId: string }) => a.assignmentType === 'Activated' && a.roleId === roleId));

    const again = await approverA.api.post(`/api/v1/requests/${req.body.id}/deny`, { justification: 'too late' });
    assert.equal(again.status, 409);
    assert.equal(again.body.error.code, 'request.already_decided');

    h.clock.advance(2 * hour);
    assert.equal(await allowed(member.id, roleId), false, 'denied at endAt with no job');
    await runDueJobs(h.system);
    const ended = await h.rt.deps.db.selectFrom('schedules').select(['end_reason', 'ended_at', 'end_at']).where('id', '=', ok.body.targetScheduleId).executeTakeFirstOrThrow();
    assert.equal(ended.end_reason, 'expired', 'the expiry job ends it');
    assert.equal(ended.ended_at, ended.end_at);
    const audit = await admin.get(`/api/v1/audit?action=request.approved`);
    assert.ok(audit.body.items.some((e: { requestId: string; justification: string }) => e.requestId === req.body.id && e.justification === 'Ticket checked'));
    await admin.delete(`/api/v1/roles/${roleId}/settings`);
  });

  test('refusals: not self, not eligible, MFA, ticket, too long, permanent', async () => {
    const roleId = await customRole();
    const u = await userWithToken(admin);
    const other = await userWithToken(admin);
    assert.equal((await activate(u.api, u.id, roleId)).body.error.code, 'request.not_eligible');
    await assign(admin, u.id, roleId, { kind: 'eligible', permanent: true });

    const mfa = await activate(u.api, u.id, roleId);
    assert.equal(mfa.status, 403);
    assert.equal(mfa.body.error.code, 'auth.mfa_required', 'the default policy needs MFA, which API tokens cannot give');
    const dry = await activate(u.api, u.id, roleId, { validateOnly: true, justification: undefined });
    assert.equal(dry.status, 200);
    assert.equal(dry.body.status, 'Validated');
    assert.deepEqual(dry.body.requirements, { mfa: true, justification: true, ticket: false, approval: false, maximumDuration: 'PT8H', missing: ['mfa', 'justification'] });
    assert.equal((await u.api.get('/api/v1/requests?action=selfActivate')).body.items.length, 0, 'a dry run stores nothing');

    await settings(roleId, { activation: { requireMfa: false, requireTicket: true, maximumDuration: 'PT2H' } });
    const cases: Array<[Api, Record<string, unknown>, number, string]> = [
      [other.api, { principalId: u.id }, 403, 'request.not_self'],
      [u.api, {}, 400, 'policy.ticket_required'],
      [u.api, { ticket: { number: 'INC-1', system: 'SNOW' }, schedule: { duration: 'PT3H' } }, 400, 'policy.duration_exceeds_maximum'],
      [u.api, { ticket: { number: 'INC-1' }, schedule: { permanent: true } }, 400, 'request.permanent_activation'],
      [u.api, { ticket: { number: 'INC-1' }, schedule: { duration: 'PT4M' } }, 400, 'schedule.too_short'],
      [u.api, { ticket: { number: 'INC-1' }, kind: 'eligible' }, 400, 'request.kind_invalid'],
      [u.api, { ticket: { number: 'INC-1' }, scope: '/administrativeUnits/none' }, 400, 'scope.not_found'],
    ];
    for (const [api, extra, status, code] of cases) {
      const r = await activate(api, u.id, roleId, extra);
      assert.equal(r.status, status, `${code}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.error.code, code);
    }
    const ok = await activate(u.api, u.id, roleId, { ticket: { number: 'INC-1', system: 'SNOW' } });
    assert.equal(ok.status, 201, JSON.stringify(ok.body));
    assert.equal(Date.parse(ok.body.schedule.endAt) - Date.parse(ok.body.schedule.startAt), 2 * hour, 'no duration: the role maximum');
    assert.deepEqual(ok.body.ticket, { number: 'INC-1', system: 'SNOW' });
  });

  test('MFA done in the session satisfies the policy', async () => {
    const roleId = await customRole();
    const u = await userWithToken(admin);
    await assign(admin, u.id, roleId, { kind: 'eligible', permanent: true });
    const ctx = ctxAs(h, u.id);
    const withMfa = { ...ctx, actor: { ...ctx.actor, mfaAt: h.clock.nowMs() } };
    const r = await submitRequest(withMfa, { action: 'selfActivate', principalId: u.id, roleId, justification: 'incident', schedule: { duration: 'PT1H' } });
    assert.equal(r.status, 'Provisioned');
    assert.deepEqual(r.requirements?.missing, []);
    assert.equal(await allowed(u.id, roleId), true);
  });

  test('narrower scope, capped by the eligibility end; overlapping activations never cut each other short', async () => {
    const roleId = await customRole();
    await settings(roleId, NO_MFA);
    const u = await userWithToken(admin);
    await assign(admin, u.id, roleId, { kind: 'eligible', scope: '/resources/db/prod', duration: 'PT3H' });
    const narrow = await activate(u.api, u.id, roleId, { scope: '/resources/db/prod/table/users', schedule: { duration: 'PT8H' } });
    assert.equal(narrow.status, 201, JSON.stringify(narrow.body));
    const eligEnd = h.clock.nowMs() + 3 * hour;
    assert.equal(Date.parse(narrow.body.schedule.endAt), eligEnd, 'capped at the eligibility end');
    assert.equal(await allowed(u.id, roleId, '/resources/db/prod/table/users/row/1'), true);
    assert.equal(await allowed(u.id, roleId, '/resources/db/prod/table/orders'), false, 'only the narrowed scope');
    assert.equal((await activate(u.api, u.id, roleId, { scope: '/resources/db/staging' })).body.error.code, 'request.not_eligible', 'never wider than the eligibility');

    const wide = await activate(u.api, u.id, roleId, { scope: '/resources/db/prod', schedule: { duration: 'PT1H' } });
    assert.equal(wide.status, 201);
    const second = await activate(u.api, u.id, roleId, { scope: '/resources/db/prod/table/users', schedule: { duration: 'PT1H' } });
    assert.equal(second.status, 201, 'the same role may be activated again while active');

    const tooSoon = await u.api.post('/api/v1/requests', { action: 'selfDeactivate', principalId: u.id, roleId, targetScheduleId: narrow.body.targetScheduleId });
    assert.equal(tooSoon.status, 400);
    assert.equal(tooSoon.body.error.code, 'request.deactivation_too_soon');
    h.clock.advance(5 * min);
    const off = await u.api.post('/api/v1/requests', { action: 'selfDeactivate', principalId: u.id, roleId, targetScheduleId: narrow.body.targetScheduleId });
    assert.equal(off.status, 201, JSON.stringify(off.body));
    assert.equal(off.body.status, 'Revoked');
    assert.equal(await allowed(u.id, roleId, '/resources/db/prod/table/users'), true, 'the other activations still grant it');
    const other = await userWithToken(admin);
    const notMine = await other.api.post('/api/v1/requests', { action: 'selfDeactivate', principalId: other.id, roleId, targetScheduleId: wide.body.targetScheduleId });
    assert.equal(notMine.body.error.code, 'schedule.not_found');
  });

  test('future start: Granted, in force from the start, and it needs the eligibility then', async () => {
    const roleId = await customRole();
    await settings(roleId, NO_MFA);
    const u = await userWithToken(admin);
    await assign(admin, u.id, roleId, { kind: 'eligible', duration: 'PT6H' });
    const late = new Date(h.clock.nowMs() + 7 * hour).toISOString();
    assert.equal((await activate(u.api, u.id, roleId, { schedule: { startAt: late, duration: 'PT1H' } })).body.error.code, 'request.not_eligible');
    const start = new Date(h.clock.nowMs() + hour).toISOString();
    const r = await activate(u.api, u.id, roleId, { schedule: { startAt: start, duration: 'PT1H' } });
    assert.equal(r.body.status, 'Granted');
    assert.equal(await allowed(u.id, roleId), false);
    h.clock.advance(hour);
    assert.equal(await allowed(u.id, roleId), true);
  });

  test('approval rules: self-approval, outsiders, one person counts once, stages, escalation, policy snapshot', async () => {
    const roleId = await customRole();
    const [a, b, c, esc, outsider] = await Promise.all([0, 1, 2, 3, 4].map(() => userWithToken(admin)));
    const requester = await userWithToken(admin);
    const approversGroup = await group(admin, false);
    for (const m of [a!.id, b!.id, requester.id]) await admin.post(`/api/v1/groups/${approversGroup}/members`, { id: m });
    await settings(roleId, {
      activation: {
        requireMfa: false, requireApproval: true, approverJustificationRequired: false,
        approvalStages: [
          { approvers: [{ type: 'group', id: approversGroup }], requiredApprovals: 2, escalation: null },
          { approvers: [{ type: 'user', id: c!.id }, { type: 'user', id: a!.id }], requiredApprovals: 1, escalation: { afterMinutes: 60, approvers: [{ type: 'user', id: esc!.id }] } },
        ],
      },
    });
    await assign(admin, requester.id, roleId, { kind: 'eligible', permanent: true });
    const req = await activate(requester.api, requester.id, roleId);
    assert.equal(req.body.status, 'PendingApproval');
    const id = req.body.id as string;
    const decide = (api: Api, d: 'approve' | 'deny' = 'approve') => api.post(`/api/v1/requests/${id}/${d}`, {});

    assert.equal((await decide(requester.api)).body.error.code, 'request.self_approval', 'a member of the approvers group still cannot approve their own request');
    assert.equal((await decide(outsider!.api)).body.error.code, 'request.not_an_approver');
    assert.equal((await decide(c!.api)).body.error.code, 'request.not_an_approver', 'stage 2 approvers wait for stage 1');
    assert.equal((await outsider!.api.get(`/api/v1/requests/${id}`)).status, 404, 'outsiders cannot read it');
    assert.equal((await a!.api.get(`/api/v1/requests/${id}`)).status, 200, 'approvers can');

    // The policy changes while the request is in flight: the request keeps its rules.
    await settings(roleId, { activation: { approvalStages: [{ approvers: [{ type: 'user', id: outsider!.id }], requiredApprovals: 1, escalation: null }] } });
    assert.equal((await decide(outsider!.api)).body.error.code, 'request.not_an_approver', 'in-flight requests keep the approvers they were made with');

    const first = await decide(a!.api);
    assert.equal(first.status, 200);
    assert.equal(first.body.status, 'PendingApproval', 'stage 1 needs two approvals');
    assert.equal((await decide(a!.api)).body.error.code, 'request.already_decided_by_you');
    const second = await decide(b!.api);
    assert.equal(second.body.approval.stage, 2, 'stage 1 complete');
    assert.equal((await decide(a!.api)).body.error.code, 'request.already_decided_by_you', 'one person counts once across stages');
    assert.equal((await decide(esc!.api)).body.error.code, 'request.not_an_approver', 'escalation is not due yet');
    h.clock.advance(60 * min);
    const inbox = await esc!.api.get('/api/v1/approvals');
    assert.deepEqual(inbox.body.items.map((r: { id: string }) => r.id), [id], 'due escalation puts it in the inbox');
    const done = await decide(esc!.api);
    assert.equal(done.status, 200, JSON.stringify(done.body));
    assert.equal(done.body.status, 'Provisioned');
    assert.equal(done.body.approval.decisions.length, 3);
    assert.equal(await allowed(requester.id, roleId), true);
    const decided = await a!.api.get('/api/v1/approvals?status=decided');
    assert.ok(decided.body.items.some((r: { id: string }) => r.id === id));
  });

  test('deny ends the request; pending requests expire after 24 h; cancel; one pending at a time', async () => {
    const roleId = await customRole();
    const approver = await userWithToken(admin);
    const u = await userWithToken(admin);
    await settings(roleId, { activation: { requireMfa: false, requireApproval: true, approvalStages: [{ approvers: [{ type: 'user', id: approver.id }], requiredApprovals: 1, escalation: null }] } });
    await assign(admin, u.id, roleId, { kind: 'eligible', permanent: true });

    const denied = await activate(u.api, u.id, roleId);
    assert.equal((await activate(u.api, u.id, roleId)).body.error.code, 'request.already_pending');
    const no = await approver.api.post(`/api/v1/requests/${denied.body.id}/deny`, { justification: 'not today' });
    assert.equal(no.body.status, 'Denied');
    assert.equal(await allowed(u.id, roleId), false);

    const waiting = await activate(u.api, u.id, roleId);
    h.clock.advance(24 * hour);
    const late = await approver.api.post(`/api/v1/requests/${waiting.body.id}/approve`, { justification: 'ok' });
    assert.equal(late.status, 409);
    assert.equal(late.body.error.code, 'request.expired');
    const after = await u.api.get(`/api/v1/requests/${waiting.body.id}`);
    assert.equal(after.body.status, 'Canceled');
    assert.match(after.body.statusReason, /expired/i);

    const mine = await activate(u.api, u.id, roleId);
    const stranger = await userWithToken(admin);
    assert.equal((await stranger.api.post(`/api/v1/requests/${mine.body.id}/cancel`)).status, 404);
    const canceled = await u.api.post(`/api/v1/requests/${mine.body.id}/cancel`);
    assert.equal(canceled.status, 200);
    assert.equal(canceled.body.status, 'Canceled');
    assert.equal((await u.api.post(`/api/v1/requests/${mine.body.id}/cancel`)).body.error.code, 'request.already_decided');
    assert.equal((await approver.api.post(`/api/v1/requests/${mine.body.id}/approve`, { justification: 'x' })).body.error.code, 'request.already_decided');
  });

  test('the eligibility removed while approval is pending: approval fails the request, grants nothing', async () => {
    const roleId = await customRole();
    const approver = await userWithToken(admin);
    const u = await userWithToken(admin);
    await settings(roleId, { activation: { requireMfa: false, requireApproval: true, approvalStages: [{ approvers: [{ type: 'user', id: approver.id }], requiredApprovals: 1, escalation: null }] } });
    const elig = await assign(admin, u.id, roleId, { kind: 'eligible', permanent: true });
    const req = await activate(u.api, u.id, roleId);
    h.clock.advance(6 * min);
    const rm = await admin.post('/api/v1/requests', { action: 'adminRemove', kind: 'eligible', principalId: u.id, roleId, targetScheduleId: elig.targetScheduleId, justification: 'left the team' });
    assert.equal(rm.status, 201, JSON.stringify(rm.body));
    const ok = await approver.api.post(`/api/v1/requests/${req.body.id}/approve`, { justification: 'ok' });
    assert.equal(ok.status, 200);
    assert.equal(ok.body.status, 'Failed');
    assert.equal(await allowed(u.id, roleId), false);
  });

  test('an activation never outlives its eligibility: removal ends it, shortening caps it, leaving the group ends it', async () => {
    const roleId = await customRole();
    await settings(roleId, NO_MFA);
    const u = await userWithToken(admin);
    const direct = await assign(admin, u.id, roleId, { kind: 'eligible', scope: '/resources/app/y', permanent: true });
    const g = await group(admin, true);
    await assign(admin, g, roleId, { kind: 'eligible', scope: '/resources/app/x', permanent: true });
    await admin.post(`/api/v1/groups/${g}/members`, { id: u.id });
    const a1 = await activate(u.api, u.id, roleId, { scope: '/resources/app/y', schedule: { duration: 'PT8H' } });
    const a2 = await activate(u.api, u.id, roleId, { scope: '/resources/app/x', schedule: { duration: 'PT8H' } });
    assert.equal(a1.body.linkedEligibilityId, direct.targetScheduleId);
    assert.notEqual(a2.body.linkedEligibilityId, direct.targetScheduleId, 'this one comes through the group');
    h.clock.advance(6 * min);

    const shorter = new Date(h.clock.nowMs() + hour).toISOString();
    const upd = await admin.post('/api/v1/requests', { action: 'adminUpdate', kind: 'eligible', principalId: u.id, roleId, targetScheduleId: direct.targetScheduleId, schedule: { endAt: shorter }, justification: 'x' });
    assert.equal(upd.status, 201, JSON.stringify(upd.body));
    const capped = await h.rt.deps.db.selectFrom('schedules').select('end_at').where('id', '=', a1.body.targetScheduleId).executeTakeFirstOrThrow();
    assert.equal(capped.end_at, Date.parse(shorter), 'capped at the new eligibility end');

    const rm = await admin.post('/api/v1/requests', { action: 'adminRemove', kind: 'eligible', principalId: u.id, roleId, targetScheduleId: direct.targetScheduleId, justification: 'x' });
    assert.equal(rm.status, 201);
    assert.equal(await allowed(u.id, roleId, '/resources/app/y'), false, 'removing the eligibility ended the activation made from it');
    assert.equal(await allowed(u.id, roleId, '/resources/app/x'), true, 'the one from the group eligibility stays');
    assert.equal((await admin.delete(`/api/v1/groups/${g}/members/${u.id}`)).status, 204);
    assert.equal(await allowed(u.id, roleId, '/resources/app/x'), false, 'leaving the group ended it');
  });

  test('concurrent activation and removal of the eligibility: never an activation without its eligibility', async () => {
    const roleId = await customRole();
    await settings(roleId, NO_MFA);
    for (let round = 0; round < 6; round++) {
      const u = await userWithToken(admin);
      const e = await assign(admin, u.id, roleId, { kind: 'eligible', permanent: true });
      h.clock.advance(6 * min);
      const [act, rm] = await Promise.all([
        activate(u.api, u.id, roleId, { schedule: { duration: 'PT1H' } }),
        admin.post('/api/v1/requests', { action: 'adminRemove', kind: 'eligible', principalId: u.id, roleId, targetScheduleId: e.targetScheduleId, justification: 'x' }),
      ]);
      assert.equal(rm.status, 201, JSON.stringify(rm.body));
      assert.ok(act.status === 201 || act.body.error?.code === 'request.not_eligible', JSON.stringify(act.body));
      assert.equal(await allowed(u.id, roleId), false, `round ${round}: nothing held once the eligibility is gone`);
      const live = await h.rt.deps.db.selectFrom('schedules').select('id').where('principal_id', '=', u.id).where('kind', '=', 'active').where('ended_at', 'is', null).execute();
      assert.equal(live.length, 0);
    }
  });

  test('workload identities: eligible only when the role allows it, and then approval is required', async () => {
    const roleId = await customRole();
    const sp = await admin.post('/api/v1/servicePrincipals', { displayName: 'deploy-bot', appId: `app-${Math.random().toString(36).slice(2)}` });
    assert.equal(sp.status, 201, JSON.stringify(sp.body));
    const refused = await admin.post('/api/v1/requests', { action: 'adminAssign', kind: 'eligible', principalId: sp.body.id, roleId, schedule: { permanent: true } });
    assert.equal(refused.body.error.code, 'schedule.principal_type_not_allowed');
    await settings(roleId, { activation: { allowWorkloadActivation: true } });
    await assign(admin, sp.body.id, roleId, { kind: 'eligible', permanent: true });
    const tok = await admin.post('/api/v1/tokens', { name: 'bot', ownerId: sp.body.id, scopes: ['api'] });
    const bot = admin.as(tok.body.token);
    const r = await activate(bot, sp.body.id, roleId, { schedule: { duration: 'PT1H' } });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal(r.body.status, 'PendingApproval', 'workloads always need approval');
    assert.equal(r.body.requirements.mfa, false, 'MFA does not apply to workloads');
    const own = await admin.post(`/api/v1/requests/${r.body.id}/approve`, { justification: 'release window' });
    assert.equal(own.body.error.code, 'request.self_approval', 'whoever issued the workload\'s token stands behind its requests');
    const other = await userWithToken(admin);
    await assign(admin, other.id, ROLE.privilegedRoleAdministrator, { kind: 'active', permanent: true });
    const ok = await other.api.post(`/api/v1/requests/${r.body.id}/approve`, { justification: 'release window' });
    assert.equal(ok.body.status, 'Provisioned', 'no approvers named: Global / Privileged Role Administrators approve');
    assert.equal(await allowed(sp.body.id, roleId), true);
  });

  test('concurrent decisions: exactly one outcome', async () => {
    const roleId = await customRole();
    const u = await userWithToken(admin);
    const approverUsers = await Promise.all(Array.from({ length: 50 }, () => userWithToken(admin)));
    const g = await group(admin, false);
    for (const a of approverUsers) await admin.post(`/api/v1/groups/${g}/members`, { id: a.id });
    await settings(roleId, { activation: { requireMfa: false, requireApproval: true, approverJustificationRequired: false, approvalStages: [{ approvers: [{ type: 'group', id: g }], requiredApprovals: 1, escalation: null }] } });
    await assign(admin, u.id, roleId, { kind: 'eligible', permanent: true });
    const req = await activate(u.api, u.id, roleId);
    const results = await Promise.all(approverUsers.map((a, i) => a.api.post(`/api/v1/requests/${req.body.id}/${i % 2 === 0 ? 'approve' : 'deny'}`, {})));
    const wins = results.filter((r) => r.status === 200);
    assert.equal(wins.length, 1, JSON.stringify(results.map((r) => r.status)));
    assert.ok(results.filter((r) => r.status !== 200).every((r) => r.status === 409 && r.body.error.code === 'request.already_decided'));
    const final = await u.api.get(`/api/v1/requests/${req.body.id}`);
    assert.equal(final.body.approval.decisions.length, 1);
    assert.equal(final.body.status, wins[0]!.body.status);
  });
});
