import type { Reader } from './approvers.ts';
import { pimGroupsOf } from './eligibility.ts';

/**
 * Whether a principal holds or may activate a privileged role (directly, through a group, or
 * through a PIM for Groups membership). Acting as such a principal (a token for it, resetting
 * its password or MFA) needs a Privileged Role or Global Administrator.
 */
export async function holdsPrivilegedRole(r: Reader, principalId: string): Promise<boolean> {
  const groups = await r.db.selectFrom('group_members').select('group_id').where('member_id', '=', principalId).where('removed_at', 'is', null).execute();
  const holders = [principalId, ...groups.map((g) => g.group_id), ...(await pimGroupsOf(r, principalId, r.nowMs))];
  const row = await r.db.selectFrom('schedules as s').innerJoin('roles as r', 'r.id', 's.role_id').select('s.id')
    .where('s.principal_id', 'in', holders).where('r.is_privileged', '=', 1).where('s.ended_at', 'is', null)
    .where((eb) => eb.or([eb('s.end_at', 'is', null), eb('s.end_at', '>', r.nowMs)])).executeTakeFirst();
  return row !== undefined;
}
