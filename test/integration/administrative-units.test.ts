import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ENGINE, startWithAdmin, type Paged, type Res } from '../helpers/harness.ts';
import { insertLongToken } from '../helpers/direct.ts';
import { group, userWithToken } from '../helpers/factories.ts';

describe(`administrative units (${ENGINE})`, () => {
  let h: Awaited<ReturnType<typeof startWithAdmin>>;
  before(async () => { h = await startWithAdmin(); });
  after(async () => { await h.close(); });

  test('create, read, update; the scope names the unit', async () => {
    const c = await h.admin.post('/api/v1/administrativeUnits', { displayName: 'Paris office', description: 'FR' });
    assert.equal(c.status, 201, JSON.stringify(c.body));
    assert.equal(c.body.scope, `/administrativeUnits/${c.body.id}`);
    const u = await h.admin.patch(`/api/v1/administrativeUnits/${c.body.id}`, { displayName: 'Paris HQ', description: null });
    assert.equal(u.status, 200);
    assert.equal(u.body.displayName, 'Paris HQ');
    assert.equal(u.body.description, null);
    assert.equal((await h.admin.get(`/api/v1/administrativeUnits/${c.body.id}`)).body.displayName, 'Paris HQ');
    const missing = await h.admin.get('/api/v1/administrativeUnits/nope');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, 'administrativeUnit.not_found');
    const extra = await h.admin.post('/api/v1/administrativeUnits', { displayName: 'x', scope: '/' });
    assert.equal(extra.body.error.code, 'request.unknown_field');
    const empty = await h.admin.patch(`/api/v1/administrativeUnits/${c.body.id}`, {});
    assert.equal(empty.status, 400);
  });

  test('list pages with a cursor and a case-insensitive prefix search', async () => {
    for (const n of ['Unit B', 'unit a', 'Unit C', 'other']) await h.admin.post('/api/v1/administrativeUnits', { displayName: n });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const r: Res<Paged> = await h.admin.get(`/api/v1/administrativeUnits?search=UNIT&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      assert.equal(r.status, 200);
      seen.push(...r.body.items.map((u: { displayName: string }) => u.displayName));
      cursor = r.body.nextCursor;
    } while (cursor);
    assert.deepEqual(seen, ['unit a', 'Unit B', 'Unit C']);
  });

  test('members: users and groups, no duplicates, removable', async () => {
    const au = (await h.admin.post('/api/v1/administrativeUnits', { displayName: 'Members' })).body.id;
    const bob = await userWithToken(h.admin);
    const gid = await group(h.admin, false);
    const addU = await h.admin.post(`/api/v1/administrativeUnits/${au}/members`, { id: bob.id });
    assert.equal(addU.status, 201);
    assert.equal(addU.body.type, 'user');
    assert.equal((await h.admin.post(`/api/v1/administrativeUnits/${au}/members`, { id: gid })).body.type, 'group');
    const dup = await h.admin.post(`/api/v1/administrativeUnits/${au}/members`, { id: bob.id });
    assert.equal(dup.status, 409);
    assert.equal(dup.body.error.code, 'administrativeUnit.already_member');
    const ghost = await h.admin.post(`/api/v1/administrativeUnits/${au}/members`, { id: 'ghost' });
    assert.equal(ghost.status, 400);
    assert.equal(ghost.body.error.code, 'administrativeUnit.principal_not_found');
    const list = await h.admin.get(`/api/v1/administrativeUnits/${au}/members`);
    assert.deepEqual(list.body.items.map((m: { id: string }) => m.id).sort(), [bob.id, gid].sort());
    assert.equal((await h.admin.delete(`/api/v1/administrativeUnits/${au}/members/${bob.id}`)).status, 204);
    const again = await h.admin.delete(`/api/v1/administrativeUnits/${au}/members/${bob.id}`);
    assert.equal(again.status, 404);
    assert.equal(again.body.error.code, 'administrativeUnit.member_not_found');
    const events = await h.system.db.selectFrom('audit_events').select('action')
      .where('target_type', '=', 'administrativeUnit').where('target_id', '=', au).orderBy('seq').execute();
    assert.deepEqual(events.map((e) => e.action), [
      'administrativeUnit.created', 'administrativeUnit.member.added', 'administrativeUnit.member.added', 'administrativeUnit.member.removed',
    ]);
  });

  test('only assignment administrators write; everyone signed in reads', async () => {
    const au = (await h.admin.post('/api/v1/administrativeUnits', { displayName: 'Guarded' })).body.id;
    const bob = await userWithToken(h.admin);
    assert.equal((await bob.api.get('/api/v1/administrativeUnits')).status, 200);
    assert.equal((await bob.api.get(`/api/v1/administrativeUnits/${au}/members`)).status, 200);
    const denied = await bob.api.post('/api/v1/administrativeUnits', { displayName: 'x' });
    assert.equal(denied.status, 403);
    assert.equal(denied.body.error.code, 'auth.forbidden');
    assert.equal((await bob.api.post(`/api/v1/administrativeUnits/${au}/members`, { id: bob.id })).status, 403);
    assert.equal((await bob.api.delete(`/api/v1/administrativeUnits/${au}`)).status, 403);
    assert.equal((await h.anon.get('/api/v1/administrativeUnits')).status, 401);
  });

  test('soft delete is restorable for 30 days, not after; members survive', async () => {
    const admin = h.admin.as(await insertLongToken(h, h.adminId));
    const a = (await admin.post('/api/v1/administrativeUnits', { displayName: 'Gone A' })).body.id;
    const b = (await admin.post('/api/v1/administrativeUnits', { displayName: 'Gone B' })).body.id;
    await admin.post(`/api/v1/administrativeUnits/${a}/members`, { id: h.adminId });
    assert.equal((await admin.delete(`/api/v1/administrativeUnits/${a}`)).status, 204);
    assert.equal((await admin.delete(`/api/v1/administrativeUnits/${b}`)).status, 204);
    assert.equal((await admin.post(`/api/v1/administrativeUnits/${a}/members`, { id: h.adminId })).body.error.code, 'administrativeUnit.not_found');
    assert.ok((await admin.get('/api/v1/administrativeUnits?deleted=true')).body.items.some((u: { id: string }) => u.id === a));
    h.clock.advance(29 * 86400_000);
    const r = await admin.post(`/api/v1/administrativeUnits/${a}/restore`);
    assert.equal(r.status, 200);
    assert.equal(r.body.deletedAt, null);
    assert.equal((await admin.get(`/api/v1/administrativeUnits/${a}/members`)).body.items.length, 1);
    assert.equal((await admin.post(`/api/v1/administrativeUnits/${a}/restore`)).body.error.code, 'administrativeUnit.not_deleted');
    h.clock.advance(2 * 86400_000);
    const late = await admin.post(`/api/v1/administrativeUnits/${b}/restore`);
    assert.equal(late.status, 409);
    assert.equal(late.body.error.code, 'administrativeUnit.restore_window_passed');
    assert.match(late.body.error.message, /^This administrative unit was deleted more than \d+ days ago/, 'the message names it in words');
    h.admin = admin;
  });
});
