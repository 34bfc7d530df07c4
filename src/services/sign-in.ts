import { hashPassword, verifyPassword } from '../auth/passwords.ts';
import { DomainError, forbidden, invalid, notFound, unauthenticated } from '../domain/errors.ts';
import { checkPassword } from '../domain/password-policy.ts';
import { ASSIGNMENT_ADMINS, USER_ADMINS } from '../domain/roles.ts';
import { FAMILIAR_MS, SECOND_FACTOR_WINDOW_MS, throttle, WINDOW_MS, type Throttle, type ThrottleRule } from '../domain/sign-in-limits.ts';
import { requireRoles } from './authorize.ts';
import type { ServiceContext } from './context.ts';
import { hasMfa, mfaMethodKinds, useSecondFactor, type SecondFactor } from './mfa-methods.ts';
import { holdsPrivilegedRole } from './privileged.ts';
import { endSessionsOf, openSession, rotateSession, type IssuedSession } from './sessions.ts';
import { inTransaction, type Tx } from './transaction.ts';

export interface SignedIn {
  user: { id: string; userPrincipalName: string; displayName: string };
  session: IssuedSession;
}

function throttled(t: { retryAfterMs: number; rule: ThrottleRule }): DomainError {
  const message = t.rule === 'account_second_factor'
    ? 'Too many wrong codes for this account: wait, or sign in with a passkey or from a device you used before.'
    : 'Too many failed sign-ins from here: wait and try again.';
  return new DomainError('RateLimited', 'auth.throttled', message, { retryAfterSeconds: Math.ceil(t.retryAfterMs / 1000), rule: t.rule });
}

/** A second-factor attempt is also counted per account across addresses (domain/sign-in-limits.ts). */
type Attempt = { kind: 'password' } | { kind: 'second_factor'; userId: string };

/** Failed second factors of the account from anywhere, and whether this address is one the user signed in from lately. */
async function secondFactorHistory(tx: Tx, account: string, userId: string, address: string): Promise<{ account: number[]; familiar: boolean }> {
  const failures = await tx.db.selectFrom('sign_in_failures').select('at').where('account', '=', account).where('kind', '=', 'second_factor')
    .where('at', '>', tx.nowMs - SECOND_FACTOR_WINDOW_MS).execute();
  const seen = await tx.db.selectFrom('sessions').select('id').where('user_id', '=', userId).where('client_address', '=', address)
    .where('created_at', '>', tx.nowMs - FAMILIAR_MS).limit(1).executeTakeFirst();
  return { account: failures.map((r) => r.at), familiar: seen !== undefined };
}

async function refuseIfThrottled(ctx: ServiceContext, tx: Tx, account: string, t: Throttle): Promise<Throttle> {
  if (!t.allowed) await tx.audit({ action: 'auth.sign_in', outcome: 'failure', after: { account: account.slice(0, 256), reason: `throttled_${t.rule}` } });
  return t;
}

/**
 * Counts an attempt *before* checking it, in the write-serialized transaction, so parallel
 * guesses cannot all slip under the limit; throws auth.throttled when over it. A success
 * clears the account-and-address count (attemptSucceeded); a failure keeps the row. Returns
 * the row's id (a password attempt that reaches the second factor becomes one, see below).
 */
async function beginAttempt(ctx: ServiceContext, account: string, attempt: Attempt): Promise<string> {
  const address = ctx.actor.clientAddress ?? 'unknown';
  const id = ctx.ids.uuid();
  const verdict = await inTransaction(ctx, async (tx) => {
    const since = tx.nowMs - WINDOW_MS;
    const pair = await tx.db.selectFrom('sign_in_failures').select('at').where('account', '=', account).where('client_address', '=', address).where('at', '>', since).execute();
    const fromAddress = await tx.db.selectFrom('sign_in_failures').select('at').where('client_address', '=', address).where('at', '>', since).execute();
    const secondFactor = attempt.kind === 'second_factor' ? await secondFactorHistory(tx, account, attempt.userId, address) : undefined;
    const t = throttle({ accountAddress: pair.map((r) => r.at), address: fromAddress.map((r) => r.at), ...(secondFactor !== undefined ? { secondFactor } : {}) }, tx.nowMs);
    await tx.db.insertInto('sign_in_failures').values({ id, account, client_address: address, at: tx.nowMs, kind: attempt.kind }).execute();
    // Keep the log small: what the throttle no longer reads goes.
    await tx.db.deleteFrom('sign_in_failures').where('at', '<', tx.nowMs - 24 * 60 * 60_000).execute();
    return refuseIfThrottled(ctx, tx, account, t);
  });
  if (!verdict.allowed) throw throttled(verdict);
  return id;
}

/**
 * The password was right and a code came with it: the attempt counted by beginAttempt now
 * stands for a second-factor guess, under the per-account rule as well.
 */
async function beginSecondFactor(ctx: ServiceContext, account: string, attemptId: string, userId: string): Promise<void> {
  const address = ctx.actor.clientAddress ?? 'unknown';
  const verdict = await inTransaction(ctx, async (tx) => {
    const secondFactor = await secondFactorHistory(tx, account, userId, address);
    const t = throttle({ accountAddress: [], address: [], secondFactor }, tx.nowMs);
    await tx.db.updateTable('sign_in_failures').set({ kind: 'second_factor' }).where('id', '=', attemptId).execute();
    return refuseIfThrottled(ctx, tx, account, t);
  });
  if (!verdict.allowed) throw throttled(verdict);
}

/**
 * Sign-ins that are not guesses at one account (an SSO callback) still count against the
 * caller's address (the 30-per-address rule): each attempt gets an account of its own, so the
 * per-account rules never apply. Returns the attempt to forget when it succeeds.
 */
export function beginAddressAttempt(ctx: ServiceContext): Promise<string> {
  return beginAttempt(ctx, `(sso:${ctx.ids.uuid()})`, { kind: 'password' });
}

export async function forgetAttempt(ctx: ServiceContext, id: string): Promise<void> {
  await inTransaction(ctx, (tx) => tx.db.deleteFrom('sign_in_failures').where('id', '=', id).execute());
}

async function attemptSucceeded(ctx: ServiceContext, tx: Tx, account: string): Promise<void> {
  await tx.db.deleteFrom('sign_in_failures').where('account', '=', account).where('client_address', '=', ctx.actor.clientAddress ?? 'unknown').execute();
}

/** Audits a failed attempt (beginAttempt already counted it). */
async function fail(ctx: ServiceContext, account: string, userId: string | null, reason: string): Promise<void> {
  await inTransaction(ctx, (tx) => tx.audit({ action: 'auth.sign_in', outcome: 'failure', targetType: userId === null ? null : 'user', targetId: userId, after: { account: account.slice(0, 256), reason } }));
}

/** Second-factor checks outside sign-in share the account's budget: the account is its sign-in name. */
async function accountOf(ctx: ServiceContext, userId: string): Promise<string> {
  const u = await ctx.db.selectFrom('users').select('upn_lower').where('id', '=', userId).executeTakeFirst();
  return u?.upn_lower ?? userId;
}

/**
 * Password sign-in, with the second factor when the user has one (TOTP or a recovery code).
 * Failures are throttled per account-and-address and per address (domain/sign-in-limits.ts):
 * an attacker elsewhere can never lock the owner out. Unknown account, wrong password and
 * disabled account answer the same, in the same time.
 */
export async function signInWithPassword(ctx: ServiceContext, input: { userPrincipalName: string; password: string; userAgent?: string | undefined } & SecondFactor): Promise<SignedIn> {
  const account = input.userPrincipalName.trim().toLowerCase();
  const attemptId = await beginAttempt(ctx, account, { kind: 'password' });

  const user = await ctx.db.selectFrom('users').select(['id', 'user_principal_name', 'display_name', 'enabled', 'deleted_at']).where('upn_lower', '=', account).executeTakeFirst();
  const stored = user ? await ctx.db.selectFrom('user_passwords').select('password_hash').where('user_id', '=', user.id).executeTakeFirst() : undefined;
  const ok = await verifyPassword(stored?.password_hash, input.password);
  if (!user || !ok || user.enabled !== 1 || user.deleted_at !== null) {
    await fail(ctx, account, user?.id ?? null, !user ? 'unknown_account' : !ok ? 'bad_password' : 'account_disabled');
    throw unauthenticated('auth.invalid_credentials', 'The user name or password is wrong, or the account is disabled.');
  }

  const needsMfa = await hasMfa(ctx.db, user.id);
  if (needsMfa && input.totp === undefined && input.recoveryCode === undefined) {
    // The password was right; the client asks for the code and sends both again.
    // methods: what this user has — 'webauthn' means: sign in with the passkey instead (POST /api/v1/auth/passkey).
    const methods = await mfaMethodKinds(ctx.db, user.id);
    throw unauthenticated('auth.mfa_required', methods.includes('totp') ? 'Enter the code from your authenticator app (or a recovery code).' : 'Sign in with your passkey (or use a recovery code).', { reason: 'sign_in', methods });
  }
  if (needsMfa) await beginSecondFactor(ctx, account, attemptId, user.id);
  return inTransaction(ctx, async (tx) => {
    let mfaAt: number | null = null;
    if (needsMfa) {
      const used = await useSecondFactor(ctx, tx, user.id, input);
      if (used === null) throw new DomainError('Unauthenticated', 'auth.invalid_mfa', 'That code is not valid (or was already used).');
      mfaAt = tx.nowMs;
    }
    await attemptSucceeded(ctx, tx, account);
    await tx.db.updateTable('users').set({ last_sign_in_at: tx.nowMs }).where('id', '=', user.id).execute();
    await tx.audit({ action: 'auth.sign_in', targetType: 'user', targetId: user.id, after: { method: 'password', mfa: mfaAt !== null } });
    const session = await openSession(ctx, tx, user.id, { mfaAt, method: mfaAt !== null ? 'password+mfa' : 'password', userAgent: input.userAgent });
    return { user: { id: user.id, userPrincipalName: user.user_principal_name, displayName: user.display_name }, session };
  }).catch(async (err: unknown) => {
    // A wrong second factor is a failed sign-in too (it feeds the throttle); the transaction above rolled back.
    if (err instanceof DomainError && err.code === 'auth.invalid_mfa') await fail(ctx, account, user.id, 'bad_mfa');
    throw err;
  });
}

/**
 * Per-request MFA for API-token callers (`mfa: { totp }`): the code is verified (once, like
 * any TOTP code) and counts for this request only. Wrong codes feed the sign-in throttle, so a
 * stolen token cannot be used to guess them.
 */
export async function withRequestMfa(ctx: ServiceContext, totp: string): Promise<ServiceContext> {
  const me = ctx.actor.id;
  if (ctx.actor.type !== 'user' || me === null) throw forbidden('auth.mfa_not_applicable', 'Only users do MFA; service principals are covered by approval.');
  const account = await accountOf(ctx, me);
  await beginAttempt(ctx, account, { kind: 'second_factor', userId: me });
  const ok = await inTransaction(ctx, async (tx) => {
    const used = await useSecondFactor(ctx, tx, me, { totp });
    if (used !== null) await attemptSucceeded(ctx, tx, account);
    return used !== null;
  });
  if (!ok) {
    await fail(ctx, account, me, 'bad_request_mfa');
    throw unauthenticated('auth.invalid_mfa', 'That code is not valid (or was already used): use the next code from your authenticator app.');
  }
  return { ...ctx, actor: { ...ctx.actor, mfaAt: ctx.clock.nowMs() } };
}

/** MFA step-up in a session: proves a second factor now and rotates the session (new id). */
export async function stepUp(ctx: ServiceContext, f: SecondFactor): Promise<IssuedSession> {
  const me = ctx.actor.id;
  if (ctx.actor.via !== 'session' || ctx.actor.sessionId === undefined || me === null) throw forbidden('auth.session_required', 'Step-up MFA happens in a signed-in session; API calls may carry mfa: { totp } per request instead.');
  const sessionId = ctx.actor.sessionId;
  if (f.totp === undefined && f.recoveryCode === undefined) throw invalid('auth.code_required', 'Send totp or recoveryCode.');
  const account = await accountOf(ctx, me);
  await beginAttempt(ctx, account, { kind: 'second_factor', userId: me });
  const result = await inTransaction(ctx, async (tx) => {
    const used = await useSecondFactor(ctx, tx, me, f);
    if (used === null) return null;
    await attemptSucceeded(ctx, tx, account);
    return rotateSession(ctx, tx, sessionId, tx.nowMs, `mfa:${used}`);
  });
  if (result === null) {
    await fail(ctx, account, me, 'bad_mfa');
    throw unauthenticated('auth.invalid_mfa', 'That code is not valid (or was already used).');
  }
  return result;
}

/** Administrators set a user's password (for a privileged user: Privileged Role / Global Administrators); the user's sessions end. */
export async function setUserPassword(ctx: ServiceContext, userId: string, password: string): Promise<void> {
  await requireRoles(ctx, USER_ADMINS, 'password.set');
  const u = await ctx.db.selectFrom('users').select(['id', 'user_principal_name']).where('id', '=', userId).where('deleted_at', 'is', null).executeTakeFirst();
  if (!u) throw notFound('user.not_found', 'No such user.', { id: userId });
  if (ctx.actor.id !== userId && (await holdsPrivilegedRole({ db: ctx.db, nowMs: ctx.clock.nowMs() }, userId))) await requireRoles(ctx, ASSIGNMENT_ADMINS, 'password.set.privileged');
  checkPassword(password, u.user_principal_name);
  const hash = await hashPassword(password);
  await inTransaction(ctx, async (tx) => {
    await tx.db.deleteFrom('user_passwords').where('user_id', '=', userId).execute();
    await tx.db.insertInto('user_passwords').values({ user_id: userId, password_hash: hash, changed_at: tx.nowMs }).execute();
    await tx.audit({ action: 'password.set', targetType: 'user', targetId: userId });
    await endSessionsOf(tx, userId, 'password_set');
  });
}

/** A user changes their own password (the current one is required); their other sessions end. */
export async function changeMyPassword(ctx: ServiceContext, current: string, next: string): Promise<void> {
  const me = ctx.actor.id;
  if (ctx.actor.type !== 'user' || me === null) throw forbidden('password.users_only', 'Only users have passwords.');
  const u = await ctx.db.selectFrom('users').select(['user_principal_name', 'upn_lower']).where('id', '=', me).executeTakeFirstOrThrow();
  const stored = await ctx.db.selectFrom('user_passwords').select('password_hash').where('user_id', '=', me).executeTakeFirst();
  // Without a password there is nothing to prove: a token alone must not be able to set one.
  if (stored === undefined) throw forbidden('auth.password_not_set', 'You have no password yet: ask a user administrator to set one.');
  await beginAttempt(ctx, u.upn_lower, { kind: 'password' });
  if (!(await verifyPassword(stored.password_hash, current))) {
    await fail(ctx, u.upn_lower, me, 'bad_password');
    throw unauthenticated('auth.invalid_credentials', 'The current password is wrong.');
  }
  checkPassword(next, u.user_principal_name);
  const hash = await hashPassword(next);
  await inTransaction(ctx, async (tx) => {
    await attemptSucceeded(ctx, tx, u.upn_lower);
    await tx.db.deleteFrom('user_passwords').where('user_id', '=', me).execute();
    await tx.db.insertInto('user_passwords').values({ user_id: me, password_hash: hash, changed_at: tx.nowMs }).execute();
    await tx.audit({ action: 'password.changed', targetType: 'user', targetId: me });
    await endSessionsOf(tx, me, 'password_changed', ctx.actor.sessionId);
  });
}
