import { ROLE } from '../domain/roles.ts';
import type { Reader } from './approvers.ts';

/**
 * Whether a user owns a group now: a standing owner, or an active or activated Group Owner
 * assignment at `/groups/{id}` (PIM for Groups, PIM-REFERENCE §1.5: eligible owners are
 * just-in-time owners).
 */
export async function isGroupOwner(r: Reader, groupId: string, userId: string): Promise<boolean> {
  const standing = await r.db.selectFrom('group_owners').select('user_id').where('group_id', '=', groupId).where('user_id', '=', userId).executeTakeFirst();
  if (standing) return true;
  const pim = await r.db.selectFrom('schedules').select('id').where('principal_id', '=', userId).where('role_id', '=', ROLE.groupOwner)
    .where('scope', '=', `/groups/${groupId}`).where('kind', '=', 'active').where('ended_at', 'is', null).where('start_at', '<=', r.nowMs)
    .where((eb) => eb.or([eb('end_at', 'is', null), eb('end_at', '>', r.nowMs)])).executeTakeFirst();
  return pim !== undefined;
}
