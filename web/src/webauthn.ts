import type { SessionInfo } from '../../src/contract/auth.ts';
import { api, ApiError } from './api.ts';

/**
 * Passkeys in the browser. The API hands out WebAuthn options as JSON (base64url strings where
 * the browser wants bytes) and takes the credential back as JSON. The conversion is a few lines,
 * done here by hand rather than with @simplewebauthn/browser: no dependency for what the
 * browser API already does, and it works in browsers without PublicKeyCredential.toJSON().
 */

interface OptionsAnswer { options: Record<string, unknown>; expiresAt: string }
interface Descriptor { id: string; type?: string; transports?: string[] }

function fromB64url(s: string): ArrayBuffer {
  const b64 = s.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (s.length % 4)) % 4);
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out.buffer;
}

function toB64url(buf: ArrayBuffer | null): string | undefined {
  if (buf === null) return undefined;
  let bin = '';
  for (const b of new Uint8Array(buf)) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

const descriptors = (list: unknown): PublicKeyCredentialDescriptor[] =>
  (Array.isArray(list) ? (list as Descriptor[]) : []).map((d) => ({ type: 'public-key', id: fromB64url(d.id), ...(d.transports !== undefined ? { transports: d.transports as AuthenticatorTransport[] } : {}) }));

export function passkeysSupported(): boolean {
  return typeof window.PublicKeyCredential === 'function' && navigator.credentials !== undefined;
}

/** The browser's refusals, in words (the API's own errors pass through unchanged). */
function browserError(err: unknown): Error {
  if (err instanceof ApiError) return err;
  const name = err instanceof DOMException ? err.name : '';
  if (name === 'NotAllowedError' || name === 'AbortError') return new Error('The passkey prompt was closed or timed out: try again.');
  if (name === 'InvalidStateError') return new Error('This authenticator already holds a passkey for your account.');
  if (name === 'SecurityError') return new Error('Passkeys do not work on this address: open openpim at its public URL.');
  return new Error(err instanceof Error ? err.message : 'The passkey could not be used.');
}

function requireSupport(): void {
  if (!passkeysSupported()) throw new Error('This browser does not support passkeys.');
}

/** navigator.credentials.create() with the API's options; the credential as the API wants it back. */
async function create(o: Record<string, unknown>): Promise<Record<string, unknown>> {
  requireSupport();
  const user = o.user as { id: string; name: string; displayName: string };
  const publicKey = {
    ...(o as unknown as PublicKeyCredentialCreationOptions),
    challenge: fromB64url(String(o.challenge)),
    user: { ...user, id: fromB64url(user.id) },
    excludeCredentials: descriptors(o.excludeCredentials),
  };
  let cred: Credential | null;
  try { cred = await navigator.credentials.create({ publicKey }); } catch (err) { throw browserError(err); }
  if (!(cred instanceof PublicKeyCredential)) throw new Error('The browser returned no passkey.');
  const r = cred.response as AuthenticatorAttestationResponse;
  return {
    id: cred.id, rawId: toB64url(cred.rawId), type: cred.type,
    response: {
      clientDataJSON: toB64url(r.clientDataJSON), attestationObject: toB64url(r.attestationObject),
      ...(typeof r.getTransports === 'function' ? { transports: r.getTransports() } : {}),
    },
    clientExtensionResults: cred.getClientExtensionResults(),
    ...(cred.authenticatorAttachment !== null ? { authenticatorAttachment: cred.authenticatorAttachment } : {}),
  };
}

/** navigator.credentials.get() with the API's options (discoverable when allowCredentials is empty). */
async function get(o: Record<string, unknown>): Promise<Record<string, unknown>> {
  requireSupport();
  const allow = descriptors(o.allowCredentials);
  const publicKey = {
    ...(o as unknown as PublicKeyCredentialRequestOptions),
    challenge: fromB64url(String(o.challenge)),
    allowCredentials: allow,
  };
  let cred: Credential | null;
  try { cred = await navigator.credentials.get({ publicKey }); } catch (err) { throw browserError(err); }
  if (!(cred instanceof PublicKeyCredential)) throw new Error('The browser returned no passkey.');
  const r = cred.response as AuthenticatorAssertionResponse;
  const userHandle = toB64url(r.userHandle);
  return {
    id: cred.id, rawId: toB64url(cred.rawId), type: cred.type,
    response: {
      clientDataJSON: toB64url(r.clientDataJSON), authenticatorData: toB64url(r.authenticatorData), signature: toB64url(r.signature),
      ...(userHandle !== undefined ? { userHandle } : {}),
    },
    clientExtensionResults: cred.getClientExtensionResults(),
    ...(cred.authenticatorAttachment !== null ? { authenticatorAttachment: cred.authenticatorAttachment } : {}),
  };
}

/** Registers a passkey for the signed-in user; the API rotates the session (MFA done). */
export async function registerPasskey(name: string): Promise<SessionInfo> {
  const o = await api.post<OptionsAnswer>('/api/v1/me/mfa/passkeys/options');
  const response = await create(o.options);
  const r = await api.post<{ session: SessionInfo }>('/api/v1/me/mfa/passkeys', { response, ...(name.trim() !== '' ? { name: name.trim() } : {}) });
  return r.session;
}

/** Step-up with one of the user's passkeys (no nested step-up: this is the step-up). */
export async function stepUpWithPasskey(): Promise<SessionInfo> {
  const o = await api.post<OptionsAnswer>('/api/v1/auth/mfa/passkey/options', {}, { stepUp: false });
  const response = await get(o.options);
  return api.post<SessionInfo>('/api/v1/auth/mfa/passkey', { response }, { stepUp: false });
}

/** Passwordless sign-in: the browser offers the person's passkeys for this site. */
export async function signInWithPasskey(): Promise<SessionInfo> {
  const o = await api.post<OptionsAnswer>('/api/v1/auth/passkey/options', {}, { stepUp: false });
  const response = await get(o.options);
  return api.post<SessionInfo>('/api/v1/auth/passkey', { response }, { stepUp: false });
}
