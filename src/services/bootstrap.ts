import { hashToken, newToken } from '../auth/tokens.ts';
import { DAY_MS } from '../domain/duration.ts';
import { conflict } from '../domain/errors.ts';
import { GUARDED_ROLES, ROLE } from '../domain/roles.ts';
import { ROOT_SCOPE } from '../domain/scope.ts';
import type { ServiceContext } from './context.ts';
import { insertSchedule } from './schedule-writes.ts';
import { inTransaction, type Tx } from './transaction.ts';

export interface BootstrapResult {
  userId: string;
  userPrincipalName: string;
  token: string;
  tokenExpiresAt: string;
}

/** True while no principal holds a live Global or Privileged Role Administrator schedule. */
export async function needsBootstrap(ctx: ServiceContext): Promise<boolean> {
  const row = await ctx.db.selectFrom('schedules').select('id').where('role_id', 'in', GUARDED_ROLES).where('ended_at', 'is', null).limit(1).executeTakeFirst();
  return row === undefined;
}

/**
 * The shared first step of `pim bootstrap` and the first-run setup page: in the caller's
 * transaction, refuses once any administrator exists, then makes the user (reusing one with
 * that name when `reuseUser`) a permanent active Global Administrator and Privileged Role
 * Administrator — the break-glass pattern, PIM-REFERENCE §5.
 */
export async function insertFirstAdmin(ctx: ServiceContext, tx: Tx, o: { upn: string; displayName?: string | undefined; via: string; reuseUser: boolean }): Promise<{ id: string; user_principal_name: string }> {
  const existing = await tx.db.selectFrom('schedules').select('id').where('role_id', 'in', GUARDED_ROLES).where('ended_at', 'is', null).limit(1).executeTakeFirst();
  if (existing) throw conflict('bootstrap.already_done', 'An administrator already exists; bootstrap works only on an empty database.');
  const upnLower = o.upn.toLowerCase();
  let user = await tx.db.selectFrom('users').select(['id', 'user_principal_name']).where('upn_lower', '=', upnLower).executeTakeFirst();
  if (user && !o.reuseUser) throw conflict('setup.user_exists', 'A user with this sign-in name exists already: choose another name.', { userPrincipalName: o.upn });
  if (!user) {
    user = { id: ctx.ids.uuid(), user_principal_name: o.upn };
    await tx.db.insertInto('users').values({
      id: user.id, user_principal_name: o.upn, upn_lower: upnLower, display_name: o.displayName ?? o.upn.split('@')[0] ?? o.upn, mail: o.upn,
      enabled: 1, manager_id: null, last_sign_in_at: null, created_at: tx.nowMs, updated_at: tx.nowMs, deleted_at: null,
    }).execute();
    await tx.audit({ action: 'user.created', targetType: 'user', targetId: user.id, after: { userPrincipalName: o.upn, via: o.via } });
  }
  for (const roleId of [ROLE.globalAdministrator, ROLE.privilegedRoleAdministrator]) {
    await insertSchedule(tx, {
      id: ctx.ids.uuid(), kind: 'active', principal_id: user.id, principal_type: 'user', role_id: roleId, scope: ROOT_SCOPE,
      start_at: tx.nowMs, end_at: null, assignment_type: 'Assigned', linked_eligibility_id: null, created_by_request_id: null,
    }, { justification: 'Bootstrap: first administrator (permanent active, break-glass)' });
  }
  return user;
}

/**
 * Creates the first administrator on an empty database (see insertFirstAdmin) and a one-time
 * API token. Refuses once any administrator exists.
 */
export async function bootstrapAdmin(ctx: ServiceContext, upn: string, displayName?: string): Promise<BootstrapResult> {
  const secret = newToken(ctx.ids.secret(32));
  return inTransaction(ctx, async (tx) => {
    const user = await insertFirstAdmin(ctx, tx, { upn, displayName, via: 'bootstrap', reuseUser: true });
    const tokenId = ctx.ids.uuid();
    const expiresAt = tx.nowMs + 30 * DAY_MS;
    await tx.db.insertInto('api_tokens').values({
      id: tokenId, owner_id: user.id, owner_type: 'user', name: 'bootstrap', token_hash: hashToken(secret), scopes: JSON.stringify(['api', 'check']),
      created_by: null, created_at: tx.nowMs, expires_at: expiresAt, revoked_at: null, last_used_at: null,
    }).execute();
    await tx.audit({ action: 'token.created', targetType: 'token', targetId: tokenId, after: { ownerId: user.id, name: 'bootstrap', scopes: ['api', 'check'] } });
    await tx.audit({ action: 'bootstrap.completed', targetType: 'user', targetId: user.id, after: { userPrincipalName: user.user_principal_name } });
    return { userId: user.id, userPrincipalName: user.user_principal_name, token: secret, tokenExpiresAt: new Date(expiresAt).toISOString() };
  });
}
