import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { ENGINE, startWithAdmin } from '../helpers/harness.ts';

const TABLES = ['users', 'groups', 'group_owners', 'group_members', 'administrative_units', 'au_members', 'service_principals', 'roles', 'schedules', 'requests', 'role_policies', 'approval_decisions', 'api_tokens', 'audit_events'];
const MB = 1024 * 1024;

type Schema = { type?: string | string[]; properties?: Record<string, Schema>; anyOf?: Schema[] };

/** A value of the wrong JSON type for a schema (a string where a number is wanted, and so on). */
function wrongTypeFor(s: Schema): unknown {
  const types = [s.type ?? s.anyOf?.map((x) => x.type) ?? []].flat(2);
  if (types.includes('string')) return 12345;
  if (types.includes('boolean') || types.includes('integer') || types.includes('number')) return 'not-a-scalar-of-that-type';
  if (types.includes('array')) return { not: 'an array' };
  return 'not-an-object';
}

function isString(s: Schema): boolean {
  return [s.type ?? s.anyOf?.map((x) => x.type) ?? []].flat(2).includes('string');
}

describe(`bad input on every write endpoint (${ENGINE})`, () => {
  let h: Awaited<ReturnType<typeof startWithAdmin>>;
  before(async () => { h = await startWithAdmin(); });
  after(async () => { await h.close(); });

  const counts = async () => {
    const out: Record<string, number> = {};
    for (const t of TABLES) out[t] = Number((await sql<{ n: number }>`SELECT count(*) AS n FROM ${sql.table(t)}`.execute(h.rt.deps.db)).rows[0]!.n);
    return out;
  };

  test('malformed JSON, wrong types, unknown fields, 1 MB strings: all 4xx with the error shape, nothing written', async () => {
    const routes = h.app.routeTable.filter((r) => ['POST', 'PATCH', 'PUT', 'DELETE'].includes(r.method) && r.hasBody);
    assert.ok(routes.some((r) => r.url === '/api/v1/requests'), 'the request endpoint is among them');
    assert.ok(routes.length >= 10, `found ${routes.length} write endpoints`);
    const before = await counts();
    let calls = 0;
    for (const r of routes) {
      const url = r.url.replace(/:[A-Za-z]+/g, 'does-not-exist');
      const props = (r.bodySchema as Schema).properties ?? {};
      const bodies: Array<[string, string, Record<string, string>?]> = [
        ['malformed', '{"a":'],
        ['array', '[]'],
        ['string', '"text"'],
        ['null', 'null'],
        ['unknown field only', JSON.stringify({ zzzUnknownField: 1 })],
        ['wrong media type', 'a=b', { 'content-type': 'text/plain' }],
        ['over the body limit', JSON.stringify({ x: 'x'.repeat(MB + 10) })],
      ];
      for (const [name, p] of Object.entries(props)) {
        bodies.push([`wrong type ${name}`, JSON.stringify({ [name]: wrongTypeFor(p) })]);
        if (isString(p)) bodies.push([`huge ${name}`, JSON.stringify({ [name]: 'x'.repeat(MB - 100) })]);
      }
      for (const [what, payload, headers] of bodies) {
        const res = await h.admin.call(r.method, url, payload, headers ?? { 'content-type': 'application/json' });
        calls++;
        const label = `${r.method} ${r.url} (${what}) → ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`;
        assert.ok(res.status >= 400 && res.status < 500, label);
        assert.equal(typeof res.body?.error?.code, 'string', label);
        assert.equal(typeof res.body.error.message, 'string', label);
        assert.equal(typeof res.body.error.details, 'object', label);
        assert.doesNotMatch(JSON.stringify(res.body), /at .*\.ts:\d+|node_modules/, `no stack traces: ${label}`);
      }
    }
    assert.ok(calls > 100);
    assert.deepEqual(await counts(), before, 'nothing was written');
  });

  test('invalid scopes, durations and instants on requests and checks', async () => {
    const before = await counts();
    const base = { action: 'adminAssign', kind: 'eligible', principalId: h.adminId, roleId: 'fe930be7-5e62-47db-91af-98c3a49a38b1', justification: 'x' };
    const cases: Array<Record<string, unknown>> = [
      { ...base, scope: '/../etc', schedule: { permanent: true } },
      { ...base, scope: '', schedule: { permanent: true } },
      { ...base, scope: '/resources/db', schedule: { permanent: true } },
      { ...base, scope: `/resources/db/${'a'.repeat(2000)}`, schedule: { permanent: true } },
      { ...base, schedule: { duration: 'P1Y' } },
      { ...base, schedule: { duration: 'PT-5M' } },
      { ...base, schedule: { duration: 'P99999999D' } },
      { ...base, schedule: { endAt: '2026-02-30T25:00:00Z' } },
      { ...base, schedule: { startAt: 'yesterday', permanent: true } },
      { ...base, kind: 'permanent', schedule: { permanent: true } },
      { ...base, action: 'adminDestroy', schedule: { permanent: true } },
      { ...base, justification: 'j'.repeat(501), schedule: { permanent: true } },
      { ...base, status: 'Provisioned', schedule: { permanent: true } },
    ];
    for (const c of cases) {
      const r = await h.admin.post('/api/v1/requests', c);
      assert.equal(r.status, 400, JSON.stringify([c, r.body]).slice(0, 300));
      assert.equal(typeof r.body.error.code, 'string');
    }
    for (const c of [{ principal: 'x', role: 'r', scope: '/nope' }, { principal: 'x' }, { principal: 'x', role: 'r', permission: 'p' }, { principal: 'x', role: 'r', at: 'soon' }]) {
      const r = await h.admin.post('/api/v1/check', c);
      assert.equal(r.status, 400, JSON.stringify([c, r.body]));
    }
    assert.deepEqual(await counts(), before);
  });
});
