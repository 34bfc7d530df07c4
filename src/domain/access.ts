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

/**
 * The decision itself: active grants held directly or through a group, live at `at`,
 * at the asked scope or above it, for the asked role or a role carrying the permission.
 * Pure: the caller supplies the grants, the role permissions and the instant.
 */
export function decide(
  direct: readonly Grant[],
  viaGroups: ReadonlyArray<{ groupId: string; grants: readonly Grant[] }>,
  wanted: Wanted,
  scope: string,
  at: number,
  permissionsOf: (roleId: string) => readonly string[] | undefined,
  all = false,
): Via[] {
  const out: Via[] = [];
  const matches = (g: Grant): boolean => {
    if (g.kind !== 'active' || !grantLive(g, at) || !scopeCovers(g.scope, scope)) return false;
    if ('roleId' in wanted) return g.roleId === wanted.roleId;
    const perms = permissionsOf(g.roleId);
    return perms !== undefined && perms.some((p) => permissionMatches(p, wanted.permission));
  };
  const push = (g: Grant, memberType: MemberType, groupId?: string) => {
    const v: Via = { scheduleId: g.scheduleId, roleId: g.roleId, scope: g.scope, memberType, endAt: g.endAt === null ? null : new Date(g.endAt).toISOString() };
    if (groupId !== undefined) v.groupId = groupId;
    out.push(v);
  };
  for (const g of direct) {
    if (matches(g)) { push(g, 'Direct'); if (!all) return out; }
  }
  for (const { groupId, grants } of viaGroups) {
    for (const g of grants) {
      if (matches(g)) { push(g, 'Group', groupId); if (!all) return out; }
    }
  }
  return out;
}
