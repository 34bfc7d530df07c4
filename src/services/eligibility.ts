import { isGroupRole, ROLE } from '../domain/roles.ts';
import { groupOfScope, scopeCovers } from '../domain/scope.ts';
import type { SchedulesTable } from '../store/schema.ts';
import type { Reader } from './approvers.ts';

export interface CoveringEligibility {
  schedule: SchedulesTable;
  /** The role-assignable group it comes through, or null when it is the principal's own. */
  groupId: string | null;
}

/**
 * Eligibilities that let `principalId` activate `roleId` at `scope` at instant `at`: its own
 * and those of the role-assignable groups it is a current member of, in force at `at`, at
 * the scope or above it. The longest-lasting comes first (direct before group on a tie), so
 * an activation gets the most room its eligibility allows.
 */
export async function coveringEligibilities(r: Reader, principalId: string, roleId: string, scope: string, at: number): Promise<CoveringEligibility[]> {
  // Group roles can be held by any group (eligible group-in-group, PIM-REFERENCE §1.5); other roles only by role-assignable ones.
  const anyGroup = isGroupRole(roleId);
  let q = r.db.selectFrom('group_members as m').innerJoin('groups as g', 'g.id', 'm.group_id')
    .select('m.group_id').where('m.member_id', '=', principalId).where('m.removed_at', 'is', null).where('g.deleted_at', 'is', null);
  if (!anyGroup) q = q.where('g.role_assignable', '=', 1);
  const groups = (await q.execute()).map((g) => g.group_id);
  if (!anyGroup) groups.push(...await pimGroupsOf(r, principalId, at));
  const holders = [principalId, ...groups];
  const rows = await r.db.selectFrom('schedules').selectAll()
    .where('kind', '=', 'eligible').where('role_id', '=', roleId).where('principal_id', 'in', holders).where('ended_at', 'is', null)
    .where('start_at', '<=', at).where((eb) => eb.or([eb('end_at', 'is', null), eb('end_at', '>', at)])).execute();
  const end = (s: SchedulesTable) => s.end_at ?? Number.POSITIVE_INFINITY;
  return rows.filter((s) => scopeCovers(s.scope, scope))
    .map((s) => ({ schedule: s, groupId: s.principal_id === principalId ? null : s.principal_id }))
    .sort((a, b) => end(b.schedule) - end(a.schedule) || Number(a.groupId !== null) - Number(b.groupId !== null));
}

/**
 * Role-assignable groups the principal is an active or activated member of through PIM for
 * Groups at instant `at` (membership schedules of the Group Member role at `/groups/{id}`).
 */
export async function pimGroupsOf(r: Pick<Reader, 'db'>, principalId: string, at: number): Promise<string[]> {
  const memberships = await r.db.selectFrom('schedules').select('scope').where('principal_id', '=', principalId).where('role_id', '=', ROLE.groupMember).where('kind', '=', 'active')
    .where('ended_at', 'is', null).where('start_at', '<=', at).where((eb) => eb.or([eb('end_at', 'is', null), eb('end_at', '>', at)])).execute();
  const ids = memberships.map((m) => groupOfScope(m.scope)).filter((id): id is string => id !== undefined);
  if (ids.length === 0) return [];
  const rows = await r.db.selectFrom('groups').select('id').where('id', 'in', ids).where('deleted_at', 'is', null).where('role_assignable', '=', 1).execute();
  return rows.map((x) => x.id);
}
