import { Type, type Static } from 'typebox';
import { MfaMethod, SessionInfo } from './auth.ts';

/**
 * A WebAuthn response (RegistrationResponseJSON / AuthenticationResponseJSON) as the browser's
 * PublicKeyCredential.toJSON() gives it. Typed loosely on purpose: the shape belongs to the W3C
 * spec and grows with it (new extension outputs, hints, authenticatorAttachment values…), and
 * @simplewebauthn/server parses and verifies every byte of it; a strict schema here would only
 * refuse newer browsers. We check the fields we route on, with sizes bounded.
 */
export const WebAuthnResponse = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 1024, description: 'The credential id, base64url' }),
  rawId: Type.String({ minLength: 1, maxLength: 1024 }),
  type: Type.Literal('public-key'),
  response: Type.Object({ clientDataJSON: Type.String({ minLength: 1, maxLength: 8192 }) }, { additionalProperties: true }),
}, { additionalProperties: true, description: 'PublicKeyCredential.toJSON() of the credential the browser returned' });
export type WebAuthnResponse = Static<typeof WebAuthnResponse>;

/**
 * Options for navigator.credentials.create() / .get() (PublicKeyCredentialCreationOptionsJSON /
 * RequestOptionsJSON) — loosely typed for the same reason: the spec, not us, owns the shape.
 */
export const WebAuthnOptions = Type.Object({
  options: Type.Object({ challenge: Type.String() }, { additionalProperties: true, description: 'Pass to navigator.credentials (e.g. with @simplewebauthn/browser)' }),
  expiresAt: Type.String({ format: 'date-time', description: 'The challenge (kept in a sealed httpOnly cookie) is good until then' }),
}, { additionalProperties: false });

export const FinishPasskeyRegistration = Type.Object({
  response: WebAuthnResponse,
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
}, { additionalProperties: false });

export const PasskeyAssertion = Type.Object({ response: WebAuthnResponse }, { additionalProperties: false });

export const RegisteredPasskey = Type.Object({ method: MfaMethod, session: SessionInfo }, { additionalProperties: false });
