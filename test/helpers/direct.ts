import type { Harness } from './harness.ts';
import { inTransaction } from '../../src/services/transaction.ts';
import { randomUUID } from 'node:crypto';

/**
 * Creates a group and memberships through the service transaction (state + audit), for tests
 * that need groups without depending on the groups API.
 */
export async function insertGroup(h: Harness, roleAssignable: boolean, members: string[] = []): Promise<string> {
  const id = randomUUID();
  await inTransaction(h.system, async (tx) => {
    await tx.db.insertInto('groups').values({ id, display_name: `g-${id.slice(0, 6)}`, name_lower: `g-${id.slice(0, 6)}`, description: null, role_assignable: roleAssignable ? 1 : 0, created_at: tx.nowMs, updated_at: tx.nowMs, deleted_at: null }).execute();
    await tx.audit({ action: 'group.created', targetType: 'group', targetId: id });
    for (const m of members) {
      await tx.db.insertInto('group_members').values({ id: randomUUID(), group_id: id, member_id: m, member_type: 'user', added_at: tx.nowMs, removed_at: null }).execute();
      await tx.audit({ action: 'group.member.added', targetType: 'group', targetId: id, after: { memberId: m } });
    }
  });
  return id;
}

export async function removeMember(h: Harness, groupId: string, memberId: string): Promise<void> {
  await inTransaction(h.system, async (tx) => {
    await tx.db.updateTable('group_members').set({ removed_at: tx.nowMs }).where('group_id', '=', groupId).where('member_id', '=', memberId).where('removed_at', 'is', null).execute();
    await tx.audit({ action: 'group.member.removed', targetType: 'group', targetId: groupId, before: { memberId } });
  });
}

export async function insertServicePrincipal(h: Harness, displayName = 'svc'): Promise<string> {
  const id = randomUUID();
  await inTransaction(h.system, async (tx) => {
    await tx.db.insertInto('service_principals').values({ id, display_name: displayName, app_id: randomUUID(), enabled: 1, created_at: tx.nowMs, updated_at: tx.nowMs, deleted_at: null }).execute();
    await tx.audit({ action: 'servicePrincipal.created', targetType: 'servicePrincipal', targetId: id });
  });
  return id;
}
