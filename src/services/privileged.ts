import { ROLE } from '../domain/roles.ts';
import type { Reader } from './approvers.ts';


/**
 * Whether a principal holds or could reach a privileged role: acting as such a principal (a
 * token for it, resetting its password or MFA) needs a Privileged Role or Global
 * Administrator. Reaching counts every path: a direct assignment (eligible or active); standing
 * membership of a group holding one; an eligible or active PIM for Groups membership or
 * ownership of such a group; standing ownership of such a group (owners manage members).
 */
export async function holdsPrivilegedRole(r: Reader, principalId: string): Promise<boolean> {
  const privileged = r.db.selectFrom('schedules as s').innerJoin('roles as ro', 'ro.id', 's.role_id').where('ro.is_privileged', '=', 1)
    .where('s.ended_at', 'is', null).where((eb) => eb.or([eb('s.end_at', 'is', null), eb('s.end_at', '>', r.nowMs)]));
  if (await privileged.select('s.id').where('s.principal_id', '=', principalId).executeTakeFirst()) return true;
  // Groups that hold or may activate a privileged role.
  const groups = new Set((await privileged.innerJoin('groups as g', 'g.id', 's.principal_id').select('g.id').where('g.deleted_at', 'is', null).execute()).map((g) => g.id));
  if (groups.size === 0) return false;
  const ids = [...groups];
  const member = await r.db.selectFrom('group_members').select('id').where('member_id', '=', principalId).where('group_id', 'in', ids).where('removed_at', 'is', null).executeTakeFirst();
  if (member) return true;
  const owner = await r.db.selectFrom('group_owners').select('user_id').where('user_id', '=', principalId).where('group_id', 'in', ids).executeTakeFirst();
  if (owner) return true;
  const pim = await r.db.selectFrom('schedules as s').select('s.id').where('s.principal_id', '=', principalId)
    .where('s.role_id', 'in', [ROLE.groupMember, ROLE.groupOwner]).where('s.scope', 'in', ids.map((g) => `/groups/${g}`))
    .where('s.ended_at', 'is', null).where((eb) => eb.or([eb('s.end_at', 'is', null), eb('s.end_at', '>', r.nowMs)])).executeTakeFirst();
  return pim !== undefined;
}
