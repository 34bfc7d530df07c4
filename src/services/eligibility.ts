import { isGroupRole, ROLE } from '../domain/roles.ts';
import { groupOfScope, scopeCovers } from '../domain/scope.ts';
import type { SchedulesTable } from '../store/schema.ts';
import type { Reader } from './approvers.ts';

export interface CoveringEligibility {
  schedule: SchedulesTable;
  /** The role-assignable group it comes through, or null when it is the principal's own. */
  groupId: string | null;
  /** The latest an activation from it may end: the eligibility's end, and the membership's when that is time-bound (PIM for Groups). Null: no end. */
  endsBy: number | null;
}

const minEnd = (a: number | null, b: number | null): number | null => (a === null ? b : b === null ? a : Math.min(a, b));

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
  const standing = new Set((await q.execute()).map((g) => g.group_id));
  // Through a PIM membership the group's eligibilities last only as long as the membership.
  const membershipEnd = new Map<string, number | null>();
  if (!anyGroup) for (const m of await pimMembershipsOf(r, principalId, at)) if (!standing.has(m.groupId)) membershipEnd.set(m.groupId, m.endAt);
  const holders = [principalId, ...standing, ...membershipEnd.keys()];
  const rows = await r.db.selectFrom('schedules').selectAll()
    .where('kind', '=', 'eligible').where('role_id', '=', roleId).where('principal_id', 'in', holders).where('ended_at', 'is', null)
    .where('start_at', '<=', at).where((eb) => eb.or([eb('end_at', 'is', null), eb('end_at', '>', at)])).execute();
  const end = (e: CoveringEligibility) => e.endsBy ?? Number.POSITIVE_INFINITY;
  return rows.filter((s) => scopeCovers(s.scope, scope))
    .map((s) => {
      const groupId = s.principal_id === principalId ? null : s.principal_id;
      return { schedule: s, groupId, endsBy: minEnd(s.end_at, groupId === null ? null : membershipEnd.get(groupId) ?? null) };
    })
    .sort((a, b) => end(b) - end(a) || Number(a.groupId !== null) - Number(b.groupId !== null));
}

/**
 * Role-assignable groups the principal is an active or activated member of through PIM for
 * Groups at instant `at` (membership schedules of the Group Member role at `/groups/{id}`),
 * with when that membership ends (the latest of several; null: permanent).
 */
export async function pimMembershipsOf(r: Pick<Reader, 'db'>, principalId: string, at: number): Promise<Array<{ groupId: string; endAt: number | null }>> {
  const memberships = await r.db.selectFrom('schedules').select(['scope', 'end_at']).where('principal_id', '=', principalId).where('role_id', '=', ROLE.groupMember).where('kind', '=', 'active')
    .where('ended_at', 'is', null).where('start_at', '<=', at).where((eb) => eb.or([eb('end_at', 'is', null), eb('end_at', '>', at)])).execute();
  const ends = new Map<string, number | null>();
  for (const m of memberships) {
    const id = groupOfScope(m.scope);
    if (id === undefined) continue;
    const prev = ends.get(id);
    ends.set(id, prev === undefined ? m.end_at : prev === null || m.end_at === null ? null : Math.max(prev, m.end_at));
  }
  if (ends.size === 0) return [];
  const rows = await r.db.selectFrom('groups').select('id').where('id', 'in', [...ends.keys()]).where('deleted_at', 'is', null).where('role_assignable', '=', 1).execute();
  return rows.map((g) => ({ groupId: g.id, endAt: ends.get(g.id) ?? null }));
}

export async function pimGroupsOf(r: Pick<Reader, 'db'>, principalId: string, at: number): Promise<string[]> {
  return (await pimMembershipsOf(r, principalId, at)).map((m) => m.groupId);
}
