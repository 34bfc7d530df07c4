/** A small HTTP client for the openpim API (the CLI knows the server only through HTTP and the contract). */
export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'ApiError';
  }
}

export class PimClient {
  constructor(readonly baseUrl: string, private readonly token?: string, private readonly extraHeaders: Record<string, string> = {}) {}

  withHeaders(h: Record<string, string>): PimClient {
    return new PimClient(this.baseUrl, this.token, { ...this.extraHeaders, ...h });
  }

  async call<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T; headers: Headers }> {
    let res: Response;
    try {
      res = await fetch(new URL(path, this.baseUrl), {
        method,
        headers: {
          accept: 'application/json',
          ...(this.token !== undefined ? { authorization: `Bearer ${this.token}` } : {}),
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...this.extraHeaders,
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        redirect: 'manual',
      });
    } catch (err) {
      throw new ApiError(0, 'cli.unreachable', `Cannot reach ${this.baseUrl}: ${err instanceof Error ? err.message : String(err)}. Check the URL (pim login --url …) and that the server runs.`);
    }
    const text = await res.text();
    let parsed: unknown = null;
    try { parsed = text === '' ? null : JSON.parse(text); } catch { parsed = text; }
    if (res.status >= 300 && res.status < 400) {
      throw new ApiError(res.status, 'cli.redirected', `The server redirected to ${res.headers.get('location') ?? '?'}: use that address with pim login --url (https?).`);
    }
    if (res.status >= 400) {
      const e = (parsed as { error?: { code?: string; message?: string; details?: Record<string, unknown> } } | null)?.error;
      throw new ApiError(res.status, e?.code ?? `http.${res.status}`, e?.message ?? `The server answered ${res.status}.`, e?.details ?? {});
    }
    return { status: res.status, body: parsed as T, headers: res.headers };
  }

  async get<T>(path: string): Promise<T> { return (await this.call<T>('GET', path)).body; }
  async post<T>(path: string, body: unknown = {}): Promise<T> { return (await this.call<T>('POST', path, body)).body; }
  async patch<T>(path: string, body: unknown): Promise<T> { return (await this.call<T>('PATCH', path, body)).body; }
  async delete<T>(path: string): Promise<T> { return (await this.call<T>('DELETE', path)).body; }
}
