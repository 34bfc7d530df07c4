import { sql } from 'kysely';
import type { CreateGroup, Group, ListGroupsQuery, UpdateGroup } from '../contract/directory.ts';
import { conflict, invalid, notFound } from '../domain/errors.ts';
import { ASSIGNMENT_ADMINS, GROUP_ADMINS } from '../domain/roles.ts';
import { decodeCursor, pageOf, type Page } from '../store/paging.ts';
import type { GroupsTable } from '../store/schema.ts';
import { requireRoles } from './authorize.ts';
import type { ServiceContext } from './context.ts';
import { guarded } from './guardrails.ts';
import { groupDeleted } from './linked-activations.ts';
import { changedFields, likePrefix, toGroup } from './mappers.ts';
import { assertRestorable } from './soft-delete.ts';
import { inTransaction, type Tx } from './transaction.ts';

export type Reader = ServiceContext['db'] | Tx['db'];

/** `live` hides soft-deleted groups: they can be read and restored, not changed. */
export async function loadGroup(db: Reader, id: string, live: boolean): Promise<GroupsTable> {
  let q = db.selectFrom('groups').selectAll().where('id', '=', id);
  if (live) q = q.where('deleted_at', 'is', null);
  const row = await q.executeTakeFirst();
  if (!row) throw notFound('group.not_found', 'No such group.', { id });
  return row;
}

/**
 * Role-assignable groups can carry roles, so managing them is an assignment administrator's
 * act (PIM-REFERENCE §1.4); other groups need a groups administrator. Checked before the
 * write transaction: a refusal is audited in a transaction of its own.
 */
export async function requireGroupManager(ctx: ServiceContext, group: Pick<GroupsTable, 'role_assignable'>, action: string): Promise<void> {
  await requireRoles(ctx, group.role_assignable === 1 ? ASSIGNMENT_ADMINS : GROUP_ADMINS, action);
}

/** Live users only: owners manage membership on their own authority, so they must be real people. */
export async function assertLiveUsers(tx: Tx, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  const found = await tx.db.selectFrom('users').select('id').where('id', 'in', ids).where('deleted_at', 'is', null).execute();
  const known = new Set(found.map((r) => r.id));
  const missing = ids.filter((id) => !known.has(id));
  if (missing.length > 0) throw invalid('group.owner_not_a_user', 'Owners must be existing users.', { missing });
}

/** PIM-REFERENCE §1.4: a tenant holds at most 500 role-assignable groups (configurable). */
async function assertRoleAssignableCapacity(ctx: ServiceContext, tx: Tx): Promise<void> {
  const r = await tx.db.selectFrom('groups').select((eb) => eb.fn.countAll<string | number>().as('n'))
    .where('role_assignable', '=', 1).where('deleted_at', 'is', null).executeTakeFirstOrThrow();
  const limit = ctx.config.maxRoleAssignableGroups;
  if (Number(r.n) >= limit) throw conflict('group.role_assignable_limit', `At most ${limit} role-assignable groups may exist.`, { limit });
}

export async function createGroup(ctx: ServiceContext, input: CreateGroup): Promise<Group> {
  if (input.roleAssignable) await requireRoles(ctx, ASSIGNMENT_ADMINS, 'group.create');
  return inTransaction(ctx, async (tx) => {
    if (input.roleAssignable) await assertRoleAssignableCapacity(ctx, tx);
    const owners = input.owners ?? [];
    await assertLiveUsers(tx, owners);
    const row: GroupsTable = {
      id: ctx.ids.uuid(), display_name: input.displayName, name_lower: input.displayName.toLowerCase(), description: input.description ?? null,
      role_assignable: input.roleAssignable ? 1 : 0, created_at: tx.nowMs, updated_at: tx.nowMs, deleted_at: null,
    };
    await tx.db.insertInto('groups').values(row).execute();
    if (owners.length > 0) await tx.db.insertInto('group_owners').values(owners.map((userId) => ({ group_id: row.id, user_id: userId, added_at: tx.nowMs }))).execute();
    await tx.audit({ action: 'group.created', targetType: 'group', targetId: row.id, after: { displayName: row.display_name, roleAssignable: input.roleAssignable, owners } });
    return toGroup(row);
  });
}

export async function updateGroup(ctx: ServiceContext, id: string, patch: UpdateGroup): Promise<Group> {
  await requireGroupManager(ctx, await loadGroup(ctx.db, id, true), 'group.update');
  return inTransaction(ctx, async (tx) => {
    const current = toGroup(await loadGroup(tx.db, id, true));
    // Fixed at creation (PIM-REFERENCE §1.4): restating the same value is harmless, changing it is not.
    if (patch.roleAssignable !== undefined && patch.roleAssignable !== current.roleAssignable) {
      throw invalid('group.role_assignable_immutable', 'roleAssignable is fixed when a group is created; create a new group instead.', { roleAssignable: current.roleAssignable });
    }
    const fields = { displayName: patch.displayName, description: patch.description };
    const { before, after } = changedFields(current as unknown as Record<string, unknown>, fields as Record<string, unknown>);
    if (Object.keys(after).length === 0) return current;
    await tx.db.updateTable('groups').set({
      ...(patch.displayName !== undefined ? { display_name: patch.displayName, name_lower: patch.displayName.toLowerCase() } : {}),
      ...(patch.description !== undefined ? { description: patch.description } : {}),
      updated_at: tx.nowMs,
    }).where('id', '=', id).execute();
    await tx.audit({ action: 'group.updated', targetType: 'group', targetId: id, before, after });
    return toGroup(await loadGroup(tx.db, id, true));
  });
}

export async function deleteGroup(ctx: ServiceContext, id: string): Promise<void> {
  await requireGroupManager(ctx, await loadGroup(ctx.db, id, true), 'group.delete');
  await inTransaction(ctx, async (tx) => {
    const row = await loadGroup(tx.db, id, true);
    // A role-assignable group may carry the last Global Administrator assignment.
    await guarded(tx, () => tx.db.updateTable('groups').set({ deleted_at: tx.nowMs, updated_at: tx.nowMs }).where('id', '=', id).execute());
    await tx.audit({ action: 'group.deleted', targetType: 'group', targetId: id, before: { displayName: row.display_name, roleAssignable: row.role_assignable === 1 } });
    // What members activated from the group's eligibilities ends with the group.
    await groupDeleted(tx, id, ctx.actor.id);
  });
}

export async function restoreGroup(ctx: ServiceContext, id: string): Promise<Group> {
  await requireGroupManager(ctx, await loadGroup(ctx.db, id, false), 'group.restore');
  return inTransaction(ctx, async (tx) => {
    const row = await loadGroup(tx.db, id, false);
    assertRestorable(ctx, row.deleted_at, tx.nowMs, 'group');
    if (row.role_assignable === 1) await assertRoleAssignableCapacity(ctx, tx);
    await tx.db.updateTable('groups').set({ deleted_at: null, updated_at: tx.nowMs }).where('id', '=', id).execute();
    await tx.audit({ action: 'group.restored', targetType: 'group', targetId: id, after: { displayName: row.display_name, roleAssignable: row.role_assignable === 1 } });
    return toGroup({ ...row, deleted_at: null, updated_at: tx.nowMs });
  });
}

export async function getGroup(ctx: ServiceContext, id: string): Promise<Group> {
  return toGroup(await loadGroup(ctx.db, id, false));
}

export async function listGroups(ctx: ServiceContext, q: ListGroupsQuery): Promise<Page<Group>> {
  const limit = q.limit ?? 100;
  const cursor = decodeCursor(q.cursor);
  let query = ctx.db.selectFrom('groups').selectAll();
  query = q.deleted === true ? query.where('deleted_at', 'is not', null) : query.where('deleted_at', 'is', null);
  if (q.roleAssignable !== undefined) query = query.where('role_assignable', '=', q.roleAssignable ? 1 : 0);
  if (q.search !== undefined && q.search !== '') query = query.where(sql<boolean>`name_lower like ${likePrefix(q.search)} escape '\\'`);
  if (cursor) query = query.where((eb) => eb.or([eb('name_lower', '>', String(cursor.k)), eb.and([eb('name_lower', '=', String(cursor.k)), eb('id', '>', cursor.id)])]));
  const rows = await query.orderBy('name_lower').orderBy('id').limit(limit + 1).execute();
  const page = pageOf(rows, limit, (r) => ({ k: r.name_lower, id: r.id }));
  return { items: page.items.map(toGroup), nextCursor: page.nextCursor };
}
