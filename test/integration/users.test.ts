import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ROLE } from '../../src/domain/roles.ts';
import { ENGINE, startWithAdmin, type Paged, type Res } from '../helpers/harness.ts';
import { userWithToken } from '../helpers/factories.ts';
import { insertLongToken } from '../helpers/direct.ts';

describe(`users (${ENGINE})`, () => {
  let h: Awaited<ReturnType<typeof startWithAdmin>>;
  before(async () => { h = await startWithAdmin(); });
  after(async () => { await h.close(); });

  test('create, read, update; userPrincipalName unique ignoring case', async () => {
    const c = await h.admin.post('/api/v1/users', { userPrincipalName: 'Carol@Example.com', displayName: 'Carol', mail: 'carol@example.com' });
    assert.equal(c.status, 201);
    assert.equal(c.body.userPrincipalName, 'Carol@Example.com');
    assert.equal(c.body.enabled, true);
    const dup = await h.admin.post('/api/v1/users', { userPrincipalName: 'carol@example.COM', displayName: 'Other' });
    assert.equal(dup.status, 409);
    assert.equal(dup.body.error.code, 'user.upn_taken');
    const u = await h.admin.patch(`/api/v1/users/${c.body.id}`, { displayName: 'Carol C.', managerId: h.adminId });
    assert.equal(u.status, 200);
    assert.equal(u.body.displayName, 'Carol C.');
    assert.equal(u.body.managerId, h.adminId);
    const self = await h.admin.patch(`/api/v1/users/${c.body.id}`, { managerId: c.body.id });
    assert.equal(self.body.error.code, 'user.manager_self');
    const g = await h.admin.get(`/api/v1/users/${c.body.id}`);
    assert.equal(g.body.displayName, 'Carol C.');
  });

  test('server-owned fields cannot be set', async () => {
    for (const extra of [{ id: 'x' }, { createdAt: '2020-01-01T00:00:00Z' }, { lastSignInAt: '2020-01-01T00:00:00Z' }, { deletedAt: null }]) {
      const r = await h.admin.post('/api/v1/users', { userPrincipalName: 'dan@example.com', displayName: 'Dan', ...extra });
      assert.equal(r.status, 400, JSON.stringify(extra));
      assert.equal(r.body.error.code, 'request.unknown_field');
    }
  });

  test('list pages with a cursor and filters', async () => {
    for (let i = 0; i < 7; i++) await h.admin.post('/api/v1/users', { userPrincipalName: `page${i}@list.example`, displayName: `Pager ${i}`, enabled: i % 2 === 0 });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const r: Res<Paged> = await h.admin.get(`/api/v1/users?search=page&limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      assert.equal(r.status, 200);
      seen.push(...r.body.items.map((u: { userPrincipalName: string }) => u.userPrincipalName));
      cursor = r.body.nextCursor;
    } while (cursor);
    assert.deepEqual(seen, [0, 1, 2, 3, 4, 5, 6].map((i) => `page${i}@list.example`));
    const disabled = await h.admin.get('/api/v1/users?search=page&enabled=false');
    assert.equal(disabled.body.items.length, 3);
    const bad = await h.admin.get('/api/v1/users?cursor=garbage');
    assert.equal(bad.body.error.code, 'request.invalid_cursor');
    const wild = await h.admin.get('/api/v1/users?search=%25');
    assert.equal(wild.body.items.length, 0, '% is literal, not a wildcard');
  });

  test('soft delete is restorable for 30 days, not after', async () => {
    // The bootstrap token lasts 30 days; this test travels further.
    const admin = h.admin.as(await insertLongToken(h, h.adminId));
    const a = await h.admin.post('/api/v1/users', { userPrincipalName: 'gone@example.com', displayName: 'Gone' });
    const b = await h.admin.post('/api/v1/users', { userPrincipalName: 'gone2@example.com', displayName: 'Gone 2' });
    assert.equal((await h.admin.delete(`/api/v1/users/${a.body.id}`)).status, 204);
    assert.equal((await h.admin.delete(`/api/v1/users/${b.body.id}`)).status, 204);
    const listed = await h.admin.get('/api/v1/users?deleted=true');
    assert.ok(listed.body.items.some((u: { id: string }) => u.id === a.body.id));
    h.clock.advance(29 * 86400_000);
    const r = await admin.post(`/api/v1/users/${a.body.id}/restore`);
    assert.equal(r.status, 200);
    assert.equal(r.body.deletedAt, null);
    h.clock.advance(2 * 86400_000);
    const late = await admin.post(`/api/v1/users/${b.body.id}/restore`);
    assert.equal((await h.admin.get('/api/v1/users')).status, 401, 'the bootstrap token has expired');
    h.admin = admin;
    assert.equal(late.status, 409);
    assert.equal(late.body.error.code, 'user.restore_window_passed');
  });

  test('only user administrators manage users; everyone signed in reads', async () => {
    const bob = await userWithToken(h.admin);
    assert.equal((await bob.api.get('/api/v1/users')).status, 200);
    const denied = await bob.api.post('/api/v1/users', { userPrincipalName: 'x@example.com', displayName: 'X' });
    assert.equal(denied.status, 403);
    assert.equal(denied.body.error.code, 'auth.forbidden');
    assert.equal((await h.anon.get('/api/v1/users')).status, 401);
  });

  test('the last active Global Administrator cannot be disabled or deleted', async () => {
    const d = await h.admin.patch(`/api/v1/users/${h.adminId}`, { enabled: false });
    assert.equal(d.status, 409);
    assert.equal(d.body.error.code, 'guardrail.last_administrator');
    assert.equal(d.body.error.details.roleId, ROLE.globalAdministrator);
    const del = await h.admin.delete(`/api/v1/users/${h.adminId}`);
    assert.equal(del.status, 409);
    assert.equal((await h.admin.get(`/api/v1/users/${h.adminId}`)).body.enabled, true, 'nothing changed');
  });
});
