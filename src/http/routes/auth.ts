import { Type } from 'typebox';
import { ChangePassword, ConfirmedTotp, ConfirmTotp, CurrentSession, Ended, MethodParams, MfaMethod, PasswordSignIn, RecoveryCodes, RenameMfaMethod, SecondFactorInput, Session, SessionInfo, SetPassword, StartTotp, TotpEnrolment } from '../../contract/auth.ts';
import { IdParams } from '../../contract/common.ts';
import { confirmTotp, enrolTotp, listMyMethods, newRecoveryCodes, removeMyMethod, renameMyMethod, resetUserMfa } from '../../services/mfa-methods.ts';
import { currentSession, endAllSessions, endUserSessions, listSessions, sessionUser, signOut, type IssuedSession } from '../../services/sessions.ts';
import { changeMyPassword, setUserPassword, signInWithPassword, stepUp } from '../../services/sign-in.ts';
import { clearSessionCookies, headerText, setSessionCookies } from '../session-cookies.ts';
import type { App } from '../types.ts';
import { ANY_USER, ASSIGNMENT_ADMIN, PUBLIC, USER_ADMIN } from './access.ts';

const info = (user: { id: string; userPrincipalName: string; displayName: string }, s: IssuedSession) => ({
  user, csrfToken: s.csrfToken, expiresAt: new Date(s.expiresAt).toISOString(), mfaAt: s.mfaAt === null ? null : new Date(s.mfaAt).toISOString(),
});

export function authRoutes(app: App): void {
  const tags = ['sign-in'];
  const secure = app.pimConfig.publicUrl.startsWith('https:');

  app.post('/api/v1/auth/sign-in', {
    config: { access: PUBLIC },
    schema: {
      tags, summary: 'Sign in with password (and the second factor when the user has one); sets the session cookie',
      description: 'Without totp/recoveryCode for a user who has MFA the answer is 401 auth.mfa_required: ask for the code and send both again. Failed sign-ins are throttled per account and address, and per address (429 auth.throttled).',
      body: PasswordSignIn, response: { 200: SessionInfo },
    },
  }, async (req, reply) => {
    const r = await signInWithPassword(req.ctx, { ...req.body, userAgent: headerText(req.headers['user-agent']) });
    setSessionCookies(reply, r.session, secure);
    return info(r.user, r.session);
  });
  app.post('/api/v1/auth/mfa', {
    config: { access: ANY_USER },
    schema: { tags, summary: 'Step-up MFA in this session (TOTP or a recovery code); the session gets a new id', body: SecondFactorInput, response: { 200: SessionInfo } },
  }, async (req, reply) => {
    const s = await stepUp(req.ctx, req.body);
    setSessionCookies(reply, s, secure);
    return info(await sessionUser(req.ctx, req.ctx.actor.id ?? ''), s);
  });
  app.post('/api/v1/auth/sign-out', { config: { access: ANY_USER }, schema: { tags, summary: 'End this session', response: { 204: Type.Null() } } },
    async (req, reply) => { await signOut(req.ctx); clearSessionCookies(reply); return reply.status(204).send(null); });
  app.get('/api/v1/auth/session', { config: { access: ANY_USER }, schema: { tags, summary: 'Who is signed in, how, and when MFA was last done', response: { 200: CurrentSession } } },
    (req) => currentSession(req.ctx));

  const mfa = ['mfa'];
  app.get('/api/v1/me/mfa', { config: { access: ANY_USER }, schema: { tags: mfa, summary: 'My MFA methods', response: { 200: Type.Object({ items: Type.Array(MfaMethod) }, { additionalProperties: false }) } } },
    (req) => listMyMethods(req.ctx));
  app.post('/api/v1/me/mfa/totp', { config: { access: ANY_USER }, schema: { tags: mfa, summary: 'Start enrolling an authenticator app (signed-in session; MFA first if you already have a method)', body: StartTotp, response: { 201: TotpEnrolment } } },
    async (req, reply) => reply.status(201).send(await enrolTotp(req.ctx, req.body.name)));
  app.post('/api/v1/me/mfa/totp/:id/confirm', { config: { access: ANY_USER }, schema: { tags: mfa, summary: 'Confirm the enrolment with a current code (counts as MFA: the session gets a new id)', params: MethodParams, body: ConfirmTotp, response: { 200: ConfirmedTotp } } },
    async (req, reply) => {
      const r = await confirmTotp(req.ctx, req.params.id, req.body.code);
      if (r.session !== null) setSessionCookies(reply, r.session, secure);
      return { method: r.method, session: r.session === null ? null : info(await sessionUser(req.ctx, req.ctx.actor.id ?? ''), r.session) };
    });
  app.delete('/api/v1/me/mfa/:id', { config: { access: ANY_USER }, schema: { tags: mfa, summary: 'Remove one of my MFA methods (recovery-codes: all my recovery codes)', params: MethodParams, response: { 204: Type.Null() } } },
    async (req, reply) => { await removeMyMethod(req.ctx, req.params.id); return reply.status(204).send(null); });
  app.patch('/api/v1/me/mfa/:id', { config: { access: ANY_USER }, schema: { tags: mfa, summary: 'Rename one of my MFA methods (an authenticator app or a passkey; same bar as removing one)', params: MethodParams, body: RenameMfaMethod, response: { 200: MfaMethod } } },
    (req) => renameMyMethod(req.ctx, req.params.id, req.body.name));
  app.post('/api/v1/me/mfa/recovery-codes', { config: { access: ANY_USER }, schema: { tags: mfa, summary: 'New single-use recovery codes (shown once; earlier unused ones stop working)', response: { 201: RecoveryCodes } } },
    async (req, reply) => reply.status(201).send(await newRecoveryCodes(req.ctx)));
  app.delete('/api/v1/users/:id/mfa', { config: { access: USER_ADMIN }, schema: { tags: mfa, summary: 'Reset a user\'s MFA methods and end their sessions (privileged users: Privileged Role / Global Administrators)', params: IdParams, response: { 204: Type.Null() } } },
    async (req, reply) => { await resetUserMfa(req.ctx, req.params.id); return reply.status(204).send(null); });

  app.post('/api/v1/users/:id/password', { config: { access: USER_ADMIN }, schema: { tags, summary: 'Set a user\'s password (their sessions end)', params: IdParams, body: SetPassword, response: { 204: Type.Null() } } },
    async (req, reply) => { await setUserPassword(req.ctx, req.params.id, req.body.password); return reply.status(204).send(null); });
  app.put('/api/v1/me/password', { config: { access: ANY_USER }, schema: { tags, summary: 'Change my password (my other sessions end)', body: ChangePassword, response: { 204: Type.Null() } } },
    async (req, reply) => { await changeMyPassword(req.ctx, req.body.currentPassword, req.body.newPassword); return reply.status(204).send(null); });

  const sessions = ['sessions'];
  app.get('/api/v1/me/sessions', { config: { access: ANY_USER }, schema: { tags: sessions, summary: 'My open sessions', response: { 200: Type.Object({ items: Type.Array(Session) }, { additionalProperties: false }) } } },
    (req) => listSessions(req.ctx, req.ctx.actor.id ?? ''));
  app.get('/api/v1/users/:id/sessions', { config: { access: ANY_USER }, schema: { tags: sessions, summary: 'A user\'s open sessions (yours, or anyone\'s for user administrators)', params: IdParams, response: { 200: Type.Object({ items: Type.Array(Session) }, { additionalProperties: false }) } } },
    (req) => listSessions(req.ctx, req.params.id));
  app.delete('/api/v1/users/:id/sessions', { config: { access: ANY_USER }, schema: { tags: sessions, summary: 'End all of a user\'s sessions (yours, or anyone\'s for user administrators)', params: IdParams, response: { 200: Ended } } },
    (req) => endUserSessions(req.ctx, req.params.id));
  app.delete('/api/v1/sessions', { config: { access: ASSIGNMENT_ADMIN }, schema: { tags: sessions, summary: 'End every session of every user (incident response)', response: { 200: Ended } } },
    (req) => endAllSessions(req.ctx));
}
