import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ROLE } from '../../src/domain/roles.ts';
import { assign, userWithToken } from '../helpers/factories.ts';
import { ENGINE, startWithAdmin } from '../helpers/harness.ts';

describe(`API tokens (${ENGINE})`, () => {
  let h: Awaited<ReturnType<typeof startWithAdmin>>;
  before(async () => { h = await startWithAdmin(); });
  after(async () => { await h.close(); });

  test('shown once, stored hashed, listed without the secret', async () => {
    const u = await userWithToken(h.admin);
    const t = await u.api.post('/api/v1/tokens', { name: 'laptop', expiresInDays: 7 });
    assert.equal(t.status, 201);
    assert.match(t.body.token, /^pim_[A-Za-z0-9_-]{43}$/);
    const rows = await h.rt.deps.db.selectFrom('api_tokens').selectAll().where('id', '=', t.body.id).execute();
    assert.equal(rows.length, 1);
    assert.ok(!JSON.stringify(rows).includes(t.body.token.slice(4)), 'the secret is not stored');
    const list = await u.api.get('/api/v1/tokens');
    assert.ok(list.body.items.some((x: { id: string }) => x.id === t.body.id));
    assert.ok(!JSON.stringify(list.body).includes(t.body.token), 'never shown again');
    assert.equal((await u.api.as(t.body.token).get('/api/v1/me/roles')).status, 200);
  });

  test('revocation and expiry take effect at once', async () => {
    const u = await userWithToken(h.admin);
    const t = await u.api.post('/api/v1/tokens', { name: 'short', expiresInDays: 1 });
    const api = u.api.as(t.body.token);
    assert.equal((await api.get('/api/v1/me/roles')).status, 200);
    h.clock.advance(86400_000);
    const expired = await api.get('/api/v1/me/roles');
    assert.equal(expired.status, 401);
    assert.equal(expired.body.error.code, 'auth.invalid_token');
    const t2 = await u.api.post('/api/v1/tokens', { name: 'revoked' });
    assert.equal((await u.api.delete(`/api/v1/tokens/${t2.body.id}`)).status, 204);
    assert.equal((await u.api.as(t2.body.token).get('/api/v1/me/roles')).status, 401);
  });

  test('a disabled owner\'s tokens stop working', async () => {
    const u = await userWithToken(h.admin);
    assert.equal((await u.api.get('/api/v1/me/roles')).status, 200);
    await h.admin.patch(`/api/v1/users/${u.id}`, { enabled: false });
    assert.equal((await u.api.get('/api/v1/me/roles')).status, 401);
    await h.admin.patch(`/api/v1/users/${u.id}`, { enabled: true });
    assert.equal((await u.api.get('/api/v1/me/roles')).status, 200);
  });

  test('who may issue and revoke whose tokens', async () => {
    const a = await userWithToken(h.admin);
    const b = await userWithToken(h.admin);
    assert.equal((await a.api.post('/api/v1/tokens', { name: 'x', ownerId: b.id })).status, 403);
    const bt = await b.api.post('/api/v1/tokens', { name: 'b' });
    assert.equal((await a.api.delete(`/api/v1/tokens/${bt.body.id}`)).status, 403);
    assert.equal((await a.api.get(`/api/v1/tokens?ownerId=${b.id}`)).status, 403);
    await assign(h.admin, a.id, ROLE.userAdministrator, { kind: 'active', permanent: true });
    assert.equal((await a.api.post('/api/v1/tokens', { name: 'x', ownerId: b.id })).status, 201, 'user administrators may');
    const sp = await h.admin.post('/api/v1/servicePrincipals', { displayName: 'gateway' });
    assert.equal((await a.api.post('/api/v1/tokens', { name: 'x', ownerId: sp.body.id, scopes: ['check'] })).status, 403, 'service principals need an application administrator');
    const spt = await h.admin.post('/api/v1/tokens', { name: 'pep', ownerId: sp.body.id, scopes: ['check'] });
    assert.equal(spt.status, 201);
    assert.equal(spt.body.ownerType, 'servicePrincipal');
    const checkOnly = h.anon.as(spt.body.token);
    assert.equal((await checkOnly.get('/api/v1/me/roles')).body.error.code, 'auth.token_scope', 'a check token is not an API token');
    assert.equal((await checkOnly.post('/api/v1/check', { principal: a.id, role: ROLE.userAdministrator })).body.allowed, true);
  });
});
