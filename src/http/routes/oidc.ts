import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { DomainError } from '../../domain/errors.ts';
import { withActor, type ServiceContext } from '../../services/context.ts';
import { CALLBACK_PATH, finishOidc, LOGIN_TTL_MS, signInProviders, startOidc } from '../../services/oidc-sign-in.ts';
import { authenticateSession } from '../../services/sessions.ts';
import { listIdentities, listMyIdentities, unlinkIdentity } from '../../services/sso-identities.ts';
import { IdParams } from '../../contract/common.ts';
import { OidcCallbackQuery, OidcStartQuery, Providers, SsoIdentityList, UserIdentityParams } from '../../contract/sso.ts';
import { headerText, sessionCookieName, setSessionCookies } from '../session-cookies.ts';
import type { App } from '../types.ts';
import { ANY_USER, PUBLIC, USER_ADMIN } from './access.ts';

/**
 * Binds a login to the browser that started it: the state also rides in this cookie, and the
 * callback must bring both (so nobody can send a victim a callback link of their own login).
 * Only sent to the OIDC routes; gone after the callback or ten minutes.
 */
const STATE_COOKIE = 'pim_oidc_state';
const STATE_PATH = '/api/v1/auth/oidc';

const Redirect = Type.Null({ description: 'A redirect: see the Location header' });

/** Public routes read the session cookie only where they need it (step-up); a dead cookie counts as none. */
async function withSession(req: FastifyRequest): Promise<ServiceContext> {
  const token = req.cookies[sessionCookieName(req.ctx.config.publicUrl.startsWith('https:'))];
  if (token === undefined || token === '') return req.ctx;
  try {
    return withActor(req.ctx, await authenticateSession(req.ctx, token, req.ip));
  } catch (err) {
    if (err instanceof DomainError) return req.ctx;
    throw err;
  }
}

export function oidcRoutes(app: App): void {
  const tags = ['sign-in'];
  const secure = app.pimConfig.publicUrl.startsWith('https:');
  const clearState = (reply: FastifyReply) => reply.clearCookie(STATE_COOKIE, { path: STATE_PATH, httpOnly: true, sameSite: 'lax', secure });

  app.get('/api/v1/auth/providers', {
    config: { access: PUBLIC },
    schema: { tags, summary: 'How one may sign in here: password, and single sign-on when configured', response: { 200: Providers } },
  }, (req) => signInProviders(req.ctx));

  app.get('/api/v1/auth/oidc/start', {
    config: { access: PUBLIC },
    schema: {
      tags, summary: 'Sign in with single sign-on: redirects to the OpenID Connect provider',
      description: 'With stepUp=1 (in a signed-in session) the provider is asked to authenticate again now (max_age=0, prompt=login, acr_values from PIM_OIDC_MFA_ACR): the session then gets fresh MFA when the provider reports it. 404 auth.sso_not_configured when single sign-on is off; 400 auth.return_to_invalid unless returnTo is a path on this site.',
      querystring: OidcStartQuery, response: { 302: Redirect },
    },
  }, async (req, reply) => {
    const stepUp = req.query.stepUp === '1' || req.query.stepUp === 'true';
    const ctx = stepUp ? await withSession(req) : req.ctx;
    const s = await startOidc(ctx, { returnTo: req.query.returnTo, stepUp });
    reply.setCookie(STATE_COOKIE, s.state, { path: STATE_PATH, httpOnly: true, sameSite: 'lax', secure, maxAge: LOGIN_TTL_MS / 1000 });
    return reply.redirect(s.url, 302);
  });

  app.get('/api/v1/auth/oidc/callback', {
    config: { access: PUBLIC },
    schema: {
      tags, summary: 'Where the OpenID Connect provider sends the browser back; sets the session cookie and redirects to returnTo',
      description: 'A browser (Accept: text/html) is redirected to /?error=<code> on a refusal, where the portal explains it; other clients get the error. Refusals: 400 auth.sso_state_invalid (unknown, used, expired, or started in another browser), 401 auth.sso_failed, 403 auth.sso_no_user / auth.account_disabled / auth.sso_user_mismatch / auth.sso_mfa_missing, 409 auth.sso_link_conflict.',
      querystring: OidcCallbackQuery, response: { 302: Redirect },
    },
  }, async (req, reply) => {
    const q = req.url.indexOf('?');
    // The URL the provider redirected to (PIM_PUBLIC_URL may sit behind a proxy or under a path).
    const currentUrl = new URL(`${app.pimConfig.publicUrl}${CALLBACK_PATH}${q >= 0 ? req.url.slice(q) : ''}`);
    const boundState = req.cookies[STATE_COOKIE];
    clearState(reply);
    const ctx = await withSession(req);
    let done: Awaited<ReturnType<typeof finishOidc>>;
    try {
      done = await finishOidc(ctx, currentUrl, { boundState, userAgent: headerText(req.headers['user-agent']) });
    } catch (err) {
      // A browser back from the provider gets the sign-in page with the reason (by code only:
      // the portal words it, so a crafted link cannot put text of its own on our page), not JSON.
      if (err instanceof DomainError && (headerText(req.headers.accept) ?? '').includes('text/html')) {
        return reply.redirect(`/?error=${encodeURIComponent(err.code)}`, 302);
      }
      throw err;
    }
    setSessionCookies(reply, done.session, secure);
    return reply.redirect(done.returnTo, 302);
  });

  app.get('/api/v1/me/identities', {
    config: { access: ANY_USER },
    schema: { tags, summary: 'My single sign-on identities (provider issuer and subject)', response: { 200: SsoIdentityList } },
  }, (req) => listMyIdentities(req.ctx));
  app.delete('/api/v1/me/identities/:id', {
    config: { access: ANY_USER },
    schema: { tags, summary: 'Unlink one of my single sign-on identities (a session with MFA from the last 15 minutes)', params: IdParams, response: { 204: Type.Null() } },
  }, async (req, reply) => { await unlinkIdentity(req.ctx, req.ctx.actor.id ?? '', req.params.id); return reply.status(204).send(null); });
  app.get('/api/v1/users/:id/identities', {
    config: { access: USER_ADMIN },
    schema: { tags, summary: 'A user\'s single sign-on identities (a privileged user\'s: Privileged Role / Global Administrators)', params: IdParams, response: { 200: SsoIdentityList } },
  }, (req) => listIdentities(req.ctx, req.params.id));
  app.delete('/api/v1/users/:id/identities/:identityId', {
    config: { access: USER_ADMIN },
    schema: { tags, summary: 'Unlink a user\'s single sign-on identity (audited); their next SSO sign-in matches by verified email again', params: UserIdentityParams, response: { 204: Type.Null() } },
  }, async (req, reply) => { await unlinkIdentity(req.ctx, req.params.id, req.params.identityId); return reply.status(204).send(null); });
}
