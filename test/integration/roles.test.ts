import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { readFileSync } from 'node:fs';
import { ROLE } from '../../src/domain/roles.ts';
import { assign, userWithToken } from '../helpers/factories.ts';
import { ENGINE, startWithAdmin, type Paged, type Res } from '../helpers/harness.ts';

describe(`role catalogue (${ENGINE})`, () => {
  let h: Awaited<ReturnType<typeof startWithAdmin>>;
  before(async () => { h = await startWithAdmin(); });
  after(async () => { await h.close(); });

  test('every built-in role is seeded under its well-known id, read-only', async () => {
    const catalogue = JSON.parse(readFileSync('src/store/data/builtin-roles.json', 'utf8')) as Array<{ id: string; displayName: string }>;
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const r: Res<Paged> = await h.admin.get(`/api/v1/roles?builtIn=true&limit=50${cursor ? `&cursor=${cursor}` : ''}`);
      ids.push(...r.body.items.map((x: { id: string }) => x.id));
      cursor = r.body.nextCursor;
    } while (cursor);
    // The Entra catalogue, plus the two roles of PIM for Groups.
    assert.deepEqual(ids.sort(), [...catalogue.map((r) => r.id), ROLE.groupMember, ROLE.groupOwner].sort());
    const ga = await h.admin.get(`/api/v1/roles/${ROLE.globalAdministrator}`);
    assert.equal(ga.body.displayName, 'Global Administrator');
    assert.equal(ga.body.isBuiltIn, true);
    const edit = await h.admin.patch(`/api/v1/roles/${ROLE.globalAdministrator}`, { description: 'mine now' });
    assert.equal(edit.body.error.code, 'role.builtin_read_only');
    assert.equal((await h.admin.delete(`/api/v1/roles/${ROLE.globalAdministrator}`)).body.error.code, 'role.builtin_read_only');
  });

  test('search by name words, ignoring case', async () => {
    const r = await h.admin.get('/api/v1/roles?search=privileged%20ROLE');
    assert.deepEqual(r.body.items.map((x: { displayName: string }) => x.displayName), ['Privileged Role Administrator']);
  });

  test('custom roles: unique names, editable, deletable only when unassigned', async () => {
    const c = await h.admin.post('/api/v1/roles', { displayName: 'Orders DB admin', description: 'Full control of the orders database', permissions: ['db:admin', 'record:*'] });
    assert.equal(c.status, 201);
    assert.equal(c.body.isBuiltIn, false);
    const dup = await h.admin.post('/api/v1/roles', { displayName: 'orders db ADMIN', permissions: [] });
    assert.equal(dup.body.error.code, 'role.name_taken');
    const badPerm = await h.admin.post('/api/v1/roles', { displayName: 'Bad', permissions: ['DROP TABLE'] });
    assert.equal(badPerm.status, 400);
    const upd = await h.admin.patch(`/api/v1/roles/${c.body.id}`, { permissions: ['db:admin'] });
    assert.deepEqual(upd.body.permissions, ['db:admin']);
    const u = await userWithToken(h.admin);
    await assign(h.admin, u.id, c.body.id, { kind: 'active', duration: 'PT1H', scope: '/resources/db/orders' });
    const busy = await h.admin.delete(`/api/v1/roles/${c.body.id}`);
    assert.equal(busy.body.error.code, 'role.in_use');
    h.clock.advance(61 * 60_000);
    // Expired but not yet ended by a job: still assigned in the store, so still refused.
    assert.equal((await h.admin.delete(`/api/v1/roles/${c.body.id}`)).status, 409);
    const other = await h.admin.post('/api/v1/roles', { displayName: 'Temp', permissions: [] });
    assert.equal((await h.admin.delete(`/api/v1/roles/${other.body.id}`)).status, 204);
    assert.equal((await h.admin.get(`/api/v1/roles/${other.body.id}`)).status, 404);
    assert.equal((await h.admin.post('/api/v1/roles', { displayName: 'Temp', permissions: [] })).status, 201, 'the name is free again');
    const audit = await h.admin.get(`/api/v1/audit?targetId=${c.body.id}&action=role.*`);
    assert.deepEqual(audit.body.items.map((e: { action: string }) => e.action).sort(), ['role.created', 'role.updated']);
    assert.deepEqual(audit.body.items.find((e: { action: string }) => e.action === 'role.updated').before.permissions, ['db:admin', 'record:*']);
  });

  test('only active Privileged Role / Global Administrators manage roles; everyone reads', async () => {
    const u = await userWithToken(h.admin);
    assert.equal((await u.api.get('/api/v1/roles')).status, 200);
    assert.equal((await u.api.post('/api/v1/roles', { displayName: 'Mine', permissions: [] })).status, 403);
    await assign(h.admin, u.id, ROLE.userAdministrator, { kind: 'active', permanent: true });
    assert.equal((await u.api.post('/api/v1/roles', { displayName: 'Mine', permissions: [] })).status, 403, 'User Administrator is not enough');
  });
});
