/**
 * Domain errors: a kind (mapped to an HTTP status at the edge, nowhere else), a stable
 * dotted code from one catalogue, a human message and structured details.
 */
export type ErrorKind = 'Invalid' | 'Unauthenticated' | 'Forbidden' | 'NotFound' | 'Conflict' | 'TooLarge' | 'RateLimited' | 'Unavailable';

export class DomainError extends Error {
  constructor(
    readonly kind: ErrorKind,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const invalid = (code: string, message: string, details?: Record<string, unknown>) => new DomainError('Invalid', code, message, details);
export const notFound = (code: string, message: string, details?: Record<string, unknown>) => new DomainError('NotFound', code, message, details);
export const forbidden = (code: string, message: string, details?: Record<string, unknown>) => new DomainError('Forbidden', code, message, details);
export const conflict = (code: string, message: string, details?: Record<string, unknown>) => new DomainError('Conflict', code, message, details);
export const unauthenticated = (code: string, message: string, details?: Record<string, unknown>) => new DomainError('Unauthenticated', code, message, details);

/** The one MFA refusal: clients prompt for a code (or step up in the session) and retry. */
export function mfaRequired(what: string, reason: 'missing' | 'stale', maxAgeMinutes: number | null): DomainError {
  const how = 'Send mfa: { totp } with the request, or step up in your session (POST /api/v1/auth/mfa), then retry.';
  return new DomainError('Forbidden', 'auth.mfa_required', reason === 'stale' ? `${what} needs MFA done within the last ${maxAgeMinutes ?? 0} minutes. ${how}` : `${what} needs MFA. ${how}`, { reason, maxAgeMinutes });
}
