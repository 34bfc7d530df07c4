import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { FakeClock, systemClock } from '../../src/clock.ts';
import { formatViolations, runAxe } from '../helpers/axe.ts';
import { ENGINE, startWithAdmin, type Harness } from '../helpers/harness.ts';
import { oidcEnv, startIdp, type Idp } from '../helpers/oidc-idp.ts';
import { freePort, WAIT } from '../helpers/portal-e2e.ts';
import { ensureWebBuilt, openBrowser, type BrowserWindow } from '../helpers/web.ts';

const SHOTS = path.resolve('test-artifacts/screenshots');

/**
 * Single sign-on from the portal in Debian's Chromium: the sign-in page's button, the round trip
 * through oidc-provider (in process on loopback; the test decides who signs in there, and with
 * which amr), and back to the page that was asked for; a refusal comes back as the sign-in page
 * with the reason in words.
 */
describe(`single sign-on from the portal in Chromium (${ENGINE})`, () => {
  let h: Harness;
  let idp: Idp;
  let base = '';
  let page: Page;
  const windows: BrowserWindow[] = [];
  const shot = (name: string) => page.screenshot({ path: path.join(SHOTS, `sso-${name}.png`), fullPage: true });

  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    ensureWebBuilt();
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    idp = await startIdp(base);
    // openid-client checks the ID token's iat and exp with the real clock: the server's starts at it.
    h = await startWithAdmin({ clock: new FakeClock(systemClock.nowMs()), env: { PIM_PUBLIC_URL: base, ...oidcEnv(idp) } });
    await h.app.listen({ host: '127.0.0.1', port });
    const w = await openBrowser();
    windows.push(w);
    page = w.page;
  });
  after(async () => {
    for (const [i, w] of windows.entries()) await w.page.screenshot({ path: path.join(SHOTS, `sso-last-window-${i}.png`), fullPage: true }).catch(() => undefined);
    for (const w of windows) await w.close().catch(() => undefined);
    await h?.close();
    await idp?.close();
  });

  test('the sign-in page offers single sign-on; the round trip creates the user and opens the page asked for', async () => {
    idp.accounts.set('sub-erin', { email: 'erin@corp.example', email_verified: true, name: 'Erin Example' });
    idp.next = { accountId: 'sub-erin', amr: ['pwd', 'mfa'] };
    await page.goto(`${base}/requests`);
    const sso = page.getByRole('link', { name: 'Sign in with single sign-on' });
    await sso.waitFor(WAIT);
    const report = await runAxe(page);
    assert.deepEqual(report.failing.map((v) => v.id), [], formatViolations(report.failing));
    await shot('sign-in');
    await sso.click();
    await page.getByRole('heading', { name: 'My requests', level: 1 }).waitFor(WAIT);
    assert.equal(new URL(page.url()).pathname, '/requests', 'back at the deep link');
    await page.getByText('Erin Example').first().waitFor(WAIT);
    const interaction = idp.interactions.at(-1);
    assert.equal(interaction?.prompt, 'login');
    const user = await h.rt.deps.db.selectFrom('users').select(['id', 'display_name']).where('upn_lower', '=', 'erin@corp.example').executeTakeFirst();
    assert.equal(user?.display_name, 'Erin Example', 'created from the verified email');
    const session = await page.evaluate<{ mfaAt: string | null }>(`fetch('/api/v1/auth/session').then((r) => r.json())`);
    assert.ok(session.mfaAt, 'the provider reported MFA (amr), so the session has it');
    await shot('signed-in');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('link', { name: 'Sign in with single sign-on' }).waitFor(WAIT);
  });

  test('a refusal comes back as the sign-in page with the reason in words, not the API\'s JSON', async () => {
    idp.accounts.set('sub-nobody', { email: 'nobody@elsewhere.example', email_verified: false, name: 'No Body' });
    idp.next = { accountId: 'sub-nobody', amr: ['pwd'] };
    // A fresh browser: the provider still remembers Erin (signing out here does not sign out there).
    const w = await openBrowser();
    windows.push(w);
    page = w.page;
    await page.goto(`${base}/`);
    await page.getByRole('link', { name: 'Sign in with single sign-on' }).click();
    await page.getByRole('alert').filter({ hasText: 'No openpim user matches this sign-in' }).waitFor(WAIT);
    assert.equal(new URL(page.url()).searchParams.get('error'), 'auth.sso_no_user');
    await page.getByRole('heading', { name: 'Sign in to openpim' }).waitFor(WAIT);
    await shot('refused');

    // The address carries a code, never words: text of one's own in it is not shown.
    await page.goto(`${base}/?error=${encodeURIComponent('Your account is locked: call +1 555 0100')}`);
    await page.getByRole('alert').filter({ hasText: 'Single sign-on did not complete' }).waitFor(WAIT);
    assert.equal(await page.getByText('call +1 555 0100').count(), 0);
  });
});
