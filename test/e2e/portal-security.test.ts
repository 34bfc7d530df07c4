import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { totpNow } from '../../src/auth/totp.ts';
import { FakeClock, systemClock } from '../../src/clock.ts';
import { ROLE } from '../../src/domain/roles.ts';
import { assign, userWithToken } from '../helpers/factories.ts';
import { ENGINE, startWithAdmin, type Api, type Harness } from '../helpers/harness.ts';
import { freePort, signInOnPage, WAIT } from '../helpers/portal-e2e.ts';
import { ensureWebBuilt, openBrowser, type BrowserWindow } from '../helpers/web.ts';

const SHOTS = path.resolve('test-artifacts/screenshots');
const PASSWORD = 'a security page passphrase';
const MIN = 60_000;

/**
 * Settings › Security (authenticator app, passkeys, recovery codes), passkey sign-in and step-up,
 * and role bundles, in Debian's Chromium against the real server. Passkeys come from Chromium's
 * virtual authenticator (CDP WebAuthn domain); the site is http://localhost:<port> because an
 * rpID must be a host name, and localhost is a secure context.
 */
describe(`the portal's security settings, passkeys and bundles in Chromium (${ENGINE})`, () => {
  let h: Harness;
  let admin: Api;
  let base = '';
  let page: Page;
  let carol = { id: '', upn: '' };
  let secret = '';
  const windows: BrowserWindow[] = [];

  /** Each TOTP code works once: move the clock to the next 30-second step first. */
  const code = async () => { h.clock.advance(30_000); return totpNow(secret, h.clock.nowMs()); };
  const shot = (name: string) => page.screenshot({ path: path.join(SHOTS, `security-${name}.png`), fullPage: true });
  const heading = (name: string) => page.getByRole('heading', { name, level: 1 }).waitFor(WAIT);
  const methodRow = (name: string | RegExp) => page.getByRole('table', { name: 'Your sign-in methods' }).getByRole('row', { name });
  const openSecurity = async () => {
    await page.getByRole('link', { name: 'Security', exact: true }).click();
    await heading('Security');
  };

  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    ensureWebBuilt();
    const port = await freePort();
    // Behind the browser's clock, and staying behind while the test moves it on (about 25 minutes in all).
    const started = await startWithAdmin({ clock: new FakeClock(systemClock.nowMs() - 45 * MIN), env: { PIM_PUBLIC_URL: `http://localhost:${port}` } });
    h = started;
    admin = started.admin;
    await h.app.listen({ host: '127.0.0.1', port });
    base = `http://localhost:${port}`;

    const u = await userWithToken(admin, 'carol@example.com');
    assert.equal((await admin.post(`/api/v1/users/${u.id}/password`, { password: PASSWORD })).status, 204);
    carol = { id: u.id, upn: u.upn };
    await assign(admin, u.id, ROLE.securityReader, { kind: 'eligible', permanent: true });
    await assign(admin, u.id, ROLE.globalReader, { kind: 'eligible', permanent: true });
    await assign(admin, u.id, ROLE.groupsAdministrator, { kind: 'eligible', permanent: true });
    const fresh = await admin.patch(`/api/v1/roles/${ROLE.groupsAdministrator}/settings`, { activation: { mfaMaxAgeMinutes: 5 } });
    assert.equal(fresh.status, 200, JSON.stringify(fresh.body));

    const w = await openBrowser();
    windows.push(w);
    page = w.page;
    // Chromium's virtual authenticator: a platform passkey with user verification, no prompt.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    await cdp.send('WebAuthn.addVirtualAuthenticator', { options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true } });
  });
  after(async () => {
    for (const [i, w] of windows.entries()) await w.page.screenshot({ path: path.join(SHOTS, `security-last-window-${i}.png`), fullPage: true }).catch(() => undefined);
    for (const w of windows) await w.close().catch(() => undefined);
    await h?.close();
  });

  test('enrol an authenticator app on the security page; a wrong code shows the API\'s message', async () => {
    await signInOnPage(page, { from: `${base}/`, upn: carol.upn, password: PASSWORD });
    await openSecurity();
    assert.equal(await page.getByRole('link', { name: 'Security', exact: true }).getAttribute('aria-current'), 'page');
    await page.getByText('You have no second factor yet').waitFor(WAIT);

    // Cancelling an enrolment drops it: nothing unconfirmed lingers in the list.
    await page.getByRole('button', { name: 'Add an authenticator app' }).click();
    await page.getByRole('img', { name: 'QR code for your authenticator app' }).waitFor(WAIT);
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('button', { name: 'Add an authenticator app' }).waitFor(WAIT);
    await page.getByText('You have no second factor yet').waitFor(WAIT);
    const removed = await admin.get(`/api/v1/audit?action=mfa.method.removed&targetId=${carol.id}`);
    assert.equal(removed.body.items.length, 1, 'the unconfirmed enrolment was removed');

    await page.getByRole('button', { name: 'Add an authenticator app' }).click();
    await page.getByRole('img', { name: 'QR code for your authenticator app' }).waitFor(WAIT);
    secret = (await page.getByLabel('Secret key').textContent()) ?? '';
    assert.match(secret, /^[A-Z2-7]+=*$/);
    await page.getByText('Show the otpauth URI').click();
    assert.match((await page.getByLabel('otpauth URI').textContent()) ?? '', /^otpauth:\/\/totp\/.*secret=/);

    const current = await totpNow(secret, h.clock.nowMs());
    await page.getByLabel('Code from the app').fill(current === '000000' ? '111111' : '000000');
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.getByRole('alert').filter({ hasText: 'That code is not valid now' }).waitFor(WAIT);
    await shot('totp-wrong-code');
    await page.getByLabel('Code from the app').fill(await code());
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.getByText('Authenticator app added.').waitFor(WAIT);
    await methodRow(/Authenticator app/).waitFor(WAIT);
    const list = await admin.get(`/api/v1/audit?action=mfa.totp.enrolled&targetId=${carol.id}`);
    assert.equal(list.body.items.length, 1, 'enrolled through the API');
  });

  test('register a passkey with the virtual authenticator, then rename it', async () => {
    await page.getByLabel('Passkey name').fill('Laptop');
    await page.getByRole('button', { name: 'Register a passkey' }).click();
    await page.getByText('Passkey registered').waitFor(WAIT);
    const row = methodRow(/Laptop/);
    await row.getByText('Passkey', { exact: true }).waitFor(WAIT);
    await row.getByText('Never', { exact: true }).waitFor(WAIT);
    await shot('methods');

    await page.getByRole('button', { name: 'Rename Laptop' }).click();
    const dialog = page.getByRole('dialog', { name: 'Rename Laptop' });
    await dialog.getByLabel('New name').fill('Work laptop');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await methodRow(/Work laptop/).waitFor(WAIT);
    assert.equal(await dialog.count(), 0, 'the dialog closed');
  });

  test('sign out, then sign in with the passkey alone; the password sign-in offers it as second factor', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to openpim' }).waitFor(WAIT);
    await page.goto(`${base}/`); // after sign-in the page at the address shows: start from My roles
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await heading('My roles');
    const signIns = await admin.get(`/api/v1/audit?action=auth.sign_in&targetId=${carol.id}`);
    assert.ok(signIns.body.items.some((e: { outcome: string; after: { method?: string } | null }) => e.outcome === 'success' && e.after?.method === 'passkey'), 'audited as a passkey sign-in');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Sign-in name').fill(carol.upn);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByLabel('Authenticator code').waitFor(WAIT);
    await shot('second-factor');
    // A passkey only accepts challenges issued after its last use: the fake clock stands still unless moved.
    h.clock.advance(1000);
    await page.getByRole('button', { name: 'Use my passkey' }).click();
    await heading('My roles');
  });

  test('step up with the passkey for an activation that wants recent MFA', async () => {
    h.clock.advance(6 * MIN);
    await page.getByRole('button', { name: 'Activate Groups Administrator' }).click();
    const panel = page.getByRole('dialog', { name: 'Activate Groups Administrator' });
    await panel.getByLabel('Justification (required)').fill('Group clean-up');
    await panel.getByRole('button', { name: 'Activate' }).click();
    const verify = page.getByRole('dialog', { name: "Verify it's you" });
    await verify.getByText('within the last 5 minutes').waitFor(WAIT);
    await verify.getByRole('button', { name: 'Use a passkey' }).click();
    await page.getByText('Groups Administrator: active until', { exact: false }).waitFor(WAIT);
    assert.equal(await verify.count(), 0, 'the dialog closed');
  });

  test('recovery codes: created, then regenerated after a step-up when MFA is stale', async () => {
    await openSecurity();
    await page.getByText('You have no recovery codes.').waitFor(WAIT);
    const shown = page.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem');
    await page.getByRole('button', { name: 'Create recovery codes' }).click();
    await shown.nth(9).waitFor(WAIT);
    const first = await shown.allTextContents();
    assert.equal(first.length, 10);
    await methodRow(/10 recovery codes left/).waitFor(WAIT);
    await page.getByRole('button', { name: 'I have saved them' }).click();
    await shown.first().waitFor({ state: 'detached', ...WAIT });

    // More than 15 minutes after the last MFA: the API asks for it again, the dialog steps up, the change goes on.
    h.clock.advance(16 * MIN);
    await page.getByRole('button', { name: 'Regenerate recovery codes' }).click();
    await page.getByRole('dialog', { name: 'Regenerate recovery codes?' }).getByRole('button', { name: 'Regenerate' }).click();
    const verify = page.getByRole('dialog', { name: "Verify it's you" });
    await verify.getByText('within the last 15 minutes').waitFor(WAIT);
    await verify.getByRole('button', { name: 'Use a passkey' }).waitFor(WAIT);
    await verify.getByLabel('Authenticator code').fill(await code());
    await verify.getByRole('button', { name: 'Verify' }).click();
    await page.getByText('New recovery codes created').waitFor(WAIT);
    await shown.nth(9).waitFor(WAIT);
    const second = await shown.allTextContents();
    assert.equal(second.length, 10);
    assert.equal(second.filter((c) => first.includes(c)).length, 0, 'all new codes');
    await shot('recovery-codes');
  });

  test('remove a method', async () => {
    await page.getByRole('button', { name: 'Remove Authenticator app' }).click();
    const dialog = page.getByRole('dialog', { name: 'Remove Authenticator app?' });
    await dialog.getByRole('button', { name: 'Remove' }).click();
    await page.getByText('Authenticator app removed.').waitFor(WAIT);
    await methodRow(/Work laptop/).waitFor(WAIT);
    await methodRow(/Authenticator app/).waitFor({ state: 'detached', ...WAIT });
    const mine = await admin.get(`/api/v1/audit?action=mfa.method.removed&targetId=${carol.id}`);
    assert.equal(mine.body.items.length, 2, 'the cancelled enrolment and this one');
  });

  test('phone width: the security page stays usable at 390 px', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole('button', { name: 'Register a passkey' }).waitFor(WAIT);
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    assert.ok(overflow <= 1, `no sideways scrolling (${overflow}px)`);
    await shot('phone');
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  test('bundles: save the selection, a taken name is refused, activate the bundle, delete it', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My roles' }).click();
    await heading('My roles');
    await page.getByText('No bundles yet').waitFor(WAIT);
    const save = async () => {
      await page.getByLabel('Select Security Reader').check();
      await page.getByLabel('Select Global Reader').check();
      await page.getByRole('button', { name: 'Save as bundle' }).click();
      const dialog = page.getByRole('dialog', { name: 'Save as bundle' });
      await dialog.getByLabel('Bundle name').fill('Daily reading');
      await dialog.getByRole('button', { name: 'Save bundle' }).click();
      return dialog;
    };
    await save();
    await page.getByText('Bundle Daily reading saved.').waitFor(WAIT);
    const bundle = page.getByRole('listitem', { name: 'Bundle Daily reading' });
    await bundle.getByText('Security Reader').waitFor(WAIT);
    await bundle.getByText('Global Reader').waitFor(WAIT);

    await page.setViewportSize({ width: 390, height: 844 });
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    assert.ok(overflow <= 1, `My roles with a bundle: no sideways scrolling at 390 px (${overflow}px)`);
    await shot('bundles-phone');
    await page.setViewportSize({ width: 1280, height: 900 });

    const again = await save();
    await again.getByRole('alert').filter({ hasText: 'You already have a bundle with this name.' }).waitFor(WAIT);
    await again.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('button', { name: 'Clear selection' }).click();

    await page.getByRole('button', { name: 'Activate bundle Daily reading' }).click();
    const panel = page.getByRole('dialog', { name: 'Activate Daily reading' });
    await panel.getByText('No approval is needed').waitFor(WAIT);
    await panel.getByLabel('Duration').selectOption({ label: '2 hours' });
    await panel.getByLabel('Justification (required)').fill('Morning review');
    await shot('bundle-activation');
    const viaBundle = page.waitForRequest((r) => r.method() === 'POST' && /\/api\/v1\/me\/bundles\/[^/]+\/activate$/.test(r.url()));
    await panel.getByRole('button', { name: 'Activate' }).click();
    await viaBundle;
    await page.getByText(/Security Reader: active until/).waitFor(WAIT);
    await page.getByText(/Global Reader: active until/).waitFor(WAIT);
    await bundle.getByText('already active').first().waitFor(WAIT);
    const reqs = await admin.get(`/api/v1/requests?principalId=${carol.id}&status=Provisioned`);
    const justified = reqs.body.items.filter((r: { justification: string | null }) => r.justification === 'Morning review');
    assert.equal(justified.length, 2, 'one justification for both');

    await page.getByRole('button', { name: 'Delete bundle Daily reading' }).click();
    await page.getByRole('dialog', { name: 'Delete bundle Daily reading?' }).getByRole('button', { name: 'Delete' }).click();
    await page.getByText('Bundle Daily reading deleted.').waitFor(WAIT);
    await page.getByText('No bundles yet').waitFor(WAIT);
    const audit = await admin.get(`/api/v1/audit?action=bundle.deleted&actorId=${carol.id}`);
    assert.equal(audit.status, 200, JSON.stringify(audit.body));
    assert.equal(audit.body.items.length, 1, 'deleted through the API');
  });

  test('a removed passkey is refused at sign-in, with the API\'s message', async () => {
    await openSecurity();
    await page.getByRole('button', { name: 'Remove Work laptop' }).click();
    const dialog = page.getByRole('dialog', { name: 'Remove Work laptop?' });
    await dialog.getByText('It is your last second factor').waitFor(WAIT);
    await dialog.getByRole('button', { name: 'Remove' }).click();
    await page.getByText('Work laptop removed.').waitFor(WAIT);

    // The authenticator still holds the credential; the server no longer knows it.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await page.getByRole('alert').filter({ hasText: 'This passkey could not be verified here.' }).waitFor(WAIT);
    await page.getByRole('heading', { name: 'Sign in to openpim' }).waitFor(WAIT);
    await shot('passkey-refused');
  });
});
