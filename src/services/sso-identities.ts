import type { SsoIdentity } from '../contract/sso.ts';
import { forbidden, notFound } from '../domain/errors.ts';
import { ASSIGNMENT_ADMINS, USER_ADMINS } from '../domain/roles.ts';
import type { UserIdentitiesTable } from '../store/schema.ts';
import { requireRoles } from './authorize.ts';
import type { ServiceContext } from './context.ts';
import { iso } from './mappers.ts';
import { requireFreshSession } from './mfa-methods.ts';
import { holdsPrivilegedRole } from './privileged.ts';
import { inTransaction } from './transaction.ts';

const toIdentity = (r: UserIdentitiesTable): SsoIdentity => ({
  id: r.id, userId: r.user_id, issuer: r.issuer, subject: r.subject, createdAt: iso(r.created_at), lastUsedAt: iso(r.last_used_at),
});

/**
 * Who may see and unlink a user's single sign-on identities: the user, or user
 * administrators; for a privileged user a Privileged Role / Global Administrator (a linked
 * identity is a way into the account, like a password).
 */
async function authorizeFor(ctx: ServiceContext, userId: string, action: string): Promise<void> {
  if (ctx.actor.id === userId && ctx.actor.type === 'user') return;
  await requireRoles(ctx, USER_ADMINS, action);
  if (await holdsPrivilegedRole({ db: ctx.db, nowMs: ctx.clock.nowMs() }, userId)) await requireRoles(ctx, ASSIGNMENT_ADMINS, `${action}.privileged`);
}

async function existingUser(ctx: ServiceContext, userId: string): Promise<void> {
  const u = await ctx.db.selectFrom('users').select('id').where('id', '=', userId).executeTakeFirst();
  if (!u) throw notFound('user.not_found', 'No such user.', { id: userId });
}

export async function listIdentities(ctx: ServiceContext, userId: string): Promise<{ items: SsoIdentity[] }> {
  await authorizeFor(ctx, userId, 'identity.list');
  await existingUser(ctx, userId);
  const rows = await ctx.db.selectFrom('user_identities').selectAll().where('user_id', '=', userId).orderBy('created_at').execute();
  return { items: rows.map(toIdentity) };
}

export function listMyIdentities(ctx: ServiceContext): Promise<{ items: SsoIdentity[] }> {
  if (ctx.actor.type !== 'user' || ctx.actor.id === null) throw forbidden('identity.users_only', 'Only users have single sign-on identities.');
  return listIdentities(ctx, ctx.actor.id);
}

/**
 * Unlinks an identity: the next sign-in with it matches the user again by verified email (or
 * creates nobody, per PIM_OIDC_CREATE_USERS). A user unlinking their own does it from a
 * session with recent MFA, as with MFA methods; administrators are audited.
 */
export async function unlinkIdentity(ctx: ServiceContext, userId: string, identityId: string): Promise<void> {
  await authorizeFor(ctx, userId, 'identity.unlink');
  if (ctx.actor.id === userId) await requireFreshSession(ctx, userId);
  await inTransaction(ctx, async (tx) => {
    const row = await tx.db.selectFrom('user_identities').selectAll().where('id', '=', identityId).where('user_id', '=', userId).executeTakeFirst();
    if (!row) throw notFound('identity.not_found', 'This user has no such single sign-on identity.', { userId, identityId });
    await tx.db.deleteFrom('user_identities').where('id', '=', identityId).execute();
    await tx.audit({ action: 'user.identity_unlinked', targetType: 'user', targetId: userId, before: { issuer: row.issuer, subject: row.subject } });
  });
}
