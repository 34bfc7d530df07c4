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

/**
 * A year-long API token for `ownerId`, written as `pim bootstrap` writes its token: for tests
 * that move the clock by months (a token one mints for oneself over the API ends with the
 * token that minted it, and the bootstrap token lasts 30 days).
 */
export async function insertLongToken(h: Harness, ownerId: string, scopes: string[] = ['api']): Promise<string> {
  const { hashToken, newToken } = await import('../../src/auth/tokens.ts');
  const secret = newToken(randomUUID().replace(/-/g, '') + randomUUID().replace(/-/g, ''));
  const id = randomUUID();
  await inTransaction(h.system, async (tx) => {
    await tx.db.insertInto('api_tokens').values({ id, owner_id: ownerId, owner_type: 'user', name: 'long-lived test token', token_hash: hashToken(secret), scopes: JSON.stringify(scopes), created_by: null, created_at: tx.nowMs, expires_at: tx.nowMs + 365 * 86_400_000, revoked_at: null, last_used_at: null }).execute();
    await tx.audit({ action: 'token.created', targetType: 'token', targetId: id, after: { ownerId, name: 'long-lived test token', scopes } });
  });
  return secret;
}
