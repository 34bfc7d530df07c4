import { sql } from 'kysely';
import type { AdministrativeUnit, CreateAdministrativeUnit, Member, PageOnlyQuery, SimpleListQuery, UpdateAdministrativeUnit } from '../contract/directory.ts';
import { conflict, notFound } from '../domain/errors.ts';
import { decodeCursor, pageOf, type Page } from '../store/paging.ts';
import type { AdministrativeUnitsTable } from '../store/schema.ts';
import type { ServiceContext } from './context.ts';
import { describeMembers, resolveMember } from './group-membership.ts';
import type { Reader } from './groups.ts';
import { changedFields, iso, likePrefix, toAdministrativeUnit } from './mappers.ts';
import { assertRestorable } from './soft-delete.ts';
import { inTransaction } from './transaction.ts';

/** `live` hides soft-deleted units: they can be read and restored, not changed. */
async function loadUnit(db: Reader, id: string, live: boolean): Promise<AdministrativeUnitsTable> {
  let q = db.selectFrom('administrative_units').selectAll().where('id', '=', id);
  if (live) q = q.where('deleted_at', 'is', null);
  const row = await q.executeTakeFirst();
  if (!row) throw notFound('administrativeUnit.not_found', 'No such administrative unit.', { id });
  return row;
}

export async function createAdministrativeUnit(ctx: ServiceContext, input: CreateAdministrativeUnit): Promise<AdministrativeUnit> {
  return inTransaction(ctx, async (tx) => {
    const row: AdministrativeUnitsTable = {
      id: ctx.ids.uuid(), display_name: input.displayName, description: input.description ?? null, created_at: tx.nowMs, updated_at: tx.nowMs, deleted_at: null,
    };
    await tx.db.insertInto('administrative_units').values(row).execute();
    await tx.audit({ action: 'administrativeUnit.created', targetType: 'administrativeUnit', targetId: row.id, after: { displayName: row.display_name } });
    return toAdministrativeUnit(row);
  });
}

export async function updateAdministrativeUnit(ctx: ServiceContext, id: string, patch: UpdateAdministrativeUnit): Promise<AdministrativeUnit> {
  return inTransaction(ctx, async (tx) => {
    const current = toAdministrativeUnit(await loadUnit(tx.db, id, true));
    const { before, after } = changedFields(current as unknown as Record<string, unknown>, patch as Record<string, unknown>);
    if (Object.keys(after).length === 0) return current;
    await tx.db.updateTable('administrative_units').set({
      ...(patch.displayName !== undefined ? { display_name: patch.displayName } : {}),
      ...(patch.description !== undefined ? { description: patch.description } : {}),
      updated_at: tx.nowMs,
    }).where('id', '=', id).execute();
    await tx.audit({ action: 'administrativeUnit.updated', targetType: 'administrativeUnit', targetId: id, before, after });
    return toAdministrativeUnit(await loadUnit(tx.db, id, true));
  });
}

/** Soft delete keeps the members, so a restore brings the unit back whole. */
export async function deleteAdministrativeUnit(ctx: ServiceContext, id: string): Promise<void> {
  await inTransaction(ctx, async (tx) => {
    const row = await loadUnit(tx.db, id, true);
    await tx.db.updateTable('administrative_units').set({ deleted_at: tx.nowMs, updated_at: tx.nowMs }).where('id', '=', id).execute();
    await tx.audit({ action: 'administrativeUnit.deleted', targetType: 'administrativeUnit', targetId: id, before: { displayName: row.display_name } });
  });
}

export async function restoreAdministrativeUnit(ctx: ServiceContext, id: string): Promise<AdministrativeUnit> {
  return inTransaction(ctx, async (tx) => {
    const row = await loadUnit(tx.db, id, false);
    assertRestorable(ctx, row.deleted_at, tx.nowMs, 'administrativeUnit');
    await tx.db.updateTable('administrative_units').set({ deleted_at: null, updated_at: tx.nowMs }).where('id', '=', id).execute();
    await tx.audit({ action: 'administrativeUnit.restored', targetType: 'administrativeUnit', targetId: id, after: { displayName: row.display_name } });
    return toAdministrativeUnit({ ...row, deleted_at: null, updated_at: tx.nowMs });
  });
}

export async function getAdministrativeUnit(ctx: ServiceContext, id: string): Promise<AdministrativeUnit> {
  return toAdministrativeUnit(await loadUnit(ctx.db, id, false));
}

export async function listAdministrativeUnits(ctx: ServiceContext, q: SimpleListQuery): Promise<Page<AdministrativeUnit>> {
  const limit = q.limit ?? 100;
  const cursor = decodeCursor(q.cursor);
  // No stored lower-case name here: sort and seek on the same expression so pages never skip.
  const key = sql<string>`lower(display_name)`;
  let query = ctx.db.selectFrom('administrative_units').selectAll().select(key.as('sort_key'));
  query = q.deleted === true ? query.where('deleted_at', 'is not', null) : query.where('deleted_at', 'is', null);
  if (q.search !== undefined && q.search !== '') query = query.where(sql<boolean>`lower(display_name) like ${likePrefix(q.search)} escape '\\'`);
  if (cursor) query = query.where((eb) => eb.or([eb(key, '>', String(cursor.k)), eb.and([eb(key, '=', String(cursor.k)), eb('id', '>', cursor.id)])]));
  const rows = await query.orderBy(key).orderBy('id').limit(limit + 1).execute();
  const page = pageOf(rows, limit, (r) => ({ k: r.sort_key, id: r.id }));
  return { items: page.items.map(toAdministrativeUnit), nextCursor: page.nextCursor };
}

export async function listAdministrativeUnitMembers(ctx: ServiceContext, id: string, q: PageOnlyQuery): Promise<Page<Member>> {
  await loadUnit(ctx.db, id, false);
  const limit = q.limit ?? 100;
  const cursor = decodeCursor(q.cursor);
  let query = ctx.db.selectFrom('au_members').select(['member_id', 'member_type', 'added_at']).where('au_id', '=', id);
  if (cursor) query = query.where('member_id', '>', cursor.id);
  const rows = await query.orderBy('member_id').limit(limit + 1).execute();
  const page = pageOf(rows, limit, (r) => ({ k: 0, id: r.member_id }));
  return { items: await describeMembers(ctx.db, page.items), nextCursor: page.nextCursor };
}

export async function addAdministrativeUnitMember(ctx: ServiceContext, id: string, memberId: string): Promise<Member> {
  return inTransaction(ctx, async (tx) => {
    await loadUnit(tx.db, id, true);
    const m = await resolveMember(tx.db, memberId, 'administrativeUnit');
    const existing = await tx.db.selectFrom('au_members').select('member_id').where('au_id', '=', id).where('member_id', '=', memberId).executeTakeFirst();
    if (existing) throw conflict('administrativeUnit.already_member', 'This principal is already a member of the administrative unit.', { memberId });
    await tx.db.insertInto('au_members').values({ au_id: id, member_id: memberId, member_type: m.type, added_at: tx.nowMs }).execute();
    await tx.audit({ action: 'administrativeUnit.member.added', targetType: 'administrativeUnit', targetId: id, after: { memberId, memberType: m.type } });
    return { id: m.id, type: m.type, displayName: m.displayName, addedAt: iso(tx.nowMs) };
  });
}

/** Unit membership only scopes administration; the audit chain is its history, so rows are deleted. */
export async function removeAdministrativeUnitMember(ctx: ServiceContext, id: string, memberId: string): Promise<void> {
  await inTransaction(ctx, async (tx) => {
    await loadUnit(tx.db, id, true);
    const row = await tx.db.selectFrom('au_members').select('member_type').where('au_id', '=', id).where('member_id', '=', memberId).executeTakeFirst();
    if (!row) throw notFound('administrativeUnit.member_not_found', 'This principal is not a member of the administrative unit.', { memberId });
    await tx.db.deleteFrom('au_members').where('au_id', '=', id).where('member_id', '=', memberId).execute();
    await tx.audit({ action: 'administrativeUnit.member.removed', targetType: 'administrativeUnit', targetId: id, before: { memberId, memberType: row.member_type } });
  });
}
