import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ROLE } from '../../src/domain/roles.ts';
import { assign, userWithToken } from '../helpers/factories.ts';
import { ENGINE, startWithAdmin } from '../helpers/harness.ts';

describe(`guardrail: the last permanent administrator (${ENGINE})`, () => {
  let h: Awaited<ReturnType<typeof startWithAdmin>>;
  before(async () => { h = await startWithAdmin(); });
  after(async () => { await h.close(); });

  test('time-bound administrators do not replace the last permanent one; a permanent one does', async () => {
    const GA = ROLE.globalAdministrator;
    const mine = await h.rt.deps.db.selectFrom('schedules').select('id').where('principal_id', '=', h.adminId).where('role_id', '=', GA).executeTakeFirstOrThrow();
    const temp = await userWithToken(h.admin);
    await assign(h.admin, temp.id, GA, { kind: 'active', duration: 'P7D' });
    h.clock.advance(10 * 60_000);
    const base = { kind: 'active', principalId: h.adminId, roleId: GA, targetScheduleId: mine.id, justification: 'rotate' };
    const remove = await h.admin.post('/api/v1/requests', { ...base, action: 'adminRemove' });
    assert.equal(remove.status, 409, JSON.stringify(remove.body));
    assert.equal(remove.body.error.code, 'guardrail.last_permanent_administrator');
    const timeBound = await h.admin.post('/api/v1/requests', { ...base, action: 'adminUpdate', schedule: { duration: 'P30D' } });
    assert.equal(timeBound.body.error.code, 'guardrail.last_permanent_administrator', 'an end date on the last permanent one is refused too');
    const disable = await h.admin.patch(`/api/v1/users/${h.adminId}`, { enabled: false });
    assert.equal(disable.body.error.code, 'guardrail.last_permanent_administrator');

    const breakGlass = await userWithToken(h.admin);
    await assign(h.admin, breakGlass.id, GA, { kind: 'active', permanent: true });
    h.clock.advance(10 * 60_000);
    const ok = await h.admin.post('/api/v1/requests', { ...base, action: 'adminUpdate', schedule: { duration: 'P30D' } });
    assert.equal(ok.status, 201, JSON.stringify(ok.body));
  });
});

describe(`guardrail: administrators through PIM for Groups memberships (${ENGINE})`, () => {
  let h: Awaited<ReturnType<typeof startWithAdmin>>;
  before(async () => { h = await startWithAdmin(); });
  after(async () => { await h.close(); });

  test('a membership of a Global Administrator group counts as a holder, and its removal is guarded', async () => {
    const GA = ROLE.globalAdministrator;
    const g = await h.admin.post('/api/v1/groups', { displayName: 'Tier 0', roleAssignable: true });
    assert.equal(g.status, 201, JSON.stringify(g.body));
    await assign(h.admin, g.body.id, GA, { kind: 'active', permanent: true });
    const bob = await userWithToken(h.admin);
    await assign(h.admin, bob.id, ROLE.groupMember, { kind: 'active', permanent: true, scope: `/groups/${g.body.id}` });
    h.clock.advance(10 * 60_000);

    // Bob holds Global Administrator through his membership: the bootstrap administrator may go.
    const mine = await h.rt.deps.db.selectFrom('schedules').select('id').where('principal_id', '=', h.adminId).where('role_id', '=', GA).executeTakeFirstOrThrow();
    const removeMine = await h.admin.post('/api/v1/requests', { action: 'adminRemove', kind: 'active', principalId: h.adminId, roleId: GA, targetScheduleId: mine.id, justification: 'Tier 0 group takes over' });
    assert.equal(removeMine.status, 201, JSON.stringify(removeMine.body));

    // Now Bob's membership is the last path to the role: ending it is refused, as is disabling him.
    const row = await h.rt.deps.db.selectFrom('schedules').select('id').where('principal_id', '=', bob.id).where('role_id', '=', ROLE.groupMember).where('ended_at', 'is', null).executeTakeFirstOrThrow();
    const removeBob = await h.admin.post('/api/v1/requests', { action: 'adminRemove', kind: 'active', principalId: bob.id, roleId: ROLE.groupMember, scope: `/groups/${g.body.id}`, targetScheduleId: row.id, justification: 'leave' });
    assert.equal(removeBob.status, 409, JSON.stringify(removeBob.body));
    assert.equal(removeBob.body.error.code, 'guardrail.last_administrator');
    const disable = await h.admin.patch(`/api/v1/users/${bob.id}`, { enabled: false });
    assert.equal(disable.status, 409, JSON.stringify(disable.body));
    assert.equal(disable.body.error.code, 'guardrail.last_administrator');
    const kept = await h.rt.deps.db.selectFrom('schedules').select('ended_at').where('id', '=', row.id).executeTakeFirstOrThrow();
    assert.equal(kept.ended_at, null, 'the membership is unchanged');
  });
});
