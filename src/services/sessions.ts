import { timingSafeEqual } from 'node:crypto';
import { forbidden, notFound, unauthenticated } from '../domain/errors.ts';
import { MINUTE_MS, HOUR_MS } from '../domain/duration.ts';
import { USER_ADMINS, ASSIGNMENT_ADMINS } from '../domain/roles.ts';
import type { SessionsTable } from '../store/schema.ts';
import { requireRoles } from './authorize.ts';
import { holdsPrivilegedRole } from './privileged.ts';
import { withActor, type Actor, type Deps, type ServiceContext } from './context.ts';
import { isoOrNull, iso } from './mappers.ts';
import { inTransaction, type Tx } from './transaction.ts';
import { sha256Hex as sha256 } from '../auth/tokens.ts';

export const SESSION_PREFIX = 'pims_';

export interface IssuedSession {
  id: string;
  /** The cookie value: shown once, stored only as a hash. */
  token: string;
  /** Sent back in `x-csrf-token` on every cookie-authenticated write. */
  csrfToken: string;
  expiresAt: number;
  mfaAt: number | null;
}

/**
 * Opens a session in the caller's transaction. A new random id every time: on sign-in and on
 * every MFA step-up (rotation), so a session id seen before authentication is worthless after.
 */
export async function openSession(ctx: ServiceContext, tx: Tx, userId: string, o: { mfaAt: number | null; method: string; userAgent?: string | undefined; expiresAt?: number }): Promise<IssuedSession> {
  const token = `${SESSION_PREFIX}${ctx.ids.secret(32)}`;
  const id = ctx.ids.uuid();
  // Derived from the session id with the server key, so the page can get it again after a
  // reload (GET /auth/session) without the server storing it; a cross-site page can neither
  // compute it nor read our responses.
  const csrfToken = csrfTokenOf(ctx, id);
  const row: SessionsTable = {
    id, token_hash: sha256(token), csrf_hash: sha256(csrfToken), user_id: userId, created_at: tx.nowMs, last_seen_at: tx.nowMs,
    expires_at: o.expiresAt ?? tx.nowMs + ctx.config.sessionAbsoluteHours * HOUR_MS, mfa_at: o.mfaAt, auth_method: o.method,
    client_address: ctx.actor.clientAddress ?? null, user_agent: o.userAgent?.slice(0, 300) ?? null, ended_at: null, end_reason: null,
  };
  await tx.db.insertInto('sessions').values(row).execute();
  await tx.audit({ action: 'session.started', targetType: 'user', targetId: userId, after: { sessionId: row.id, method: o.method, mfa: o.mfaAt !== null, expiresAt: iso(row.expires_at) } });
  return { id: row.id, token, csrfToken, expiresAt: row.expires_at, mfaAt: o.mfaAt };
}

export function csrfTokenOf(ctx: Pick<ServiceContext, 'secrets'>, sessionId: string): string {
  return ctx.secrets.mac('csrf', sessionId);
}

/** Replaces a session by a new one (new id and CSRF token), keeping its absolute end; the old one ends. */
export async function rotateSession(ctx: ServiceContext, tx: Tx, sessionId: string, mfaAt: number | null, method: string): Promise<IssuedSession> {
  const old = await tx.db.selectFrom('sessions').selectAll().where('id', '=', sessionId).where('ended_at', 'is', null).executeTakeFirst();
  if (!old) throw unauthenticated('auth.session_expired', 'Your session has ended: sign in again.');
  await endOne(tx, old, 'rotated');
  return openSession(ctx, tx, old.user_id, { mfaAt: mfaAt ?? old.mfa_at, method, expiresAt: old.expires_at, userAgent: old.user_agent ?? undefined });
}

async function endOne(tx: Tx, s: SessionsTable, reason: string): Promise<void> {
  await tx.db.updateTable('sessions').set({ ended_at: tx.nowMs, end_reason: reason }).where('id', '=', s.id).where('ended_at', 'is', null).execute();
  await tx.audit({ action: 'session.ended', targetType: 'user', targetId: s.user_id, after: { sessionId: s.id, reason } });
}

/** Ends every open session of a user (sign-out everywhere, disable, password or MFA reset). */
export async function endSessionsOf(tx: Tx, userId: string, reason: string, except?: string): Promise<number> {
  let q = tx.db.selectFrom('sessions').selectAll().where('user_id', '=', userId).where('ended_at', 'is', null);
  if (except !== undefined) q = q.where('id', '<>', except);
  const rows = await q.execute();
  for (const s of rows) await endOne(tx, s, reason);
  return rows.length;
}

/**
 * Resolves a session cookie to the signed-in user, or refuses: unknown, ended, idle for longer
 * than PIM_SESSION_IDLE_MINUTES, past its absolute end, or its user disabled. Use refreshes
 * the idle clock (at most once a minute, to keep reads cheap).
 */
export async function authenticateSession(deps: Deps, token: string, clientAddress: string): Promise<Actor> {
  const expired = () => unauthenticated('auth.session_expired', 'Your session has ended: sign in again.');
  if (!token.startsWith(SESSION_PREFIX) || token.length > 200) throw expired();
  const s = await deps.db.selectFrom('sessions').selectAll().where('token_hash', '=', sha256(token)).executeTakeFirst();
  const now = deps.clock.nowMs();
  if (!s || s.ended_at !== null) throw expired();
  const idleEnd = s.last_seen_at + deps.config.sessionIdleMinutes * MINUTE_MS;
  const user = deps.index.principal(s.user_id);
  const why = now >= s.expires_at ? 'absolute_timeout' : now >= idleEnd ? 'idle_timeout' : !user || user.deleted || !user.enabled ? 'user_disabled' : null;
  if (why !== null) {
    await inTransaction(withActor(deps, { id: s.user_id, type: 'user', scopes: [], clientAddress }), (tx) => endOne(tx, s, why));
    throw expired();
  }
  if (now - s.last_seen_at >= MINUTE_MS) await deps.db.updateTable('sessions').set({ last_seen_at: now }).where('id', '=', s.id).execute();
  return { id: s.user_id, type: 'user', scopes: ['api'], clientAddress, via: 'session', sessionId: s.id, credentialExpiresAt: s.expires_at, ...(s.mfa_at !== null ? { mfaAt: s.mfa_at } : {}) };
}

/** Cookie-authenticated writes must echo the session's CSRF token (double submit, compared as hashes). */
export async function checkCsrf(deps: Deps, sessionId: string, header: string | undefined): Promise<void> {
  const s = await deps.db.selectFrom('sessions').select('csrf_hash').where('id', '=', sessionId).executeTakeFirst();
  const given = Buffer.from(sha256(header ?? ''), 'hex');
  if (!s || header === undefined || header === '' || !timingSafeEqual(given, Buffer.from(s.csrf_hash, 'hex'))) {
    throw forbidden('auth.csrf_failed', 'This write needs the x-csrf-token header from sign-in (cookie sessions only).');
  }
}

export function toSession(s: SessionsTable, idleMinutes: number) {
  return {
    id: s.id, userId: s.user_id, createdAt: iso(s.created_at), lastSeenAt: iso(s.last_seen_at), expiresAt: iso(s.expires_at),
    idleExpiresAt: iso(s.last_seen_at + idleMinutes * MINUTE_MS), mfaAt: isoOrNull(s.mfa_at), method: s.auth_method,
    clientAddress: s.client_address, userAgent: s.user_agent, endedAt: isoOrNull(s.ended_at), endReason: s.end_reason,
  };
}
export type SessionView = ReturnType<typeof toSession>;

/**
 * One's own sessions, or a user administrator's view; a privileged user's sessions (where
 * they sign in from, and ending them) only for Privileged Role / Global Administrators, as
 * with their passwords and tokens.
 */
async function assertMayManage(ctx: ServiceContext, userId: string, action: string): Promise<void> {
  if (ctx.actor.id === userId) return;
  await requireRoles(ctx, USER_ADMINS, action);
  if (await holdsPrivilegedRole({ db: ctx.db, nowMs: ctx.clock.nowMs() }, userId)) await requireRoles(ctx, ASSIGNMENT_ADMINS, `${action}.privileged`);
}

export async function listSessions(ctx: ServiceContext, userId: string): Promise<{ items: SessionView[] }> {
  await assertMayManage(ctx, userId, 'session.list');
  const now = ctx.clock.nowMs();
  const rows = await ctx.db.selectFrom('sessions').selectAll().where('user_id', '=', userId).where('ended_at', 'is', null)
    .where('expires_at', '>', now).where('last_seen_at', '>', now - ctx.config.sessionIdleMinutes * MINUTE_MS).orderBy('created_at', 'desc').limit(200).execute();
  return { items: rows.map((s) => toSession(s, ctx.config.sessionIdleMinutes)) };
}

/** Ends one user's sessions (the user themselves, or user administrators). */
export async function endUserSessions(ctx: ServiceContext, userId: string): Promise<{ ended: number }> {
  await assertMayManage(ctx, userId, 'session.end');
  const exists = await ctx.db.selectFrom('users').select('id').where('id', '=', userId).executeTakeFirst();
  if (!exists) throw notFound('user.not_found', 'No such user.', { id: userId });
  return { ended: await inTransaction(ctx, (tx) => endSessionsOf(tx, userId, ctx.actor.id === userId ? 'signed_out_everywhere' : 'ended_by_admin')) };
}

/** Ends every session of everyone (incident response): Privileged Role / Global Administrators. */
export async function endAllSessions(ctx: ServiceContext): Promise<{ ended: number }> {
  await requireRoles(ctx, ASSIGNMENT_ADMINS, 'session.end_all');
  return inTransaction(ctx, async (tx) => {
    const rows = await tx.db.selectFrom('sessions').selectAll().where('ended_at', 'is', null).execute();
    for (const s of rows) await endOne(tx, s, 'ended_by_admin');
    await tx.audit({ action: 'session.ended_all', after: { ended: rows.length } });
    return { ended: rows.length };
  });
}

export async function signOut(ctx: ServiceContext): Promise<void> {
  const id = ctx.actor.sessionId;
  if (id === undefined) throw forbidden('auth.not_a_session', 'Sign-out ends a browser session; revoke API tokens with DELETE /api/v1/tokens/{id}.');
  await inTransaction(ctx, async (tx) => {
    const s = await tx.db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
    if (s) await endOne(tx, s, 'signed_out');
  });
}

export async function sessionUser(ctx: ServiceContext, userId: string): Promise<{ id: string; userPrincipalName: string; displayName: string }> {
  const u = await ctx.db.selectFrom('users').select(['id', 'user_principal_name', 'display_name']).where('id', '=', userId).executeTakeFirstOrThrow();
  return { id: u.id, userPrincipalName: u.user_principal_name, displayName: u.display_name };
}

/** Who is calling, how, and how fresh their MFA is. */
export async function currentSession(ctx: ServiceContext) {
  const me = ctx.actor.id;
  if (me === null || ctx.actor.type !== 'user') throw forbidden('auth.users_only', 'Only users have sessions; service principals use tokens.');
  const s = ctx.actor.sessionId === undefined ? undefined : await ctx.db.selectFrom('sessions').selectAll().where('id', '=', ctx.actor.sessionId).executeTakeFirst();
  return {
    user: await sessionUser(ctx, me), via: s ? 'session' as const : 'token' as const, mfaAt: isoOrNull(s?.mfa_at ?? null),
    ...(s ? { csrfToken: csrfTokenOf(ctx, s.id) } : {}),
    expiresAt: isoOrNull(s?.expires_at ?? null), idleExpiresAt: s ? iso(s.last_seen_at + ctx.config.sessionIdleMinutes * MINUTE_MS) : null,
  };
}
