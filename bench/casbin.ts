/**
 * The same tenant in node-casbin (RBAC with domains), for comparison.
 *
 * Mapping (casbin has no time windows and no scope inheritance, so it gets the answers
 * precomputed where openpim computes them at decision time):
 *  - domain = scope ('/', '/administrativeUnits/…', '/resources/…').
 *  - each active schedule live at load time -> g(principal, roleId, scope). Eligible,
 *    expired and future schedules are left out (openpim keeps them and filters per check).
 *  - group membership -> g(user, group, scope) for every scope at which the group holds a
 *    live active assignment (casbin's role links are per domain; a domain-matching function
 *    would make casbin scan every domain on each check, which is far slower).
 *  - role checks (does P hold role R at scope S?) ask the role graph directly, with a second
 *    matcher m2 = g(r.sub, r.obj, r.dom): casbin then evaluates once instead of once per policy.
 *  - permission checks: each permission of a role -> p(roleId, *, <permission>, use), matcher
 *    m = r.act == p.act && keyMatch(r.obj, p.obj) && g(r.sub, p.sub, r.dom) (cheap comparisons
 *    first, so g() runs only for the policies that can match); keyMatch gives the same `db:*`
 *    and `*` wildcards as openpim. Casbin evaluates the matcher for every p rule.
 *  - scope inheritance: enforce at the asked scope, then each ancestor scope up to '/',
 *    stopping at the first allow (what an application on casbin would do).
 * Rules are handed to casbin through an in-memory adapter (no CSV parsing, no de-dup scans).
 */
import { EnforceContext, newEnforcer, newModel, type Adapter, type Enforcer, type Model } from 'casbin';
import type { Db } from '../src/store/db.ts';

const MODEL = `
[request_definition]
r = sub, dom, obj, act

[policy_definition]
p = sub, dom, obj, act

[role_definition]
g = _, _, _

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = r.act == p.act && keyMatch(r.obj, p.obj) && g(r.sub, p.sub, r.dom)
m2 = g(r.sub, r.obj, r.dom)
`;

/** Selects matcher m2 (role checks). */
const ROLE_CHECK = new EnforceContext('r', 'p', 'e', 'm2');

class MemoryAdapter implements Adapter {
  constructor(private readonly p: string[][], private readonly g: string[][]) {}
  loadPolicy(model: Model): Promise<void> {
    const pAst = model.model.get('p')?.get('p');
    const gAst = model.model.get('g')?.get('g');
    if (!pAst || !gAst) throw new Error('casbin model lacks p or g');
    for (const r of this.p) pAst.policy.push(r);
    for (const r of this.g) gAst.policy.push(r);
    return Promise.resolve();
  }
  savePolicy(): Promise<boolean> { return Promise.resolve(false); }
  addPolicy(): Promise<void> { return Promise.reject(new Error('read-only')); }
  removePolicy(): Promise<void> { return Promise.reject(new Error('read-only')); }
  removeFilteredPolicy(): Promise<void> { return Promise.reject(new Error('read-only')); }
}

export interface CasbinLoad {
  enforcer: Enforcer;
  queryMs: number;
  buildMs: number;
  pRules: number;
  gAssignments: number;
  gMemberships: number;
}

export async function loadCasbin(db: Db, now: number): Promise<CasbinLoad> {
  const t0 = process.hrtime.bigint();
  const roles = await db.selectFrom('roles').select(['id', 'permissions']).where('deleted_at', 'is', null).execute();
  const live = await db.selectFrom('schedules').select(['principal_id', 'role_id', 'scope'])
    .where('kind', '=', 'active').where('ended_at', 'is', null).where('start_at', '<=', now)
    .where((eb) => eb.or([eb('end_at', 'is', null), eb('end_at', '>', now)])).execute();
  const members = await db.selectFrom('group_members').innerJoin('groups', 'groups.id', 'group_members.group_id')
    .select(['group_members.group_id', 'group_members.member_id'])
    .where('group_members.removed_at', 'is', null).where('groups.role_assignable', '=', 1).where('groups.deleted_at', 'is', null).execute();
  const t1 = process.hrtime.bigint();

  const p: string[][] = [];
  for (const r of roles) {
    for (const perm of JSON.parse(r.permissions) as string[]) p.push([r.id, '*', perm, 'use']);
  }
  const g: string[][] = [];
  const seen = new Set<string>();
  const scopesOfGroup = new Map<string, Set<string>>();
  for (const s of live) {
    const key = `${s.principal_id}\u0000${s.role_id}\u0000${s.scope}`;
    if (seen.has(key)) continue;
    seen.add(key);
    g.push([s.principal_id, s.role_id, s.scope]);
    let set = scopesOfGroup.get(s.principal_id);
    if (!set) { set = new Set(); scopesOfGroup.set(s.principal_id, set); }
    set.add(s.scope);
  }
  const gAssignments = g.length;
  for (const m of members) {
    // Only groups that hold something need links (others cannot grant anything); users hold no schedules of other users.
    const scopes = scopesOfGroup.get(m.group_id);
    if (scopes === undefined) continue;
    for (const sc of scopes) g.push([m.member_id, m.group_id, sc]);
  }
  const enforcer = await newEnforcer(newModel(MODEL), new MemoryAdapter(p, g));
  const t2 = process.hrtime.bigint();
  return { enforcer, queryMs: Number(t1 - t0) / 1e6, buildMs: Number(t2 - t1) / 1e6, pRules: p.length, gAssignments, gMemberships: g.length - gAssignments };
}

/** The scope and its ancestors up to '/': /resources/a/b/c/d -> itself, /resources/a/b, /. */
export function scopeChain(scope: string): string[] {
  const out = [scope];
  if (scope === '/') return out;
  if (scope.startsWith('/resources/')) {
    let s = scope;
    for (;;) {
      const cut = s.lastIndexOf('/', s.lastIndexOf('/') - 1);
      if (cut <= '/resources'.length - 1) break;
      s = s.slice(0, cut);
      if (s === '/resources') break;
      out.push(s);
    }
  }
  out.push('/');
  return out;
}

/** One decision in casbin: the request at the scope, then up the scope chain. Returns [allowed, enforce calls]. */
export function casbinCheck(e: Enforcer, principal: string, kind: 'r' | 'p', value: string, scope: string): [boolean, number] {
  const chain = scopeChain(scope);
  for (let i = 0; i < chain.length; i++) {
    const ok = kind === 'r' ? e.enforceSync(ROLE_CHECK, principal, chain[i], value, 'hold') : e.enforceSync(principal, chain[i], value, 'use');
    if (ok) return [true, i + 1];
  }
  return [false, chain.length];
}
