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
