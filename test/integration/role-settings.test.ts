import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ROLE } from '../../src/domain/roles.ts';
import { assign, group, userWithToken } from '../helpers/factories.ts';
import { ENGINE, startWithAdmin, type Api } from '../helpers/harness.ts';

describe(`role settings (${ENGINE})`, () => {
  let h: Awaited<ReturnType<typeof startWithAdmin>>;
  let admin: Api;
  before(async () => {
    h = await startWithAdmin();
    admin = h.admin;
  });
  after(async () => { await h.close(); });
  const url = (roleId: string, scope?: string) => `/api/v1/roles/${roleId}/settings${scope ? `?scope=${encodeURIComponent(scope)}` : ''}`;
  const newRole = async () => (await admin.post('/api/v1/roles', { displayName: `r-${Math.random().toString(36).slice(2, 9)}`, permissions: ['app:use'] })).body.id as string;

  test('defaults are Entra\'s, for every role, readable by anyone signed in', async () => {
    const u = await userWithToken(admin);
    const r = await u.api.get(url(ROLE.globalAdministrator));
    assert.equal(r.status, 200);
    assert.equal(r.body.source, 'default');
    assert.equal(r.body.definedAt, null);
    assert.equal(r.body.lastModifiedAt, null);
    const s = r.body.settings;
    assert.deepEqual(
      [s.activation.maximumDuration, s.activation.requireMfa, s.activation.requireJustification, s.activation.requireTicket, s.activation.requireApproval],
      ['PT8H', true, true, false, false],
    );
    assert.deepEqual(s.assignment.eligible, { permanentAllowed: true, maximumDuration: 'P365D', requireMfa: false, requireJustification: false });
    assert.deepEqual(s.assignment.active, { permanentAllowed: true, maximumDuration: 'P180D', requireMfa: false, requireJustification: true });
    for (const section of ['eligibleAssigned', 'activeAssigned', 'activated']) {
      for (const row of ['admin', 'assignee', 'approver']) assert.deepEqual(s.notifications[section][row], { defaultRecipients: true, additionalRecipients: [], criticalOnly: false });
    }
    assert.equal((await u.api.get(url('no-such-role'))).status, 404);
    assert.equal((await u.api.patch(url(ROLE.globalAdministrator), { activation: { requireMfa: false } })).status, 403, 'only PRA/GA change settings');
  });

  test('PATCH merges, keeps who and when, is audited with before and after', async () => {
    const roleId = await newRole();
    h.clock.advance(1000);
    const r = await admin.patch(url(roleId), { activation: { maximumDuration: 'PT2H', requireTicket: true }, notifications: { activated: { admin: { additionalRecipients: ['soc@example.com'], criticalOnly: true } } } });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.source, 'role');
    assert.equal(r.body.settings.activation.maximumDuration, 'PT2H');
    assert.equal(r.body.settings.activation.requireMfa, true, 'untouched fields keep their value');
    assert.deepEqual(r.body.settings.notifications.activated.admin, { defaultRecipients: true, additionalRecipients: ['soc@example.com'], criticalOnly: true });
    assert.equal(r.body.lastModifiedBy, h.adminId);
    assert.equal(r.body.lastModifiedAt, new Date(h.clock.nowMs()).toISOString());
    const audit = await admin.get(`/api/v1/audit?action=role.settings.updated&targetId=${roleId}`);
    const e = audit.body.items.find((x: { target: { id: string } }) => x.target.id === roleId);
    assert.ok(e, 'audited');
    assert.equal(e.before.settings.activation.maximumDuration, 'PT8H');
    assert.equal(e.after.settings.activation.maximumDuration, 'PT2H');

    // Assignment rules now follow the policy.
    await admin.patch(url(roleId), { assignment: { eligible: { permanentAllowed: false, maximumDuration: 'P30D' }, active: { requireJustification: false } } });
    const u = await userWithToken(admin);
    const perm = await admin.post('/api/v1/requests', { action: 'adminAssign', kind: 'eligible', principalId: u.id, roleId, schedule: { permanent: true } });
    assert.equal(perm.body.error.code, 'schedule.permanent_not_allowed');
    const long = await admin.post('/api/v1/requests', { action: 'adminAssign', kind: 'eligible', principalId: u.id, roleId, schedule: { duration: 'P31D' } });
    assert.equal(long.body.error.code, 'schedule.too_long');
    const noReason = await admin.post('/api/v1/requests', { action: 'adminAssign', kind: 'active', principalId: u.id, roleId, schedule: { duration: 'PT1H' } });
    assert.equal(noReason.status, 201, 'justification on active assignment switched off');
  });

  test('validation: each refusal has its code and changes nothing', async () => {
    const roleId = await newRole();
    const disabled = await userWithToken(admin);
    await admin.patch(`/api/v1/users/${disabled.id}`, { enabled: false });
    const emptyGroup = await group(admin, false);
    const one = await userWithToken(admin);
    const approval = (stages: unknown) => ({ activation: { requireApproval: true, approvalStages: stages } });
    const cases: Array<[unknown, number, string]> = [
      [{ activation: { maximumDuration: 'PT29M' } }, 400, 'policy.duration_out_of_range'],
      [{ activation: { maximumDuration: 'PT25H' } }, 400, 'policy.duration_out_of_range'],
      [{ activation: { maximumDuration: 'eight hours' } }, 400, 'policy.duration_invalid'],
      [{ assignment: { active: { maximumDuration: 'PT1H' } } }, 400, 'policy.duration_out_of_range'],
      [approval([{ approvers: [{ type: 'user', id: disabled.id }], requiredApprovals: 1, escalation: null }]), 400, 'policy.approvers_required'],
      [approval([{ approvers: [{ type: 'group', id: emptyGroup }], requiredApprovals: 1, escalation: null }]), 400, 'policy.approvers_required'],
      [approval([{ approvers: [{ type: 'user', id: one.id }], requiredApprovals: 2, escalation: null }]), 400, 'policy.approvers_required'],
      [approval([{ approvers: [], requiredApprovals: 1, escalation: null }]), 400, 'policy.approvers_required'],
      [approval([{ approvers: [{ type: 'user', id: 'ghost' }], requiredApprovals: 1, escalation: null }]), 400, 'policy.approver_not_found'],
      [approval(Array.from({ length: 4 }, () => ({ approvers: [{ type: 'user', id: one.id }], requiredApprovals: 1, escalation: null }))), 400, 'request.invalid'],
      [{ activation: { authenticationContext: { enabled: true } } }, 400, 'policy.authentication_context_required'],
      [{ notifications: { activated: { approver: { additionalRecipients: ['x@example.com'] } } } }, 400, 'policy.additional_recipients_not_allowed'],
      [{ activation: { requireMfa: 'yes' } }, 400, 'request.invalid'],
      [{ activation: { unknownRule: true } }, 400, 'request.unknown_field'],
      [{ lastModifiedBy: 'me' }, 400, 'request.unknown_field'],
    ];
    for (const [body, status, code] of cases) {
      const r = await admin.patch(url(roleId), body);
      assert.equal(r.status, status, `${JSON.stringify(body)} → ${JSON.stringify(r.body)}`);
      assert.equal(r.body.error.code, code, JSON.stringify(body));
    }
    const after = await admin.get(url(roleId));
    assert.equal(after.body.source, 'default', 'nothing was saved');
  });

  test('per-scope overrides flow down the scope tree; reset brings back the one above', async () => {
    const roleId = await newRole();
    await admin.patch(url(roleId), { activation: { maximumDuration: 'PT4H' } });
    const sub = '/resources/subscriptions/s1';
    const r = await admin.patch(url(roleId, sub), { activation: { maximumDuration: 'PT1H', requireApproval: true } });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.source, 'scope');
    assert.equal(r.body.settings.activation.maximumDuration, 'PT1H');
    const below = await admin.get(url(roleId, `${sub}/resourceGroups/rg1`));
    assert.equal(below.body.definedAt, sub, 'a resource group inherits its subscription\'s override');
    assert.equal(below.body.settings.activation.requireApproval, true);
    const sibling = await admin.get(url(roleId, '/resources/subscriptions/s2'));
    assert.equal(sibling.body.source, 'role');
    assert.equal(sibling.body.settings.activation.maximumDuration, 'PT4H');
    assert.equal((await admin.get(url(roleId))).body.settings.activation.requireApproval, false, 'the role-wide policy is untouched');
    assert.equal((await admin.get(url(roleId, '/administrativeUnits/nope'))).body.error.code, 'scope.not_found');
    assert.equal((await admin.get(url(roleId, 'not-a-scope'))).status, 400);

    // Activation at the scope follows the override.
    const u = await userWithToken(admin);
    await assign(admin, u.id, roleId, { kind: 'eligible', permanent: true });
    await admin.patch(url(roleId, sub), { activation: { requireMfa: false, requireApproval: false } });
    const tooLong = await u.api.post('/api/v1/requests', { action: 'selfActivate', principalId: u.id, roleId, scope: `${sub}/resourceGroups/rg1`, justification: 'x', schedule: { duration: 'PT2H' } });
    assert.equal(tooLong.body.error.code, 'policy.duration_exceeds_maximum');

    const reset = await admin.delete(url(roleId, sub));
    assert.equal(reset.status, 200);
    assert.equal(reset.body.source, 'role');
    assert.equal(reset.body.settings.activation.maximumDuration, 'PT4H');
    const audit = await admin.get(`/api/v1/audit?action=role.settings.reset`);
    assert.ok(audit.body.items.some((e: { target: { id: string } }) => e.target.id === roleId));
  });
});
