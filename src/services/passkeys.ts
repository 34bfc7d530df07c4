import {
  generateAuthenticationOptions, generateRegistrationOptions, verifyAuthenticationResponse, verifyRegistrationResponse,
  type AuthenticationResponseJSON, type PublicKeyCredentialCreationOptionsJSON, type PublicKeyCredentialRequestOptionsJSON, type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { conflict, forbidden, invalid, unauthenticated, type DomainError } from '../domain/errors.ts';
import type { MfaMethodsTable } from '../store/schema.ts';
import type { ServiceContext } from './context.ts';
import { hasMfa, requireFreshSession, type MfaMethodView } from './mfa-methods.ts';
import { endSessionsOf, openSession, rotateSession, type IssuedSession } from './sessions.ts';
import type { SignedIn } from './sign-in.ts';
import { inTransaction, type Tx } from './transaction.ts';

/**
 * Passkeys (WebAuthn, @simplewebauthn/server). The relying party is PIM_PUBLIC_URL: its
 * hostname is the rpID, its origin the only accepted origin; user verification is required,
 * so a passkey alone is multi-factor (possession + PIN/biometric) and phishing-resistant.
 *
 * A pending challenge is not stored in the database: it rides in a short-lived httpOnly cookie
 * sealed with the server key (AES-256-GCM, so it can be neither read nor forged), bound to a
 * purpose and — for registration and step-up — to the user. Replays of a used challenge are
 * refused because a credential only accepts challenges issued after its last use (and a
 * registration only once: the credential then exists).
 */

export const CHALLENGE_TTL_MS = 5 * 60_000;
export type ChallengePurpose = 'register' | 'step_up' | 'sign_in';

interface PendingChallenge { challenge: string; userId: string | null; purpose: ChallengePurpose; issuedAt: number; expiresAt: number }

/** What the client gets back from an options call: the options for navigator.credentials, and the sealed challenge for the cookie. */
export interface Started<T> { options: T; sealed: string; expiresAt: number }

/** The WebAuthn response JSON as sent by the browser (validated by @simplewebauthn/server). */
export type WebAuthnResponse = Record<string, unknown>;

function relyingParty(ctx: ServiceContext): { rpID: string; origin: string } {
  const u = new URL(ctx.config.publicUrl);
  return { rpID: u.hostname, origin: u.origin };
}

const passkeyInvalid = (message: string, details?: Record<string, unknown>) => unauthenticated('auth.passkey_invalid', message, details);
const challengeExpired = () => invalid('auth.challenge_expired', 'The passkey challenge is missing, used or expired: start again.');

function sealChallenge(ctx: ServiceContext, challenge: string, userId: string | null, purpose: ChallengePurpose): string {
  const issuedAt = ctx.clock.nowMs();
  const p: PendingChallenge = { challenge, userId, purpose, issuedAt, expiresAt: issuedAt + CHALLENGE_TTL_MS };
  return ctx.secrets.seal(JSON.stringify(p));
}

/** Opens the sealed challenge from the cookie; anything but an unexpired challenge for this purpose (and user) is auth.challenge_expired. */
function openChallenge(ctx: ServiceContext, sealed: string | undefined, purpose: ChallengePurpose, userId: string | null): PendingChallenge {
  if (sealed === undefined || sealed === '' || sealed.length > 2000) throw challengeExpired();
  let p: PendingChallenge;
  try { p = JSON.parse(ctx.secrets.open(sealed)) as PendingChallenge; } catch { throw challengeExpired(); }
  if (p.purpose !== purpose || p.userId !== userId || typeof p.challenge !== 'string' || ctx.clock.nowMs() >= p.expiresAt) throw challengeExpired();
  return p;
}

function me(ctx: ServiceContext): string {
  if (ctx.actor.type !== 'user' || ctx.actor.id === null) throw forbidden('mfa.users_only', 'MFA methods belong to users.');
  return ctx.actor.id;
}

function sessionOf(ctx: ServiceContext): { userId: string; sessionId: string } {
  const userId = me(ctx);
  if (ctx.actor.via !== 'session' || ctx.actor.sessionId === undefined) throw forbidden('auth.session_required', 'Passkeys are used from a signed-in browser session, not with an API token.');
  return { userId, sessionId: ctx.actor.sessionId };
}

const userHandleOf = (userId: string) => Buffer.from(userId, 'utf8').toString('base64url');
const credentialIdOf = (response: WebAuthnResponse): string => {
  const id = response.id;
  if (typeof id !== 'string' || id === '' || id.length > 1024) throw passkeyInvalid('The passkey response has no credential id.');
  return id;
};
const parseTransports = (t: string | null): string[] | undefined => {
  if (t === null) return undefined;
  try { const v: unknown = JSON.parse(t); return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined; } catch { return undefined; }
};

async function auditFailure(ctx: ServiceContext, action: string, userId: string | null, reason: string, extra: Record<string, unknown> = {}): Promise<void> {
  await inTransaction(ctx, (tx) => tx.audit({ action, outcome: 'failure', targetType: userId === null ? null : 'user', targetId: userId, after: { method: 'passkey', reason, ...extra } }));
}

// ---- registration ------------------------------------------------------------------------

/** Starts registering a passkey: the same bar as TOTP enrolment (a session, with MFA in it once the account has a method). */
export async function startPasskeyRegistration(ctx: ServiceContext): Promise<Started<PublicKeyCredentialCreationOptionsJSON>> {
  const { userId } = sessionOf(ctx);
  await requireFreshSession(ctx, userId);
  const { rpID } = relyingParty(ctx);
  const user = await ctx.db.selectFrom('users').select(['user_principal_name', 'display_name']).where('id', '=', userId).executeTakeFirstOrThrow();
  const existing = await ctx.db.selectFrom('mfa_methods').select(['credential_id', 'transports']).where('user_id', '=', userId).where('type', '=', 'webauthn').execute();
  const options = await generateRegistrationOptions({
    rpName: 'openpim', rpID, userName: user.user_principal_name, userDisplayName: user.display_name,
    userID: new Uint8Array(Buffer.from(userId, 'utf8')), attestationType: 'none', timeout: CHALLENGE_TTL_MS,
    excludeCredentials: existing.filter((c) => c.credential_id !== null).map((c) => ({ id: c.credential_id ?? '', ...(parseTransports(c.transports) ? { transports: parseTransports(c.transports) } : {}) })),
    authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
  });
  const sealed = sealChallenge(ctx, options.challenge, userId, 'register');
  return { options, sealed, expiresAt: ctx.clock.nowMs() + CHALLENGE_TTL_MS };
}

/** Verifies the new credential and stores it (confirmed); registering with user verification is MFA, so the session is rotated with it. */
export async function finishPasskeyRegistration(ctx: ServiceContext, sealed: string | undefined, response: WebAuthnResponse, name: string | undefined): Promise<{ method: MfaMethodView; session: IssuedSession }> {
  const { userId, sessionId } = sessionOf(ctx);
  await requireFreshSession(ctx, userId);
  const p = openChallenge(ctx, sealed, 'register', userId);
  const { rpID, origin } = relyingParty(ctx);
  let info;
  try {
    const v = await verifyRegistrationResponse({ response: response as unknown as RegistrationResponseJSON, expectedChallenge: p.challenge, expectedOrigin: origin, expectedRPID: rpID, requireUserVerification: true });
    if (!v.verified) throw new Error('not verified');
    info = v.registrationInfo;
  } catch (err) {
    await auditFailure(ctx, 'mfa.passkey.registered', userId, 'verification_failed', { error: String((err as Error).message).slice(0, 200) });
    throw invalid('auth.passkey_invalid', 'The passkey could not be verified: try again.');
  }
  const first = !(await hasMfa(ctx.db, userId));
  const id = ctx.ids.uuid();
  return inTransaction(ctx, async (tx) => {
    const taken = await tx.db.selectFrom('mfa_methods').select('id').where('credential_id', '=', info.credential.id).executeTakeFirst();
    if (taken) throw conflict('mfa.passkey_exists', 'This passkey is already registered.');
    const row: MfaMethodsTable = {
      id, user_id: userId, type: 'webauthn', name: name ?? 'Passkey', secret: null, last_used_step: null,
      credential_id: info.credential.id, public_key: Buffer.from(info.credential.publicKey).toString('base64url'), sign_count: info.credential.counter,
      transports: info.credential.transports ? JSON.stringify(info.credential.transports) : null, created_at: tx.nowMs, confirmed_at: tx.nowMs, last_used_at: null,
    };
    await tx.db.insertInto('mfa_methods').values(row).execute();
    await tx.audit({ action: 'mfa.passkey.registered', targetType: 'user', targetId: userId, after: { methodId: id, name: row.name, credentialDeviceType: info.credentialDeviceType, backedUp: info.credentialBackedUp } });
    // The first method: sessions opened with the password alone (anyone's who knew it) end.
    if (first) await endSessionsOf(tx, userId, 'mfa_enrolled', sessionId);
    const session = await rotateSession(ctx, tx, sessionId, tx.nowMs, 'mfa:passkey');
    return { method: { id, type: 'webauthn' as const, name: row.name, confirmed: true, createdAt: new Date(tx.nowMs).toISOString(), lastUsedAt: null }, session };
  });
}

// ---- authentication ----------------------------------------------------------------------

async function authenticationOptions(ctx: ServiceContext, allow: { credential_id: string | null; transports: string | null }[]): Promise<PublicKeyCredentialRequestOptionsJSON> {
  return generateAuthenticationOptions({
    rpID: relyingParty(ctx).rpID, userVerification: 'required', timeout: CHALLENGE_TTL_MS,
    allowCredentials: allow.filter((c) => c.credential_id !== null).map((c) => ({ id: c.credential_id ?? '', ...(parseTransports(c.transports) ? { transports: parseTransports(c.transports) } : {}) })),
  });
}

/**
 * Verifies an assertion against a stored credential and records its use, in one transaction:
 * the signature, origin, rpID hash, user verification and challenge (via the library), then the
 * signature counter (a counter that does not increase, when either side is non-zero, means a
 * cloned authenticator) and the challenge's age (it must be newer than the credential's last use:
 * no replay). Returns a reason on refusal; nothing is written then.
 */
async function verifyAssertion(ctx: ServiceContext, p: PendingChallenge, m: MfaMethodsTable, response: WebAuthnResponse): Promise<{ ok: true; counter: number } | { ok: false; reason: string }> {
  const { rpID, origin } = relyingParty(ctx);
  const stored = m.sign_count ?? 0;
  let counter: number;
  try {
    const v = await verifyAuthenticationResponse({
      response: response as unknown as AuthenticationResponseJSON, expectedChallenge: p.challenge, expectedOrigin: origin, expectedRPID: rpID, requireUserVerification: true,
      credential: { id: m.credential_id ?? '', publicKey: new Uint8Array(Buffer.from(m.public_key ?? '', 'base64url')), counter: stored, ...(parseTransports(m.transports) ? { transports: parseTransports(m.transports) } : {}) },
    });
    if (!v.verified) return { ok: false, reason: 'verification_failed' };
    counter = v.authenticationInfo.newCounter;
  } catch (err) {
    const msg = String((err as Error).message);
    return { ok: false, reason: /counter/i.test(msg) ? 'counter_not_increased' : 'verification_failed' };
  }
  // The library refuses this already; kept explicit because it is the clone check we promise.
  if (counter > 0 && stored > 0 && counter <= stored) return { ok: false, reason: 'counter_not_increased' };
  if (m.last_used_at !== null && m.last_used_at >= p.issuedAt) return { ok: false, reason: 'challenge_replayed' };
  return { ok: true, counter };
}

/** Records the use; the conditions make two concurrent uses of one challenge (or counter) win once. */
async function recordUse(tx: Tx, m: MfaMethodsTable, p: PendingChallenge, counter: number): Promise<boolean> {
  const r = await tx.db.updateTable('mfa_methods').set({ sign_count: counter, last_used_at: tx.nowMs }).where('id', '=', m.id)
    .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', p.issuedAt)]))
    .where((eb) => (m.sign_count === null ? eb('sign_count', 'is', null) : eb('sign_count', '=', m.sign_count))).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Step-up in a session with one of the user's passkeys. */
export async function startPasskeyStepUp(ctx: ServiceContext): Promise<Started<PublicKeyCredentialRequestOptionsJSON>> {
  const { userId } = sessionOf(ctx);
  const mine = await ctx.db.selectFrom('mfa_methods').select(['credential_id', 'transports']).where('user_id', '=', userId).where('type', '=', 'webauthn').where('confirmed_at', 'is not', null).execute();
  if (mine.length === 0) throw conflict('mfa.no_passkey', 'You have no passkey: register one first.');
  const options = await authenticationOptions(ctx, mine);
  return { options, sealed: sealChallenge(ctx, options.challenge, userId, 'step_up'), expiresAt: ctx.clock.nowMs() + CHALLENGE_TTL_MS };
}

export async function finishPasskeyStepUp(ctx: ServiceContext, sealed: string | undefined, response: WebAuthnResponse): Promise<IssuedSession> {
  const { userId, sessionId } = sessionOf(ctx);
  const p = openChallenge(ctx, sealed, 'step_up', userId);
  const credentialId = credentialIdOf(response);
  const m = await ctx.db.selectFrom('mfa_methods').selectAll().where('user_id', '=', userId).where('type', '=', 'webauthn').where('credential_id', '=', credentialId).where('confirmed_at', 'is not', null).executeTakeFirst();
  const verdict = m ? await verifyAssertion(ctx, p, m, response) : { ok: false as const, reason: 'unknown_credential' };
  const session = m && verdict.ok ? await inTransaction(ctx, async (tx) => {
    if (!(await recordUse(tx, m, p, verdict.counter))) return null;
    await tx.audit({ action: 'mfa.verified', targetType: 'user', targetId: userId, after: { method: 'passkey', methodId: m.id } });
    return rotateSession(ctx, tx, sessionId, tx.nowMs, 'mfa:passkey');
  }) : null;
  if (session === null) {
    const reason = verdict.ok ? 'challenge_replayed' : verdict.reason;
    await auditFailure(ctx, 'mfa.verified', userId, reason);
    throw passkeyInvalid('The passkey could not be verified: try again.', { reason });
  }
  return session;
}

/** Passwordless sign-in: discoverable credentials, so the browser offers whichever passkey the person has for this site. */
export async function startPasskeySignIn(ctx: ServiceContext): Promise<Started<PublicKeyCredentialRequestOptionsJSON>> {
  const options = await authenticationOptions(ctx, []);
  return { options, sealed: sealChallenge(ctx, options.challenge, null, 'sign_in'), expiresAt: ctx.clock.nowMs() + CHALLENGE_TTL_MS };
}

/** Verifies the assertion and opens a session with MFA done (the passkey verified the user). */
export async function finishPasskeySignIn(ctx: ServiceContext, sealed: string | undefined, response: WebAuthnResponse, userAgent?: string): Promise<SignedIn> {
  const p = openChallenge(ctx, sealed, 'sign_in', null);
  const credentialId = credentialIdOf(response);
  const m = await ctx.db.selectFrom('mfa_methods').selectAll().where('type', '=', 'webauthn').where('credential_id', '=', credentialId).where('confirmed_at', 'is not', null).executeTakeFirst();
  const refuse = async (reason: string, userId: string | null, err: DomainError = passkeyInvalid('This passkey could not be verified here.', { reason })) => {
    await inTransaction(ctx, (tx) => tx.audit({ action: 'auth.sign_in', outcome: 'failure', targetType: userId === null ? null : 'user', targetId: userId, after: { method: 'passkey', reason, credentialId: credentialId.slice(0, 100) } }));
    return err;
  };
  if (!m) throw await refuse('unknown_credential', null);
  const handle = (response.response as { userHandle?: unknown } | undefined)?.userHandle;
  if (typeof handle === 'string' && handle !== '' && handle !== userHandleOf(m.user_id)) throw await refuse('user_handle_mismatch', m.user_id);
  const user = await ctx.db.selectFrom('users').select(['id', 'user_principal_name', 'display_name', 'enabled', 'deleted_at']).where('id', '=', m.user_id).executeTakeFirst();
  if (!user || user.enabled !== 1 || user.deleted_at !== null) throw await refuse('account_disabled', m.user_id, forbidden('auth.account_disabled', 'This account is disabled.'));
  const verdict = await verifyAssertion(ctx, p, m, response);
  if (!verdict.ok) throw await refuse(verdict.reason, m.user_id);
  const session = await inTransaction(ctx, async (tx) => {
    if (!(await recordUse(tx, m, p, verdict.counter))) return null;
    await tx.db.updateTable('users').set({ last_sign_in_at: tx.nowMs }).where('id', '=', user.id).execute();
    await tx.audit({ action: 'auth.sign_in', targetType: 'user', targetId: user.id, after: { method: 'passkey', mfa: true, methodId: m.id } });
    return openSession(ctx, tx, user.id, { mfaAt: tx.nowMs, method: 'passkey', userAgent });
  });
  if (session === null) throw await refuse('challenge_replayed', m.user_id);
  return { user: { id: user.id, userPrincipalName: user.user_principal_name, displayName: user.display_name }, session };
}
