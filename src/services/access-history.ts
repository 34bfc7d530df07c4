import type { Grant } from '../domain/access.ts';
import { ROLE } from '../domain/roles.ts';
import { groupOfScope } from '../domain/scope.ts';
import type { ServiceContext } from './context.ts';

/**
 * Grants of a principal as they stood at instant `at`, read from history: schedules are
 * ended (never deleted) and memberships removed (never deleted), so any past instant can be
 * answered. Returns the principal's own grants and those of role-assignable groups it was a
 * member of at that instant (directly, or through a PIM for Groups membership in force then).
 */
export async function grantsAt(ctx: ServiceContext, principalId: string, at: number): Promise<{ direct: Grant[]; viaGroups: Array<{ groupId: string; grants: Grant[] }> }> {
  const memberships = await ctx.db.selectFrom('group_members as m').innerJoin('groups as g', 'g.id', 'm.group_id')
    .select('m.group_id').where('m.member_id', '=', principalId).where('g.role_assignable', '=', 1)
    .where('m.added_at', '<=', at).where((eb) => eb.or([eb('m.removed_at', 'is', null), eb('m.removed_at', '>', at)]))
    .where((eb) => eb.or([eb('g.deleted_at', 'is', null), eb('g.deleted_at', '>', at)])).execute();
  // PIM for Groups: memberships that were in force at that instant count too.
  const pim = await ctx.db.selectFrom('schedules').select('scope').where('principal_id', '=', principalId).where('role_id', '=', ROLE.groupMember).where('kind', '=', 'active')
    .where('start_at', '<=', at).where((eb) => eb.or([eb('end_at', 'is', null), eb('end_at', '>', at)]))
    .where((eb) => eb.or([eb('ended_at', 'is', null), eb('ended_at', '>', at)])).execute();
  const pimIds = pim.map((p) => groupOfScope(p.scope)).filter((id): id is string => id !== undefined);
  const pimGroups = pimIds.length === 0 ? [] : await ctx.db.selectFrom('groups').select('id').where('id', 'in', pimIds).where('role_assignable', '=', 1)
    .where((eb) => eb.or([eb('deleted_at', 'is', null), eb('deleted_at', '>', at)])).execute();
  const groupIds = [...new Set([...memberships.map((m) => m.group_id), ...pimGroups.map((g) => g.id)])];
  const rows = await ctx.db.selectFrom('schedules')
    .select(['id', 'kind', 'principal_id', 'role_id', 'scope', 'start_at', 'end_at', 'assignment_type'])
    .where('principal_id', 'in', [principalId, ...groupIds]).where('kind', '=', 'active')
    .where('start_at', '<=', at).where((eb) => eb.or([eb('end_at', 'is', null), eb('end_at', '>', at)]))
    .where((eb) => eb.or([eb('ended_at', 'is', null), eb('ended_at', '>', at)])).execute();
  const toGrant = (s: (typeof rows)[number]): Grant => ({
    scheduleId: s.id, kind: s.kind, principalId: s.principal_id, roleId: s.role_id, scope: s.scope, startAt: s.start_at, endAt: s.end_at, assignmentType: s.assignment_type,
  });
  return {
    direct: rows.filter((r) => r.principal_id === principalId).map(toGrant),
    viaGroups: groupIds.map((g) => ({ groupId: g, grants: rows.filter((r) => r.principal_id === g).map(toGrant) })),
  };
}
