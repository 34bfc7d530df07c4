/**
 * The synthetic tenant: users, role-assignable groups with memberships, custom roles with
 * permissions, eligible and active schedules over a scope tree, and the random check
 * workload run against it. Deterministic from a seed, so both engines and casbin see the
 * same tenant and the same checks. Times are relative to `baseMs` (the run's start): every
 * window is either live for hours around it, ended before it, or starting a day after it,
 * so the expected answers do not drift while the benchmark runs.
 */
import { Rng } from './common.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The tenant: 100K users, 5K groups, 300K eligible + 20K active. Other sizes scale it. */
export const TENANT_SCHEDULES = 320_000;

export interface SizeSpec {
  schedules: number;
  users: number;
  groups: number;
  eligible: number;
  active: number;
  administrativeUnits: number;
  subscriptions: number;
}

export function sizeSpec(schedules: number): SizeSpec {
  const f = schedules / TENANT_SCHEDULES;
  const eligible = Math.round(300_000 * f);
  return {
    schedules,
    users: Math.max(50, Math.round(100_000 * f)),
    groups: Math.max(10, Math.round(5_000 * f)),
    eligible,
    active: schedules - eligible,
    administrativeUnits: Math.max(5, Math.round(200 * f)),
    subscriptions: Math.max(4, Math.round(50 * f)),
  };
}

export interface RoleDef { id: string; name: string; builtin: boolean; permissions: string[] }

/** Directory roles from the built-in catalogue (no permissions: they are checked by role id). */
export const BUILTIN_ROLES: RoleDef[] = [
  ['62e90394-69f5-4237-9190-012177145e10', 'Global Administrator'],
  ['e8611ab8-c189-46e8-94e1-60213ab1f814', 'Privileged Role Administrator'],
  ['194ae4cb-b126-40b2-bd5b-6091b380977d', 'Security Administrator'],
  ['5d6b6bb7-de71-4623-b4af-96380a352509', 'Security Reader'],
  ['f2ef992c-3afb-46b9-b7cf-a126ee74c451', 'Global Reader'],
  ['fe930be7-5e62-47db-91af-98c3a49a38b1', 'User Administrator'],
  ['fdd7a751-b60b-444a-984c-02652fe8fa1c', 'Groups Administrator'],
  ['729827e3-9c14-49f7-bb1b-9608f156bbb8', 'Helpdesk Administrator'],
].map(([id, name]) => ({ id: id!, name: name!, builtin: true, permissions: [] }));

const CUSTOM_ROLE_SPECS: Array<[string, string[]]> = [
  ['Bench VM Operator', ['vm:read', 'vm:start', 'vm:stop', 'vm:restart']],
  ['Bench VM Contributor', ['vm:*']],
  ['Bench DB Reader', ['db:read']],
  ['Bench DB Operator', ['db:read', 'db:write', 'db:backup']],
  ['Bench DB Owner', ['db:*']],
  ['Bench Storage Reader', ['storage:read']],
  ['Bench Storage Contributor', ['storage:*']],
  ['Bench Key Vault Secrets User', ['kv:secrets:read']],
  ['Bench Key Vault Officer', ['kv:secrets:*', 'kv:keys:*']],
  ['Bench Network Operator', ['net:read', 'net:write']],
  ['Bench Monitoring Reader', ['monitor:read', 'logs:read', 'vm:read', 'db:read']],
  ['Bench Subscription Owner', ['*']],
];

/** Permissions callers ask about (some no role carries). */
export const WANTED_PERMISSIONS = [
  'vm:read', 'vm:start', 'vm:stop', 'vm:restart', 'vm:delete', 'db:read', 'db:write', 'db:backup', 'db:drop',
  'storage:read', 'storage:write', 'kv:secrets:read', 'kv:secrets:write', 'kv:keys:sign', 'net:read', 'net:write',
  'monitor:read', 'logs:read', 'billing:read',
];

const RESOURCE_TYPES = ['virtualMachines', 'databases', 'storageAccounts', 'keyVaults'];
const RG_PER_SUB = 20;
const RES_PER_RG = 50;

export interface Schedules {
  id: string[];
  kind: Array<'eligible' | 'active'>;
  principal: string[];
  principalType: Array<'user' | 'group'>;
  role: string[];
  scope: string[];
  start: number[];
  end: Array<number | null>;
  assignmentType: Array<'Assigned' | 'Activated'>;
  linked: Array<string | null>;
  /** principal index into users or groups */
  pIdx: number[];
  roleIdx: number[];
}

export interface Membership { id: string; group: number; user: number; addedAt: number; removedAt: number | null }

export interface Tenant {
  spec: SizeSpec;
  baseMs: number;
  userIds: string[];
  groupIds: string[];
  auIds: string[];
  roles: RoleDef[];
  memberships: Membership[];
  /** current members of each group (user indexes) */
  groupMembers: number[][];
  schedules: Schedules;
  caller: { spId: string; appId: string; tokenId: string; token: string };
}

/** One check: principal id, role or permission, scope, and the category that produced it. */
export type Check = [principal: string, kind: 'r' | 'p', value: string, scope: string, category: string];

function scopeName(rng: Rng, spec: SizeSpec, level: 'sub' | 'rg' | 'res'): string {
  const sub = `/resources/subscriptions/sub-${rng.int(spec.subscriptions)}`;
  if (level === 'sub') return sub;
  const rg = `${sub}/resourceGroups/rg-${rng.int(RG_PER_SUB)}`;
  if (level === 'rg') return rg;
  const k = rng.int(RES_PER_RG);
  return `${rg}/${RESOURCE_TYPES[k % RESOURCE_TYPES.length]!}/res-${k}`;
}

/** A scope somewhere in the tree, for random checks (any depth, including below leaves). */
function anyScope(rng: Rng, spec: SizeSpec, auIds: readonly string[]): string {
  const r = rng.next();
  if (r < 0.2) return '/';
  if (r < 0.35) return `/administrativeUnits/${rng.pick(auIds)}`;
  if (r < 0.5) return scopeName(rng, spec, 'sub');
  if (r < 0.7) return scopeName(rng, spec, 'rg');
  if (r < 0.9) return scopeName(rng, spec, 'res');
  return `${scopeName(rng, spec, 'res')}/disks/disk-${rng.int(4)}`;
}

/** A scope the assignment at `scope` covers: itself or something below it. */
function coveredScope(rng: Rng, spec: SizeSpec, auIds: readonly string[], scope: string): string {
  if (scope === '/') return rng.next() < 0.5 ? '/' : anyScope(rng, spec, auIds);
  if (!scope.startsWith('/resources/') || rng.next() < 0.5) return scope;
  const depth = scope.split('/').length; // sub: 4, rg: 6, resource: 8
  if (depth === 4) return `${scope}/resourceGroups/rg-${rng.int(RG_PER_SUB)}`;
  if (depth === 6) { const k = rng.int(RES_PER_RG); return `${scope}/${RESOURCE_TYPES[k % RESOURCE_TYPES.length]!}/res-${k}`; }
  return `${scope}/disks/disk-${rng.int(4)}`;
}

/** A concrete permission the role grants (wildcards filled in), or undefined for directory roles. */
function permissionOf(rng: Rng, role: RoleDef): string | undefined {
  if (role.permissions.length === 0) return undefined;
  const p = rng.pick(role.permissions);
  if (p === '*') return rng.pick(WANTED_PERMISSIONS);
  if (p.endsWith(':*')) {
    const prefix = p.slice(0, -1);
    const matching = WANTED_PERMISSIONS.filter((w) => w.startsWith(prefix));
    return matching.length > 0 ? rng.pick(matching) : `${prefix}read`;
  }
  return p;
}

export function buildTenant(schedules: number, baseMs: number, seed = 20260105): Tenant {
  const spec = sizeSpec(schedules);
  const rng = new Rng(seed ^ schedules);
  const userIds = Array.from({ length: spec.users }, () => rng.uuid());
  const groupIds = Array.from({ length: spec.groups }, () => rng.uuid());
  const auIds = Array.from({ length: spec.administrativeUnits }, (_, i) => `au-${i}`);
  const custom: RoleDef[] = CUSTOM_ROLE_SPECS.map(([name, permissions]) => ({ id: rng.uuid(), name, builtin: false, permissions }));
  const roles = [...BUILTIN_ROLES, ...custom];

  // Each user is a current member of 0-3 groups (40/30/20/10 %); popular groups are bigger
  // (index skewed by r^2). About 5 % extra rows are ended memberships (history the index skips).
  const memberships: Membership[] = [];
  const groupMembers: number[][] = Array.from({ length: spec.groups }, () => []);
  for (let u = 0; u < spec.users; u++) {
    const r = rng.next();
    const n = r < 0.4 ? 0 : r < 0.7 ? 1 : r < 0.9 ? 2 : 3;
    const mine = new Set<number>();
    for (let i = 0; i < n; i++) {
      const g = Math.floor(spec.groups * rng.next() ** 2);
      if (mine.has(g)) continue;
      mine.add(g);
      groupMembers[g]!.push(u);
      memberships.push({ id: rng.uuid(), group: g, user: u, addedAt: baseMs - rng.range(30, 700) * DAY, removedAt: null });
    }
    if (rng.next() < 0.05) {
      const added = baseMs - rng.range(200, 700) * DAY;
      memberships.push({ id: rng.uuid(), group: rng.int(spec.groups), user: u, addedAt: added, removedAt: added + rng.range(1, 100) * DAY });
    }
  }

  const s: Schedules = { id: [], kind: [], principal: [], principalType: [], role: [], scope: [], start: [], end: [], assignmentType: [], linked: [], pIdx: [], roleIdx: [] };
  const push = (kind: 'eligible' | 'active', pType: 'user' | 'group', pIdx: number, roleIdx: number, scope: string, start: number, end: number | null, at: 'Assigned' | 'Activated', linked: string | null) => {
    s.id.push(rng.uuid()); s.kind.push(kind); s.principalType.push(pType); s.pIdx.push(pIdx);
    s.principal.push(pType === 'user' ? userIds[pIdx]! : groupIds[pIdx]!);
    s.roleIdx.push(roleIdx); s.role.push(roles[roleIdx]!.id); s.scope.push(scope);
    s.start.push(start); s.end.push(end); s.assignmentType.push(at); s.linked.push(linked);
  };
  const nBuiltin = BUILTIN_ROLES.length;
  // Directory roles sit at / or on an administrative unit; custom roles mostly on resources.
  const pickRoleAndScope = (): [number, string] => {
    if (rng.next() < 0.4) {
      const ri = Math.floor(nBuiltin * rng.next() ** 1.5);
      return [ri, rng.next() < 0.7 ? '/' : `/administrativeUnits/${rng.pick(auIds)}`];
    }
    const ri = nBuiltin + rng.int(custom.length - 1) + (rng.next() < 0.01 ? 1 : 0); // Subscription Owner is rare
    const r = rng.next();
    const scope = r < 0.1 ? '/' : r < 0.28 ? scopeName(rng, spec, 'sub') : r < 0.64 ? scopeName(rng, spec, 'rg') : scopeName(rng, spec, 'res');
    return [ri, scope];
  };
  const pickPrincipal = (): ['user' | 'group', number] => (rng.next() < 0.15 ? ['group', rng.int(spec.groups)] : ['user', rng.int(spec.users)]);

  // Eligible: 55 % permanent, 40 % time-bound and live, 3 % expired (not yet ended by the job), 2 % starting tomorrow.
  for (let i = 0; i < spec.eligible; i++) {
    const [pt, pi] = pickPrincipal();
    const [ri, scope] = pickRoleAndScope();
    const r = rng.next();
    const start = r < 0.98 ? baseMs - rng.range(1, 400) * DAY : baseMs + rng.range(1, 30) * DAY;
    const end = r < 0.55 ? null : r < 0.95 ? baseMs + rng.range(1, 365) * DAY : r < 0.98 ? baseMs - rng.range(0.1, 30) * DAY : start + 180 * DAY;
    push('eligible', pt, pi, ri, scope, Math.round(start), end === null ? null : Math.round(end), 'Assigned', null);
  }
  // Active: 55 % activations of an eligible schedule (live for hours), 30 % permanent assignments,
  // 10 % time-bound assignments, 3 % activations that expired a moment ago, 2 % starting tomorrow.
  const nEligible = s.id.length;
  for (let i = 0; i < spec.active; i++) {
    const r = rng.next();
    if (r < 0.55 || (r >= 0.95 && r < 0.98)) {
      let e = rng.int(nEligible);
      for (let tries = 0; tries < 8 && (s.start[e]! > baseMs || (s.end[e] !== null && s.end[e]! <= baseMs)); tries++) e = rng.int(nEligible);
      const live = r < 0.55;
      const start = live ? baseMs - rng.range(0, 4) * HOUR : baseMs - rng.range(3, 10) * HOUR;
      const end = live ? baseMs + rng.range(1, 8) * HOUR : baseMs - rng.range(0.05, 2) * HOUR;
      push('active', s.principalType[e]!, s.pIdx[e]!, s.roleIdx[e]!, s.scope[e]!, Math.round(start), Math.round(end), 'Activated', s.id[e]!);
    } else {
      const [pt, pi] = pickPrincipal();
      const [ri, scope] = pickRoleAndScope();
      const start = r < 0.98 ? baseMs - rng.range(1, 400) * DAY : baseMs + rng.range(1, 30) * DAY;
      const end = r < 0.85 ? null : r < 0.95 ? baseMs + rng.range(1, 180) * DAY : start + 30 * DAY;
      push('active', pt, pi, ri, scope, Math.round(start), end === null ? null : Math.round(end), 'Assigned', null);
    }
  }

  const caller = { spId: rng.uuid(), appId: rng.uuid(), tokenId: rng.uuid(), token: `pim_bench${rng.uuid().replace(/-/g, '')}${rng.uuid().replace(/-/g, '')}` };
  return { spec, baseMs, userIds, groupIds, auIds, roles, memberships, groupMembers, schedules: s, caller };
}

export function isLive(t: Tenant, i: number, at: number): boolean {
  const s = t.schedules;
  return s.start[i]! <= at && (s.end[i] === null || at < s.end[i]!);
}

/**
 * The check workload: 40 % aimed at a live active schedule (as its user, or as a member of
 * its group; at its scope or below; by role or by one of the role's permissions: allowed),
 * 10 % aimed at eligible-only or expired/future active schedules (mostly denied), 50 %
 * random user x random role or permission x random scope (mostly denied).
 */
export function buildChecks(t: Tenant, count: number, seed = 7): Check[] {
  const rng = new Rng(seed ^ t.spec.schedules);
  const s = t.schedules;
  const n = s.id.length;
  const liveActive: number[] = [];
  const otherTargets: number[] = [];
  for (let i = 0; i < n; i++) {
    if (s.kind[i] === 'active' && isLive(t, i, t.baseMs)) liveActive.push(i);
    else if (s.kind[i] === 'eligible' ? rng.next() < 0.1 : true) otherTargets.push(i);
  }
  const checks: Check[] = [];
  const asking = (i: number): [string, string] => {
    if (s.principalType[i] === 'group') {
      const members = t.groupMembers[s.pIdx[i]!]!;
      if (members.length > 0) return [t.userIds[rng.pick(members)]!, 'group'];
      return [t.userIds[rng.int(t.userIds.length)]!, 'group-empty'];
    }
    return [s.principal[i]!, 'direct'];
  };
  const wanted = (roleIdx: number): ['r' | 'p', string] => {
    const role = t.roles[roleIdx]!;
    const perm = rng.next() < 0.5 ? permissionOf(rng, role) : undefined;
    return perm !== undefined ? ['p', perm] : ['r', role.id];
  };
  for (let k = 0; k < count; k++) {
    const r = rng.next();
    if (r < 0.4 && liveActive.length > 0) {
      const i = rng.pick(liveActive);
      const [p, how] = asking(i);
      const [kind, value] = wanted(s.roleIdx[i]!);
      checks.push([p, kind, value, coveredScope(rng, t.spec, t.auIds, s.scope[i]!), `live-${how}`]);
    } else if (r < 0.5 && otherTargets.length > 0) {
      const i = rng.pick(otherTargets);
      const [p, how] = asking(i);
      const [kind, value] = wanted(s.roleIdx[i]!);
      checks.push([p, kind, value, coveredScope(rng, t.spec, t.auIds, s.scope[i]!), `${s.kind[i]!}-${how}`]);
    } else {
      const p = t.userIds[rng.int(t.userIds.length)]!;
      const kind = rng.next() < 0.5 ? 'r' : 'p';
      const value = kind === 'r' ? rng.pick(t.roles).id : rng.pick(WANTED_PERMISSIONS);
      checks.push([p, kind, value, anyScope(rng, t.spec, t.auIds), 'random']);
    }
  }
  return checks;
}
