import type { Kysely } from 'kysely';
import type { ResolvedStage } from '../domain/approval.ts';
import type { ApprovalStage, ApproverRef, RolePolicy } from '../domain/policy.ts';
import { ROLE } from '../domain/roles.ts';
import type { Database } from '../store/schema.ts';
import { holdersOf } from './guardrails.ts';

/** A read view: the database (or a transaction) and the instant to read at. */
export interface Reader {
  db: Kysely<Database>;
  nowMs: number;
}

/**
 * The people an approver list names: enabled, not-deleted users, and the current members of
 * the named groups (nested groups expanded; membership rules forbid cycles, the visited set
 * makes sure anyway).
 */
export async function resolveApprovers(r: Reader, refs: readonly ApproverRef[]): Promise<Set<string>> {
  const users = new Set<string>();
  const candidateUsers = refs.filter((x) => x.type === 'user').map((x) => x.id);
  let groups = refs.filter((x) => x.type === 'group').map((x) => x.id);
  const seen = new Set<string>();
  while (groups.length > 0) {
    groups = groups.filter((g) => !seen.has(g));
    if (groups.length === 0) break;
    for (const g of groups) seen.add(g);
    const rows = await r.db.selectFrom('group_members as m').innerJoin('groups as g', 'g.id', 'm.group_id')
      .select(['m.member_id', 'm.member_type']).where('m.group_id', 'in', groups).where('m.removed_at', 'is', null).where('g.deleted_at', 'is', null).execute();
    for (const row of rows) if (row.member_type === 'user') candidateUsers.push(row.member_id);
    // Members through PIM for Groups count while their membership is active.
    const pim = await r.db.selectFrom('schedules').select('principal_id').where('role_id', '=', ROLE.groupMember).where('kind', '=', 'active')
      .where('scope', 'in', groups.map((g) => `/groups/${g}`)).where('principal_type', '=', 'user').where('ended_at', 'is', null)
      .where('start_at', '<=', r.nowMs).where((eb) => eb.or([eb('end_at', 'is', null), eb('end_at', '>', r.nowMs)])).execute();
    for (const p of pim) candidateUsers.push(p.principal_id);
    groups = rows.filter((row) => row.member_type === 'group').map((row) => row.member_id);
  }
  if (candidateUsers.length === 0) return users;
  for (let i = 0; i < candidateUsers.length; i += 500) {
    const live = await r.db.selectFrom('users').select('id').where('id', 'in', candidateUsers.slice(i, i + 500))
      .where('enabled', '=', 1).where('deleted_at', 'is', null).execute();
    for (const u of live) users.add(u.id);
  }
  return users;
}

/** PIM-REFERENCE §4.1: with no approvers named, the active Global and Privileged Role Administrators approve. */
export async function defaultApprovers(r: Reader): Promise<Set<string>> {
  const out = new Set<string>();
  for (const role of [ROLE.globalAdministrator, ROLE.privilegedRoleAdministrator]) for (const id of (await holdersOf(r, role)).active) out.add(id);
  return out;
}

/** The stages a request goes through: the policy's, or one stage of the default approvers. */
export function stagesOf(p: RolePolicy): ApprovalStage[] {
  return p.activation.approvalStages.length > 0 ? p.activation.approvalStages : [{ approvers: [], requiredApprovals: 1, escalation: null }];
}

export async function resolveStage(r: Reader, stage: ApprovalStage): Promise<ResolvedStage> {
  return {
    approvers: stage.approvers.length === 0 ? await defaultApprovers(r) : await resolveApprovers(r, stage.approvers),
    escalationApprovers: stage.escalation === null ? new Set() : await resolveApprovers(r, stage.escalation.approvers),
  };
}

/** When stage `stage` (0-based), starting at `startedAt`, lets its escalation approvers in; null without escalation. */
export function escalationDueAt(p: RolePolicy, stage: number, startedAt: number): number | null {
  const e = stagesOf(p)[stage]?.escalation;
  return e == null ? null : startedAt + e.afterMinutes * 60_000;
}
