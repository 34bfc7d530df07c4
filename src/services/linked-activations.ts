import { ROLE } from '../domain/roles.ts';
import { groupOfScope } from '../domain/scope.ts';
import type { SchedulesTable } from '../store/schema.ts';
import { isoOrNull } from './mappers.ts';
import { endSchedule } from './schedule-writes.ts';
import type { Tx } from './transaction.ts';

type AuditCtx = { requestId?: string | null; justification?: string | null; ticketNumber?: string | null; ticketSystem?: string | null };

/** Live activations made from these eligibilities (optionally only one principal's). */
async function liveActivations(tx: Tx, eligibilityIds: readonly string[], principalId?: string): Promise<SchedulesTable[]> {
  if (eligibilityIds.length === 0) return [];
  let q = tx.db.selectFrom('schedules').selectAll().where('linked_eligibility_id', 'in', [...eligibilityIds]).where('kind', '=', 'active')
    .where('assignment_type', '=', 'Activated').where('ended_at', 'is', null).where((eb) => eb.or([eb('end_at', 'is', null), eb('end_at', '>', tx.nowMs)]));
  if (principalId !== undefined) q = q.where('principal_id', '=', principalId);
  return q.execute();
}

/**
 * DESIGN invariant 4: an activation never outlives its eligibility. When an eligibility is
 * removed (or the person leaves the group it came through), the activations made from it end
 * in the same transaction; other activations of the role are untouched.
 */
export async function endLinkedActivations(tx: Tx, eligibilityIds: readonly string[], reason: string, endedBy: string | null, audit: AuditCtx, principalId?: string): Promise<number> {
  const rows = await liveActivations(tx, eligibilityIds, principalId);
  for (const s of rows) await endSchedule(tx, s, reason, endedBy, audit);
  return rows.length;
}

/**
 * When an eligibility's window changes, activations made from it stay inside it: ends move no
 * later than the new end, and a future activation that would now start before the
 * eligibility does is withdrawn.
 */
export async function capLinkedActivations(tx: Tx, eligibilityId: string, window: { startAt: number; endAt: number | null }, audit: AuditCtx): Promise<void> {
  for (const s of await liveActivations(tx, [eligibilityId])) {
    if (s.start_at < window.startAt) { await endSchedule(tx, s, 'eligibility_changed', null, audit); continue; }
    if (window.endAt !== null) await capOne(tx, s, window.endAt, audit, 'eligibility shortened');
  }
}

/** Whether a user is still a member of a group: standing, or through another live PIM membership. */
async function stillMember(tx: Tx, groupId: string, principalId: string, except?: string): Promise<{ standing: boolean; pimEnd: number | null | undefined }> {
  const standing = await tx.db.selectFrom('group_members').select('id').where('group_id', '=', groupId).where('member_id', '=', principalId).where('removed_at', 'is', null).executeTakeFirst();
  let q = tx.db.selectFrom('schedules').select('end_at').where('principal_id', '=', principalId).where('role_id', '=', ROLE.groupMember).where('scope', '=', `/groups/${groupId}`)
    .where('kind', '=', 'active').where('ended_at', 'is', null).where('start_at', '<=', tx.nowMs).where((eb) => eb.or([eb('end_at', 'is', null), eb('end_at', '>', tx.nowMs)]));
  if (except !== undefined) q = q.where('id', '<>', except);
  const other = await q.execute();
  const pimEnd = other.length === 0 ? undefined : other.some((o) => o.end_at === null) ? null : Math.max(...other.map((o) => o.end_at ?? 0));
  return { standing: standing !== undefined, pimEnd };
}

async function eligibilitiesOf(tx: Tx, groupId: string): Promise<string[]> {
  return (await tx.db.selectFrom('schedules').select('id').where('principal_id', '=', groupId).where('kind', '=', 'eligible').execute()).map((e) => e.id);
}

/**
 * A member left a group (standing membership removed, or a PIM membership ended early): what
 * they activated from the group's eligibilities ends too, unless they are still a member.
 */
export async function endActivationsThroughGroup(tx: Tx, groupId: string, principalId: string, endedBy: string | null, audit: AuditCtx, exceptMembership?: string): Promise<void> {
  const still = await stillMember(tx, groupId, principalId, exceptMembership);
  if (still.standing || still.pimEnd !== undefined) return;
  await endLinkedActivations(tx, await eligibilitiesOf(tx, groupId), 'membership_removed', endedBy, audit, principalId);
}

/** A PIM for Groups membership schedule ended early: see endActivationsThroughGroup. */
export async function membershipEnded(tx: Tx, membership: SchedulesTable, endedBy: string | null, audit: AuditCtx): Promise<void> {
  const groupId = membership.role_id === ROLE.groupMember && membership.kind === 'active' ? groupOfScope(membership.scope) : undefined;
  if (groupId === undefined) return;
  await endActivationsThroughGroup(tx, groupId, membership.principal_id, endedBy, audit, membership.id);
}

/** A PIM membership's end moved earlier: activations through it end no later (unless the user is a member otherwise). */
export async function membershipShortened(tx: Tx, membership: SchedulesTable, newEnd: number | null, audit: AuditCtx): Promise<void> {
  const groupId = membership.role_id === ROLE.groupMember && membership.kind === 'active' ? groupOfScope(membership.scope) : undefined;
  if (groupId === undefined || newEnd === null) return;
  const still = await stillMember(tx, groupId, membership.principal_id, membership.id);
  if (still.standing || still.pimEnd === null) return;
  const bound = still.pimEnd === undefined ? newEnd : Math.max(newEnd, still.pimEnd);
  for (const s of await liveActivations(tx, await eligibilitiesOf(tx, groupId), membership.principal_id)) await capOne(tx, s, bound, audit, 'membership shortened');
}

/** A group is deleted: every activation made from its eligibilities ends. */
export async function groupDeleted(tx: Tx, groupId: string, endedBy: string | null): Promise<void> {
  await endLinkedActivations(tx, await eligibilitiesOf(tx, groupId), 'group_deleted', endedBy, {});
}

async function capOne(tx: Tx, s: SchedulesTable, bound: number, audit: AuditCtx, reason: string): Promise<void> {
  if (s.end_at !== null && s.end_at <= bound) return;
  if (bound <= Math.max(s.start_at, tx.nowMs)) { await endSchedule(tx, s, reason.replace(' ', '_'), null, audit); return; }
  await tx.db.updateTable('schedules').set({ end_at: bound, updated_at: tx.nowMs }).where('id', '=', s.id).execute();
  await tx.audit({ action: 'schedule.active.updated', targetType: 'schedule', targetId: s.id, roleId: s.role_id, before: { endAt: isoOrNull(s.end_at) }, after: { endAt: isoOrNull(bound), reason }, ...audit });
}
