import { createHash } from 'node:crypto';

/** API tokens look like `pim_<random>`; only their SHA-256 is stored (they are 256-bit random, so a fast hash suffices). */
export const TOKEN_PREFIX = 'pim_';

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function newToken(secret: string): string {
  return `${TOKEN_PREFIX}${secret}`;
}
