import { sql } from 'kysely';
import builtins from '../store/data/builtin-roles.json' with { type: 'json' };
import type { CreateRole, ListRolesQuery, Role, UpdateRole } from '../contract/roles.ts';
import { conflict, invalid, notFound } from '../domain/errors.ts';
import { GROUP_ROLES } from '../domain/roles.ts';
import { decodeCursor, pageOf, type Page } from '../store/paging.ts';
import type { RolesTable } from '../store/schema.ts';
import type { ServiceContext } from './context.ts';
import { iso } from './mappers.ts';
import { inTransaction, type Tx } from './transaction.ts';

interface BuiltinRole { id: string; displayName: string; description: string; isPrivileged: boolean }

export function toRole(r: RolesTable): Role {
  return {
    id: r.id, displayName: r.display_name, description: r.description, isBuiltIn: r.is_builtin === 1, isPrivileged: r.is_privileged === 1,
    permissions: JSON.parse(r.permissions) as string[], createdAt: iso(r.created_at), updatedAt: iso(r.updated_at),
  };
}

/**
 * Seeds the built-in catalogue, each role keeping its well-known template id so scripts that
 * name roles by id keep working. Idempotent: adds what is missing, refreshes names and
 * descriptions of built-ins, never touches custom roles.
 */
export async function seedBuiltinRoles(ctx: ServiceContext): Promise<number> {
  const catalogue: BuiltinRole[] = [...(builtins as BuiltinRole[]), ...GROUP_ROLES];
  const existing = new Map((await ctx.db.selectFrom('roles').select(['id', 'display_name', 'description', 'is_privileged']).where('is_builtin', '=', 1).execute()).map((r) => [r.id, r]));
  const missing = catalogue.filter((r) => !existing.has(r.id));
  const changed = catalogue.filter((r) => {
    const e = existing.get(r.id);
    return e !== undefined && (e.display_name !== r.displayName || e.description !== r.description || e.is_privileged !== (r.isPrivileged ? 1 : 0));
  });
  if (missing.length === 0 && changed.length === 0) return 0;
  await inTransaction(ctx, async (tx) => {
    for (const r of missing) {
      await tx.db.insertInto('roles').values({
        id: r.id, display_name: r.displayName, name_lower: r.displayName.toLowerCase(), description: r.description, is_builtin: 1,
        is_privileged: r.isPrivileged ? 1 : 0, permissions: '[]', created_at: tx.nowMs, updated_at: tx.nowMs, deleted_at: null,
      }).execute();
    }
    for (const r of changed) {
      await tx.db.updateTable('roles').set({ display_name: r.displayName, name_lower: r.displayName.toLowerCase(), description: r.description, is_privileged: r.isPrivileged ? 1 : 0, updated_at: tx.nowMs })
        .where('id', '=', r.id).execute();
    }
    await tx.audit({ action: 'role.catalogue.seeded', after: { added: missing.length, updated: changed.length } });
  });
  return missing.length + changed.length;
}

async function loadRole(db: ServiceContext['db'] | Tx['db'], id: string): Promise<RolesTable> {
  const row = await db.selectFrom('roles').selectAll().where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst();
  if (!row) throw notFound('role.not_found', 'No such role.', { id });
  return row;
}

export async function getRole(ctx: ServiceContext, id: string): Promise<Role> {
  return toRole(await loadRole(ctx.db, id));
}

export async function listRoles(ctx: ServiceContext, q: ListRolesQuery): Promise<Page<Role>> {
  const limit = q.limit ?? 100;
  const cursor = decodeCursor(q.cursor);
  let query = ctx.db.selectFrom('roles').selectAll().where('deleted_at', 'is', null);
  for (const word of (q.search ?? '').toLowerCase().split(/\s+/).filter(Boolean).slice(0, 8)) {
    const p = `%${word.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    query = query.where(sql<boolean>`name_lower like ${p} escape '\\'`);
  }
  if (q.builtIn !== undefined) query = query.where('is_builtin', '=', q.builtIn ? 1 : 0);
  if (q.privileged !== undefined) query = query.where('is_privileged', '=', q.privileged ? 1 : 0);
  if (cursor) query = query.where((eb) => eb.or([eb('name_lower', '>', String(cursor.k)), eb.and([eb('name_lower', '=', String(cursor.k)), eb('id', '>', cursor.id)])]));
  const rows = await query.orderBy('name_lower').orderBy('id').limit(limit + 1).execute();
  const page = pageOf(rows, limit, (r) => ({ k: r.name_lower, id: r.id }));
  return { items: page.items.map(toRole), nextCursor: page.nextCursor };
}

async function assertNameFree(tx: Tx, name: string, exceptId?: string): Promise<void> {
  let q = tx.db.selectFrom('roles').select('id').where('name_lower', '=', name.toLowerCase()).where('deleted_at', 'is', null);
  if (exceptId !== undefined) q = q.where('id', '!=', exceptId);
  if (await q.executeTakeFirst()) throw conflict('role.name_taken', 'A role with this name exists.', { displayName: name });
}

export async function createRole(ctx: ServiceContext, input: CreateRole): Promise<Role> {
  return inTransaction(ctx, async (tx) => {
    await assertNameFree(tx, input.displayName);
    const row: RolesTable = {
      id: ctx.ids.uuid(), display_name: input.displayName, name_lower: input.displayName.toLowerCase(), description: input.description ?? null,
      is_builtin: 0, is_privileged: input.isPrivileged === true ? 1 : 0, permissions: JSON.stringify(input.permissions), created_at: tx.nowMs, updated_at: tx.nowMs, deleted_at: null,
    };
    await tx.db.insertInto('roles').values(row).execute();
    await tx.audit({ action: 'role.created', targetType: 'role', targetId: row.id, roleId: row.id, after: { displayName: row.display_name, permissions: input.permissions } });
    return toRole(row);
  });
}

function assertCustom(row: RolesTable): void {
  if (row.is_builtin === 1) throw invalid('role.builtin_read_only', 'Built-in roles cannot be changed or deleted.', { id: row.id });
}

export async function updateRole(ctx: ServiceContext, id: string, patch: UpdateRole): Promise<Role> {
  return inTransaction(ctx, async (tx) => {
    const row = await loadRole(tx.db, id);
    assertCustom(row);
    if (patch.displayName !== undefined) await assertNameFree(tx, patch.displayName, id);
    const next: RolesTable = {
      ...row,
      ...(patch.displayName !== undefined ? { display_name: patch.displayName, name_lower: patch.displayName.toLowerCase() } : {}),
      ...(patch.description !== undefined ? { description: patch.description } : {}),
      ...(patch.permissions !== undefined ? { permissions: JSON.stringify(patch.permissions) } : {}),
      ...(patch.isPrivileged !== undefined ? { is_privileged: patch.isPrivileged ? 1 : 0 } : {}),
      updated_at: tx.nowMs,
    };
    await tx.db.updateTable('roles').set(next).where('id', '=', id).execute();
    const before = toRole(row);
    const after = toRole(next);
    await tx.audit({
      action: 'role.updated', targetType: 'role', targetId: id, roleId: id,
      before: { displayName: before.displayName, description: before.description, permissions: before.permissions, isPrivileged: before.isPrivileged },
      after: { displayName: after.displayName, description: after.description, permissions: after.permissions, isPrivileged: after.isPrivileged },
    });
    return after;
  });
}

/** Custom roles can be deleted only while nothing holds them (ended schedules keep their history). */
export async function deleteRole(ctx: ServiceContext, id: string): Promise<void> {
  await inTransaction(ctx, async (tx) => {
    const row = await loadRole(tx.db, id);
    assertCustom(row);
    const live = await tx.db.selectFrom('schedules').select((eb) => eb.fn.countAll<number>().as('n')).where('role_id', '=', id).where('ended_at', 'is', null).executeTakeFirst();
    if (Number(live?.n ?? 0) > 0) throw conflict('role.in_use', 'The role is still assigned; remove its assignments first.', { assignments: Number(live?.n) });
    await tx.db.updateTable('roles').set({ deleted_at: tx.nowMs, updated_at: tx.nowMs }).where('id', '=', id).execute();
    await tx.audit({ action: 'role.deleted', targetType: 'role', targetId: id, roleId: id, before: { displayName: row.display_name } });
  });
}
