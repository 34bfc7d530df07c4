import { timingSafeEqual } from 'node:crypto';
import * as oidc from 'openid-client';
import type { OidcConfig } from '../config.ts';
import { DomainError, forbidden, invalid, notFound, unauthenticated } from '../domain/errors.ts';
import { MINUTE_MS } from '../domain/duration.ts';
import type { ServiceContext } from './context.ts';
import { openSession, rotateSession, type IssuedSession } from './sessions.ts';
import { beginAddressAttempt, forgetAttempt } from './sign-in.ts';
import { inTransaction, type Tx } from './transaction.ts';
import { sha256Hex as sha256 } from '../auth/tokens.ts';

/**
 * Single sign-on with OpenID Connect (authorization code flow with PKCE S256, state and
 * nonce; openid-client 6). The provider says who the person is and how they authenticated;
 * openpim decides which user that is and what the sign-in is worth:
 *
 * - matching: the (issuer, sub) link first; else the *verified* email against users'
 *   userPrincipalName, then mail (and the link is made); else a new user when
 *   PIM_OIDC_CREATE_USERS allows (upn = the verified email). Disabled users are refused.
 * - MFA: `amr` contains one of MFA_AMR, or `acr` is one of PIM_OIDC_MFA_ACR.
 * - step-up: a new authorization request with max_age=0 and prompt=login (and acr_values
 *   when PIM_OIDC_MFA_ACR is set); auth_time must be fresh; the session is rotated with
 *   the new MFA time.
 */

/** Lifetime of a login under way: from the redirect to the provider to the callback. */
export const LOGIN_TTL_MS = 10 * MINUTE_MS;
/** Leeway between our clock and the provider's when judging auth_time. */
const CLOCK_LEEWAY_MS = 60_000;
export const CALLBACK_PATH = '/api/v1/auth/oidc/callback';

/**
 * Authentication method references (RFC 8176) that mean more than a password was used:
 * `mfa` (multiple factors), `hwk` / `swk` (proof of a hardware- / software-held key: passkeys,
 * security keys), `otp` (one-time code), `fpt` / `face` (biometrics, which providers only
 * report as an unlocking factor of a key or device). Not counted: `pwd`, `pin`, `sms`, `kba`
 * and others — a PIN, a text message or a secret question alone are not the second factor
 * privileged roles ask for.
 */
export const MFA_AMR: readonly string[] = ['mfa', 'hwk', 'swk', 'otp', 'fpt', 'face'];

/** Pure: did the provider report MFA? */
export function mfaDone(claims: Readonly<Record<string, unknown>>, mfaAcr: readonly string[]): boolean {
  const amr = Array.isArray(claims.amr) ? claims.amr.filter((x): x is string => typeof x === 'string') : [];
  if (amr.some((m) => MFA_AMR.includes(m))) return true;
  return typeof claims.acr === 'string' && mfaAcr.includes(claims.acr);
}

/**
 * Pure: a place on this site to go back to after sign-in. Only a path on our own origin:
 * starts with one '/', not '//' (a scheme-relative URL elsewhere); printable ASCII (URL-encoded)
 * without spaces or backslashes, which browsers may read as '/'.
 */
export function safeReturnTo(returnTo: string | undefined): string {
  if (returnTo === undefined || returnTo === '') return '/';
  const ok = returnTo.length <= 2000 && /^\/[\x21-\x5b\x5d-\x7e]*$/.test(returnTo) && !returnTo.startsWith('//');
  if (!ok) throw invalid('auth.return_to_invalid', 'returnTo must be a path on this site, starting with a single "/".', { returnTo: returnTo.slice(0, 200) });
  return returnTo;
}


function configured(ctx: ServiceContext): OidcConfig {
  const c = ctx.config.oidc;
  if (c === null) throw notFound('auth.sso_not_configured', 'Single sign-on is not configured on this server (PIM_OIDC_ISSUER, PIM_OIDC_CLIENT_ID).');
  return c;
}

/** What the sign-in page needs to offer the SSO button. */
export function signInProviders(ctx: ServiceContext): { password: true; oidc: { enabled: boolean; startUrl: string | null } } {
  return { password: true, oidc: { enabled: ctx.config.oidc !== null, startUrl: ctx.config.oidc === null ? null : '/api/v1/auth/oidc/start' } };
}

/** Discovery once per process (per issuer and client); a failed discovery is retried next time. */
const discovered = new Map<string, Promise<oidc.Configuration>>();

async function clientOf(ctx: ServiceContext, c: OidcConfig): Promise<oidc.Configuration> {
  const key = `${c.issuer}\n${c.clientId}\n${sha256(c.clientSecret ?? '')}`;
  let p = discovered.get(key);
  if (p === undefined) {
    const insecure = new URL(c.issuer).protocol === 'http:'; // config allows it on loopback hosts only
    p = oidc.discovery(new URL(c.issuer), c.clientId, c.clientSecret === undefined ? {} : { client_secret: c.clientSecret },
      c.clientSecret === undefined ? oidc.None() : oidc.ClientSecretBasic(c.clientSecret),
      { timeout: 10, ...(insecure ? { execute: [oidc.allowInsecureRequests] } : {}) });
    discovered.set(key, p);
    p.catch(() => { discovered.delete(key); });
  }
  try {
    return await p;
  } catch (err) {
    ctx.log.warn({ err, issuer: c.issuer }, 'OIDC discovery failed');
    throw new DomainError('Unavailable', 'auth.sso_unavailable', 'The identity provider cannot be reached: try again later, or sign in with a password.');
  }
}

export interface OidcStarted {
  /** Where to send the browser. */
  url: string;
  /** Also set in a short-lived cookie by the caller: it binds the callback to this browser. */
  state: string;
  expiresAt: number;
}

/**
 * Starts a sign-in (or, with stepUp, a re-authentication for the signed-in session in
 * ctx.actor) at the provider. The login is kept server-side, keyed by a hash of the state,
 * with the PKCE verifier sealed under the server key.
 */
export async function startOidc(ctx: ServiceContext, o: { returnTo?: string | undefined; stepUp?: boolean | undefined } = {}): Promise<OidcStarted> {
  const c = configured(ctx);
  const returnTo = safeReturnTo(o.returnTo);
  let stepUpSessionId: string | null = null;
  if (o.stepUp === true) {
    if (ctx.actor.via !== 'session' || ctx.actor.sessionId === undefined || ctx.actor.id === null) {
      throw forbidden('auth.session_required', 'Step-up at the identity provider happens in a signed-in session: sign in first.');
    }
    stepUpSessionId = ctx.actor.sessionId;
  }
  const client = await clientOf(ctx, c);
  const state = ctx.ids.secret(32);
  const nonce = ctx.ids.secret(32);
  const verifier = ctx.ids.secret(48);
  const params: Record<string, string> = {
    redirect_uri: `${ctx.config.publicUrl}${CALLBACK_PATH}`,
    scope: c.scopes.join(' '),
    response_type: 'code',
    state, nonce,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  };
  if (stepUpSessionId !== null) {
    params.max_age = '0';
    params.prompt = 'login';
    if (c.mfaAcr.length > 0) params.acr_values = c.mfaAcr.join(' ');
  }
  const url = oidc.buildAuthorizationUrl(client, params);
  const now = ctx.clock.nowMs();
  await ctx.db.deleteFrom('oidc_logins').where('expires_at', '<=', now).execute();
  await ctx.db.insertInto('oidc_logins').values({
    id: sha256(state), code_verifier: ctx.secrets.seal(verifier), nonce, return_to: returnTo, step_up_session_id: stepUpSessionId,
    created_at: now, expires_at: now + LOGIN_TTL_MS,
  }).execute();
  return { url: url.href, state, expiresAt: now + LOGIN_TTL_MS };
}

export interface OidcFinished {
  kind: 'signIn' | 'stepUp';
  user: { id: string; userPrincipalName: string; displayName: string };
  session: IssuedSession;
  returnTo: string;
}

interface Identity {
  issuer: string;
  subject: string;
  email: string | null;
  emailVerified: boolean;
  name: string | null;
  mfa: boolean;
  /** When the person last authenticated at the provider (ms), capped at now. */
  authAt: number;
  amr: string[];
  acr: string | null;
}

type Refusal = { reason: string; error: DomainError; userId?: string | null };
const refusedState = (reason: string): Refusal => ({ reason, error: invalid('auth.sso_state_invalid', 'This sign-in link is unknown, used or expired: start the sign-in again.') });
const failed = (reason: string, details: Record<string, unknown> = {}): Refusal => ({ reason, error: unauthenticated('auth.sso_failed', 'Single sign-on failed: start the sign-in again.', { reason, ...details }) });

/** A refused sign-in is audited in a transaction of its own (it commits), then thrown. */
async function refuse(ctx: ServiceContext, r: Refusal): Promise<never> {
  await inTransaction(ctx, (tx) => auditRefusal(tx, r));
  throw r.error;
}
const auditRefusal = (tx: Tx, r: Refusal) => tx.audit({
  action: 'auth.sign_in', outcome: 'failure', targetType: r.userId ? 'user' : null, targetId: r.userId ?? null,
  after: { method: 'oidc', reason: r.reason, code: r.error.code },
});

const same = (a: string, b: string) => {
  const x = Buffer.from(sha256(a), 'hex');
  const y = Buffer.from(sha256(b), 'hex');
  return timingSafeEqual(x, y);
};

/** Takes the login for this state, once: the row is deleted by whoever gets it first. */
async function takeLogin(ctx: ServiceContext, state: string) {
  const id = sha256(state);
  const row = await ctx.db.selectFrom('oidc_logins').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) return null;
  const gone = await ctx.db.deleteFrom('oidc_logins').where('id', '=', id).executeTakeFirst();
  if (Number(gone.numDeletedRows) !== 1) return null; // someone else used it at the same moment
  return row;
}

function errorDetails(err: unknown): Record<string, unknown> {
  if (err instanceof oidc.AuthorizationResponseError) return { error: err.error, errorDescription: err.error_description?.slice(0, 300) ?? null };
  if (err instanceof oidc.ResponseBodyError) return { error: err.error };
  const code = (err as { code?: unknown }).code;
  return { error: typeof code === 'string' ? code : 'invalid_response' };
}

const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null);

/**
 * Completes a login at the callback. `currentUrl` is the callback URL as the browser called it
 * (on PIM_PUBLIC_URL); `boundState` the state from the browser's login cookie — it must match,
 * so a callback link made by someone else cannot sign this browser in (login CSRF).
 * For a step-up, ctx.actor must be the session the step-up was started from.
 */
export async function finishOidc(ctx: ServiceContext, currentUrl: URL, o: { boundState?: string | undefined; userAgent?: string | undefined } = {}): Promise<OidcFinished> {
  // A refused callback counts against the caller's address like a failed password, so junk
  // callbacks (each one audited, some calling the IdP) are throttled too.
  const attempt = await beginAddressAttempt(ctx);
  const done = await finishCallback(ctx, currentUrl, o);
  await forgetAttempt(ctx, attempt);
  return done;
}

async function finishCallback(ctx: ServiceContext, currentUrl: URL, o: { boundState?: string | undefined; userAgent?: string | undefined }): Promise<OidcFinished> {
  const c = configured(ctx);
  const state = currentUrl.searchParams.get('state');
  if (state === null || state === '' || state.length > 512) return refuse(ctx, refusedState('state_missing'));
  if (o.boundState === undefined || !same(o.boundState, state)) return refuse(ctx, refusedState('state_not_bound'));
  const login = await takeLogin(ctx, state);
  if (login === null) return refuse(ctx, refusedState('state_unknown_or_used'));
  if (login.expires_at <= ctx.clock.nowMs()) return refuse(ctx, refusedState('state_expired'));
  const stepUp = login.step_up_session_id !== null;

  const client = await clientOf(ctx, c);
  let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
  try {
    // Checks: state, PKCE, the iss response parameter when offered; the ID token's
    // signature, iss, aud/azp, exp/iat, nonce, and with maxAge: 0 a fresh auth_time.
    tokens = await oidc.authorizationCodeGrant(client, currentUrl, {
      expectedState: state, expectedNonce: login.nonce, pkceCodeVerifier: ctx.secrets.open(login.code_verifier), idTokenExpected: true,
      ...(stepUp ? { maxAge: 0 } : {}),
    });
  } catch (err) {
    ctx.log.info({ err }, 'OIDC callback refused');
    return refuse(ctx, failed(err instanceof oidc.AuthorizationResponseError ? 'idp_error' : 'token_invalid', errorDetails(err)));
  }
  const claims = tokens.claims();
  if (claims === undefined) return refuse(ctx, failed('no_id_token'));

  // Profile claims may come only from userinfo (providers conforming to OIDC Core 5.4 keep
  // the ID token small); who and how someone authenticated comes from the ID token alone.
  let profile: Record<string, unknown> = claims;
  if (claims.email === undefined && client.serverMetadata().userinfo_endpoint !== undefined) {
    try {
      profile = { ...(await oidc.fetchUserInfo(client, tokens.access_token, claims.sub)), sub: claims.sub };
    } catch (err) {
      ctx.log.info({ err }, 'OIDC userinfo failed');
      return refuse(ctx, failed('userinfo_failed', errorDetails(err)));
    }
  }
  const now = ctx.clock.nowMs();
  const authTime = typeof claims.auth_time === 'number' ? claims.auth_time * 1000 : claims.iat * 1000;
  const email = str(profile.email);
  const id: Identity = {
    issuer: claims.iss, subject: claims.sub,
    email: email !== null && email.length <= 256 && /^[^@\s]+@[^@\s]+$/.test(email) ? email : null,
    emailVerified: profile.email_verified === true,
    name: str(profile.name)?.slice(0, 256) ?? null,
    mfa: mfaDone(claims, c.mfaAcr),
    authAt: Math.min(authTime, now),
    amr: Array.isArray(claims.amr) ? claims.amr.filter((x): x is string => typeof x === 'string').slice(0, 20) : [],
    acr: typeof claims.acr === 'string' ? claims.acr : null,
  };

  if (stepUp) {
    // The provider re-authenticated the person after we asked (max_age=0), not earlier.
    if (typeof claims.auth_time !== 'number' || authTime < login.created_at - CLOCK_LEEWAY_MS) return refuse(ctx, failed('auth_time_stale'));
    return finishStepUp(ctx, c, id, login.step_up_session_id ?? '', login.return_to);
  }
  return finishSignIn(ctx, c, id, login.return_to, o.userAgent);
}

type UserRow = { id: string; user_principal_name: string; display_name: string; enabled: number; deleted_at: number | null };
const userCols = ['id', 'user_principal_name', 'display_name', 'enabled', 'deleted_at'] as const;

/**
 * Which user this provider account is: the link, else the verified email (userPrincipalName
 * first, then mail). Returns how it was found; never writes.
 */
async function resolveUser(tx: Tx, id: Identity): Promise<{ user: UserRow; linked: boolean } | { user: null; reason: string; ambiguous?: boolean }> {
  const link = await tx.db.selectFrom('user_identities').select('user_id').where('issuer', '=', id.issuer).where('subject', '=', id.subject).executeTakeFirst();
  if (link) {
    const user = await tx.db.selectFrom('users').select(userCols).where('id', '=', link.user_id).executeTakeFirst();
    return user ? { user, linked: true } : { user: null, reason: 'linked_user_missing' };
  }
  if (id.email === null) return { user: null, reason: 'no_email' };
  if (!id.emailVerified) return { user: null, reason: 'email_not_verified' };
  const lower = id.email.toLowerCase();
  const byUpn = await tx.db.selectFrom('users').select(userCols).where('upn_lower', '=', lower).executeTakeFirst();
  if (byUpn) return { user: byUpn, linked: false };
  const byMail = await tx.db.selectFrom('users').select(userCols).where((eb) => eb(eb.fn('lower', ['mail']), '=', lower)).limit(2).execute();
  if (byMail.length > 1) return { user: null, reason: 'email_ambiguous', ambiguous: true };
  return byMail[0] ? { user: byMail[0], linked: false } : { user: null, reason: 'no_user' };
}

const noUser = (reason: string) => forbidden('auth.sso_no_user', 'No openpim user matches this sign-in. Ask an administrator to create your user (with your email as user name or mail).', { reason });
const disabled = () => forbidden('auth.account_disabled', 'This account is disabled.');

/** Links the provider account to the user (first sign-in by email); one account per provider per user. */
async function link(ctx: ServiceContext, tx: Tx, userId: string, id: Identity, via: string): Promise<Refusal | null> {
  const other = await tx.db.selectFrom('user_identities').select('subject').where('user_id', '=', userId).where('issuer', '=', id.issuer).executeTakeFirst();
  if (other) {
    // The provider gave this email to a different account (reassigned address?): do not hand over the user.
    return { reason: 'linked_to_other_subject', userId, error: new DomainError('Conflict', 'auth.sso_link_conflict', 'This user is already linked to another account at the identity provider. An administrator must unlink it first.') };
  }
  await tx.db.insertInto('user_identities').values({ id: ctx.ids.uuid(), user_id: userId, issuer: id.issuer, subject: id.subject, created_at: tx.nowMs, last_used_at: tx.nowMs }).execute();
  await tx.audit({ action: 'user.identity_linked', targetType: 'user', targetId: userId, after: { issuer: id.issuer, subject: id.subject, via } });
  return null;
}

async function finishSignIn(ctx: ServiceContext, c: OidcConfig, id: Identity, returnTo: string, userAgent: string | undefined): Promise<OidcFinished> {
  const out = await inTransaction(ctx, async (tx): Promise<OidcFinished | Refusal> => {
    const found = await resolveUser(tx, id);
    let user: UserRow;
    if (found.user !== null) {
      user = found.user;
      if (user.enabled !== 1 || user.deleted_at !== null) return { reason: 'account_disabled', userId: user.id, error: disabled() };
      if (!found.linked) {
        const refused = await link(ctx, tx, user.id, id, 'verified_email');
        if (refused) return refused;
      }
    } else {
      const email = id.email;
      if (found.reason !== 'no_user' || !c.createUsers || email === null) return { reason: !c.createUsers && found.reason === 'no_user' ? 'user_creation_off' : found.reason, error: noUser(found.reason) };
      const display = id.name ?? email.split('@')[0] ?? email;
      user = { id: ctx.ids.uuid(), user_principal_name: email, display_name: display, enabled: 1, deleted_at: null };
      await tx.db.insertInto('users').values({
        ...user, upn_lower: email.toLowerCase(), mail: email, manager_id: null, last_sign_in_at: null, created_at: tx.nowMs, updated_at: tx.nowMs,
      }).execute();
      await tx.audit({ action: 'user.created', targetType: 'user', targetId: user.id, after: { userPrincipalName: email, displayName: display, enabled: true, via: 'oidc', issuer: id.issuer } });
      const refused = await link(ctx, tx, user.id, id, 'created');
      if (refused) return refused;
    }
    await tx.db.updateTable('user_identities').set({ last_used_at: tx.nowMs }).where('issuer', '=', id.issuer).where('subject', '=', id.subject).execute();
    await tx.db.updateTable('users').set({ last_sign_in_at: tx.nowMs }).where('id', '=', user.id).execute();
    const mfaAt = id.mfa ? id.authAt : null;
    await tx.audit({ action: 'auth.sign_in', targetType: 'user', targetId: user.id, after: { method: 'oidc', mfa: id.mfa, issuer: id.issuer, amr: id.amr, acr: id.acr } });
    const session = await openSession(ctx, tx, user.id, { mfaAt, method: id.mfa ? 'oidc+mfa' : 'oidc', userAgent });
    return { kind: 'signIn', user: { id: user.id, userPrincipalName: user.user_principal_name, displayName: user.display_name }, session, returnTo };
  });
  if ('error' in out) return refuse(ctx, out);
  return out;
}

async function finishStepUp(ctx: ServiceContext, c: OidcConfig, id: Identity, sessionId: string, returnTo: string): Promise<OidcFinished> {
  // The browser finishing the step-up must still be in the session that started it.
  if (ctx.actor.sessionId !== sessionId || ctx.actor.id === null) {
    return refuse(ctx, { reason: 'step_up_session_changed', error: forbidden('auth.session_required', 'The step-up must finish in the session that started it: sign in again.') });
  }
  const me = ctx.actor.id;
  const out = await inTransaction(ctx, async (tx): Promise<OidcFinished | Refusal> => {
    const found = await resolveUser(tx, id);
    if (found.user === null || found.user.id !== me) {
      return { reason: 'step_up_other_user', userId: me, error: forbidden('auth.sso_user_mismatch', 'You re-authenticated at the identity provider as someone else than the signed-in user.') };
    }
    if (found.user.enabled !== 1 || found.user.deleted_at !== null) return { reason: 'account_disabled', userId: me, error: disabled() };
    if (!id.mfa) {
      return { reason: 'step_up_without_mfa', userId: me, error: forbidden('auth.sso_mfa_missing', 'The identity provider did not report MFA for this sign-in.', { amr: id.amr, acr: id.acr, mfaAcr: c.mfaAcr }) };
    }
    if (!found.linked) {
      const refused = await link(ctx, tx, me, id, 'verified_email');
      if (refused) return refused;
    }
    await tx.db.updateTable('user_identities').set({ last_used_at: tx.nowMs }).where('issuer', '=', id.issuer).where('subject', '=', id.subject).execute();
    await tx.audit({ action: 'mfa.verified', targetType: 'user', targetId: me, after: { method: 'oidc', issuer: id.issuer, amr: id.amr, acr: id.acr } });
    const session = await rotateSession(ctx, tx, sessionId, id.authAt, 'oidc+mfa');
    return { kind: 'stepUp', user: { id: me, userPrincipalName: found.user.user_principal_name, displayName: found.user.display_name }, session, returnTo };
  });
  if ('error' in out) return refuse(ctx, out);
  return out;
}
