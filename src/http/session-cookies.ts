import type { FastifyReply } from 'fastify';
import type { IssuedSession } from '../services/sessions.ts';

/**
 * Over https the cookies carry the `__Host-` prefix: the browser then accepts them only with
 * Secure, Path=/ and no Domain, so a sibling subdomain (or a plain-http page on the same
 * host) cannot plant or overwrite our session (session fixation). Plain http (local use,
 * tests) cannot use the prefix and keeps the bare names.
 */
const NAMES = {
  plain: { session: 'pim_session', csrf: 'pim_csrf' },
  secure: { session: '__Host-pim_session', csrf: '__Host-pim_csrf' },
} as const;

export function sessionCookieName(secure: boolean): string {
  return (secure ? NAMES.secure : NAMES.plain).session;
}

export function csrfCookieName(secure: boolean): string {
  return (secure ? NAMES.secure : NAMES.plain).csrf;
}

/**
 * The session cookie is httpOnly (scripts never see it), SameSite=Lax (sent on top-level
 * navigation such as a mail link, not on cross-site writes), Secure when served over https.
 * The CSRF token is readable by our page so it can echo it in x-csrf-token.
 */
export function setSessionCookies(reply: FastifyReply, s: IssuedSession, secure: boolean): void {
  const common = { path: '/', sameSite: 'lax' as const, secure, expires: new Date(s.expiresAt) };
  reply.setCookie(sessionCookieName(secure), s.token, { ...common, httpOnly: true });
  reply.setCookie(csrfCookieName(secure), s.csrfToken, { ...common, httpOnly: false });
}

/** Clears both spellings: a deployment may have moved between http and https. */
export function clearSessionCookies(reply: FastifyReply): void {
  reply.clearCookie(NAMES.plain.session, { path: '/' });
  reply.clearCookie(NAMES.plain.csrf, { path: '/' });
  reply.clearCookie(NAMES.secure.session, { path: '/', secure: true });
  reply.clearCookie(NAMES.secure.csrf, { path: '/', secure: true });
}

/** A request header as one string (Node gives arrays for repeated headers). */
export function headerText(h: string | string[] | undefined): string | undefined {
  return Array.isArray(h) ? h[0] : h;
}
