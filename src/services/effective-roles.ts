import type { AssignmentsQuery, MyRoles, RoleAssignment } from '../contract/requests.ts';
import { DAY_MS } from '../domain/duration.ts';
import { notFound } from '../domain/errors.ts';
import { AUDIT_READERS } from '../domain/roles.ts';
import { decodeCursor, pageOf, type Page } from '../store/paging.ts';
import type { SchedulesTable } from '../store/schema.ts';
import { requireRoles } from './authorize.ts';
import type { ServiceContext } from './context.ts';
import { pimGroupsOf } from './eligibility.ts';
import { iso, isoOrNull } from './mappers.ts';

/** Expired assignments stay visible (and renewable) for 30 days (PIM-REFERENCE §1.1). */
export const EXPIRED_VISIBLE_MS = 30 * DAY_MS;

type Row = SchedulesTable & { role_name: string | null };

function toAssignment(s: Row, memberType: 'Direct' | 'Group', principal: { type: string; name: string | null }, group: { id: string; displayName: string } | null): RoleAssignment {
  return {
    scheduleId: s.id, kind: s.kind, principalId: s.principal_id, principalType: principal.type, principalDisplayName: principal.name,
    roleId: s.role_id, roleDisplayName: s.role_name, scope: s.scope, startAt: iso(s.start_at), endAt: isoOrNull(s.end_at),
    memberType, assignmentType: s.assignment_type, group, createdAt: iso(s.created_at), endedAt: isoOrNull(s.ended_at), endReason: s.end_reason,
  };
}

type Bucket = 'eligible' | 'active' | 'expired' | null;

/** Which tab a schedule belongs in now: live ones by kind; ones whose end passed (not removed) for 30 days. */
function bucketOf(s: SchedulesTable, now: number): Bucket {
  const endedByRemoval = s.ended_at !== null && s.end_reason !== 'expired';
  if (endedByRemoval) return null;
  if (s.end_at !== null && s.end_at <= now) return now - s.end_at <= EXPIRED_VISIBLE_MS ? 'expired' : null;
  if (s.ended_at !== null) return null;
  return s.kind;
}

/**
 * A user's roles as My roles shows them: direct schedules and those of role-assignable
 * groups they belong to (memberType Group, with the group named).
 */
export async function rolesOfUser(ctx: ServiceContext, userId: string): Promise<MyRoles> {
  const now = ctx.clock.nowMs();
  const user = await ctx.db.selectFrom('users').select(['id', 'display_name']).where('id', '=', userId).where('deleted_at', 'is', null).executeTakeFirst();
  if (!user) throw notFound('user.not_found', 'No such user.', { id: userId });
  const groups = await ctx.db.selectFrom('group_members as m').innerJoin('groups as g', 'g.id', 'm.group_id')
    .select(['g.id', 'g.display_name']).where('m.member_id', '=', userId).where('m.removed_at', 'is', null)
    .where('g.role_assignable', '=', 1).where('g.deleted_at', 'is', null).execute();
  // Groups the user is an active or activated member of through PIM for Groups hold roles for them too.
  const pimIds = (await pimGroupsOf(ctx, userId, now)).filter((id) => !groups.some((g) => g.id === id));
  if (pimIds.length > 0) groups.push(...await ctx.db.selectFrom('groups').select(['id', 'display_name']).where('id', 'in', pimIds).execute());
  const holders = [userId, ...groups.map((g) => g.id)];
  const rows = await ctx.db.selectFrom('schedules as s').leftJoin('roles as r', 'r.id', 's.role_id')
    .selectAll('s').select('r.display_name as role_name')
    .where('s.principal_id', 'in', holders)
    .where((eb) => eb.or([eb('s.ended_at', 'is', null), eb('s.ended_at', '>', now - EXPIRED_VISIBLE_MS)]))
    .orderBy('s.start_at').execute();
  const out: MyRoles = { eligible: [], active: [], expired: [] };
  const groupName = new Map(groups.map((g) => [g.id, g.display_name]));
  for (const s of rows) {
    const b = bucketOf(s, now);
    if (b === null) continue;
    const gName = groupName.get(s.principal_id);
    out[b].push(gName === undefined
      ? toAssignment(s, 'Direct', { type: 'user', name: user.display_name }, null)
      : toAssignment(s, 'Group', { type: 'group', name: gName }, { id: s.principal_id, displayName: gName }));
  }
  return out;
}

export async function myRoles(ctx: ServiceContext): Promise<MyRoles> {
  if (ctx.actor.type !== 'user' || ctx.actor.id === null) return { eligible: [], active: [], expired: [] };
  return rolesOfUser(ctx, ctx.actor.id);
}

/** Someone else's roles: readers only (everyone may read their own through /me/roles). */
export async function rolesOfOtherUser(ctx: ServiceContext, userId: string): Promise<MyRoles> {
  if (userId !== ctx.actor.id) await requireRoles(ctx, AUDIT_READERS, 'user.roles.read');
  return rolesOfUser(ctx, userId);
}

/** The role page's Eligible / Active / Expired lists: the stored schedules of one role. */
export async function assignmentsOfRole(ctx: ServiceContext, roleId: string, q: AssignmentsQuery): Promise<Page<RoleAssignment>> {
  const role = await ctx.db.selectFrom('roles').select('id').where('id', '=', roleId).where('deleted_at', 'is', null).executeTakeFirst();
  if (!role) throw notFound('role.not_found', 'No such role.', { id: roleId });
  const now = ctx.clock.nowMs();
  const limit = q.limit ?? 100;
  const cursor = decodeCursor(q.cursor);
  const kind = q.kind ?? 'eligible';
  let query = ctx.db.selectFrom('schedules as s').leftJoin('roles as r', 'r.id', 's.role_id')
    .leftJoin('users as u', 'u.id', 's.principal_id').leftJoin('groups as g', 'g.id', 's.principal_id').leftJoin('service_principals as sp', 'sp.id', 's.principal_id')
    .selectAll('s').select(['r.display_name as role_name', 'u.display_name as user_name', 'g.display_name as group_name', 'sp.display_name as sp_name'])
    .where('s.role_id', '=', roleId);
  if (kind === 'expired') {
    query = query.where('s.end_at', '<=', now).where('s.end_at', '>', now - EXPIRED_VISIBLE_MS)
      .where((eb) => eb.or([eb('s.ended_at', 'is', null), eb('s.end_reason', '=', 'expired')]));
  } else {
    query = query.where('s.kind', '=', kind).where('s.ended_at', 'is', null).where((eb) => eb.or([eb('s.end_at', 'is', null), eb('s.end_at', '>', now)]));
  }
  if (cursor) query = query.where((eb) => eb.or([eb('s.created_at', '>', Number(cursor.k)), eb.and([eb('s.created_at', '=', Number(cursor.k)), eb('s.id', '>', cursor.id)])]));
  const rows = await query.orderBy('s.created_at').orderBy('s.id').limit(limit + 1).execute();
  const page = pageOf(rows, limit, (r) => ({ k: r.created_at, id: r.id }));
  return {
    items: page.items.map((r) => toAssignment(r, 'Direct', { type: r.principal_type, name: r.user_name ?? r.group_name ?? r.sp_name ?? null }, null)),
    nextCursor: page.nextCursor,
  };
}
