import { SessionInfo } from '../../contract/auth.ts';
import { SetupInput, SetupStatus } from '../../contract/setup.ts';
import { randomIds } from '../../ids.ts';
import { needsBootstrap } from '../../services/bootstrap.ts';
import { completeSetup, SetupCode } from '../../services/first-run-setup.ts';
import { headerText, setSessionCookies } from '../session-cookies.ts';
import type { App } from '../types.ts';
import { PUBLIC } from './access.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** This process's one-time first-run setup code (`pim serve` prints the setup URL with it while no administrator exists). */
    firstRunSetupCode: string;
  }
}

/** First-run setup (GET/POST /api/v1/setup): the browser equivalent of `pim bootstrap`. */
export function setupRoutes(app: App): void {
  const tags = ['setup'];
  const secure = app.pimConfig.publicUrl.startsWith('https:');
  // 32 random bytes, made per process and kept in memory only: a restart makes a new one.
  const code = new SetupCode(randomIds.secret(32));
  app.decorate('firstRunSetupCode', code.value);

  app.get('/api/v1/setup', {
    config: { access: PUBLIC },
    schema: { tags, summary: 'Whether first-run setup is needed (no administrator exists yet)', response: { 200: SetupStatus } },
  }, async (req) => ({ required: await needsBootstrap(req.ctx) }));

  app.post('/api/v1/setup', {
    config: { access: PUBLIC },
    schema: {
      tags, summary: 'Create the first Global Administrator with a password and sign them in (empty database only)',
      description: 'Needs the one-time setup code printed by the server at start. 403 setup.invalid_code for a wrong code; 409 setup.already_done once an administrator exists; 400 auth.password_weak for a weak password. The new session has no MFA yet: enrol an authenticator app next (POST /api/v1/me/mfa/totp).',
      body: SetupInput, response: { 201: SessionInfo },
    },
  }, async (req, reply) => {
    const r = await completeSetup(req.ctx, code, { ...req.body, userAgent: headerText(req.headers['user-agent']) });
    setSessionCookies(reply, r.session, secure);
    return reply.status(201).send({
      user: r.user, csrfToken: r.session.csrfToken, expiresAt: new Date(r.session.expiresAt).toISOString(),
      mfaAt: r.session.mfaAt === null ? null : new Date(r.session.mfaAt).toISOString(),
    });
  });
}
