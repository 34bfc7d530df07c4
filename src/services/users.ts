import { sql } from 'kysely';
import type { CreateUser, ListUsersQuery, UpdateUser, User } from '../contract/directory.ts';
import { conflict, invalid, notFound } from '../domain/errors.ts';
import { decodeCursor, pageOf, type Page } from '../store/paging.ts';
import type { UsersTable } from '../store/schema.ts';
import type { ServiceContext } from './context.ts';
import { endActivationsOf } from './principal-offboarding.ts';
import { guarded } from './guardrails.ts';
import { changedFields, likePrefix, toUser } from './mappers.ts';
import { assertRestorable } from './soft-delete.ts';
import { inTransaction, type Tx } from './transaction.ts';

async function loadUser(tx: Tx, id: string): Promise<UsersTable> {
  const row = await tx.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('user.not_found', 'No such user.', { id });
  return row;
}

async function assertManager(tx: Tx, managerId: string | null | undefined, selfId?: string): Promise<void> {
  if (managerId === undefined || managerId === null) return;
  if (managerId === selfId) throw invalid('user.manager_self', 'A user cannot be their own manager.');
  const m = await tx.db.selectFrom('users').select('id').where('id', '=', managerId).where('deleted_at', 'is', null).executeTakeFirst();
  if (!m) throw invalid('user.manager_not_found', 'The manager does not exist.', { managerId });
}

export async function createUser(ctx: ServiceContext, input: CreateUser): Promise<User> {
  return inTransaction(ctx, async (tx) => {
    const upnLower = input.userPrincipalName.toLowerCase();
    const clash = await tx.db.selectFrom('users').select('id').where('upn_lower', '=', upnLower).executeTakeFirst();
    if (clash) throw conflict('user.upn_taken', 'A user with this userPrincipalName exists (possibly deleted and restorable).', { userPrincipalName: input.userPrincipalName });
    await assertManager(tx, input.managerId);
    const row: UsersTable = {
      id: ctx.ids.uuid(), user_principal_name: input.userPrincipalName, upn_lower: upnLower, display_name: input.displayName,
      mail: input.mail ?? null, enabled: input.enabled === false ? 0 : 1, manager_id: input.managerId ?? null,
      last_sign_in_at: null, created_at: tx.nowMs, updated_at: tx.nowMs, deleted_at: null,
    };
    await tx.db.insertInto('users').values(row).execute();
    const user = toUser(row);
    await tx.audit({ action: 'user.created', targetType: 'user', targetId: row.id, after: { userPrincipalName: user.userPrincipalName, displayName: user.displayName, enabled: user.enabled } });
    return user;
  });
}

export async function updateUser(ctx: ServiceContext, id: string, patch: UpdateUser): Promise<User> {
  return inTransaction(ctx, async (tx) => {
    const row = await loadUser(tx, id);
    if (row.deleted_at !== null) throw notFound('user.not_found', 'No such user.', { id });
    await assertManager(tx, patch.managerId, id);
    const current = toUser(row);
    const { before, after } = changedFields(current as unknown as Record<string, unknown>, patch as Record<string, unknown>);
    if (Object.keys(after).length === 0) return current;
    // Disabling a user may remove the last active administrator: guarded like a removal.
    await guarded(tx, async () => {
      await tx.db.updateTable('users').set({
        ...(patch.displayName !== undefined ? { display_name: patch.displayName } : {}),
        ...(patch.mail !== undefined ? { mail: patch.mail } : {}),
        ...(patch.enabled !== undefined ? { enabled: patch.enabled ? 1 : 0 } : {}),
        ...(patch.managerId !== undefined ? { manager_id: patch.managerId } : {}),
        updated_at: tx.nowMs,
      }).where('id', '=', id).execute();
    });
    const disabling = patch.enabled === false && current.enabled;
    await tx.audit({ action: disabling ? 'user.disabled' : 'user.updated', targetType: 'user', targetId: id, before, after });
    if (disabling) await endActivationsOf(ctx, tx, id, 'disabled');
    return toUser(await loadUser(tx, id));
  });
}

export async function deleteUser(ctx: ServiceContext, id: string): Promise<void> {
  await inTransaction(ctx, async (tx) => {
    const row = await loadUser(tx, id);
    if (row.deleted_at !== null) throw notFound('user.not_found', 'No such user.', { id });
    await guarded(tx, () => tx.db.updateTable('users').set({ deleted_at: tx.nowMs, updated_at: tx.nowMs }).where('id', '=', id).execute());
    await tx.audit({ action: 'user.deleted', targetType: 'user', targetId: id, before: { userPrincipalName: row.user_principal_name } });
    await endActivationsOf(ctx, tx, id, 'deleted');
  });
}

export async function restoreUser(ctx: ServiceContext, id: string): Promise<User> {
  return inTransaction(ctx, async (tx) => {
    const row = await loadUser(tx, id);
    assertRestorable(ctx, row.deleted_at, tx.nowMs, 'user');
    await tx.db.updateTable('users').set({ deleted_at: null, updated_at: tx.nowMs }).where('id', '=', id).execute();
    await tx.audit({ action: 'user.restored', targetType: 'user', targetId: id, after: { userPrincipalName: row.user_principal_name } });
    return toUser({ ...row, deleted_at: null, updated_at: tx.nowMs });
  });
}

export async function getUser(ctx: ServiceContext, id: string): Promise<User> {
  const row = await ctx.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('user.not_found', 'No such user.', { id });
  return toUser(row);
}

export async function listUsers(ctx: ServiceContext, q: ListUsersQuery): Promise<Page<User>> {
  const limit = q.limit ?? 100;
  const cursor = decodeCursor(q.cursor);
  let query = ctx.db.selectFrom('users').selectAll();
  query = q.deleted === true ? query.where('deleted_at', 'is not', null) : query.where('deleted_at', 'is', null);
  if (q.enabled !== undefined) query = query.where('enabled', '=', q.enabled ? 1 : 0);
  if (q.search !== undefined && q.search !== '') {
    const p = likePrefix(q.search);
    query = query.where((eb) => eb.or([
      eb(sql`upn_lower`, 'like', sql`${p} escape '\\'`),
      eb(sql`lower(display_name)`, 'like', sql`${p} escape '\\'`),
    ]));
  }
  if (cursor) query = query.where((eb) => eb.or([eb('upn_lower', '>', String(cursor.k)), eb.and([eb('upn_lower', '=', String(cursor.k)), eb('id', '>', cursor.id)])]));
  const rows = await query.orderBy('upn_lower').orderBy('id').limit(limit + 1).execute();
  const page = pageOf(rows, limit, (r) => ({ k: r.upn_lower, id: r.id }));
  return { items: page.items.map(toUser), nextCursor: page.nextCursor };
}
