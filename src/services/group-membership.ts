import type { Group, Member, PageOnlyQuery } from '../contract/directory.ts';
import { conflict, invalid, notFound } from '../domain/errors.ts';
import { ROLE } from '../domain/roles.ts';
import { decodeCursor, pageOf, type Page } from '../store/paging.ts';
import type { GroupsTable } from '../store/schema.ts';
import type { ServiceContext } from './context.ts';
import { isGroupOwner } from './group-owners.ts';
import { assertLiveUsers, loadGroup, requireGroupManager, type Reader } from './groups.ts';
import { guarded } from './guardrails.ts';
import { endActivationsThroughGroup } from './linked-activations.ts';
import { iso, isoOrNull, toGroup } from './mappers.ts';
import { inTransaction } from './transaction.ts';

export interface MemberRow { member_id: string; member_type: 'user' | 'group'; added_at: number }

/** A live user or group that may be put in a group or an administrative unit; `what` prefixes the error code. */
export async function resolveMember(db: Reader, id: string, what: string): Promise<{ id: string; type: 'user' | 'group'; displayName: string }> {
  const u = await db.selectFrom('users').select('display_name').where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst();
  if (u) return { id, type: 'user', displayName: u.display_name };
  const g = await db.selectFrom('groups').select('display_name').where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst();
  if (g) return { id, type: 'group', displayName: g.display_name };
  throw invalid(`${what}.principal_not_found`, 'The member must be an existing user or group.', { memberId: id });
}

/** Member rows with display names: two queries whatever the page size (no queries in a loop). */
export async function describeMembers(db: Reader, rows: readonly MemberRow[]): Promise<Member[]> {
  const userIds = rows.filter((r) => r.member_type === 'user').map((r) => r.member_id);
  const groupIds = rows.filter((r) => r.member_type === 'group').map((r) => r.member_id);
  const names = new Map<string, string>();
  if (userIds.length > 0) for (const u of await db.selectFrom('users').select(['id', 'display_name']).where('id', 'in', userIds).execute()) names.set(u.id, u.display_name);
  if (groupIds.length > 0) for (const g of await db.selectFrom('groups').select(['id', 'display_name']).where('id', 'in', groupIds).execute()) names.set(g.id, g.display_name);
  return rows.map((r) => ({ id: r.member_id, type: r.member_type, displayName: names.get(r.member_id) ?? r.member_id, addedAt: iso(r.added_at) }));
}

/** Delegated owners manage their group's members without holding a role (PIM-REFERENCE §1.4, §1.5). */
async function authorizeMembers(ctx: ServiceContext, group: GroupsTable, action: string): Promise<void> {
  const actorId = ctx.actor.id;
  if (ctx.actor.type === 'user' && actorId !== null) {
    if (await isGroupOwner({ db: ctx.db, nowMs: ctx.clock.nowMs() }, group.id, actorId)) return;
  }
  await requireGroupManager(ctx, group, action);
}

/** True when `innerId` already sits inside `outerId`, directly or nested: one query per nesting level. */
async function contains(db: Reader, outerId: string, innerId: string): Promise<boolean> {
  const seen = new Set([outerId]);
  let frontier = [outerId];
  while (frontier.length > 0) {
    const rows = await db.selectFrom('group_members').select('member_id')
      .where('group_id', 'in', frontier).where('member_type', '=', 'group').where('removed_at', 'is', null).execute();
    frontier = [];
    for (const r of rows) {
      if (r.member_id === innerId) return true;
      if (!seen.has(r.member_id)) { seen.add(r.member_id); frontier.push(r.member_id); }
    }
  }
  return false;
}

export async function addGroupMember(ctx: ServiceContext, groupId: string, memberId: string): Promise<Member> {
  await authorizeMembers(ctx, await loadGroup(ctx.db, groupId, true), 'group.member.add');
  return inTransaction(ctx, async (tx) => {
    const group = await loadGroup(tx.db, groupId, true);
    const m = await resolveMember(tx.db, memberId, 'group');
    if (m.type === 'group') {
      if (m.id === group.id) throw invalid('group.membership_cycle', 'A group cannot be a member of itself.', { memberId });
      // PIM-REFERENCE §1.4: no group nesting inside role-assignable groups.
      if (group.role_assignable === 1) throw invalid('group.nested_role_assignable', 'Groups cannot be members of a role-assignable group.', { memberId });
      if (await contains(tx.db, m.id, group.id)) throw invalid('group.membership_cycle', 'This group already contains the target group; adding it would make a loop.', { memberId });
    }
    const current = await tx.db.selectFrom('group_members').select('id').where('group_id', '=', groupId).where('member_id', '=', memberId).where('removed_at', 'is', null).executeTakeFirst();
    if (current) throw conflict('group.already_member', 'This principal is already a member of the group.', { memberId });
    // A new row per membership period: history answers "who was in this group when".
    await tx.db.insertInto('group_members').values({ id: ctx.ids.uuid(), group_id: groupId, member_id: memberId, member_type: m.type, added_at: tx.nowMs, removed_at: null }).execute();
    await tx.audit({ action: 'group.member.added', targetType: 'group', targetId: groupId, after: { memberId, memberType: m.type } });
    return { id: m.id, type: m.type, displayName: m.displayName, addedAt: iso(tx.nowMs) };
  });
}

export async function removeGroupMember(ctx: ServiceContext, groupId: string, memberId: string): Promise<void> {
  await authorizeMembers(ctx, await loadGroup(ctx.db, groupId, true), 'group.member.remove');
  await inTransaction(ctx, async (tx) => {
    await loadGroup(tx.db, groupId, true);
    const row = await tx.db.selectFrom('group_members').select(['id', 'member_type']).where('group_id', '=', groupId).where('member_id', '=', memberId).where('removed_at', 'is', null).executeTakeFirst();
    if (!row) throw notFound('group.member_not_found', 'This principal is not a member of the group.', { memberId });
    // The last Global Administrator may hold the role through this group; the row is ended, never deleted.
    await guarded(tx, () => tx.db.updateTable('group_members').set({ removed_at: tx.nowMs }).where('id', '=', row.id).where('removed_at', 'is', null).execute());
    await tx.audit({ action: 'group.member.removed', targetType: 'group', targetId: groupId, before: { memberId, memberType: row.member_type } });
    // Leaving the group ends what the member activated through the group's eligibilities.
    await endActivationsThroughGroup(tx, groupId, memberId, ctx.actor.id, {});
  });
}

export async function listGroupMembers(ctx: ServiceContext, groupId: string, q: PageOnlyQuery): Promise<Page<Member>> {
  await loadGroup(ctx.db, groupId, false);
  const limit = q.limit ?? 100;
  const cursor = decodeCursor(q.cursor);
  let query = ctx.db.selectFrom('group_members').select(['member_id', 'member_type', 'added_at']).where('group_id', '=', groupId).where('removed_at', 'is', null);
  if (cursor) query = query.where('member_id', '>', cursor.id);
  const rows = await query.orderBy('member_id').limit(limit + 1).execute();
  return withPimAssignments(ctx, groupId, ROLE.groupMember, rows, limit, cursor?.id);
}

/**
 * Active and activated PIM for Groups assignments show in the group's members (owners) next
 * to the standing ones (PIM-REFERENCE §1.5); eligible ones do not. Merged in id order so the
 * cursor pages through both.
 */
async function withPimAssignments(ctx: ServiceContext, groupId: string, roleId: string, standing: MemberRow[], limit: number, after: string | undefined): Promise<Page<Member>> {
  const now = ctx.clock.nowMs();
  let q = ctx.db.selectFrom('schedules').select(['id', 'principal_id', 'principal_type', 'start_at', 'end_at', 'assignment_type'])
    .where('role_id', '=', roleId).where('scope', '=', `/groups/${groupId}`).where('kind', '=', 'active').where('ended_at', 'is', null)
    .where('start_at', '<=', now).where((eb) => eb.or([eb('end_at', 'is', null), eb('end_at', '>', now)]));
  if (after !== undefined) q = q.where('principal_id', '>', after);
  const pim = await q.orderBy('principal_id').limit(limit + 1).execute();
  const byId = new Map<string, MemberRow & { pim?: Member['pim'] }>();
  for (const r of standing) byId.set(r.member_id, r);
  for (const p of pim) {
    const info = { scheduleId: p.id, assignmentType: p.assignment_type, endAt: isoOrNull(p.end_at) };
    const known = byId.get(p.principal_id);
    if (known) known.pim ??= info;
    else byId.set(p.principal_id, { member_id: p.principal_id, member_type: p.principal_type === 'group' ? 'group' : 'user', added_at: p.start_at, pim: info });
  }
  const merged = [...byId.values()].sort((a, b) => (a.member_id < b.member_id ? -1 : a.member_id > b.member_id ? 1 : 0));
  const page = pageOf(merged, limit, (r) => ({ k: 0, id: r.member_id }));
  const described = await describeMembers(ctx.db, page.items);
  return { items: described.map((m, i) => { const p = page.items[i]?.pim; return p === undefined ? m : { ...m, pim: p }; }), nextCursor: page.nextCursor };
}

/** Direct, current memberships of live groups. */
export async function listGroupsOfUser(ctx: ServiceContext, userId: string, q: PageOnlyQuery): Promise<Page<Group>> {
  const user = await ctx.db.selectFrom('users').select('id').where('id', '=', userId).executeTakeFirst();
  if (!user) throw notFound('user.not_found', 'No such user.', { id: userId });
  const limit = q.limit ?? 100;
  const cursor = decodeCursor(q.cursor);
  let query = ctx.db.selectFrom('groups as g').innerJoin('group_members as m', 'm.group_id', 'g.id').selectAll('g')
    .where('m.member_id', '=', userId).where('m.removed_at', 'is', null).where('g.deleted_at', 'is', null);
  if (cursor) query = query.where((eb) => eb.or([eb('g.name_lower', '>', String(cursor.k)), eb.and([eb('g.name_lower', '=', String(cursor.k)), eb('g.id', '>', cursor.id)])]));
  const rows = await query.orderBy('g.name_lower').orderBy('g.id').limit(limit + 1).execute();
  const page = pageOf(rows, limit, (r) => ({ k: r.name_lower, id: r.id }));
  return { items: page.items.map(toGroup), nextCursor: page.nextCursor };
}

export async function addGroupOwner(ctx: ServiceContext, groupId: string, userId: string): Promise<Member> {
  await requireGroupManager(ctx, await loadGroup(ctx.db, groupId, true), 'group.owner.add');
  return inTransaction(ctx, async (tx) => {
    await loadGroup(tx.db, groupId, true);
    await assertLiveUsers(tx, [userId]);
    const existing = await tx.db.selectFrom('group_owners').select('user_id').where('group_id', '=', groupId).where('user_id', '=', userId).executeTakeFirst();
    if (existing) throw conflict('group.already_owner', 'This user already owns the group.', { memberId: userId });
    await tx.db.insertInto('group_owners').values({ group_id: groupId, user_id: userId, added_at: tx.nowMs }).execute();
    await tx.audit({ action: 'group.owner.added', targetType: 'group', targetId: groupId, after: { memberId: userId, memberType: 'user' } });
    const [owner] = await describeMembers(tx.db, [{ member_id: userId, member_type: 'user', added_at: tx.nowMs }]);
    return owner!;
  });
}

export async function removeGroupOwner(ctx: ServiceContext, groupId: string, userId: string): Promise<void> {
  await requireGroupManager(ctx, await loadGroup(ctx.db, groupId, true), 'group.owner.remove');
  await inTransaction(ctx, async (tx) => {
    await loadGroup(tx.db, groupId, true);
    // Ownership has no history column: the audit chain keeps who owned the group when.
    const r = await tx.db.deleteFrom('group_owners').where('group_id', '=', groupId).where('user_id', '=', userId).executeTakeFirst();
    if (Number(r.numDeletedRows) === 0) throw notFound('group.owner_not_found', 'This user does not own the group.', { memberId: userId });
    await tx.audit({ action: 'group.owner.removed', targetType: 'group', targetId: groupId, before: { memberId: userId, memberType: 'user' } });
  });
}

export async function listGroupOwners(ctx: ServiceContext, groupId: string, q: PageOnlyQuery): Promise<Page<Member>> {
  await loadGroup(ctx.db, groupId, false);
  const limit = q.limit ?? 100;
  const cursor = decodeCursor(q.cursor);
  let query = ctx.db.selectFrom('group_owners').select(['user_id', 'added_at']).where('group_id', '=', groupId);
  if (cursor) query = query.where('user_id', '>', cursor.id);
  const rows = await query.orderBy('user_id').limit(limit + 1).execute();
  return withPimAssignments(ctx, groupId, ROLE.groupOwner, rows.map((r) => ({ member_id: r.user_id, member_type: 'user' as const, added_at: r.added_at })), limit, cursor?.id);
}
