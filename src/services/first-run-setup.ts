import { timingSafeEqual } from 'node:crypto';
import { hashPassword } from '../auth/passwords.ts';
import { sha256Hex } from '../auth/tokens.ts';
import { conflict, forbidden, invalid } from '../domain/errors.ts';
import { checkPassword } from '../domain/password-policy.ts';
import { insertFirstAdmin, needsBootstrap } from './bootstrap.ts';
import type { ServiceContext } from './context.ts';
import { openSession, type IssuedSession } from './sessions.ts';
import type { SignedIn } from './sign-in.ts';
import { inTransaction } from './transaction.ts';

/**
 * The first-run setup page creates the first administrator from a browser. Only whoever can
 * read the server's start-up output may do it: the server makes a random one-time code at
 * start (kept in memory only, never stored) and prints the setup URL carrying it.
 */
export class SetupCode {
  private readonly hash: Buffer;
  constructor(readonly value: string) {
    this.hash = Buffer.from(sha256Hex(value), 'hex');
  }
  /** Constant time: compares hashes of equal length, whatever was given. */
  matches(given: string): boolean {
    return timingSafeEqual(Buffer.from(sha256Hex(given), 'hex'), this.hash);
  }
}

const UPN = /^[^\s@]+@[^\s@]+$/;

/**
 * Creates the first Global Administrator (permanent active, with Privileged Role
 * Administrator, as `pim bootstrap` does) with a password, and signs them in: the page then
 * enrols an authenticator app through the ordinary MFA endpoints.
 */
export async function completeSetup(ctx: ServiceContext, code: SetupCode, input: { code: string; userPrincipalName: string; displayName: string; password: string; userAgent?: string | undefined }): Promise<SignedIn & { session: IssuedSession }> {
  if (!(await needsBootstrap(ctx))) throw conflict('setup.already_done', 'An administrator exists already: sign in instead.');
  if (!code.matches(input.code)) {
    await inTransaction(ctx, (tx) => tx.audit({ action: 'setup.refused', outcome: 'failure', after: { reason: 'bad_code' } }));
    throw forbidden('setup.invalid_code', 'The setup code is wrong: use the setup URL the server printed when it started (a restart prints a new one).');
  }
  const upn = input.userPrincipalName.trim();
  if (!UPN.test(upn)) throw invalid('setup.invalid_upn', 'The sign-in name must look like alice@example.com.', { field: 'userPrincipalName' });
  const displayName = input.displayName.trim();
  if (displayName === '') throw invalid('setup.invalid_display_name', 'Give a display name.', { field: 'displayName' });
  checkPassword(input.password, upn);
  const hash = await hashPassword(input.password);
  return inTransaction(ctx, async (tx) => {
    const user = await insertFirstAdmin(ctx, tx, { upn, displayName, via: 'setup', reuseUser: false });
    await tx.db.insertInto('user_passwords').values({ user_id: user.id, password_hash: hash, changed_at: tx.nowMs }).execute();
    await tx.audit({ action: 'password.set', targetType: 'user', targetId: user.id, after: { via: 'setup' } });
    await tx.db.updateTable('users').set({ last_sign_in_at: tx.nowMs }).where('id', '=', user.id).execute();
    await tx.audit({ action: 'bootstrap.completed', targetType: 'user', targetId: user.id, after: { userPrincipalName: user.user_principal_name, via: 'setup' } });
    const session = await openSession(ctx, tx, user.id, { mfaAt: null, method: 'setup', userAgent: input.userAgent });
    return { user: { id: user.id, userPrincipalName: user.user_principal_name, displayName }, session };
  });
}
