import { generate, generateSecret, generateURI, verify } from 'otplib';

/** TOTP as authenticator apps do it (RFC 6238: SHA-1, 6 digits, 30 s), on the injected clock. */
export const TOTP_STEP_S = 30;

export function newTotpSecret(): string {
  return generateSecret();
}

export function totpUri(secret: string, issuer: string, label: string): string {
  return generateURI({ issuer, label, secret });
}

/**
 * Checks a code at `nowMs`, accepting one step either side for clock drift. Returns the time
 * step it matched, so the caller can refuse that step (and earlier ones) next time: each code
 * is usable once.
 */
export async function checkTotp(secret: string, code: string, nowMs: number): Promise<number | null> {
  if (!/^\d{6}$/.test(code)) return null;
  const r = await verify({ secret, token: code, epoch: Math.floor(nowMs / 1000), epochTolerance: TOTP_STEP_S });
  if (!r.valid) return null;
  return Math.floor(nowMs / 1000 / TOTP_STEP_S) + (r.delta ?? 0);
}

/** The current code (tests and the CLI's software authenticator use it). */
export function totpNow(secret: string, nowMs: number): Promise<string> {
  return generate({ secret, epoch: Math.floor(nowMs / 1000) });
}
