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
 * what keeps latency nearly flat as the tenant grows. `refs` holds two entries per grant,
 * [scheduleId, groupId (null when held directly)], read only for grants that match, to build
 * the answer. The index keeps every principal's set in one shared pair of arrays (HeldTable,
 * held-table.ts); a HeldSet is the same layout on its own, starting at 0.
 */
export interface HeldSet {
  readonly size: number;
  /** [role0, scope0, start0, end0, role1, …] */
  readonly cells: Float64Array;
  readonly names: NameTable;
  /** [scheduleId0, groupId0, scheduleId1, …] */
  readonly refs: ReadonlyArray<string | null>;
}

export const EMPTY_HELD: HeldSet = Object.freeze({ size: 0, cells: new Float64Array(0), names: new NameTable(), refs: [] });

/** Cells (four per grant) and refs (two per grant) that one held grant takes. */
export const CELLS_PER_GRANT = 4;
export const REFS_PER_GRANT = 2;

/** Active grants only: eligible ones grant nothing until activated. */
export function activeHeld(held: readonly Held[]): Held[] {
  return held.filter((h) => h.grant.kind === 'active');
}

/**
 * Writes `live` (active grants, see activeHeld) into `cells` and `refs` from grant number
 * `at` on, in the order given. The caller makes room.
 */
export function packInto(cells: Float64Array, refs: Array<string | null>, at: number, live: readonly Held[], names: NameTable): void {
  for (let i = 0; i < live.length; i++) {
    const h = live[i]!;
    const w = h.window ?? h.grant;
    const c = CELLS_PER_GRANT * (at + i);
    cells[c] = names.numberOf(h.grant.roleId);
    cells[c + 1] = names.numberOf(h.grant.scope);
    cells[c + 2] = w.startAt;
    cells[c + 3] = w.endAt ?? Infinity;
    refs[REFS_PER_GRANT * (at + i)] = h.grant.scheduleId;
    refs[REFS_PER_GRANT * (at + i) + 1] = h.groupId;
  }
}

/** Packs active grants (eligible ones grant nothing and are left out), in the order given. */
export function packHeld(held: readonly Held[], names: NameTable = new NameTable()): HeldSet {
  const live = activeHeld(held);
  if (live.length === 0) return EMPTY_HELD;
  const cells = new Float64Array(live.length * CELLS_PER_GRANT);
  const refs = new Array<string | null>(live.length * REFS_PER_GRANT).fill(null);
  packInto(cells, refs, 0, live, names);
  return { size: live.length, cells, names, refs };
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
  return decidePacked(held.cells, held.refs, held.names, 0, held.size, wanted, scope, at, permissionsOf, all);
}

/**
 * decideHeld over grants `from` … `from + size - 1` of packed arrays (a HeldSet's own, or the
 * index's shared ones): the only memory a denied check touches is this block of cells.
 */
export function decidePacked(
  cells: Float64Array,
  refs: ReadonlyArray<string | null>,
  nameTable: NameTable,
  from: number,
  size: number,
  wanted: Wanted,
  scope: string,
  at: number,
  permissionsOf: (roleId: string) => readonly string[] | undefined,
  all: boolean,
): Via[] {
  const out: Via[] = [];
  if (size === 0) return out;
  const names = nameTable.names;
  const wantRole = 'roleId' in wanted ? nameTable.find(wanted.roleId) : -2;
  if (wantRole === -1) return out;
  const wantPermission = 'permission' in wanted ? wanted.permission : '';
  for (let i = from, last = from + size; i < last; i++) {
    const c = CELLS_PER_GRANT * i;
    const role = cells[c]!;
    if (wantRole !== -2 ? role !== wantRole : !carries(permissionsOf(names[role]!), wantPermission)) continue;
    const end = cells[c + 3]!;
    const grantScope = names[cells[c + 1]!]!;
    if (!(cells[c + 2]! <= at && at < end) || !scopeCovers(grantScope, scope)) continue;
    const scheduleId = refs[REFS_PER_GRANT * i]!;
    const groupId = refs[REFS_PER_GRANT * i + 1]!;
    // The end that binds: a grant held through a time-bound membership ends with it (the
    // cells hold that end; for a grant held directly or through a plain membership it is the grant's own).
    const endAt = end === Infinity ? null : new Date(end).toISOString();
    const v: Via = groupId === null
      ? { scheduleId, roleId: names[role]!, scope: grantScope, memberType: 'Direct', endAt }
      : { scheduleId, roleId: names[role]!, scope: grantScope, memberType: 'Group', endAt, groupId };
    out.push(v);
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
