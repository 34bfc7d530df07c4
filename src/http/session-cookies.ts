import type { FastifyReply } from 'fastify';
import type { IssuedSession } from '../services/sessions.ts';

export const SESSION_COOKIE = 'pim_session';
export const CSRF_COOKIE = 'pim_csrf';

/**
 * The session cookie is httpOnly (scripts never see it), SameSite=Lax (sent on top-level
 * navigation such as a mail link, not on cross-site writes), Secure when served over https.
 * The CSRF token is readable by our page so it can echo it in x-csrf-token.
 */
export function setSessionCookies(reply: FastifyReply, s: IssuedSession, secure: boolean): void {
  const common = { path: '/', sameSite: 'lax' as const, secure, expires: new Date(s.expiresAt) };
  reply.setCookie(SESSION_COOKIE, s.token, { ...common, httpOnly: true });
  reply.setCookie(CSRF_COOKIE, s.csrfToken, { ...common, httpOnly: false });
}

export function clearSessionCookies(reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, { path: '/' });
  reply.clearCookie(CSRF_COOKIE, { path: '/' });
}

/** A request header as one string (Node gives arrays for repeated headers). */
export function headerText(h: string | string[] | undefined): string | undefined {
  return Array.isArray(h) ? h[0] : h;
}
