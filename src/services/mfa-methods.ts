import { MINUTE_MS } from '../domain/duration.ts';
import QRCode from 'qrcode';
import { checkTotp, newTotpSecret, totpUri } from '../auth/totp.ts';
import { conflict, forbidden, invalid, notFound } from '../domain/errors.ts';
import { ASSIGNMENT_ADMINS, USER_ADMINS } from '../domain/roles.ts';
import type { MfaMethodsTable } from '../store/schema.ts';
import { requireRoles } from './authorize.ts';
import type { ServiceContext } from './context.ts';
import { isoOrNull, iso } from './mappers.ts';
import { holdsPrivilegedRole } from './privileged.ts';
import { endSessionsOf, rotateSession, type IssuedSession } from './sessions.ts';
import { inTransaction, type Tx } from './transaction.ts';
import { sha256Hex as sha256 } from '../auth/tokens.ts';

export const RECOVERY_CODE_COUNT = 10;
/** An unconfirmed enrolment can be confirmed for this long. */
export const ENROLMENT_TTL_MS = 10 * 60_000;

export interface SecondFactor {
  totp?: string | undefined;
  recoveryCode?: string | undefined;
}

export interface MfaMethodView { id: string; type: 'totp' | 'webauthn' | 'recovery'; name: string; confirmed: boolean; createdAt: string | null; lastUsedAt: string | null }

function toMethod(m: MfaMethodsTable): MfaMethodView {
  return { id: m.id, type: m.type, name: m.name, confirmed: m.confirmed_at !== null, createdAt: iso(m.created_at), lastUsedAt: isoOrNull(m.last_used_at) };
}

/** Whether the user has a confirmed second factor (then sign-in asks for it). */
/** The kinds of second factor a user can complete sign-in with (for auth.mfa_required's details.methods). */
export async function mfaMethodKinds(db: ServiceContext['db'], userId: string): Promise<('totp' | 'webauthn' | 'recovery')[]> {
  const types = await db.selectFrom('mfa_methods').select('type').distinct().where('user_id', '=', userId).where('confirmed_at', 'is not', null).execute();
  const codes = await db.selectFrom('recovery_codes').select('id').where('user_id', '=', userId).where('used_at', 'is', null).executeTakeFirst();
  const kinds = new Set(types.map((t) => t.type));
  return [...(kinds.has('totp') ? ['totp' as const] : []), ...(kinds.has('webauthn') ? ['webauthn' as const] : []), ...(codes ? ['recovery' as const] : [])];
}

export async function hasMfa(db: ServiceContext['db'], userId: string): Promise<boolean> {
  return (await db.selectFrom('mfa_methods').select('id').where('user_id', '=', userId).where('confirmed_at', 'is not', null).executeTakeFirst()) !== undefined;
}

/**
 * Verifies a TOTP code or a recovery code for a user, in the caller's transaction, and uses it
 * up: a TOTP code's time step (and every earlier one) is refused afterwards, a recovery code
 * works once. Returns what was used, or null.
 */
export async function useSecondFactor(ctx: ServiceContext, tx: Tx, userId: string, f: SecondFactor): Promise<'totp' | 'recovery' | null> {
  if (f.totp !== undefined) {
    const methods = await tx.db.selectFrom('mfa_methods').selectAll().where('user_id', '=', userId).where('type', '=', 'totp').where('confirmed_at', 'is not', null).execute();
    for (const m of methods) {
      const step = await checkTotp(ctx.secrets.open(m.secret ?? ''), f.totp, tx.nowMs);
      if (step === null) continue;
      if (m.last_used_step !== null && step <= m.last_used_step) return null; // replay
      const won = await tx.db.updateTable('mfa_methods').set({ last_used_step: step, last_used_at: tx.nowMs }).where('id', '=', m.id)
        .where((eb) => eb.or([eb('last_used_step', 'is', null), eb('last_used_step', '<', step)])).executeTakeFirst();
      if (Number(won.numUpdatedRows) !== 1) return null;
      await tx.audit({ action: 'mfa.verified', targetType: 'user', targetId: userId, after: { method: 'totp', methodId: m.id } });
      return 'totp';
    }
    return null;
  }
  if (f.recoveryCode !== undefined) {
    const hash = sha256(f.recoveryCode.replace(/[\s-]/g, '').toLowerCase());
    const r = await tx.db.updateTable('recovery_codes').set({ used_at: tx.nowMs }).where('user_id', '=', userId).where('code_hash', '=', hash).where('used_at', 'is', null).executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) return null;
    await tx.audit({ action: 'mfa.verified', targetType: 'user', targetId: userId, after: { method: 'recovery_code' } });
    return 'recovery';
  }
  return null;
}

function self(ctx: ServiceContext): string {
  if (ctx.actor.type !== 'user' || ctx.actor.id === null) throw forbidden('mfa.users_only', 'MFA methods belong to users.');
  return ctx.actor.id;
}

/** Sensitive self-service (changing MFA methods, minting an API token) needs MFA at most this old. */
export const SENSITIVE_MFA_MAX_AGE_MS = 15 * MINUTE_MS;

/**
 * Changing one's methods needs a signed-in session, and recent MFA in it once a method exists:
 * a stolen password alone cannot add a method, and neither can a session left open for hours.
 */
export async function requireFreshSession(ctx: ServiceContext, userId: string): Promise<void> {
  if (ctx.actor.via !== 'session') throw forbidden('auth.session_required', 'Manage MFA methods from a signed-in session, not with an API token.');
  await requireRecentMfa(ctx, userId);
}

/** For a user who has MFA: refuses unless this session proved it within SENSITIVE_MFA_MAX_AGE_MS. */
export async function requireRecentMfa(ctx: ServiceContext, userId: string): Promise<void> {
  if (!(await hasMfa(ctx.db, userId))) return;
  const maxAgeMinutes = SENSITIVE_MFA_MAX_AGE_MS / MINUTE_MS;
  if (ctx.actor.mfaAt === undefined) throw forbidden('auth.mfa_required', 'Prove MFA in this session first (POST /api/v1/auth/mfa).', { reason: 'missing', maxAgeMinutes });
  if (ctx.clock.nowMs() - ctx.actor.mfaAt > SENSITIVE_MFA_MAX_AGE_MS) {
    throw forbidden('auth.mfa_required', `Prove MFA again: this needs MFA from the last ${maxAgeMinutes} minutes (POST /api/v1/auth/mfa).`, { reason: 'stale', maxAgeMinutes });
  }
}

export async function listMyMethods(ctx: ServiceContext): Promise<{ items: MfaMethodView[] }> {
  const me = self(ctx);
  const rows = await ctx.db.selectFrom('mfa_methods').selectAll().where('user_id', '=', me).orderBy('created_at').execute();
  const codes = await ctx.db.selectFrom('recovery_codes').select('id').where('user_id', '=', me).where('used_at', 'is', null).execute();
  return { items: [...rows.map(toMethod), ...(codes.length > 0 ? [{ id: 'recovery-codes', type: 'recovery' as const, name: `${codes.length} recovery codes left`, confirmed: true, createdAt: null, lastUsedAt: null }] : [])] };
}

/** Starts TOTP enrolment: a new secret, its otpauth URI and a QR code. It counts once confirmed with a code. */
export async function enrolTotp(ctx: ServiceContext, name: string | undefined): Promise<{ id: string; secret: string; otpauthUri: string; qrCode: string }> {
  const me = self(ctx);
  await requireFreshSession(ctx, me);
  const user = await ctx.db.selectFrom('users').select('user_principal_name').where('id', '=', me).executeTakeFirstOrThrow();
  const secret = newTotpSecret();
  const uri = totpUri(secret, 'openpim', user.user_principal_name);
  const id = ctx.ids.uuid();
  await inTransaction(ctx, async (tx) => {
    const pending = await tx.db.selectFrom('mfa_methods').select('id').where('user_id', '=', me).where('confirmed_at', 'is', null).execute();
    if (pending.length >= 5) throw conflict('mfa.too_many_pending', 'Confirm or remove the enrolments you started before starting another.');
    await tx.db.insertInto('mfa_methods').values({
      id, user_id: me, type: 'totp', name: name ?? 'Authenticator app', secret: ctx.secrets.seal(secret), last_used_step: null,
      credential_id: null, public_key: null, sign_count: null, transports: null, created_at: tx.nowMs, confirmed_at: null, last_used_at: null,
    }).execute();
    await tx.audit({ action: 'mfa.totp.enrolment_started', targetType: 'user', targetId: me, after: { methodId: id } });
  });
  return { id, secret, otpauthUri: uri, qrCode: await QRCode.toDataURL(uri) };
}

/** Confirms an enrolment with a current code; that is MFA done, so the session is rotated with it. */
export async function confirmTotp(ctx: ServiceContext, id: string, code: string): Promise<{ method: MfaMethodView; session: IssuedSession | null }> {
  const me = self(ctx);
  // The same bar as starting one: a password-only session cannot finish an enrolment once the account has MFA.
  await requireFreshSession(ctx, me);
  const first = !(await hasMfa(ctx.db, me));
  return inTransaction(ctx, async (tx) => {
    const m = await tx.db.selectFrom('mfa_methods').selectAll().where('id', '=', id).where('user_id', '=', me).executeTakeFirst();
    if (!m || m.type !== 'totp') throw notFound('mfa.not_found', 'No such MFA method.', { id });
    if (m.confirmed_at !== null) throw conflict('mfa.already_confirmed', 'This method is already confirmed.');
    if (tx.nowMs - m.created_at > ENROLMENT_TTL_MS) throw conflict('mfa.enrolment_expired', 'This enrolment is older than 10 minutes: remove it and start again.');
    const step = await checkTotp(ctx.secrets.open(m.secret ?? ''), code, tx.nowMs);
    if (step === null) throw invalid('auth.invalid_mfa', 'That code is not valid now: check the authenticator app\'s time and try the next code.');
    await tx.db.updateTable('mfa_methods').set({ confirmed_at: tx.nowMs, last_used_step: step, last_used_at: tx.nowMs }).where('id', '=', id).execute();
    await tx.audit({ action: 'mfa.totp.enrolled', targetType: 'user', targetId: me, after: { methodId: id, name: m.name } });
    // The first method: sessions opened with the password alone (anyone's who knew it) end.
    if (first) await endSessionsOf(tx, me, 'mfa_enrolled', ctx.actor.sessionId);
    const session = ctx.actor.sessionId !== undefined ? await rotateSession(ctx, tx, ctx.actor.sessionId, tx.nowMs, 'mfa') : null;
    return { method: toMethod({ ...m, confirmed_at: tx.nowMs }), session };
  });
}

export async function removeMyMethod(ctx: ServiceContext, id: string): Promise<void> {
  const me = self(ctx);
  await requireFreshSession(ctx, me);
  await inTransaction(ctx, async (tx) => {
    if (id === 'recovery-codes') {
      await tx.db.deleteFrom('recovery_codes').where('user_id', '=', me).execute();
      await tx.audit({ action: 'mfa.recovery_codes.removed', targetType: 'user', targetId: me });
      return;
    }
    const m = await tx.db.selectFrom('mfa_methods').selectAll().where('id', '=', id).where('user_id', '=', me).executeTakeFirst();
    if (!m) throw notFound('mfa.not_found', 'No such MFA method.', { id });
    await tx.db.deleteFrom('mfa_methods').where('id', '=', id).execute();
    await tx.audit({ action: 'mfa.method.removed', targetType: 'user', targetId: me, before: { methodId: id, type: m.type, name: m.name } });
  });
}

/** Renames one of my methods (a TOTP app or a passkey): the same bar as removing one, as the name is what the user goes by when removing. */
export async function renameMyMethod(ctx: ServiceContext, id: string, name: string): Promise<MfaMethodView> {
  const me = self(ctx);
  await requireFreshSession(ctx, me);
  const trimmed = name.trim();
  if (trimmed === '') throw invalid('mfa.name_invalid', 'Give the method a name.');
  return inTransaction(ctx, async (tx) => {
    const m = await tx.db.selectFrom('mfa_methods').selectAll().where('id', '=', id).where('user_id', '=', me).executeTakeFirst();
    if (!m) throw notFound('mfa.not_found', 'No such MFA method.', { id });
    await tx.db.updateTable('mfa_methods').set({ name: trimmed }).where('id', '=', id).execute();
    await tx.audit({ action: 'mfa.method.renamed', targetType: 'user', targetId: me, before: { methodId: id, name: m.name }, after: { methodId: id, name: trimmed } });
    return toMethod({ ...m, name: trimmed });
  });
}

/** Ten single-use recovery codes, shown once, stored hashed; earlier unused ones stop working. */
export async function newRecoveryCodes(ctx: ServiceContext): Promise<{ codes: string[] }> {
  const me = self(ctx);
  await requireFreshSession(ctx, me);
  if (!(await hasMfa(ctx.db, me))) throw conflict('mfa.method_required', 'Enrol an authenticator first; recovery codes back it up.');
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const raw = ctx.ids.secret(8).replace(/[^a-zA-Z0-9]/g, '').toLowerCase().padEnd(10, '0').slice(0, 10);
    return `${raw.slice(0, 5)}-${raw.slice(5)}`;
  });
  await inTransaction(ctx, async (tx) => {
    await tx.db.deleteFrom('recovery_codes').where('user_id', '=', me).where('used_at', 'is', null).execute();
    for (const c of codes) await tx.db.insertInto('recovery_codes').values({ id: ctx.ids.uuid(), user_id: me, code_hash: sha256(c.replace('-', '')), created_at: tx.nowMs, used_at: null }).execute();
    await tx.audit({ action: 'mfa.recovery_codes.created', targetType: 'user', targetId: me, after: { count: codes.length } });
  });
  return { codes };
}

/**
 * An administrator removes all of a user's MFA methods and recovery codes (lost phone) and ends
 * their sessions. Resetting a privileged user's MFA needs a Privileged Role / Global
 * Administrator, as it hands over the account's second factor.
 */
export async function resetUserMfa(ctx: ServiceContext, userId: string): Promise<void> {
  await requireRoles(ctx, USER_ADMINS, 'mfa.reset');
  const u = await ctx.db.selectFrom('users').select('id').where('id', '=', userId).where('deleted_at', 'is', null).executeTakeFirst();
  if (!u) throw notFound('user.not_found', 'No such user.', { id: userId });
  if (await holdsPrivilegedRole({ db: ctx.db, nowMs: ctx.clock.nowMs() }, userId)) await requireRoles(ctx, ASSIGNMENT_ADMINS, 'mfa.reset.privileged');
  await inTransaction(ctx, async (tx) => {
    const removed = await tx.db.deleteFrom('mfa_methods').where('user_id', '=', userId).executeTakeFirst();
    await tx.db.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
    // A reset answers a lost or compromised factor: the account's tokens go with its sessions.
    const tokens = await tx.db.updateTable('api_tokens').set({ revoked_at: tx.nowMs }).where('owner_id', '=', userId).where('revoked_at', 'is', null).executeTakeFirst();
    await tx.audit({ action: 'mfa.reset', targetType: 'user', targetId: userId, after: { methodsRemoved: Number(removed.numDeletedRows), tokensRevoked: Number(tokens.numUpdatedRows) } });
    await endSessionsOf(tx, userId, 'mfa_reset');
  });
}
