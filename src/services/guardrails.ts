import type { Kysely } from 'kysely';
import { conflict } from '../domain/errors.ts';
import { GUARDED_ROLES, ROLE } from '../domain/roles.ts';
import { ROOT_SCOPE } from '../domain/scope.ts';
import type { Database } from '../store/schema.ts';
import type { Tx } from './transaction.ts';

export interface Holders {
  active: Set<string>;
  eligible: Set<string>;
  /** Active with no end: the break-glass holders that cannot lapse. */
  permanent: Set<string>;
}

/**
 * Enabled, live users holding `roleId` at `/` now, directly, through a role-assignable group,
 * or through a PIM for Groups membership of such a group (a Group Member schedule at
 * `/groups/{id}`: it holds the group's role only while both are live, and actively only when
 * both are active, as the check index decides). Read inside the write transaction, so it sees
 * the change about to be committed.
 */
export async function holdersOf(tx: Pick<Tx, 'nowMs'> & { db: Kysely<Database> }, roleId: string): Promise<Holders> {
  const now = tx.nowMs;
  const base = () => tx.db.selectFrom('schedules as s')
    .where('s.role_id', '=', roleId).where('s.scope', '=', ROOT_SCOPE).where('s.ended_at', 'is', null)
    .where('s.start_at', '<=', now).where((eb) => eb.or([eb('s.end_at', 'is', null), eb('s.end_at', '>', now)]));
  const direct = await base().innerJoin('users as u', 'u.id', 's.principal_id')
    .where('u.enabled', '=', 1).where('u.deleted_at', 'is', null)
    .select(['u.id', 's.kind', 's.end_at']).execute();
  const viaGroup = await base().innerJoin('groups as g', 'g.id', 's.principal_id')
    .innerJoin('group_members as m', 'm.group_id', 'g.id').innerJoin('users as u', 'u.id', 'm.member_id')
    .where('g.deleted_at', 'is', null).where('m.removed_at', 'is', null)
    .where('u.enabled', '=', 1).where('u.deleted_at', 'is', null)
    .select(['u.id', 's.kind', 's.end_at']).execute();
  const out: Holders = { active: new Set(), eligible: new Set(), permanent: new Set() };
  for (const r of [...direct, ...viaGroup]) {
    (r.kind === 'active' ? out.active : out.eligible).add(r.id);
    if (r.kind === 'active' && r.end_at === null) out.permanent.add(r.id);
  }
  // PIM for Groups: a membership schedule and the group's role schedule, both live now (the
  // membership's scope names the group; matched here rather than by concatenating in SQL).
  const groupGrants = await base().innerJoin('groups as g', 'g.id', 's.principal_id')
    .where('g.deleted_at', 'is', null).where('g.role_assignable', '=', 1)
    .select(['g.id', 's.kind', 's.end_at']).execute();
  if (groupGrants.length === 0) return out;
  const grantsOf = new Map<string, typeof groupGrants>();
  for (const g of groupGrants) grantsOf.set(`/groups/${g.id}`, [...(grantsOf.get(`/groups/${g.id}`) ?? []), g]);
  const memberships = await tx.db.selectFrom('schedules as m').innerJoin('users as u', 'u.id', 'm.principal_id')
    .where('m.role_id', '=', ROLE.groupMember).where('m.scope', 'in', [...grantsOf.keys()]).where('m.ended_at', 'is', null)
    .where('m.start_at', '<=', now).where((eb) => eb.or([eb('m.end_at', 'is', null), eb('m.end_at', '>', now)]))
    .where('u.enabled', '=', 1).where('u.deleted_at', 'is', null)
    .select(['u.id', 'm.scope', 'm.kind', 'm.end_at']).execute();
  for (const m of memberships) {
    for (const g of grantsOf.get(m.scope) ?? []) {
      const active = m.kind === 'active' && g.kind === 'active';
      (active ? out.active : out.eligible).add(m.id);
      if (active && m.end_at === null && g.end_at === null) out.permanent.add(m.id);
    }
  }
  return out;
}

export async function snapshotGuarded(tx: Tx): Promise<Map<string, Holders>> {
  const m = new Map<string, Holders>();
  for (const r of GUARDED_ROLES) m.set(r, await holdersOf(tx, r));
  return m;
}

const NAMES: Record<string, string> = { [ROLE.globalAdministrator]: 'Global Administrator', [ROLE.privilegedRoleAdministrator]: 'Privileged Role Administrator' };

/**
 * PIM-REFERENCE §5: the last active Global Administrator and Privileged Role Administrator
 * cannot be removed; when no active holder is left, the last eligible one is kept too (it is
 * the only way back in). Beyond Entra, the last *permanent* active one is kept as well (no
 * removal, disabling or end date), so the tenant cannot lock itself out on a timer. Call with the snapshot taken before the change; throwing rolls the
 * change back. Writers are serialized (transaction.ts), so two removals cannot both pass.
 */
export async function assertGuardedRolesKept(tx: Tx, before: Map<string, Holders>): Promise<void> {
  for (const roleId of GUARDED_ROLES) {
    const was = before.get(roleId);
    if (!was) continue;
    const now = await holdersOf(tx, roleId);
    const lostLastActive = was.active.size > 0 && now.active.size === 0;
    const lostLastPath = now.active.size === 0 && was.eligible.size > 0 && now.eligible.size === 0;
    if (lostLastActive || lostLastPath) {
      throw conflict('guardrail.last_administrator', `This would leave no ${lostLastActive ? 'active' : 'eligible'} ${NAMES[roleId] ?? roleId}. Assign another one first.`, { roleId });
    }
    // Time-bound holders lapse by themselves: losing the last permanent one is a lock-out on a timer.
    if (was.permanent.size > 0 && now.permanent.size === 0) {
      throw conflict('guardrail.last_permanent_administrator', `This would leave no permanent active ${NAMES[roleId] ?? roleId}; time-bound ones end by themselves. Assign a permanent one (break-glass) first.`, { roleId });
    }
  }
}

/** Runs `change` and refuses it if it removes the last holder of a guarded role. */
export async function guarded<T>(tx: Tx, change: () => Promise<T>): Promise<T> {
  const before = await snapshotGuarded(tx);
  const result = await change();
  await assertGuardedRolesKept(tx, before);
  return result;
}
