import type { App } from '../../src/http/app.ts';
import type { Res } from './harness.ts';

/**
 * A browser stand-in over Fastify inject: keeps the cookies the server sets and echoes the
 * CSRF token on writes (pass csrf: false to play a cross-site attacker).
 */
export class Browser {
  readonly jar = new Map<string, string>();
  /** `address`: the client address the server sees (default: Fastify inject's 127.0.0.1). */
  constructor(private readonly app: App, private readonly address?: string) {}

  get csrf(): string { return this.jar.get('pim_csrf') ?? this.jar.get('__Host-pim_csrf') ?? ''; }

  private absorb(setCookie: unknown): void {
    for (const line of [setCookie ?? []].flat() as string[]) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) this.jar.delete(name); else this.jar.set(name, value);
    }
  }

  // Bodies default to untyped JSON, as in harness.ts's Api: tests read them field by field.
  async call<T = any>(method: string, url: string, body?: unknown, o: { csrf?: boolean; headers?: Record<string, string> } = {}): Promise<Res<T>> {
    const cookie = [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await this.app.inject({
      method: method as 'GET', url, ...(this.address !== undefined ? { remoteAddress: this.address } : {}),
      headers: {
        ...(cookie !== '' ? { cookie } : {}),
        ...(o.csrf !== false && method !== 'GET' ? { 'x-csrf-token': this.csrf } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...o.headers,
      },
      ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
    });
    this.absorb(res.headers['set-cookie']);
    let parsed: unknown = res.body;
    try { parsed = res.body === '' ? null : JSON.parse(res.body); } catch { /* not JSON */ }
    return { status: res.statusCode, body: parsed as T, headers: res.headers };
  }
  get<T = any>(url: string) { return this.call<T>('GET', url); } // untyped JSON by default, as call()
  post<T = any>(url: string, body: unknown = {}, o?: { csrf?: boolean }) { return this.call<T>('POST', url, body, o); } // as call()

  signIn(userPrincipalName: string, password: string, second: { totp?: string; recoveryCode?: string } = {}) {
    return this.post('/api/v1/auth/sign-in', { userPrincipalName, password, ...second });
  }
}
