import { invalid } from '../domain/errors.ts';
import { defaultPolicy, mergePolicy, validatePolicy, type DeepPartial, type RolePolicy } from '../domain/policy.ts';
import { ROOT_SCOPE, scopeAncestors } from '../domain/scope.ts';
import type { RolePoliciesTable } from '../store/schema.ts';
import { resolveApprovers, resolveStage, type Reader } from './approvers.ts';
import type { ServiceContext } from './context.ts';
import { isoOrNull } from './mappers.ts';
import { loadLiveRole, validateScope } from './request-targets.ts';
import { inTransaction } from './transaction.ts';

export interface EffectivePolicy {
  policy: RolePolicy;
  source: 'default' | 'role' | 'scope';
  row: RolePoliciesTable | undefined;
}

/**
 * The policy that governs a role at a scope: the override at the nearest scope at or above
 * it, else the role-wide policy (saved at `/`), else Entra's defaults. Overrides flow down the
 * scope tree (a subscription's policy covers its resource groups unless they have their own),
 * which Azure does not do and operators ask for (PIM-REFERENCE §11 item 9).
 */
export async function effectivePolicy(r: Pick<Reader, 'db'>, roleId: string, scope: string): Promise<EffectivePolicy> {
  const chain = scopeAncestors(scope);
  const rows = await r.db.selectFrom('role_policies').selectAll().where('role_id', '=', roleId).where('scope', 'in', chain).execute();
  const row = chain.map((s) => rows.find((x) => x.scope === s)).find((x) => x !== undefined);
  if (row === undefined) return { policy: defaultPolicy(), source: 'default', row: undefined };
  // Saved policies are complete; merging onto today's defaults fills fields added by later versions.
  return { policy: mergePolicy(defaultPolicy(), JSON.parse(row.settings) as DeepPartial<RolePolicy>), source: row.scope === ROOT_SCOPE ? 'role' : 'scope', row };
}

function view(roleId: string, scope: string, e: EffectivePolicy) {
  return {
    roleId, scope, source: e.source, definedAt: e.row?.scope ?? null, settings: e.policy,
    lastModifiedBy: e.row?.last_modified_by ?? null, lastModifiedAt: isoOrNull(e.row?.last_modified_at ?? null),
  };
}
export type RoleSettingsView = ReturnType<typeof view>;

export async function getRoleSettings(ctx: ServiceContext, roleId: string, scope = ROOT_SCOPE): Promise<RoleSettingsView> {
  await loadLiveRole(ctx, roleId);
  await validateScope(ctx, scope);
  return view(roleId, scope, await effectivePolicy(ctx, roleId, scope));
}

/**
 * Approval must be possible: every stage's approvers must name existing people and resolve to
 * at least as many active users as the stage needs; otherwise activation would dead-lock
 * (the lock-out PIM-REFERENCE §5 warns about).
 */
async function assertApproversUsable(r: Reader, p: RolePolicy): Promise<void> {
  const a = p.activation;
  for (const [i, stage] of a.approvalStages.entries()) {
    for (const ref of [...stage.approvers, ...(stage.escalation?.approvers ?? [])]) {
      const table = ref.type === 'user' ? 'users' : 'groups';
      const found = await r.db.selectFrom(table).select('id').where('id', '=', ref.id).where('deleted_at', 'is', null).executeTakeFirst();
      if (!found) throw invalid('policy.approver_not_found', `Approver ${ref.type} ${ref.id} does not exist.`, { stage: i + 1, approver: ref });
    }
    if (!a.requireApproval) continue;
    const people = await resolveApprovers(r, stage.approvers);
    if (people.size < stage.requiredApprovals) {
      throw invalid('policy.approvers_required', `Approval stage ${i + 1} needs ${stage.requiredApprovals} approval(s) but its approvers resolve to ${people.size} active user(s).`, { stage: i + 1, activeApprovers: people.size, requiredApprovals: stage.requiredApprovals });
    }
  }
  if (a.requireApproval && a.approvalStages.length === 0) {
    const fallback = await resolveStage(r, { approvers: [], requiredApprovals: 1, escalation: null });
    if (fallback.approvers.size === 0) throw invalid('policy.approvers_required', 'No approvers are named and no Global or Privileged Role Administrator is active to approve by default.');
  }
}

/** PATCH: merges the change onto the policy in force at that scope and saves it there. Audited with before and after. */
export async function updateRoleSettings(ctx: ServiceContext, roleId: string, scope: string, patch: DeepPartial<RolePolicy>): Promise<RoleSettingsView> {
  return inTransaction(ctx, async (tx) => {
    await loadLiveRole(tx, roleId);
    await validateScope(tx, scope);
    const current = await effectivePolicy(tx, roleId, scope);
    const next = mergePolicy(current.policy, patch);
    validatePolicy(next);
    await assertApproversUsable(tx, next);
    const own = current.row?.scope === scope ? current.row : undefined;
    if (own) {
      await tx.db.updateTable('role_policies').set({ settings: JSON.stringify(next), last_modified_by: ctx.actor.id, last_modified_at: tx.nowMs }).where('id', '=', own.id).execute();
    } else {
      await tx.db.insertInto('role_policies').values({ id: ctx.ids.uuid(), role_id: roleId, scope, settings: JSON.stringify(next), created_at: tx.nowMs, last_modified_by: ctx.actor.id, last_modified_at: tx.nowMs }).execute();
    }
    await tx.audit({
      action: 'role.settings.updated', targetType: 'role', targetId: roleId, roleId,
      before: { scope, source: current.source, definedAt: current.row?.scope ?? null, settings: current.policy }, after: { scope, settings: next },
    });
    return view(roleId, scope, await effectivePolicy(tx, roleId, scope));
  });
}

/** Removes the policy saved at exactly this scope: the next one up (or the defaults) applies again. */
export async function resetRoleSettings(ctx: ServiceContext, roleId: string, scope: string): Promise<RoleSettingsView> {
  return inTransaction(ctx, async (tx) => {
    await loadLiveRole(tx, roleId);
    await validateScope(tx, scope);
    const own = await tx.db.selectFrom('role_policies').selectAll().where('role_id', '=', roleId).where('scope', '=', scope).executeTakeFirst();
    if (own) {
      await tx.db.deleteFrom('role_policies').where('id', '=', own.id).execute();
      await tx.audit({ action: 'role.settings.reset', targetType: 'role', targetId: roleId, roleId, before: { scope, settings: JSON.parse(own.settings) as unknown }, after: { scope } });
    }
    return view(roleId, scope, await effectivePolicy(tx, roleId, scope));
  });
}
