import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ROLE } from '../../src/domain/roles.ts';
import { ENGINE, startWithAdmin } from '../helpers/harness.ts';

describe(`check API limits (${ENGINE})`, () => {
  test('rate-limited per calling token, with the error shape', async () => {
    const h = await startWithAdmin({ env: { PIM_CHECK_RATE_LIMIT_PER_MINUTE: '3' } });
    try {
      const body = { principal: h.adminId, role: ROLE.globalAdministrator };
      for (let i = 0; i < 3; i++) assert.equal((await h.admin.post('/api/v1/check', body)).status, 200);
      const over = await h.admin.post('/api/v1/check', body);
      assert.equal(over.status, 429);
      assert.equal(over.body.error.code, 'request.rate_limited');
      const other = await h.admin.post('/api/v1/tokens', { name: 'second', scopes: ['check'] });
      assert.equal((await h.anon.as(other.body.token).post('/api/v1/check', body)).status, 200, 'another caller has its own budget');
      h.clock.advance(61_000);
      assert.equal((await h.admin.post('/api/v1/check', body)).status, 200, 'the window moves with the clock');
    } finally {
      await h.close();
    }
  });

  test('batches of up to 1,000 checks, answered in order', async () => {
    const h = await startWithAdmin();
    try {
      const checks = Array.from({ length: 1000 }, (_, i) => ({ principal: i % 2 === 0 ? h.adminId : 'admin@example.com', role: i % 3 === 0 ? ROLE.userAdministrator : ROLE.globalAdministrator }));
      const r = await h.admin.post('/api/v1/check/batch', { checks });
      assert.equal(r.status, 200);
      assert.equal(r.body.results.length, 1000);
      r.body.results.forEach((x: { allowed: boolean }, i: number) => assert.equal(x.allowed, i % 3 !== 0, `check ${i}`));
      const tooMany = await h.admin.post('/api/v1/check/batch', { checks: [...checks, checks[0]] });
      assert.equal(tooMany.status, 400);
      assert.equal((await h.admin.post('/api/v1/check/batch', { checks: [] })).status, 400);
    } finally {
      await h.close();
    }
  });
});
