import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assign, userWithToken } from '../helpers/factories.ts';
import { insertGroup, insertServicePrincipal } from '../helpers/direct.ts';
import { ENGINE, startWithAdmin, type Api } from '../helpers/harness.ts';

const min = 60_000;
const db = (id: string) => ({ type: 'db', id });

describe(`AuthZEN Authorization API 1.0 over the role model (${ENGINE})`, () => {
  let h: Awaited<ReturnType<typeof startWithAdmin>>;
  let pep: Api;
  let rw: string; let wild: string;
  const who: Record<string, string> = {};
  let spAppId = '';

  before(async () => {
    h = await startWithAdmin();
    pep = (await userWithToken(h.admin, undefined, ['check'])).api;
    const role = async (displayName: string, permissions: string[]) => {
      const r = await h.admin.post('/api/v1/roles', { displayName, permissions });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      return r.body.id as string;
    };
    rw = await role('DB operator', ['db:read', 'db:write']);
    wild = await role('DB owner', ['db:*']);
    for (const name of ['alice', 'bob', 'carol', 'dave', 'erin', 'frank']) who[name] = (await userWithToken(h.admin, `${name}@example.com`)).id;
    await assign(h.admin, who.alice!, rw, { kind: 'active', scope: '/resources/db/prod' });
    await assign(h.admin, who.carol!, rw, { kind: 'eligible', scope: '/resources/db/prod' });
    await assign(h.admin, who.dave!, wild, { kind: 'active', scope: '/' });
    await assign(h.admin, who.erin!, rw, { kind: 'active', scope: '/resources/db/prod/table/users' });
    who.group = await insertGroup(h, true, [who.bob!]);
    await assign(h.admin, who.group, rw, { kind: 'active', scope: '/resources/db/staging' });
    who.sp = await insertServicePrincipal(h, 'reporter');
    await assign(h.admin, who.sp, rw, { kind: 'active', scope: '/resources/db/prod', duration: 'P30D' });
    spAppId = (await h.rt.deps.db.selectFrom('service_principals').select('app_id').where('id', '=', who.sp).executeTakeFirstOrThrow()).app_id;
  });
  after(async () => { await h.close(); });

  const evaluation = (subject: string, action: string, resource: { type: string; id: string }, extra: Record<string, unknown> = {}) =>
    pep.post('/access/v1/evaluation', { subject: { type: 'user', id: subject }, action: { name: action }, resource, ...extra });
  const decide = async (subject: string, action: string, resource: { type: string; id: string }, extra?: Record<string, unknown>) => {
    const r = await evaluation(subject, action, resource, extra);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body as { decision: boolean; context?: { reason?: string } };
  };

  test('evaluation: permits at the scope and below, denies siblings, other permissions and the unknown', async () => {
    assert.deepEqual(await decide(who.alice!, 'db:read', db('prod')), { decision: true }, 'a permit carries no internals');
    assert.equal((await decide(who.alice!, 'db:write', db('prod/table/users'))).decision, true, 'descendant resource');
    assert.deepEqual(await decide(who.alice!, 'db:read', db('staging')), { decision: false, context: { reason: 'no_assignment' } }, 'sibling');
    assert.equal((await decide(who.alice!, 'db:admin', db('prod'))).decision, false, 'a permission the role lacks');
    assert.equal((await decide(who.erin!, 'db:read', db('prod'))).decision, false, 'a grant below does not reach up');
    assert.equal((await decide(who.carol!, 'db:read', db('prod'))).decision, false, 'eligible is not active');
    assert.equal((await decide('nobody@example.com', 'db:read', db('prod'))).context?.reason, 'principal_unknown');
    assert.equal((await decide(who.bob!, 'db:read', db('staging'))).decision, true, 'through a role-assignable group');
    assert.equal((await decide(who.bob!, 'db:read', db('prod'))).decision, false);
    assert.equal((await decide(who.dave!, 'db:drop', db('anything'))).decision, true, 'db:* at / covers every db resource');
    assert.equal((await decide(who.dave!, 'db:read', { type: 'directory', id: 'whole' })).decision, true, 'directory is scope /');
    assert.equal((await decide(who.alice!, 'db:read', { type: 'directory', id: 'whole' })).decision, false);
  });

  test('subjects by userPrincipalName (any case), by appId, with any type', async () => {
    assert.equal((await decide('ALICE@example.com', 'db:read', db('prod'))).decision, true);
    assert.equal((await decide(spAppId, 'db:read', db('prod'))).decision, true);
    const r = await pep.post('/access/v1/evaluation', { subject: { type: 'identity', id: who.sp }, action: { name: 'db:write' }, resource: db('prod') });
    assert.equal(r.body.decision, true);
  });

  test('role:<roleId> asks whether the role is held at a covering scope', async () => {
    assert.equal((await decide(who.alice!, `role:${rw}`, db('prod/table/users'))).decision, true);
    assert.equal((await decide(who.alice!, `role:${rw}`, db('staging'))).decision, false);
    assert.equal((await decide(who.alice!, `role:${wild}`, db('prod'))).decision, false);
    assert.equal((await decide(who.dave!, `role:${wild}`, { type: 'directory', id: '-' })).decision, true);
  });

  test('unknown fields and properties are ignored', async () => {
    const r = await pep.post('/access/v1/evaluation', {
      subject: { type: 'user', id: who.alice, properties: { department: 'Sales', ip_address: '10.0.0.1' }, nickname: 'al' },
      action: { name: 'db:read', properties: { method: 'GET' }, verb: 'x' },
      resource: { type: 'db', id: 'prod', properties: { library_record: { isbn: '978' } } },
      context: { device: 'laptop', nested: { a: [1, 2] } }, zzzUnknown: true,
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(r.body, { decision: true });
  });

  test('missing required fields → 400 authzen.invalid_request; bad resources and times → 400', async () => {
    const full = { subject: { type: 'user', id: who.alice }, action: { name: 'db:read' }, resource: db('prod') };
    const cases: Array<[unknown, string]> = [
      [{ action: full.action, resource: full.resource }, 'authzen.invalid_request'],
      [{ subject: full.subject, resource: full.resource }, 'authzen.invalid_request'],
      [{ subject: full.subject, action: full.action }, 'authzen.invalid_request'],
      [{ ...full, subject: { type: 'user' } }, 'authzen.invalid_request'],
      [{ ...full, resource: { id: 'prod' } }, 'authzen.invalid_request'],
      [{ ...full, action: {} }, 'authzen.invalid_request'],
      [{ ...full, resource: db('prod/table') }, 'authzen.invalid_resource'],
      [{ ...full, resource: db('prod/../staging') }, 'authzen.invalid_resource'],
      [{ ...full, resource: { type: 'db/prod', id: 'x' } }, 'authzen.invalid_resource'],
      [{ ...full, context: { time: 'yesterday' } }, 'authzen.invalid_time'],
    ];
    for (const [body, code] of cases) {
      const r = await pep.post('/access/v1/evaluation', body);
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.equal(r.body.error.code, code, JSON.stringify(r.body));
      assert.equal(typeof r.body.error.message, 'string');
      assert.equal(typeof r.body.error.details, 'object');
    }
  });

  test('only check-scope tokens may ask; X-Request-ID is echoed', async () => {
    const body = { subject: { type: 'user', id: who.alice }, action: { name: 'db:read' }, resource: db('prod') };
    assert.equal((await h.anon.post('/access/v1/evaluation', body)).status, 401);
    const apiOnly = await userWithToken(h.admin);
    for (const path of ['evaluation', 'evaluations', 'search/subject', 'search/resource', 'search/action']) {
      const r = await apiOnly.api.post(`/access/v1/${path}`, body);
      assert.equal(r.status, 403, path);
      assert.equal(typeof r.body.error.code, 'string');
    }
    const r = await pep.call('POST', '/access/v1/evaluation', body, { 'x-request-id': 'bfe9eb29-ab87-4ca3-be83-a1d5d8305716' });
    assert.equal(r.headers['x-request-id'], 'bfe9eb29-ab87-4ca3-be83-a1d5d8305716');
  });

  test('context.time: past instants from history, future ones from the schedule', async () => {
    const before = new Date(h.clock.nowMs() - 24 * 60 * min).toISOString();
    assert.equal((await decide(who.alice!, 'db:read', db('prod'), { context: { time: before } })).decision, false, 'not yet assigned then');
    const later = new Date(h.clock.nowMs() + 60 * 24 * 60 * min).toISOString();
    assert.equal((await decide(spAppId, 'db:read', db('prod'), { context: { time: later } })).decision, false, 'the P30D grant has ended by then');
    assert.equal((await decide(who.alice!, 'db:read', db('prod'), { context: { time: later } })).decision, true);
  });

  test('evaluations: defaults, overrides and the three semantics', async () => {
    const base = {
      subject: { type: 'user', id: who.alice }, action: { name: 'db:read' },
      evaluations: [{ resource: db('prod') }, { resource: db('staging') }, { resource: db('prod/table/users') }, { action: { name: 'db:admin' }, resource: db('prod') }],
    };
    const run = async (body: unknown) => {
      const r = await pep.post('/access/v1/evaluations', body);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.decision, undefined, 'no top-level decision beside evaluations');
      return (r.body.evaluations as Array<{ decision: boolean }>).map((e) => e.decision);
    };
    assert.deepEqual(await run(base), [true, false, true, false]);
    assert.deepEqual(await run({ ...base, options: { evaluations_semantic: 'execute_all' } }), [true, false, true, false]);
    assert.deepEqual(await run({ ...base, options: { evaluations_semantic: 'deny_on_first_deny' } }), [true, false], 'stops at the first deny');
    assert.deepEqual(await run({ ...base, options: { evaluations_semantic: 'permit_on_first_permit' } }), [true], 'stops at the first permit');
    assert.deepEqual(await run({ ...base, evaluations: [{ resource: db('staging') }, { subject: { type: 'user', id: who.bob }, resource: db('staging') }], options: { evaluations_semantic: 'permit_on_first_permit' } }), [false, true]);
    const mixed = await pep.post('/access/v1/evaluations', { ...base, evaluations: [{ resource: db('prod/table') }, { resource: db('prod') }] });
    assert.equal(mixed.body.evaluations[0].decision, false);
    assert.equal(mixed.body.evaluations[0].context.error.status, 400, 'a bad item fails closed on its own');
    assert.equal(mixed.body.evaluations[1].decision, true);
    assert.equal(mixed.body.evaluations[0].context.reason, undefined);
  });

  test('evaluations: without items it is a single evaluation; missing keys and bad options are 400', async () => {
    const single = { subject: { type: 'user', id: who.alice }, action: { name: 'db:read' }, resource: db('prod') };
    assert.deepEqual((await pep.post('/access/v1/evaluations', single)).body, { decision: true });
    assert.deepEqual((await pep.post('/access/v1/evaluations', { ...single, resource: db('staging'), evaluations: [] })).body, { decision: false, context: { reason: 'no_assignment' } });
    const bad: unknown[] = [
      { action: single.action, evaluations: [{ resource: db('prod') }] },
      { subject: single.subject, action: single.action, evaluations: [{ resource: db('prod') }, { subject: single.subject }] },
      { subject: single.subject },
      { ...single, options: { evaluations_semantic: 'first_wins' } },
      { ...single, evaluations: Array.from({ length: 1001 }, () => ({})) },
    ];
    for (const body of bad) {
      const r = await pep.post('/access/v1/evaluations', body);
      assert.equal(r.status, 400, JSON.stringify(r.body).slice(0, 200));
      assert.equal(r.body.error.code, 'authzen.invalid_request');
    }
  });

  const search = async (kind: string, body: unknown) => {
    const r = await pep.post(`/access/v1/search/${kind}`, body);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body;
  };

  test('subject search: direct, through groups and by type; every result evaluates to true', async () => {
    const q = (type: string, id: string) => ({ subject: { type }, action: { name: 'db:read' }, resource: db(id) });
    const ids = async (type: string, id: string) => (await search('subject', q(type, id))).results.map((s: { id: string }) => s.id).sort();
    assert.deepEqual(await ids('user', 'prod'), [who.alice, who.dave].sort());
    assert.deepEqual(await ids('user', 'staging'), [who.bob, who.dave].sort(), 'group members expanded');
    assert.deepEqual(await ids('user', 'prod/table/users'), [who.alice, who.dave, who.erin].sort());
    assert.deepEqual(await ids('service_principal', 'prod'), [who.sp]);
    assert.deepEqual(await ids('identity', 'prod'), [who.alice, who.dave, who.sp].sort());
    const body = await search('subject', q('user', 'staging'));
    assert.deepEqual(Object.keys(body), ['page', 'results'], 'page first, as the spec recommends');
    assert.deepEqual(body.page, { next_token: '', count: 2, total: 2 });
    for (const s of body.results) {
      assert.equal(s.type, 'user');
      assert.equal((await decide(s.id, 'db:read', db('staging'))).decision, true);
    }
    const noSubject = await pep.post('/access/v1/search/subject', { action: { name: 'db:read' }, resource: db('prod') });
    assert.equal(noSubject.body.error.code, 'authzen.invalid_request');
  });

  test('search pagination: page.limit, opaque next_token to the end, tokens bound to the query', async () => {
    const q = { subject: { type: 'identity' }, action: { name: 'db:read' }, resource: db('prod/table/users') };
    const all = (await search('subject', q)).results;
    assert.equal(all.length, 4);
    const seen: unknown[] = [];
    let page = await search('subject', { ...q, page: { limit: 1 } });
    assert.equal(page.page.total, 4);
    while (true) {
      assert.equal(page.page.count, page.results.length);
      seen.push(...page.results);
      if (page.page.next_token === '') break;
      page = await search('subject', { ...q, page: { limit: 1, token: page.page.next_token } });
    }
    assert.deepEqual(seen, all);
    const first = await search('subject', { ...q, page: { limit: 3 } });
    assert.notEqual(first.page.next_token, '');
    const changed = await pep.post('/access/v1/search/subject', { ...q, action: { name: 'db:write' }, page: { limit: 3, token: first.page.next_token } });
    assert.equal(changed.status, 400);
    assert.equal(changed.body.error.code, 'authzen.page_token_mismatch');
    const forged = await pep.post('/access/v1/search/subject', { ...q, page: { token: 'not-a-token' } });
    assert.equal(forged.body.error.code, 'authzen.invalid_page_token');
  });

  test('resource search: the resources assignments name that the subject covers', async () => {
    const ids = async (subject: string, action = 'db:read', type = 'db') =>
      (await search('resource', { subject: { type: 'user', id: subject }, action: { name: action }, resource: { type } })).results.map((r: { id: string }) => r.id);
    assert.deepEqual(await ids(who.alice!), ['prod', 'prod/table/users']);
    assert.deepEqual(await ids(who.bob!), ['staging']);
    assert.deepEqual(await ids(who.erin!), ['prod/table/users']);
    assert.deepEqual(await ids(who.dave!, 'db:drop'), ['prod', 'prod/table/users', 'staging'], 'a grant at / covers what assignments name');
    assert.deepEqual(await ids(who.alice!, 'db:admin'), []);
    assert.deepEqual(await ids(who.alice!, 'db:read', 'app'), []);
    assert.deepEqual(await ids(who.dave!, 'db:read', 'directory'), ['/']);
    for (const id of await ids(who.alice!)) assert.equal((await decide(who.alice!, 'db:read', db(id))).decision, true);
    const unknown = await search('resource', { subject: { type: 'user', id: 'ghost' }, action: { name: 'db:read' }, resource: { type: 'db' } });
    assert.deepEqual(unknown.results, []);
    assert.equal(unknown.context.reason, 'principal_unknown');
  });

  test('action search: permissions and roles held at a covering scope', async () => {
    const names = async (subject: string, resource: { type: string; id: string }) =>
      (await search('action', { subject: { type: 'user', id: subject }, resource })).results.map((a: { name: string }) => a.name);
    assert.deepEqual(await names(who.alice!, db('prod/table/users')), ['db:read', 'db:write', `role:${rw}`]);
    assert.deepEqual(await names(who.alice!, db('staging')), []);
    assert.deepEqual(await names(who.dave!, db('x')), ['db:*', `role:${wild}`]);
    assert.deepEqual(await names(who.bob!, db('staging')), ['db:read', 'db:write', `role:${rw}`]);
    for (const n of await names(who.dave!, db('x'))) assert.equal((await decide(who.dave!, n, db('x'))).decision, true, n);
    const past = await pep.post('/access/v1/search/action', { subject: { type: 'user', id: who.alice }, resource: db('prod'), context: { time: '2020-01-01T00:00:00Z' } });
    assert.equal(past.body.error.code, 'authzen.search_time_unsupported');
  });

  test('PDP metadata at /.well-known/authzen-configuration, public, absolute URLs', async () => {
    const r = await h.anon.get('/.well-known/authzen-configuration');
    assert.equal(r.status, 200);
    assert.match(String(r.headers['content-type']), /^application\/json/);
    const base = h.config.publicUrl;
    assert.deepEqual(r.body, {
      policy_decision_point: base,
      access_evaluation_endpoint: `${base}/access/v1/evaluation`,
      access_evaluations_endpoint: `${base}/access/v1/evaluations`,
      search_subject_endpoint: `${base}/access/v1/search/subject`,
      search_resource_endpoint: `${base}/access/v1/search/resource`,
      search_action_endpoint: `${base}/access/v1/search/action`,
    });
  });

  test('disabled principals are denied', async () => {
    const u = await userWithToken(h.admin);
    await assign(h.admin, u.id, rw, { kind: 'active', scope: '/resources/db/prod' });
    assert.equal((await decide(u.id, 'db:read', db('prod'))).decision, true);
    assert.equal((await h.admin.patch(`/api/v1/users/${u.id}`, { enabled: false })).status, 200);
    assert.deepEqual(await decide(u.id, 'db:read', db('prod')), { decision: false, context: { reason: 'principal_disabled' } });
  });

  // Last: it moves the clock.
  test('expiry: the decision flips to false at endAt exactly, and searches follow', async () => {
    await assign(h.admin, who.frank!, rw, { kind: 'active', scope: '/resources/db/qa', duration: 'PT1H' });
    const staff = async () => (await search('subject', { subject: { type: 'user' }, action: { name: 'db:write' }, resource: db('qa') })).results.map((s: { id: string }) => s.id);
    assert.equal((await decide(who.frank!, 'db:write', db('qa'))).decision, true);
    assert.ok((await staff()).includes(who.frank));
    h.clock.advance(60 * min - 1);
    assert.equal((await decide(who.frank!, 'db:write', db('qa'))).decision, true, 'one millisecond before the end');
    h.clock.advance(1);
    assert.deepEqual(await decide(who.frank!, 'db:write', db('qa')), { decision: false, context: { reason: 'no_assignment' } });
    assert.ok(!(await staff()).includes(who.frank));
  });
});
