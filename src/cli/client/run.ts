import type { Role } from '../../contract/roles.ts';
import { CredentialsError, loadCredentials, type Credentials } from './credentials.ts';
import { ApiError, PimClient } from './http.ts';
import { EXIT } from './output.ts';
import { NoTerminal } from './prompt.ts';
import { isClearText, UrlError } from './url.ts';

/** What every signed-in command shares: the client, the transport rule, and failures turned into advice and exit codes. */

export class CliError extends Error {
  constructor(message: string, readonly exitCode: number) { super(message); }
}

export const HINTS: Record<string, string> = {
  'auth.invalid_token': 'Your login has expired or was revoked: run `pim login`.',
  'auth.session_expired': 'Run `pim login` again.',
  'auth.mfa_required': 'Pass --totp <code> (or run it on a terminal to be asked).',
  'request.not_eligible': 'Run `pim roles` to see what you are eligible for.',
  'policy.justification_required': 'Add --reason "…".',
  'policy.ticket_required': 'Add --ticket SYSTEM:NUMBER.',
  'policy.duration_exceeds_maximum': 'Ask for a shorter --duration.',
  'request.deactivation_too_soon': 'Try again a little later.',
  'request.extend_too_early': 'Extensions open 14 days before the end.',
  'auth.unauthenticated': 'Run `pim login`.',
  'auth.token_scope': 'This token cannot do that: run `pim login` to get a CLI token (api scope).',
  'auth.forbidden': 'If you are eligible for a role that may do this, activate it first (`pim roles`, `pim activate`).',
  'auth.throttled': 'Too many failed sign-ins: wait and try again.',
  'mail.not_found': '`pim mail list` shows the ids of kept mail.',
  'delivery.not_failed': 'Only failed deliveries are retried: `pim deliveries --status failed` lists them.',
};

function exitFor(e: ApiError): number {
  if (e.status === 0) return EXIT.unreachable;
  // A wrong code is a refusal, not a lost login.
  if (e.status === 401 && e.code !== 'auth.invalid_mfa' && e.code !== 'auth.invalid_credentials') return EXIT.notSignedIn;
  return e.status >= 500 || (e.status >= 300 && e.status < 400) ? EXIT.failure : EXIT.refused;
}

/** Runs an action; turns failures into a message that says what to do and a meaningful exit code. */
export function run<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (err) {
      if (err instanceof ApiError) {
        const hint = HINTS[err.code];
        process.stderr.write(`error: ${err.message} (${err.code})${hint !== undefined ? `\n${hint}` : ''}\n`);
        process.exit(exitFor(err));
      }
      if (err instanceof CliError) {
        process.stderr.write(`error: ${err.message}\n`);
        process.exit(err.exitCode);
      }
      if (err instanceof NoTerminal) {
        process.stderr.write(`error: ${err.message}\n`);
        process.exit(EXIT.usage);
      }
      if (err instanceof UrlError) {
        process.stderr.write(`error: ${err.message}\n`);
        process.exit(EXIT.usage);
      }
      if (err instanceof CredentialsError) {
        process.stderr.write(`error: ${err.message}\n`);
        process.exit(EXIT.notSignedIn);
      }
      throw err;
    }
  };
}

/**
 * Plain http to another machine would carry passwords, MFA codes and tokens in clear: refused
 * unless the user accepted it (--insecure, PIM_INSECURE=1), and then warned about each time.
 * Loopback http stays allowed: nothing leaves the machine.
 */
export function guardTransport(url: string, accepted: boolean, howToAccept: string): void {
  if (!isClearText(url)) return;
  if (!accepted) throw new CliError(`${url} is plain http to another machine: passwords, MFA codes and tokens would cross the network in clear. Use an https:// address, or ${howToAccept}.`, EXIT.usage);
  process.stderr.write(`warning: ${url} is plain http: your password, codes and token cross the network in clear.\n`);
}

export function signedIn(): { client: PimClient; creds: Credentials } {
  const creds = loadCredentials();
  if (!creds) throw new CliError('Not signed in: run `pim login --url <server>` first (or set PIM_URL and PIM_TOKEN).', EXIT.notSignedIn);
  const fromEnv = process.env.PIM_URL !== undefined && process.env.PIM_URL !== '' && process.env.PIM_TOKEN !== undefined && process.env.PIM_TOKEN !== '';
  guardTransport(creds.url, creds.insecure === true, fromEnv ? 'set PIM_INSECURE=1 to accept that' : `run \`pim login --url ${creds.url} --insecure\` to accept that`);
  return { client: new PimClient(creds.url, creds.token), creds };
}

/** Role id → display name from the catalogue: one request (a page of 500) for a whole table, not one per row. */
export async function roleNames(client: PimClient): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  let cursor: string | null = null;
  do {
    const page: { items: Role[]; nextCursor: string | null } = await client.get(`/api/v1/roles?limit=500${cursor !== null ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    for (const r of page.items) names.set(r.id, r.displayName);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return names;
}
