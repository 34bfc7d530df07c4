import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { serverUrl } from './url.ts';

export interface Credentials {
  url: string;
  token: string;
  tokenId?: string;
  userPrincipalName?: string;
  /** Set when the user accepted plain http to another machine (`pim login --insecure`, or PIM_INSECURE=1). */
  insecure?: boolean;
}

/** Where `pim login` keeps the server URL and token: PIM_CONFIG_DIR, else $XDG_CONFIG_HOME/openpim, else ~/.config/openpim. */
export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PIM_CONFIG_DIR) return env.PIM_CONFIG_DIR;
  return path.join(env.XDG_CONFIG_HOME ?? path.join(os.homedir(), '.config'), 'openpim');
}

const file = () => path.join(configDir(), 'credentials.json');

export class CredentialsError extends Error {}

/** The stored login, exactly as `pim login` wrote it. */
export function storedCredentials(): Credentials | undefined {
  if (!existsSync(file())) return undefined;
  try {
    const c = JSON.parse(readFileSync(file(), 'utf8')) as Partial<Credentials>;
    if (typeof c.url !== 'string' || typeof c.token !== 'string') throw new Error('missing url or token');
    // Written by an older pim perhaps (which kept the URL as typed): compare and join it in one form.
    return { ...c, url: serverUrl(c.url) } as Credentials;
  } catch (err) {
    throw new CredentialsError(`${file()} is damaged (${err instanceof Error ? err.message : String(err)}): run \`pim login\` again.`);
  }
}

/**
 * PIM_URL and PIM_TOKEN override the stored login (for scripts and CI); PIM_INSECURE=1 accepts
 * plain http to another machine for them, as `pim login --insecure` does for a stored login.
 * PIM_URL alone never sends the stored token anywhere but the server it was issued by.
 */
export function loadCredentials(env: NodeJS.ProcessEnv = process.env): Credentials | undefined {
  if (env.PIM_URL && env.PIM_TOKEN) return { url: serverUrl(env.PIM_URL), token: env.PIM_TOKEN, insecure: env.PIM_INSECURE === '1' || env.PIM_INSECURE === 'true' };
  const c = storedCredentials();
  if (c === undefined) return undefined;
  if (env.PIM_URL && serverUrl(env.PIM_URL) !== c.url) return undefined;
  return c;
}

/** Written with mode 0600 in a 0700 directory, via a private temporary file: the token is the user's identity. */
export function saveCredentials(c: Credentials): string {
  const dir = configDir();
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const tmp = `${file()}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(c, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  renameSync(tmp, file());
  return file();
}

export function deleteCredentials(): boolean {
  if (!existsSync(file())) return false;
  rmSync(file());
  return true;
}
