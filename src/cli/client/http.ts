import { apiUrl } from './url.ts';

/** A small HTTP client for the openpim API (the CLI knows the server only through HTTP and the contract). */
export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'ApiError';
  }
}

export class PimClient {
  /** baseUrl: the server as `serverUrl` normalised it, base path included (https://example.com/pim). */
  constructor(readonly baseUrl: string, private readonly token?: string, private readonly extraHeaders: Record<string, string> = {}) {}

  withHeaders(h: Record<string, string>): PimClient {
    return new PimClient(this.baseUrl, this.token, { ...this.extraHeaders, ...h });
  }

  /**
   * Sends a request and returns the response unread when it succeeded (2xx), for callers that
   * stream the body (the audit export). Failures become an ApiError carrying the server's code.
   */
  async open(method: string, path: string, body?: unknown, accept = 'application/json'): Promise<Response> {
    let res: Response;
    try {
      res = await fetch(apiUrl(this.baseUrl, path), {
        method,
        headers: {
          accept,
          ...(this.token !== undefined ? { authorization: `Bearer ${this.token}` } : {}),
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...this.extraHeaders,
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        redirect: 'manual',
      });
    } catch (err) {
      // fetch says only "fetch failed"; the cause (ENOTFOUND, ECONNREFUSED, a TLS error) tells what to fix.
      const cause = err instanceof Error && err.cause instanceof Error ? ` (${(err.cause as Error & { code?: string }).code ?? err.cause.message})` : '';
      throw new ApiError(0, 'cli.unreachable', `Cannot reach ${this.baseUrl}: ${err instanceof Error ? err.message : String(err)}${cause}. Check the URL (pim login --url …) and that the server runs.`);
    }
    if (res.status >= 300 && res.status < 400) {
      await res.body?.cancel();
      throw new ApiError(res.status, 'cli.redirected', `The server redirected to ${res.headers.get('location') ?? '?'}: sign in with that address (pim login --url …).`);
    }
    if (res.status >= 400) {
      const parsed = parse(await res.text());
      const e = (parsed as { error?: { code?: string; message?: string; details?: Record<string, unknown> } } | null)?.error;
      throw new ApiError(res.status, e?.code ?? `http.${res.status}`, e?.message ?? `The server answered ${res.status}.`, e?.details ?? {});
    }
    return res;
  }

  async call<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T; headers: Headers }> {
    const res = await this.open(method, path, body);
    return { status: res.status, body: parse(await res.text()) as T, headers: res.headers };
  }

  async get<T>(path: string): Promise<T> { return (await this.call<T>('GET', path)).body; }
  async post<T>(path: string, body: unknown = {}): Promise<T> { return (await this.call<T>('POST', path, body)).body; }
  async patch<T>(path: string, body: unknown): Promise<T> { return (await this.call<T>('PATCH', path, body)).body; }
  async delete<T>(path: string): Promise<T> { return (await this.call<T>('DELETE', path)).body; }
}

function parse(text: string): unknown {
  if (text === '') return null;
  try { return JSON.parse(text); } catch { return text; }
}
