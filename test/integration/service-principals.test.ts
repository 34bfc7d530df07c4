import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { ROLE } from '../../src/domain/roles.ts';
import { insertSchedule } from '../../src/services/schedule-writes.ts';
import { inTransaction } from '../../src/services/transaction.ts';
import { ENGINE, startWithAdmin, type Paged, type Res } from '../helpers/harness.ts';
import { insertLongToken } from '../helpers/direct.ts';
import { userWithToken } from '../helpers/factories.ts';

describe(`service principals (${ENGINE})`, () => {
  let h: Awaited<ReturnType<typeof startWithAdmin>>;
  before(async () => { h = await startWithAdmin(); });
  after(async () => { await h.close(); });

  test('create with a generated or chosen appId; appId unique ignoring case', async () => {
    const gen = await h.admin.post('/api/v1/servicePrincipals', { displayName: 'Deployer' });
    assert.equal(gen.status, 201, JSON.stringify(gen.body));
    assert.match(gen.body.appId, /^[0-9a-f-]{36}$/);
    assert.equal(gen.body.enabled, true);
    const chosen = await h.admin.post('/api/v1/servicePrincipals', { displayName: 'Backup', appId: 'backup-job' });
    assert.equal(chosen.body.appId, 'backup-job');
    const dup = await h.admin.post('/api/v1/servicePrincipals', { displayName: 'Other', appId: 'BACKUP-job' });
    assert.equal(dup.status, 409);
    assert.equal(dup.body.error.code, 'servicePrincipal.app_id_taken');
    const extra = await h.admin.post('/api/v1/servicePrincipals', { displayName: 'x', enabled: false });
    assert.equal(extra.body.error.code, 'request.unknown_field');
    const missing = await h.admin.get('/api/v1/servicePrincipals/nope');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, 'servicePrincipal.not_found');
  });

  test('update and disable; a disabled principal\'s token stops working', async () => {
    const sp = (await h.admin.post('/api/v1/servicePrincipals', { displayName: 'Robot' })).body;
    const t = await h.admin.post('/api/v1/tokens', { name: 'robot', ownerId: sp.id });
    assert.equal(t.status, 201, JSON.stringify(t.body));
    const robot = h.admin.as(t.body.token);
    assert.equal((await robot.get('/api/v1/servicePrincipals')).status, 200);
    const u = await h.admin.patch(`/api/v1/servicePrincipals/${sp.id}`, { displayName: 'Robot 2', enabled: false });
    assert.equal(u.status, 200);
    assert.equal(u.body.displayName, 'Robot 2');
    assert.equal(u.body.enabled, false);
    assert.equal(u.body.appId, sp.appId);
    assert.equal((await robot.get('/api/v1/servicePrincipals')).status, 401);
    const events = await h.system.db.selectFrom('audit_events').select('action')
      .where('target_type', '=', 'servicePrincipal').where('target_id', '=', sp.id).orderBy('seq').execute();
    assert.deepEqual(events.map((e) => e.action), ['servicePrincipal.created', 'servicePrincipal.disabled']);
  });

  test('list pages with a cursor and a prefix search on name or appId', async () => {
    for (const n of ['Pipe C', 'pipe a', 'Pipe B']) await h.admin.post('/api/v1/servicePrincipals', { displayName: n });
    await h.admin.post('/api/v1/servicePrincipals', { displayName: 'Unrelated', appId: 'pipeline-app' });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const r: Res<Paged> = await h.admin.get(`/api/v1/servicePrincipals?search=PIPE&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      assert.equal(r.status, 200);
      seen.push(...r.body.items.map((s: { displayName: string }) => s.displayName));
      cursor = r.body.nextCursor;
    } while (cursor);
    assert.deepEqual(seen, ['pipe a', 'Pipe B', 'Pipe C', 'Unrelated']);
  });

  test('application administrators write; others read only', async () => {
    const appAdmin = await userWithToken(h.admin);
    await inTransaction(h.system, (tx) => insertSchedule(tx, {
      id: randomUUID(), kind: 'active', principal_id: appAdmin.id, principal_type: 'user', role_id: ROLE.applicationAdministrator, scope: '/',
      start_at: tx.nowMs, end_at: null, assignment_type: 'Assigned', linked_eligibility_id: null, created_by_request_id: null,
    }, { justification: 'test' }));
    assert.equal((await appAdmin.api.post('/api/v1/servicePrincipals', { displayName: 'by app admin' })).status, 201);
    const bob = await userWithToken(h.admin);
    assert.equal((await bob.api.get('/api/v1/servicePrincipals')).status, 200);
    const denied = await bob.api.post('/api/v1/servicePrincipals', { displayName: 'x' });
    assert.equal(denied.status, 403);
    assert.equal(denied.body.error.code, 'auth.forbidden');
    assert.equal((await h.anon.get('/api/v1/servicePrincipals')).status, 401);
    assert.equal((await h.anon.post('/api/v1/servicePrincipals', { displayName: 'x' })).status, 401);
  });

  test('soft delete is restorable for 30 days, not after', async () => {
    const admin = h.admin.as(await insertLongToken(h, h.adminId));
    const a = (await admin.post('/api/v1/servicePrincipals', { displayName: 'Gone A', appId: 'gone-a' })).body.id;
    const b = (await admin.post('/api/v1/servicePrincipals', { displayName: 'Gone B' })).body.id;
    assert.equal((await admin.delete(`/api/v1/servicePrincipals/${a}`)).status, 204);
    assert.equal((await admin.delete(`/api/v1/servicePrincipals/${b}`)).status, 204);
    const reuse = await admin.post('/api/v1/servicePrincipals', { displayName: 'Reuse', appId: 'gone-a' });
    assert.equal(reuse.body.error.code, 'servicePrincipal.app_id_taken', 'a restorable principal keeps its appId');
    assert.equal((await admin.patch(`/api/v1/servicePrincipals/${a}`, { enabled: false })).body.error.code, 'servicePrincipal.not_found');
    assert.ok((await admin.get('/api/v1/servicePrincipals?deleted=true')).body.items.some((s: { id: string }) => s.id === a));
    h.clock.advance(29 * 86400_000);
    const r = await admin.post(`/api/v1/servicePrincipals/${a}/restore`);
    assert.equal(r.status, 200);
    assert.equal(r.body.deletedAt, null);
    assert.equal((await admin.post(`/api/v1/servicePrincipals/${a}/restore`)).body.error.code, 'servicePrincipal.not_deleted');
    h.clock.advance(2 * 86400_000);
    const late = await admin.post(`/api/v1/servicePrincipals/${b}/restore`);
    assert.equal(late.status, 409);
    assert.equal(late.body.error.code, 'servicePrincipal.restore_window_passed');
    h.admin = admin;
  });
});
