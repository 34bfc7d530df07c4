import { sql } from 'kysely';
import type { CreateServicePrincipal, ServicePrincipal, SimpleListQuery, UpdateServicePrincipal } from '../contract/directory.ts';
import { conflict, notFound } from '../domain/errors.ts';
import { decodeCursor, pageOf, type Page } from '../store/paging.ts';
import type { ServicePrincipalsTable } from '../store/schema.ts';
import type { ServiceContext } from './context.ts';
import { endActivationsOf } from './principal-offboarding.ts';
import { changedFields, likePrefix, toServicePrincipal } from './mappers.ts';
import { assertRestorable } from './soft-delete.ts';
import { inTransaction, type Tx } from './transaction.ts';

type Reader = ServiceContext['db'] | Tx['db'];

/** `live` hides soft-deleted principals: they can be read and restored, not changed. */
async function loadSp(db: Reader, id: string, live: boolean): Promise<ServicePrincipalsTable> {
  let q = db.selectFrom('service_principals').selectAll().where('id', '=', id);
  if (live) q = q.where('deleted_at', 'is', null);
  const row = await q.executeTakeFirst();
  if (!row) throw notFound('servicePrincipal.not_found', 'No such service principal.', { id });
  return row;
}

export async function createServicePrincipal(ctx: ServiceContext, input: CreateServicePrincipal): Promise<ServicePrincipal> {
  return inTransaction(ctx, async (tx) => {
    const appId = input.appId ?? ctx.ids.uuid();
    // The access index looks appIds up ignoring case, so two may not differ only in case;
    // deleted ones keep theirs while they can be restored.
    const clash = await tx.db.selectFrom('service_principals').select('id').where(sql<boolean>`lower(app_id) = ${appId.toLowerCase()}`).executeTakeFirst();
    if (clash) throw conflict('servicePrincipal.app_id_taken', 'A service principal with this appId exists (possibly deleted and restorable).', { appId });
    const row: ServicePrincipalsTable = {
      id: ctx.ids.uuid(), display_name: input.displayName, app_id: appId, enabled: 1, created_at: tx.nowMs, updated_at: tx.nowMs, deleted_at: null,
    };
    await tx.db.insertInto('service_principals').values(row).execute();
    await tx.audit({ action: 'servicePrincipal.created', targetType: 'servicePrincipal', targetId: row.id, after: { displayName: row.display_name, appId } });
    return toServicePrincipal(row);
  });
}

export async function updateServicePrincipal(ctx: ServiceContext, id: string, patch: UpdateServicePrincipal): Promise<ServicePrincipal> {
  return inTransaction(ctx, async (tx) => {
    const current = toServicePrincipal(await loadSp(tx.db, id, true));
    const { before, after } = changedFields(current as unknown as Record<string, unknown>, patch as Record<string, unknown>);
    if (Object.keys(after).length === 0) return current;
    await tx.db.updateTable('service_principals').set({
      ...(patch.displayName !== undefined ? { display_name: patch.displayName } : {}),
      ...(patch.enabled !== undefined ? { enabled: patch.enabled ? 1 : 0 } : {}),
      updated_at: tx.nowMs,
    }).where('id', '=', id).execute();
    const action = patch.enabled === false && current.enabled ? 'servicePrincipal.disabled' : 'servicePrincipal.updated';
    await tx.audit({ action, targetType: 'servicePrincipal', targetId: id, before, after });
    if (action === 'servicePrincipal.disabled') await endActivationsOf(ctx, tx, id, 'disabled');
    return toServicePrincipal(await loadSp(tx.db, id, true));
  });
}

export async function deleteServicePrincipal(ctx: ServiceContext, id: string): Promise<void> {
  await inTransaction(ctx, async (tx) => {
    const row = await loadSp(tx.db, id, true);
    await tx.db.updateTable('service_principals').set({ deleted_at: tx.nowMs, updated_at: tx.nowMs }).where('id', '=', id).execute();
    await tx.audit({ action: 'servicePrincipal.deleted', targetType: 'servicePrincipal', targetId: id, before: { displayName: row.display_name, appId: row.app_id } });
    await endActivationsOf(ctx, tx, id, 'deleted');
  });
}

export async function restoreServicePrincipal(ctx: ServiceContext, id: string): Promise<ServicePrincipal> {
  return inTransaction(ctx, async (tx) => {
    const row = await loadSp(tx.db, id, false);
    assertRestorable(ctx, row.deleted_at, tx.nowMs, 'servicePrincipal');
    await tx.db.updateTable('service_principals').set({ deleted_at: null, updated_at: tx.nowMs }).where('id', '=', id).execute();
    await tx.audit({ action: 'servicePrincipal.restored', targetType: 'servicePrincipal', targetId: id, after: { displayName: row.display_name, appId: row.app_id } });
    return toServicePrincipal({ ...row, deleted_at: null, updated_at: tx.nowMs });
  });
}

export async function getServicePrincipal(ctx: ServiceContext, id: string): Promise<ServicePrincipal> {
  return toServicePrincipal(await loadSp(ctx.db, id, false));
}

export async function listServicePrincipals(ctx: ServiceContext, q: SimpleListQuery): Promise<Page<ServicePrincipal>> {
  const limit = q.limit ?? 100;
  const cursor = decodeCursor(q.cursor);
  // No stored lower-case name here: sort and seek on the same expression so pages never skip.
  const key = sql<string>`lower(display_name)`;
  let query = ctx.db.selectFrom('service_principals').selectAll().select(key.as('sort_key'));
  query = q.deleted === true ? query.where('deleted_at', 'is not', null) : query.where('deleted_at', 'is', null);
  if (q.search !== undefined && q.search !== '') {
    const p = likePrefix(q.search);
    query = query.where(sql<boolean>`(lower(display_name) like ${p} escape '\\' or lower(app_id) like ${p} escape '\\')`);
  }
  if (cursor) query = query.where((eb) => eb.or([eb(key, '>', String(cursor.k)), eb.and([eb(key, '=', String(cursor.k)), eb('id', '>', cursor.id)])]));
  const rows = await query.orderBy(key).orderBy('id').limit(limit + 1).execute();
  const page = pageOf(rows, limit, (r) => ({ k: r.sort_key, id: r.id }));
  return { items: page.items.map(toServicePrincipal), nextCursor: page.nextCursor };
}
