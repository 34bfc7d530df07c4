import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface Credentials {
  url: string;
  token: string;
  tokenId?: string;
  userPrincipalName?: string;
}

/** Where `pim login` keeps the server URL and token: PIM_CONFIG_DIR, else $XDG_CONFIG_HOME/openpim, else ~/.config/openpim. */
export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PIM_CONFIG_DIR) return env.PIM_CONFIG_DIR;
  return path.join(env.XDG_CONFIG_HOME ?? path.join(os.homedir(), '.config'), 'openpim');
}

const file = () => path.join(configDir(), 'credentials.json');

/** PIM_URL and PIM_TOKEN override the stored login (for scripts and CI). */
export function loadCredentials(env: NodeJS.ProcessEnv = process.env): Credentials | undefined {
  if (env.PIM_URL && env.PIM_TOKEN) return { url: env.PIM_URL, token: env.PIM_TOKEN };
  if (!existsSync(file())) return undefined;
  const c = JSON.parse(readFileSync(file(), 'utf8')) as Credentials;
  return env.PIM_URL ? { ...c, url: env.PIM_URL } : c;
}

/** Written with mode 0600 (the directory 0700): the token is the user's identity. */
export function saveCredentials(c: Credentials): string {
  const dir = configDir();
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(file(), `${JSON.stringify(c, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file(), 0o600);
  return file();
}

export function deleteCredentials(): boolean {
  if (!existsSync(file())) return false;
  rmSync(file());
  return true;
}
