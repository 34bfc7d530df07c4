import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { totpNow } from '../../src/auth/totp.ts';
import { Api, type Harness } from './harness.ts';
import { Browser } from './session.ts';

/** How long a browser test waits for the page to show something. */
export const WAIT = { timeout: 15_000 };

/**
 * A free loopback port, known before the server starts: for tests whose PIM_PUBLIC_URL must
 * name it (the passkey relying party, the single sign-on callback).
 */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const addr = s.address();
  await new Promise<void>((resolve) => s.close(() => resolve()));
  if (typeof addr !== 'object' || addr === null) throw new Error('no port');
  return addr.port;
}

/** Serves the harness's app on a loopback port; returns the portal's base URL. */
export async function listenOnLoopback(h: Harness): Promise<string> {
  await h.app.listen({ host: '127.0.0.1', port: 0 });
  return `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
}

/**
 * First-run setup and TOTP enrolment over the API, for tests whose subject is not the setup
 * page (portal.test.ts does them in the browser): the first Global Administrator with a
 * password, a confirmed authenticator and an API token.
 */
export async function setUpAdminOverApi(h: Harness, password: string, upn = 'admin@example.com'): Promise<{ admin: Api; adminId: string; secret: string }> {
  const s = new Browser(h.app);
  const setup = await s.post<{ user: { id: string } }>('/api/v1/setup', { code: h.app.firstRunSetupCode, userPrincipalName: upn, displayName: 'Ada Admin', password });
  assert.equal(setup.status, 201, JSON.stringify(setup.body));
  const e = await s.post<{ id: string; secret: string }>('/api/v1/me/mfa/totp', {});
  assert.equal(e.status, 201, JSON.stringify(e.body));
  const confirmed = await s.post(`/api/v1/me/mfa/totp/${e.body.id}/confirm`, { code: await totpNow(e.body.secret, h.clock.nowMs()) });
  assert.equal(confirmed.status, 200, JSON.stringify(confirmed.body));
  const token = await s.post<{ token: string }>('/api/v1/tokens', { name: 'e2e', ownerId: setup.body.user.id, scopes: ['api'] });
  assert.equal(token.status, 201, JSON.stringify(token.body));
  return { admin: new Api(h.app, token.body.token), adminId: setup.body.user.id, secret: e.body.secret };
}

/** Each TOTP code works once: moves the fake clock to the next 30-second step, then gives that step's code. */
export async function nextTotp(h: Harness, secret: string): Promise<string> {
  h.clock.advance(30_000);
  return totpNow(secret, h.clock.nowMs());
}

export interface SignIn {
  upn: string;
  password: string;
  /** The authenticator code to give after the password; none for an account without a second factor. */
  code?: () => Promise<string>;
  /** Runs when the page asks for the code, before it is typed (an accessibility check, a screenshot). */
  atCode?: () => Promise<void>;
  /** Opens this URL first; without it the sign-in form must already be showing. */
  from?: string;
}

/** Signs in on the sign-in page, password then (when given) the authenticator code, and waits for My roles. */
export async function signInOnPage(page: Page, s: SignIn): Promise<void> {
  if (s.from !== undefined) await page.goto(s.from);
  await page.getByLabel('Sign-in name').fill(s.upn);
  await page.getByLabel('Password', { exact: true }).fill(s.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  if (s.code !== undefined) {
    await page.getByLabel('Authenticator code').waitFor(WAIT);
    await s.atCode?.();
    await page.getByLabel('Authenticator code').fill(await s.code());
    await page.getByRole('button', { name: 'Verify' }).click();
  }
  await page.getByRole('heading', { name: 'My roles', level: 1 }).waitFor(WAIT);
}
