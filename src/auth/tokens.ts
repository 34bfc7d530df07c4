import { createHash } from 'node:crypto';

/** API tokens look like `pim_<random>`; only their SHA-256 is stored (they are 256-bit random, so a fast hash suffices). */
export const TOKEN_PREFIX = 'pim_';

/** SHA-256 as hex: how random secrets (tokens, session ids, CSRF tokens, codes) are stored. A fast hash suffices for 128+ bits of randomness. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export function hashToken(token: string): string {
  return sha256Hex(token);
}

export function newToken(secret: string): string {
  return `${TOKEN_PREFIX}${secret}`;
}
