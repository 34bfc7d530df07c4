import type { FastifyReply, FastifyRequest } from 'fastify';
import { SessionInfo } from '../../contract/auth.ts';
import { FinishPasskeyRegistration, PasskeyAssertion, RegisteredPasskey, WebAuthnOptions } from '../../contract/passkeys.ts';
import {
  CHALLENGE_TTL_MS, finishPasskeyRegistration, finishPasskeySignIn, finishPasskeyStepUp, startPasskeyRegistration, startPasskeySignIn, startPasskeyStepUp, type Started,
} from '../../services/passkeys.ts';
import { sessionUser, type IssuedSession } from '../../services/sessions.ts';
import { headerText, setSessionCookies } from '../session-cookies.ts';
import type { App } from '../types.ts';
import { ANY_USER, PUBLIC } from './access.ts';

/** The pending challenge: sealed with the server key, httpOnly, only sent to the API, gone after 5 minutes or its first use. */
export const CHALLENGE_COOKIE = 'pim_webauthn';
const CHALLENGE_PATH = '/api/v1';

const info = (user: { id: string; userPrincipalName: string; displayName: string }, s: IssuedSession) => ({
  user, csrfToken: s.csrfToken, expiresAt: new Date(s.expiresAt).toISOString(), mfaAt: s.mfaAt === null ? null : new Date(s.mfaAt).toISOString(),
});

export function passkeyRoutes(app: App): void {
  const secure = app.pimConfig.publicUrl.startsWith('https:');
  const cookieOptions = { path: CHALLENGE_PATH, httpOnly: true, sameSite: 'strict' as const, secure };
  const issue = <T>(reply: FastifyReply, s: Started<T>) => {
    reply.setCookie(CHALLENGE_COOKIE, s.sealed, { ...cookieOptions, maxAge: CHALLENGE_TTL_MS / 1000 });
    return { options: s.options, expiresAt: new Date(s.expiresAt).toISOString() };
  };
  /** Takes the challenge out of the cookie and clears it: one try per challenge, success or not. */
  const take = (req: FastifyRequest, reply: FastifyReply): string | undefined => {
    const sealed = req.cookies[CHALLENGE_COOKIE];
    reply.clearCookie(CHALLENGE_COOKIE, cookieOptions);
    return sealed;
  };
  const mfa = ['mfa'];
  const signIn = ['sign-in'];

  app.post('/api/v1/me/mfa/passkeys/options', {
    config: { access: ANY_USER },
    schema: { tags: mfa, summary: 'Start registering a passkey (signed-in session; MFA first if you already have a method); sets the challenge cookie', response: { 200: WebAuthnOptions } },
  }, async (req, reply) => issue(reply, await startPasskeyRegistration(req.ctx)));
  app.post('/api/v1/me/mfa/passkeys', {
    config: { access: ANY_USER },
    schema: { tags: mfa, summary: 'Finish registering a passkey (counts as MFA: the session gets a new id)', body: FinishPasskeyRegistration, response: { 201: RegisteredPasskey } },
  }, async (req, reply) => {
    const r = await finishPasskeyRegistration(req.ctx, take(req, reply), req.body.response, req.body.name);
    setSessionCookies(reply, r.session, secure);
    return reply.status(201).send({ method: r.method, session: info(await sessionUser(req.ctx, req.ctx.actor.id ?? ''), r.session) });
  });

  app.post('/api/v1/auth/mfa/passkey/options', {
    config: { access: ANY_USER },
    schema: { tags: signIn, summary: 'Start a step-up with one of my passkeys (signed-in session); sets the challenge cookie', response: { 200: WebAuthnOptions } },
  }, async (req, reply) => issue(reply, await startPasskeyStepUp(req.ctx)));
  app.post('/api/v1/auth/mfa/passkey', {
    config: { access: ANY_USER },
    schema: { tags: signIn, summary: 'Step-up MFA with a passkey; the session gets a new id', body: PasskeyAssertion, response: { 200: SessionInfo } },
  }, async (req, reply) => {
    const s = await finishPasskeyStepUp(req.ctx, take(req, reply), req.body.response);
    setSessionCookies(reply, s, secure);
    return info(await sessionUser(req.ctx, req.ctx.actor.id ?? ''), s);
  });

  app.post('/api/v1/auth/passkey/options', {
    config: { access: PUBLIC },
    schema: { tags: signIn, summary: 'Start a passwordless sign-in with a passkey (discoverable credentials); sets the challenge cookie', response: { 200: WebAuthnOptions } },
  }, async (req, reply) => issue(reply, await startPasskeySignIn(req.ctx)));
  app.post('/api/v1/auth/passkey', {
    config: { access: PUBLIC },
    schema: { tags: signIn, summary: 'Sign in with a passkey (phishing-resistant; counts as MFA); sets the session cookie', body: PasskeyAssertion, response: { 200: SessionInfo } },
  }, async (req, reply) => {
    const r = await finishPasskeySignIn(req.ctx, take(req, reply), req.body.response, headerText(req.headers['user-agent']));
    setSessionCookies(reply, r.session, secure);
    return info(r.user, r.session);
  });
}
