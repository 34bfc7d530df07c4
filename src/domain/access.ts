import { scopeCovers } from './scope.ts';
import { permissionMatches } from './roles.ts';
import type { ScheduleKind } from './schedule-rules.ts';

export type MemberType = 'Direct' | 'Group' | 'Inherited';
export type AssignmentType = 'Assigned' | 'Activated';
export type PrincipalType = 'user' | 'group' | 'servicePrincipal';

/** One schedule as the decision point sees it. */
export interface Grant {
  scheduleId: string;
  kind: ScheduleKind;
  principalId: string;
  roleId: string;
  scope: string;
  startAt: number;
  endAt: number | null;
  assignmentType: AssignmentType;
}

export interface Via {
  scheduleId: string;
  roleId: string;
  scope: string;
  memberType: MemberType;
  endAt: string | null;
  groupId?: string;
}

/** What a principal asks for: a role, or a permission that some role carries. */
export type Wanted = { roleId: string } | { permission: string };

export function grantLive(g: Grant, at: number): boolean {
  return g.startAt <= at && (g.endAt === null || at < g.endAt);
}

function viaOf(g: Grant, memberType: MemberType, groupId?: string, endAt: number | null = g.endAt): Via {
  const v: Via = { scheduleId: g.scheduleId, roleId: g.roleId, scope: g.scope, memberType, endAt: endAt === null ? null : new Date(endAt).toISOString() };
  if (groupId !== undefined) v.groupId = groupId;
  return v;
}

/** A grant as a principal holds it: its own (groupId null) or through a role-assignable group. */
export interface Held {
  grant: Grant;
  groupId: string | null;
  /** When the membership itself is time-bound (PIM for Groups), the window both share. */
  window?: { startAt: number; endAt: number | null };
}

/** The overlap of two windows `[start, end)` (end null = open): a grant held through a time-bound membership. */
export function overlap(a: { startAt: number; endAt: number | null }, b: { startAt: number; endAt: number | null }): { startAt: number; endAt: number | null } {
  const endAt = a.endAt === null ? b.endAt : b.endAt === null ? a.endAt : Math.min(a.endAt, b.endAt);
  return { startAt: Math.max(a.startAt, b.startAt), endAt };
}

/**
 * Numbers for role ids and scopes, so the check loop compares numbers in one typed array
 * instead of following pointers to strings. A tenant names a few hundred roles and scopes;
 * the table stays small and in cache while the grants it numbers do not.
 */
export class NameTable {
  private readonly numbers = new Map<string, number>();
  readonly names: string[] = [];
  numberOf(name: string): number {
    let n = this.numbers.get(name);
    if (n === undefined) { n = this.names.length; this.names.push(name); this.numbers.set(name, n); }
    return n;
  }
  /** -1 when the name was never numbered: then no grant carries it. */
  find(name: string): number { return this.numbers.get(name) ?? -1; }
}

/**
 * Every active grant a principal holds, laid out for the check loop: four numbers per grant
 * in one Float64Array, [role, scope, start, end] (role and scope numbered by a NameTable,
 * permanent end = +Infinity). With a million schedules the index no longer fits in cache
 * and every pointer followed is a likely cache miss; one contiguous block per principal is
 * what keeps latency nearly flat as the tenant grows. `grants` and `groupIds` are read only
 * for grants that match, to build the answer.
 */
export interface HeldSet {
  readonly size: number;
  /** [role0, scope0, start0, end0, role1, …] */
  readonly cells: Float64Array;
  readonly names: NameTable;
  readonly grants: readonly Grant[];
  readonly groupIds: ReadonlyArray<string | null>;
}

export const EMPTY_HELD: HeldSet = Object.freeze({ size: 0, cells: new Float64Array(0), names: new NameTable(), grants: [], groupIds: [] });

/** Packs active grants (eligible ones grant nothing and are left out), in the order given. */
export function packHeld(held: readonly Held[], names: NameTable = new NameTable()): HeldSet {
  const live = held.filter((h) => h.grant.kind === 'active');
  if (live.length === 0) return EMPTY_HELD;
  const cells = new Float64Array(live.length * 4);
  live.forEach((h, i) => {
    const w = h.window ?? h.grant;
    cells[4 * i] = names.numberOf(h.grant.roleId);
    cells[4 * i + 1] = names.numberOf(h.grant.scope);
    cells[4 * i + 2] = w.startAt;
    cells[4 * i + 3] = w.endAt ?? Infinity;
  });
  return { size: live.length, cells, names, grants: live.map((h) => h.grant), groupIds: live.map((h) => h.groupId) };
}

/**
 * The decision itself: active grants held directly or through a group, live at `at`,
 * at the asked scope or above it, for the asked role or a role carrying the permission.
 * Pure: the caller supplies the grants, the role permissions and the instant. This is the
 * check API's hot path, so it allocates nothing unless a grant matches, and it tests the
 * cheapest, most selective thing (the role) first.
 */
export function decideHeld(
  held: HeldSet,
  wanted: Wanted,
  scope: string,
  at: number,
  permissionsOf: (roleId: string) => readonly string[] | undefined,
  all = false,
): Via[] {
  const out: Via[] = [];
  const { size, cells } = held;
  if (size === 0) return out;
  const names = held.names.names;
  const wantRole = 'roleId' in wanted ? held.names.find(wanted.roleId) : -2;
  if (wantRole === -1) return out;
  const wantPermission = 'permission' in wanted ? wanted.permission : '';
  for (let i = 0; i < size; i++) {
    const c = 4 * i;
    const role = cells[c]!;
    if (wantRole !== -2 ? role !== wantRole : !carries(permissionsOf(names[role]!), wantPermission)) continue;
    const end = cells[c + 3]!;
    if (!(cells[c + 2]! <= at && at < end) || !scopeCovers(names[cells[c + 1]!]!, scope)) continue;
    const groupId = held.groupIds[i]!;
    // The end that binds: a grant held through a time-bound membership ends with it.
    out.push(groupId === null ? viaOf(held.grants[i]!, 'Direct') : viaOf(held.grants[i]!, 'Group', groupId, end === Infinity ? null : end));
    if (!all) return out;
  }
  return out;
}

function carries(perms: readonly string[] | undefined, permission: string): boolean {
  if (perms === undefined) return false;
  for (const p of perms) if (permissionMatches(p, permission)) return true;
  return false;
}

/** Direct grants first, then those of each group. */
export function heldOf(direct: readonly Grant[], viaGroups: ReadonlyArray<{ groupId: string; grants: readonly Grant[] }>): HeldSet {
  const held: Held[] = direct.map((grant) => ({ grant, groupId: null }));
  for (const { groupId, grants } of viaGroups) for (const grant of grants) held.push({ grant, groupId });
  return packHeld(held);
}

export function decide(
  direct: readonly Grant[],
  viaGroups: ReadonlyArray<{ groupId: string; grants: readonly Grant[] }>,
  wanted: Wanted,
  scope: string,
  at: number,
  permissionsOf: (roleId: string) => readonly string[] | undefined,
  all = false,
): Via[] {
  return decideHeld(heldOf(direct, viaGroups), wanted, scope, at, permissionsOf, all);
}
