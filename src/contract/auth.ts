import { Type, type Static } from 'typebox';
import { Id, Instant, NullableInstant } from './common.ts';

const Totp = Type.String({ pattern: '^[0-9]{6}$', description: 'The 6-digit code from the authenticator app' });
const RecoveryCode = Type.String({ minLength: 8, maxLength: 20 });

export const PasswordSignIn = Type.Object({
  userPrincipalName: Type.String({ minLength: 3, maxLength: 256 }),
  password: Type.String({ minLength: 1, maxLength: 256 }),
  totp: Type.Optional(Totp),
  recoveryCode: Type.Optional(RecoveryCode),
}, { additionalProperties: false });
export type PasswordSignIn = Static<typeof PasswordSignIn>;

export const SecondFactorInput = Type.Object({
  totp: Type.Optional(Totp),
  recoveryCode: Type.Optional(RecoveryCode),
}, { additionalProperties: false, description: 'One of totp or recoveryCode' });
export type SecondFactorInput = Static<typeof SecondFactorInput>;

/** Per-request MFA for API-token callers: verified for that request only. */
export const RequestMfa = Type.Object({ totp: Totp }, { additionalProperties: false });

export const SessionInfo = Type.Object({
  user: Type.Object({ id: Type.String(), userPrincipalName: Type.String(), displayName: Type.String() }, { additionalProperties: false }),
  csrfToken: Type.String({ description: 'Send it back as the x-csrf-token header on every write made with the session cookie' }),
  expiresAt: Instant,
  mfaAt: NullableInstant,
}, { additionalProperties: false });
export type SessionInfo = Static<typeof SessionInfo>;

export const CurrentSession = Type.Object({
  user: Type.Object({ id: Type.String(), userPrincipalName: Type.String(), displayName: Type.String() }, { additionalProperties: false }),
  via: Type.Union([Type.Literal('session'), Type.Literal('token')]),
  mfaAt: NullableInstant,
  expiresAt: NullableInstant,
  idleExpiresAt: NullableInstant,
  csrfToken: Type.Optional(Type.String({ description: 'Sessions only: the x-csrf-token for writes (the same one sign-in gave), for a page that was reloaded' })),
}, { additionalProperties: false });

export const Session = Type.Object({
  id: Type.String(), userId: Type.String(), createdAt: Instant, lastSeenAt: Instant, expiresAt: Instant, idleExpiresAt: Instant,
  mfaAt: NullableInstant, method: Type.String(), clientAddress: Type.Union([Type.String(), Type.Null()]), userAgent: Type.Union([Type.String(), Type.Null()]),
  endedAt: NullableInstant, endReason: Type.Union([Type.String(), Type.Null()]),
}, { additionalProperties: false });

export const MfaMethod = Type.Object({
  id: Type.String(), type: Type.Union([Type.Literal('totp'), Type.Literal('webauthn'), Type.Literal('recovery')]), name: Type.String(),
  confirmed: Type.Boolean(), createdAt: NullableInstant, lastUsedAt: NullableInstant,
}, { additionalProperties: false });

export const TotpEnrolment = Type.Object({
  id: Type.String(), secret: Type.String({ description: 'Base32 secret, for typing in when the QR code cannot be scanned' }),
  otpauthUri: Type.String(), qrCode: Type.String({ description: 'PNG data URL of the otpauth URI' }),
}, { additionalProperties: false });

export const StartTotp = Type.Object({ name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })) }, { additionalProperties: false });
export const ConfirmTotp = Type.Object({ code: Totp }, { additionalProperties: false });
export const RenameMfaMethod = Type.Object({ name: Type.String({ minLength: 1, maxLength: 100, pattern: '\\S' }) }, { additionalProperties: false });
export const ConfirmedTotp = Type.Object({ method: MfaMethod, session: Type.Union([SessionInfo, Type.Null()]) }, { additionalProperties: false });
export const RecoveryCodes = Type.Object({ codes: Type.Array(Type.String()) }, { additionalProperties: false });
export const SetPassword = Type.Object({ password: Type.String({ minLength: 1, maxLength: 256 }) }, { additionalProperties: false });
export const ChangePassword = Type.Object({ currentPassword: Type.String({ maxLength: 256 }), newPassword: Type.String({ minLength: 1, maxLength: 256 }) }, { additionalProperties: false });
export const MethodParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9-]+$' }) }, { additionalProperties: false });
export const Ended = Type.Object({ ended: Type.Integer() }, { additionalProperties: false });
export { Id };
