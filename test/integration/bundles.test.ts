import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assign, userWithToken } from '../helpers/factories.ts';
import { ENGINE, startWithAdmin, type Api } from '../helpers/harness.ts';

describe(`bulk requests and role bundles (${ENGINE})`, () => {
  let h: Awaited<ReturnType<typeof startWithAdmin>>;
  let admin: Api;
  let checker: { api: Api };
  before(async () => {
    h = await startWithAdmin();
    admin = h.admin;
    checker = await userWithToken(admin, undefined, ['check']);
  });
  after(async () => { await h.close(); });
  const newRole = async (mfa = false) => {
    const id = (await admin.post('/api/v1/roles', { displayName: `r-${Math.random().toString(36).slice(2, 9)}`, permissions: ['app:use'] })).body.id as string;
    if (!mfa) await admin.patch(`/api/v1/roles/${id}/settings`, { activation: { requireMfa: false } });
    return id;
  };
  const allowed = async (principal: string, role: string, scope = '/') => (await checker.api.post('/api/v1/check', { principal, role, scope })).body.allowed as boolean;

  test('POST /requests/batch: each request on its own, every outcome listed in order', async () => {
    const u = await userWithToken(admin);
    const [r1, r2, r3] = [await newRole(), await newRole(), await newRole(true)];
    for (const r of [r1, r3]) await assign(admin, u.id, r, { kind: 'eligible', permanent: true });
    const act = (roleId: string) => ({ action: 'selfActivate', principalId: u.id, roleId, justification: 'release', schedule: { duration: 'PT1H' } });
    const res = await u.api.post('/api/v1/requests/batch', { requests: [act(r1), act(r2), act(r3)] });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body.results.map((x: { index: number; status: number }) => [x.index, x.status]), [[0, 201], [1, 403], [2, 403]]);
    assert.equal(res.body.results[0].request.status, 'Provisioned');
    assert.equal(res.body.results[1].error.code, 'request.not_eligible');
    assert.equal(res.body.results[2].error.code, 'auth.mfa_required');
    assert.equal(await allowed(u.id, r1), true, 'the one that passed is in force');

    const adminBatch = await admin.post('/api/v1/requests/batch', { requests: [r2, r3].map((roleId) => ({ action: 'adminAssign', kind: 'eligible', principalId: u.id, roleId, schedule: { permanent: true } })) });
    assert.deepEqual(adminBatch.body.results.map((x: { status: number }) => x.status), [201, 409], 'r3 was already assigned');
    const notAdmin = await u.api.post('/api/v1/requests/batch', { requests: [{ action: 'adminAssign', kind: 'eligible', principalId: u.id, roleId: r1, schedule: { permanent: true } }] });
    assert.equal(notAdmin.body.results[0].status, 403, 'each item is authorized on its own');
    const tooMany = await u.api.post('/api/v1/requests/batch', { requests: Array.from({ length: 21 }, () => act(r1)) });
    assert.equal(tooMany.status, 400);
  });

  test('role bundles: save, list, rename, activate together, private to their owner', async () => {
    const u = await userWithToken(admin);
    const other = await userWithToken(admin);
    const [r1, r2] = [await newRole(), await newRole()];
    await assign(admin, u.id, r1, { kind: 'eligible', permanent: true });
    await assign(admin, u.id, r2, { kind: 'eligible', scope: '/resources/db/prod', permanent: true });
    const made = await u.api.post('/api/v1/me/bundles', { name: 'On call', items: [{ roleId: r1 }, { roleId: r2, scope: '/resources/db/prod' }] });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    assert.deepEqual(made.body.items, [{ roleId: r1, scope: '/' }, { roleId: r2, scope: '/resources/db/prod' }]);
    assert.equal((await u.api.post('/api/v1/me/bundles', { name: 'on CALL', items: [{ roleId: r1 }] })).body.error.code, 'bundle.name_taken');
    assert.equal((await u.api.post('/api/v1/me/bundles', { name: 'x', items: [{ roleId: 'ghost' }] })).body.error.code, 'role.not_found');
    assert.equal((await u.api.post('/api/v1/me/bundles', { name: 'y', items: [{ roleId: r1, scope: 'bad' }] })).body.error.code, 'scope.invalid');
    assert.equal((await u.api.get('/api/v1/me/bundles')).body.items.length, 1);
    assert.equal((await other.api.get('/api/v1/me/bundles')).body.items.length, 0);
    assert.equal((await other.api.post(`/api/v1/me/bundles/${made.body.id}/activate`, { justification: 'x' })).status, 404);

    const renamed = await u.api.patch(`/api/v1/me/bundles/${made.body.id}`, { name: 'Incident' });
    assert.equal(renamed.body.name, 'Incident');
    const dry = await u.api.post(`/api/v1/me/bundles/${made.body.id}/activate`, { justification: 'SEV2', validateOnly: true });
    assert.deepEqual(dry.body.results.map((x: { status: number }) => x.status), [200, 200]);
    assert.equal(await allowed(u.id, r1), false, 'a dry run grants nothing');
    const go = await u.api.post(`/api/v1/me/bundles/${made.body.id}/activate`, { justification: 'SEV2', schedule: { duration: 'PT2H' } });
    assert.deepEqual(go.body.results.map((x: { status: number }) => x.status), [201, 201], JSON.stringify(go.body));
    assert.equal(await allowed(u.id, r1), true);
    assert.equal(await allowed(u.id, r2, '/resources/db/prod/table/t'), true);
    assert.equal((await u.api.delete(`/api/v1/me/bundles/${made.body.id}`)).status, 204);
    assert.equal((await u.api.get('/api/v1/me/bundles')).body.items.length, 0);
  });
});
