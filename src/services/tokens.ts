import { hashToken, newToken } from '../auth/tokens.ts';
import type { ApiToken, CreatedToken, CreateToken, ListTokensQuery } from '../contract/tokens.ts';
import { DAY_MS } from '../domain/duration.ts';
import { invalid, notFound } from '../domain/errors.ts';
import { APP_ADMINS, ASSIGNMENT_ADMINS, USER_ADMINS } from '../domain/roles.ts';
import type { ApiTokensTable } from '../store/schema.ts';
import { requireRoles } from './authorize.ts';
import { requireRecentMfa } from './mfa-methods.ts';
import type { ServiceContext } from './context.ts';
import { holdsPrivilegedRole } from './privileged.ts';
import { isoOrNull, iso } from './mappers.ts';
import { inTransaction } from './transaction.ts';

function toToken(r: ApiTokensTable): ApiToken {
  return { id: r.id, name: r.name, ownerId: r.owner_id, ownerType: r.owner_type, scopes: JSON.parse(r.scopes) as string[], createdAt: iso(r.created_at), expiresAt: isoOrNull(r.expires_at), revokedAt: isoOrNull(r.revoked_at) };
}

async function ownerType(ctx: ServiceContext, ownerId: string): Promise<'user' | 'servicePrincipal'> {
  const u = await ctx.db.selectFrom('users').select('id').where('id', '=', ownerId).where('deleted_at', 'is', null).executeTakeFirst();
  if (u) return 'user';
  const sp = await ctx.db.selectFrom('service_principals').select('id').where('id', '=', ownerId).where('deleted_at', 'is', null).executeTakeFirst();
  if (sp) return 'servicePrincipal';
  throw invalid('token.owner_not_found', 'The token owner must be an existing user or service principal.', { ownerId });
}

/**
 * Who may manage tokens of `ownerId`: its owner, user administrators (users), application
 * administrators (service principals). A token is the owner's identity, so issuing one for a
 * principal that holds or may activate a privileged role (directly or through a group) needs
 * a Privileged Role or Global Administrator: otherwise a User Administrator could act as a
 * Global Administrator.
 */
async function authorizeOwner(ctx: ServiceContext, ownerId: string, type: 'user' | 'servicePrincipal', action: string): Promise<void> {
  if (ctx.actor.id === ownerId) return;
  await requireRoles(ctx, type === 'user' ? USER_ADMINS : APP_ADMINS, action);
  if (action === 'token.create' && (await holdsPrivilegedRole({ db: ctx.db, nowMs: ctx.clock.nowMs() }, ownerId))) await requireRoles(ctx, ASSIGNMENT_ADMINS, `${action}.privileged`);
}

/**
 * A token one mints for oneself is one's own identity for weeks, so it must not be worth more
 * than the credential that minted it:
 * - from a session, a user who has MFA must have proved it in the last 15 minutes;
 * - from a session without MFA (the user has none), it ends when that session would;
 * - from an API token, it ends when that token does (a stolen token cannot renew itself).
 * Tokens issued by administrators for others follow authorizeOwner instead.
 */
async function selfTokenExpiry(ctx: ServiceContext, ownerId: string, wanted: number): Promise<number> {
  if (ctx.actor.id !== ownerId) return wanted;
  if (ctx.actor.via === 'session' && ctx.actor.type === 'user') {
    await requireRecentMfa(ctx, ownerId);
    if (ctx.actor.mfaAt !== undefined) return wanted;
  }
  const cap = ctx.actor.credentialExpiresAt;
  return cap === undefined || cap === null ? wanted : Math.min(wanted, cap);
}

/** Issues a random token, shown once; only its SHA-256 is stored. */
export async function issueToken(ctx: ServiceContext, input: CreateToken): Promise<CreatedToken> {
  const ownerId = input.ownerId ?? ctx.actor.id;
  if (ownerId === null) throw invalid('token.owner_required', 'Name the owner of the token.');
  const type = await ownerType(ctx, ownerId);
  await authorizeOwner(ctx, ownerId, type, 'token.create');
  const expiresAt = await selfTokenExpiry(ctx, ownerId, ctx.clock.nowMs() + (input.expiresInDays ?? 90) * DAY_MS);
  const secret = newToken(ctx.ids.secret(32));
  return inTransaction(ctx, async (tx) => {
    const row: ApiTokensTable = {
      id: ctx.ids.uuid(), owner_id: ownerId, owner_type: type, name: input.name, token_hash: hashToken(secret),
      scopes: JSON.stringify(input.scopes ?? ['api']), created_by: ctx.actor.id, created_at: tx.nowMs,
      expires_at: expiresAt, revoked_at: null, last_used_at: null,
    };
    await tx.db.insertInto('api_tokens').values(row).execute();
    await tx.audit({ action: 'token.created', targetType: 'token', targetId: row.id, after: { ownerId, ownerType: type, name: row.name, scopes: JSON.parse(row.scopes) as unknown, expiresAt: isoOrNull(row.expires_at) } });
    return { ...toToken(row), token: secret };
  });
}

export async function listTokens(ctx: ServiceContext, q: ListTokensQuery): Promise<ApiToken[]> {
  const ownerId = q.ownerId ?? ctx.actor.id;
  if (ownerId === null) return [];
  if (ownerId !== ctx.actor.id) await authorizeOwner(ctx, ownerId, await ownerType(ctx, ownerId), 'token.list');
  const rows = await ctx.db.selectFrom('api_tokens').selectAll().where('owner_id', '=', ownerId).orderBy('created_at', 'desc').limit(500).execute();
  return rows.map(toToken);
}

export async function revokeToken(ctx: ServiceContext, id: string): Promise<void> {
  const row = await ctx.db.selectFrom('api_tokens').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('token.not_found', 'No such token.', { id });
  await authorizeOwner(ctx, row.owner_id, row.owner_type, 'token.revoke');
  if (row.revoked_at !== null) return;
  await inTransaction(ctx, async (tx) => {
    await tx.db.updateTable('api_tokens').set({ revoked_at: tx.nowMs }).where('id', '=', id).execute();
    await tx.audit({ action: 'token.revoked', targetType: 'token', targetId: id, before: { name: row.name, ownerId: row.owner_id } });
  });
}
