import type { ErrorBody } from '../../src/contract/common.ts';

/** An answer of the API that was not 2xx, with the API's own error code and message. */
export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Asks the user for a second factor; resolves true once the session has fresh MFA. */
export type StepUpPrompt = (reason: ApiError) => Promise<boolean>;

const CSRF_KEY = 'openpim.csrf';
let csrfToken: string | null = readStoredCsrf();
let stepUpPrompt: StepUpPrompt | null = null;
let onSessionLost: (() => void) | null = null;

function readStoredCsrf(): string | null {
  try { return window.localStorage.getItem(CSRF_KEY); } catch { return null; }
}

/**
 * The CSRF token comes from the API's answers (sign-in, step-up, setup, session), never from a
 * cookie: the cookie's name is the server's business. It is kept across reloads and tabs of
 * this origin so a deep link opened in a new tab can still write.
 */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
  try {
    if (token === null) window.localStorage.removeItem(CSRF_KEY); else window.localStorage.setItem(CSRF_KEY, token);
  } catch { /* storage disabled: the in-memory token still works for this page */ }
}

export function setStepUpPrompt(p: StepUpPrompt | null): void { stepUpPrompt = p; }
export function setSessionLostHandler(h: (() => void) | null): void { onSessionLost = h; }

/** Endpoints whose 401 is an answer for the form, not a lost session. */
const SIGN_IN_PATHS = ['/api/v1/auth/sign-in', '/api/v1/auth/mfa', '/api/v1/auth/session', '/api/v1/setup', '/api/v1/auth/passkey', '/api/v1/auth/mfa/passkey'];

export interface CallOptions {
  /** false: an auth.mfa_required answer is returned as an error instead of prompting. */
  stepUp?: boolean;
}

async function send(method: string, path: string, body: unknown): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken !== null) headers['x-csrf-token'] = csrfToken;
  return fetch(path, { method, headers, credentials: 'same-origin', ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
}

async function errorOf(res: Response): Promise<ApiError> {
  try {
    const b = (await res.json()) as Partial<ErrorBody>;
    if (b.error !== undefined) return new ApiError(res.status, b.error.code, b.error.message, b.error.details);
  } catch { /* not JSON: a proxy or network page */ }
  return new ApiError(res.status, 'http.error', `The server answered ${res.status} ${res.statusText}.`);
}

/**
 * One API call. When the API answers auth.mfa_required (a role that needs MFA, an approver
 * who must re-verify), the step-up dialog asks for a code and the call is made once more.
 */
export async function call<T>(method: string, path: string, body?: unknown, opts: CallOptions = {}): Promise<T> {
  let res: Response;
  try {
    res = await send(method, path, body);
  } catch {
    throw new ApiError(0, 'network.unreachable', 'The server cannot be reached: check your connection and try again.');
  }
  if (res.ok) return (res.status === 204 ? null : await res.json()) as T;
  const err = await errorOf(res);
  if (err.code === 'auth.mfa_required' && res.status === 403 && opts.stepUp !== false && stepUpPrompt !== null) {
    if (await stepUpPrompt(err)) return call<T>(method, path, body, { ...opts, stepUp: false });
  }
  if (res.status === 401 && !SIGN_IN_PATHS.includes(path.split('?')[0] ?? '')) onSessionLost?.();
  throw err;
}

/** Runs the step-up dialog outside a call (a batch whose items asked for MFA). */
export async function stepUpNow(reason: ApiError): Promise<boolean> {
  return stepUpPrompt === null ? false : stepUpPrompt(reason);
}

export const api = {
  get: <T>(path: string) => call<T>('GET', path),
  post: <T>(path: string, body: unknown = {}, opts?: CallOptions) => call<T>('POST', path, body, opts),
  put: <T>(path: string, body: unknown) => call<T>('PUT', path, body),
  patch: <T>(path: string, body: unknown) => call<T>('PATCH', path, body),
  del: <T>(path: string) => call<T>('DELETE', path),
};

/** The message to show for anything thrown. */
export function messageOf(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof Error) return err.message;
  return 'Something went wrong.';
}
