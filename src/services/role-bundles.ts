import type { ActivateBundle, Bundle, CreateBundle, UpdateBundle } from '../contract/requests.ts';
import { conflict, forbidden, notFound } from '../domain/errors.ts';
import { parseScope, ROOT_SCOPE } from '../domain/scope.ts';
import type { RoleBundlesTable } from '../store/schema.ts';
import type { ServiceContext } from './context.ts';
import { iso } from './mappers.ts';
import { submitBatch, type ItemResult } from './request-batch.ts';
import { inTransaction, type Tx } from './transaction.ts';

type Item = { roleId: string; scope: string };

function toBundle(r: RoleBundlesTable): Bundle {
  return { id: r.id, name: r.name, description: r.description, items: JSON.parse(r.items) as Item[], createdAt: iso(r.created_at), updatedAt: iso(r.updated_at) };
}

function me(ctx: ServiceContext): string {
  if (ctx.actor.id === null || (ctx.actor.type !== 'user' && ctx.actor.type !== 'servicePrincipal')) throw forbidden('bundle.not_allowed', 'Bundles belong to a user or service principal.');
  return ctx.actor.id;
}

async function assertItems(tx: Tx, items: ReadonlyArray<{ roleId: string; scope?: string | undefined }>): Promise<Item[]> {
  const out: Item[] = [];
  for (const it of items) {
    const scope = it.scope ?? ROOT_SCOPE;
    parseScope(scope);
    const role = await tx.db.selectFrom('roles').select('id').where('id', '=', it.roleId).where('deleted_at', 'is', null).executeTakeFirst();
    if (!role) throw notFound('role.not_found', 'No such role.', { roleId: it.roleId });
    out.push({ roleId: it.roleId, scope });
  }
  return out;
}

async function own(tx: Tx, ownerId: string, id: string): Promise<RoleBundlesTable> {
  const r = await tx.db.selectFrom('role_bundles').selectAll().where('id', '=', id).where('owner_id', '=', ownerId).executeTakeFirst();
  if (!r) throw notFound('bundle.not_found', 'No such bundle.', { id });
  return r;
}

async function assertNameFree(tx: Tx, ownerId: string, name: string, except?: string): Promise<void> {
  const clash = await tx.db.selectFrom('role_bundles').select('id').where('owner_id', '=', ownerId).where('name_lower', '=', name.toLowerCase()).executeTakeFirst();
  if (clash && clash.id !== except) throw conflict('bundle.name_taken', 'You already have a bundle with this name.', { name });
}

/** Role bundles: a person's named sets of roles ("my usual set") to activate in one go. */
export async function listBundles(ctx: ServiceContext): Promise<{ items: Bundle[] }> {
  const rows = await ctx.db.selectFrom('role_bundles').selectAll().where('owner_id', '=', me(ctx)).orderBy('name_lower').execute();
  return { items: rows.map(toBundle) };
}

export async function createBundle(ctx: ServiceContext, input: CreateBundle): Promise<Bundle> {
  const owner = me(ctx);
  return inTransaction(ctx, async (tx) => {
    await assertNameFree(tx, owner, input.name);
    const row: RoleBundlesTable = {
      id: ctx.ids.uuid(), owner_id: owner, name: input.name, name_lower: input.name.toLowerCase(), description: input.description ?? null,
      items: JSON.stringify(await assertItems(tx, input.items)), created_at: tx.nowMs, updated_at: tx.nowMs,
    };
    await tx.db.insertInto('role_bundles').values(row).execute();
    await tx.audit({ action: 'bundle.created', targetType: 'bundle', targetId: row.id, after: { name: row.name, items: JSON.parse(row.items) as unknown } });
    return toBundle(row);
  });
}

export async function updateBundle(ctx: ServiceContext, id: string, patch: UpdateBundle): Promise<Bundle> {
  const owner = me(ctx);
  return inTransaction(ctx, async (tx) => {
    const current = await own(tx, owner, id);
    if (patch.name !== undefined) await assertNameFree(tx, owner, patch.name, id);
    const next: RoleBundlesTable = {
      ...current,
      ...(patch.name !== undefined ? { name: patch.name, name_lower: patch.name.toLowerCase() } : {}),
      ...(patch.description !== undefined ? { description: patch.description } : {}),
      ...(patch.items !== undefined ? { items: JSON.stringify(await assertItems(tx, patch.items)) } : {}),
      updated_at: tx.nowMs,
    };
    await tx.db.updateTable('role_bundles').set({ name: next.name, name_lower: next.name_lower, description: next.description, items: next.items, updated_at: next.updated_at }).where('id', '=', id).execute();
    await tx.audit({ action: 'bundle.updated', targetType: 'bundle', targetId: id, before: { name: current.name, items: JSON.parse(current.items) as unknown }, after: { name: next.name, items: JSON.parse(next.items) as unknown } });
    return toBundle(next);
  });
}

export async function deleteBundle(ctx: ServiceContext, id: string): Promise<void> {
  const owner = me(ctx);
  await inTransaction(ctx, async (tx) => {
    const current = await own(tx, owner, id);
    await tx.db.deleteFrom('role_bundles').where('id', '=', id).execute();
    await tx.audit({ action: 'bundle.deleted', targetType: 'bundle', targetId: id, before: { name: current.name, items: JSON.parse(current.items) as unknown } });
  });
}

/** Activates every role of the bundle with the same duration, justification and ticket; each is checked on its own. */
export async function activateBundle(ctx: ServiceContext, id: string, input: ActivateBundle): Promise<ItemResult[]> {
  const owner = me(ctx);
  const row = await ctx.db.selectFrom('role_bundles').selectAll().where('id', '=', id).where('owner_id', '=', owner).executeTakeFirst();
  if (!row) throw notFound('bundle.not_found', 'No such bundle.', { id });
  const items = JSON.parse(row.items) as Item[];
  return submitBatch(ctx, items.map((it) => ({
    action: 'selfActivate' as const, principalId: owner, roleId: it.roleId, scope: it.scope,
    ...(input.schedule !== undefined ? { schedule: input.schedule } : {}),
    ...(input.justification !== undefined ? { justification: input.justification } : {}),
    ...(input.ticket !== undefined ? { ticket: input.ticket } : {}),
    ...(input.validateOnly !== undefined ? { validateOnly: input.validateOnly } : {}),
  })), input.mfa);
}
