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

function grantMatches(
  g: Grant, wanted: Wanted, scope: string, at: number, permissionsOf: (roleId: string) => readonly string[] | undefined,
): boolean {
  if (g.kind !== 'active' || !grantLive(g, at) || !scopeCovers(g.scope, scope)) return false;
  if ('roleId' in wanted) return g.roleId === wanted.roleId;
  const perms = permissionsOf(g.roleId);
  if (perms === undefined) return false;
  for (const p of perms) if (permissionMatches(p, wanted.permission)) return true;
  return false;
}

function viaOf(g: Grant, memberType: MemberType, groupId?: string): Via {
  const v: Via = { scheduleId: g.scheduleId, roleId: g.roleId, scope: g.scope, memberType, endAt: g.endAt === null ? null : new Date(g.endAt).toISOString() };
  if (groupId !== undefined) v.groupId = groupId;
  return v;
}

/** A grant as a principal holds it: its own (groupId null) or through a role-assignable group. */
export interface Held {
  grant: Grant;
  groupId: string | null;
}

/**
 * The decision itself: active grants held directly or through a group, live at `at`,
 * at the asked scope or above it, for the asked role or a role carrying the permission.
 * Pure: the caller supplies the grants, the role permissions and the instant. This is the
 * check API's hot path, so it allocates nothing unless a grant matches.
 */
export function decideHeld(
  held: readonly Held[],
  wanted: Wanted,
  scope: string,
  at: number,
  permissionsOf: (roleId: string) => readonly string[] | undefined,
  all = false,
): Via[] {
  const out: Via[] = [];
  for (const h of held) {
    if (!grantMatches(h.grant, wanted, scope, at, permissionsOf)) continue;
    out.push(h.groupId === null ? viaOf(h.grant, 'Direct') : viaOf(h.grant, 'Group', h.groupId));
    if (!all) return out;
  }
  return out;
}

/** Direct grants first, then those of each group. */
export function heldOf(direct: readonly Grant[], viaGroups: ReadonlyArray<{ groupId: string; grants: readonly Grant[] }>): Held[] {
  const held: Held[] = direct.map((grant) => ({ grant, groupId: null }));
  for (const { groupId, grants } of viaGroups) for (const grant of grants) held.push({ grant, groupId });
  return held;
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
