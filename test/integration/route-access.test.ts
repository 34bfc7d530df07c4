import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ROLE } from '../../src/domain/roles.ts';
import type { Access } from '../../src/services/authorize.ts';
import { assign, userWithToken } from '../helpers/factories.ts';
import { insertServicePrincipal } from '../helpers/direct.ts';
import { ENGINE, startWithAdmin, type Api } from '../helpers/harness.ts';

interface Actor { name: string; api: Api; scopes: string[]; activeRoles: string[] }

/** What the route's declaration says this actor may do. */
function mayCall(access: Access, a: Actor): boolean {
  switch (access.kind) {
    case 'public': return true;
    case 'authenticated': return a.scopes.includes('api');
    case 'tokenScope': return a.scopes.includes(access.scope);
    case 'roles': return a.scopes.includes('api') && access.roles.some((r) => a.activeRoles.includes(r));
    case 'tokenScopeOrRoles': return a.scopes.includes(access.scope) || (a.scopes.includes('api') && access.roles.some((r) => a.activeRoles.includes(r)));
  }
}

describe(`every route with every kind of actor (${ENGINE})`, () => {
  let h: Awaited<ReturnType<typeof startWithAdmin>>;
  const actors: Actor[] = [];
  before(async () => {
    h = await startWithAdmin();
    const plain = await userWithToken(h.admin);
    const checkOnly = await userWithToken(h.admin, undefined, ['check']);
    const eligiblePra = await userWithToken(h.admin);
    await assign(h.admin, eligiblePra.id, ROLE.privilegedRoleAdministrator, { kind: 'eligible', permanent: true });
    const reader = await userWithToken(h.admin);
    await assign(h.admin, reader.id, ROLE.securityReader, { kind: 'active', permanent: true });
    const userAdmin = await userWithToken(h.admin);
    await assign(h.admin, userAdmin.id, ROLE.userAdministrator, { kind: 'active', permanent: true });
    const sp = await insertServicePrincipal(h, 'pep');
    const spTok = await h.admin.post('/api/v1/tokens', { name: 'pep', ownerId: sp, scopes: ['check'] });
    const disabled = await userWithToken(h.admin);
    await assign(h.admin, disabled.id, ROLE.globalAdministrator, { kind: 'active', permanent: true });
    await h.admin.patch(`/api/v1/users/${disabled.id}`, { enabled: false });
    actors.push(
      { name: 'anonymous', api: h.anon, scopes: [], activeRoles: [] },
      { name: 'bad token', api: h.anon.as('pim_not-a-real-token'), scopes: [], activeRoles: [] },
      { name: 'disabled global admin', api: disabled.api, scopes: [], activeRoles: [] },
      { name: 'plain user', api: plain.api, scopes: ['api'], activeRoles: [] },
      { name: 'check-only user token', api: checkOnly.api, scopes: ['check'], activeRoles: [] },
      { name: 'service principal (check)', api: h.anon.as(spTok.body.token), scopes: ['check'], activeRoles: [] },
      { name: 'eligible (not active) PRA', api: eligiblePra.api, scopes: ['api'], activeRoles: [] },
      { name: 'security reader', api: reader.api, scopes: ['api'], activeRoles: [ROLE.securityReader] },
      { name: 'user administrator', api: userAdmin.api, scopes: ['api'], activeRoles: [ROLE.userAdministrator] },
    );
  });
  after(async () => { await h.close(); });

  test('no unexpected 2xx, and never a 5xx', async () => {
    const routes = h.app.routeTable.filter((r) => !r.url.startsWith('/api/docs'));
    assert.ok(routes.length >= 20, `${routes.length} routes`);
    let refused = 0;
    for (const r of routes) {
      const url = r.url.replace(/:[A-Za-z]+/g, 'does-not-exist');
      for (const a of actors) {
        const res = await a.api.call(r.method, url, r.hasBody ? {} : undefined);
        const label = `${a.name} ${r.method} ${r.url} → ${res.status} ${JSON.stringify(res.body).slice(0, 160)}`;
        assert.ok(res.status < 500, label);
        if (!mayCall(r.access, a)) {
          assert.ok(res.status === 401 || res.status === 403, `unexpected access: ${label}`);
          assert.equal(typeof res.body.error.code, 'string', label);
          refused++;
        }
      }
    }
    assert.ok(refused > 50, `${refused} refusals checked`);
  });

  test('refusals are audited', async () => {
    const r = await h.admin.get('/api/v1/audit?action=authorization.denied&limit=5');
    if (r.status === 404) return assert.fail('audit API missing');
    assert.equal(r.status, 200);
    assert.ok(r.body.items.length > 0);
    assert.equal(r.body.items[0].outcome, 'failure');
  });
});
