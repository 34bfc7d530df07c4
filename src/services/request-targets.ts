import { invalid, notFound } from '../domain/errors.ts';
import { ROLE, isGroupRole } from '../domain/roles.ts';
import { groupOfScope, parseScope } from '../domain/scope.ts';
import type { ScheduleKind } from '../domain/schedule-rules.ts';
import type { Kysely } from 'kysely';
import type { Database, SchedulesTable } from '../store/schema.ts';
import type { Tx } from './transaction.ts';

export type PrincipalType = 'user' | 'group' | 'servicePrincipal';
/** Reads that work inside or outside a write transaction. */
type Q = { db: Kysely<Database> };

/** Finds a live principal of any type; groups report whether they can hold roles. */
export async function loadPrincipal(tx: Q, id: string): Promise<{ id: string; type: PrincipalType; roleAssignable: boolean; displayName: string }> {
  const u = await tx.db.selectFrom('users').select(['id', 'display_name']).where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst();
  if (u) return { id, type: 'user', roleAssignable: true, displayName: u.display_name };
  const g = await tx.db.selectFrom('groups').select(['id', 'display_name', 'role_assignable']).where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst();
  if (g) return { id, type: 'group', roleAssignable: g.role_assignable === 1, displayName: g.display_name };
  const sp = await tx.db.selectFrom('service_principals').select(['id', 'display_name']).where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst();
  if (sp) return { id, type: 'servicePrincipal', roleAssignable: true, displayName: sp.display_name };
  throw notFound('principal.not_found', 'No such user, group or service principal.', { principalId: id });
}

/** PIM-REFERENCE §1.2: users and role-assignable groups can be eligible or active; service principals only active (unless workload activation is on). */
export function assertPrincipalMayHold(p: { type: PrincipalType; roleAssignable: boolean }, kind: ScheduleKind, workloadActivation = false): void {
  if (p.type === 'group' && !p.roleAssignable) throw invalid('schedule.group_not_role_assignable', 'Only role-assignable groups can hold roles; this group was created without roleAssignable.');
  if (p.type === 'servicePrincipal' && kind === 'eligible' && !workloadActivation) {
    throw invalid('schedule.principal_type_not_allowed', 'Service principals can only have active assignments, unless the role\'s settings allow workload activation.');
  }
}

export async function loadLiveRole(tx: Q, id: string): Promise<{ id: string; displayName: string }> {
  const r = await tx.db.selectFrom('roles').select(['id', 'display_name']).where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst();
  if (!r) throw notFound('role.not_found', 'No such role.', { roleId: id });
  return { id: r.id, displayName: r.display_name };
}

/** Validates a scope's form and, for administrative units, that the unit exists. */
export async function validateScope(tx: Q, scope: string): Promise<string> {
  const parsed = parseScope(scope);
  if (parsed.kind === 'administrativeUnit') {
    const au = await tx.db.selectFrom('administrative_units').select('id').where('id', '=', parsed.id).where('deleted_at', 'is', null).executeTakeFirst();
    if (!au) throw invalid('scope.not_found', 'No such administrative unit.', { scope });
  }
  if (parsed.kind === 'group') {
    const g = await tx.db.selectFrom('groups').select('id').where('id', '=', parsed.id).where('deleted_at', 'is', null).executeTakeFirst();
    if (!g) throw invalid('scope.not_found', 'No such group.', { scope });
  }
  return scope;
}

/** PIM for Groups roles live at `/groups/{id}` only, and only they do. */
export function assertRoleFitsScope(roleId: string, scope: string): void {
  const groupScope = groupOfScope(scope) !== undefined;
  if (isGroupRole(roleId) !== groupScope) {
    throw invalid('schedule.scope_not_allowed', isGroupRole(roleId)
      ? 'Group membership and ownership are assigned at the scope /groups/{id}.'
      : 'The scope /groups/{id} is for the PIM for Groups roles (member, owner) only.', { roleId, scope });
  }
}

/**
 * PIM for Groups principals (PIM-REFERENCE §1.2, §1.4): owners are users; members are users,
 * or groups — but a group is never an active member of a role-assignable group (eligible is
 * allowed: activating it makes the activating user a member, not the whole group).
 */
export async function assertGroupRolePrincipal(tx: Q, p: { type: PrincipalType; roleAssignable: boolean }, roleId: string, scope: string, kind: ScheduleKind): Promise<void> {
  if (p.type === 'servicePrincipal' || (roleId === ROLE.groupOwner && p.type !== 'user')) {
    throw invalid('schedule.principal_type_not_allowed', roleId === ROLE.groupOwner ? 'Group owners are users.' : 'Group members are users or groups.');
  }
  if (p.type !== 'group') return;
  const target = await tx.db.selectFrom('groups').select('role_assignable').where('id', '=', groupOfScope(scope) ?? '').executeTakeFirst();
  if (target?.role_assignable !== 1) return;
  if (kind === 'active') throw invalid('group.nesting_not_allowed', 'A group cannot be an active member of a role-assignable group; make it eligible instead.');
  // Whoever manages an ordinary group's members would otherwise control who reaches the roles.
  if (!p.roleAssignable) throw invalid('group.nesting_not_allowed', 'Only a role-assignable group can be an eligible member of a role-assignable group.');
}

/** The live (not ended, not yet expired) schedule an admin request is about. */
export async function findLiveSchedule(
  tx: Tx,
  q: { targetScheduleId?: string | undefined; kind: ScheduleKind; principalId: string; roleId: string; scope: string; includeActivations?: boolean },
): Promise<SchedulesTable | undefined> {
  let query = tx.db.selectFrom('schedules').selectAll().where('ended_at', 'is', null)
    .where((eb) => eb.or([eb('end_at', 'is', null), eb('end_at', '>', tx.nowMs)]));
  // Admin requests change assignments only; an activation can be ended (an administrator who
  // disagrees with it removes it, PIM-REFERENCE §4.3) but never lengthened.
  if (q.includeActivations !== true || q.targetScheduleId === undefined) query = query.where('assignment_type', '=', 'Assigned');
  query = q.targetScheduleId !== undefined
    ? query.where('id', '=', q.targetScheduleId)
    : query.where('kind', '=', q.kind).where('principal_id', '=', q.principalId).where('role_id', '=', q.roleId).where('scope', '=', q.scope);
  return query.orderBy('created_at', 'desc').limit(1).executeTakeFirst();
}
