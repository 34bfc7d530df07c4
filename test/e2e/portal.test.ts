import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { totpNow } from '../../src/auth/totp.ts';
import { FakeClock, systemClock } from '../../src/clock.ts';
import { ROLE } from '../../src/domain/roles.ts';
import { assign, group, userWithToken } from '../helpers/factories.ts';
import { Api, ENGINE, startHarness, type Harness } from '../helpers/harness.ts';
import { listenOnLoopback, nextTotp, signInOnPage, WAIT } from '../helpers/portal-e2e.ts';
import { Browser } from '../helpers/session.ts';
import { ensureWebBuilt, openBrowser, type BrowserWindow } from '../helpers/web.ts';

const SHOTS = path.resolve('test-artifacts/screenshots');
const ADMIN_PASSWORD = 'seven long winters up north';
const PASSWORD = 'a portal passphrase for tests';

/**
 * The seed story in a real browser (Debian's Chromium via playwright-core) against the real
 * server listening on loopback in this process, so the test moves its clock: first-run setup
 * on an empty database, then a user activates, an approver decides, and so on.
 */
describe(`the web portal in Chromium (${ENGINE})`, () => {
  let h: Harness;
  let base = '';
  let admin: Api;
  const windows: BrowserWindow[] = [];
  const people: Record<string, { id: string; upn: string; secret: string }> = {};
  let stepUpRole = '';

  /** Each TOTP code works once: move the clock to the next 30-second step first. */
  const code = (secret: string) => nextTotp(h, secret);
  const open = async (viewport?: { width: number; height: number }) => { const w = await openBrowser(viewport); windows.push(w); return w.page; };
  const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
  const heading = (page: Page, name: string | RegExp) => page.getByRole('heading', { name, level: 1 }).waitFor(WAIT);

  function signIn(page: Page, who: string): Promise<void> {
    const p = people[who]!;
    return signInOnPage(page, { from: `${base}/`, upn: p.upn, password: PASSWORD, code: () => code(p.secret) });
  }

  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    ensureWebBuilt();
    // The browser keeps its own clock: cookies it thinks expired are dropped, starts ahead of it
    // look scheduled. So the fake clock starts a little behind the real one and stays behind
    // it while the test moves it on (by about 10 minutes in all).
    h = await startHarness({ clock: new FakeClock(systemClock.nowMs() - 20 * 60_000) });
    base = await listenOnLoopback(h);
  });
  after(async () => {
    // The last state of every window: what a failed step saw.
    for (const [i, w] of windows.entries()) await w.page.screenshot({ path: path.join(SHOTS, `last-window-${i}.png`), fullPage: true }).catch(() => undefined);
    for (const w of windows) await w.close().catch(() => undefined);
    await h?.close();
  });

  test('first-run setup creates the Global Administrator with password and TOTP, then disappears', async () => {
    const page = await open();
    await page.goto(`${base}/`);
    await page.getByText('No administrator exists yet').waitFor(WAIT);
    await page.goto(`${base}/setup?code=${h.app.firstRunSetupCode}`);
    await heading(page, 'Set up openpim');
    assert.equal(await page.getByLabel('Setup code').inputValue(), h.app.firstRunSetupCode, 'the setup URL fills in the code');
    await page.getByLabel('Sign-in name').fill('admin@example.com');
    await page.getByLabel('Display name').fill('Ada Admin');
    await page.getByLabel('Password', { exact: true }).fill(ADMIN_PASSWORD);
    await page.getByLabel('Repeat the password').fill(ADMIN_PASSWORD);
    await shot(page, 'setup');
    await page.getByRole('button', { name: 'Create administrator' }).click();

    await page.getByRole('img', { name: 'QR code for your authenticator app' }).waitFor(WAIT);
    const secret = (await page.getByLabel('Secret key').textContent()) ?? '';
    assert.match(secret, /^[A-Z2-7]+=*$/);
    await page.getByLabel('Code from the app').fill(await totpNow(secret, h.clock.nowMs()));
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.getByRole('heading', { name: '3. Done' }).waitFor(WAIT);
    await page.getByRole('button', { name: 'Continue to My roles' }).click();
    await heading(page, 'My roles');
    await page.getByRole('tab', { name: /^Active/ }).click();
    await page.getByRole('row', { name: /Global Administrator/ }).getByText('Permanent').waitFor(WAIT);

    // Once an administrator exists the setup page is gone.
    assert.equal((await new Api(h.app).get('/api/v1/setup')).body.required, false);
    await page.goto(`${base}/setup?code=${h.app.firstRunSetupCode}`);
    await heading(page, 'My roles');
    assert.equal(new URL(page.url()).pathname, '/');

    // The administration pages come later: meanwhile the API, signed in as that administrator.
    const s = new Browser(h.app);
    assert.equal((await s.signIn('admin@example.com', ADMIN_PASSWORD, { totp: await code(secret) })).status, 200);
    const me = (await s.get('/api/v1/auth/session')).body.user.id as string;
    const token = await s.post('/api/v1/tokens', { name: 'e2e', ownerId: me, scopes: ['api'] });
    assert.equal(token.status, 201, JSON.stringify(token.body));
    admin = new Api(h.app, token.body.token);
  });

  test('administrator prepares the seed: groups, User Administrator settings, eligibility, people', async () => {
    for (const name of ['alice', 'bob']) {
      const u = await userWithToken(admin, `${name}@example.com`);
      assert.equal((await admin.post(`/api/v1/users/${u.id}/password`, { password: PASSWORD })).status, 204);
      const b = new Browser(h.app);
      await b.signIn(u.upn, PASSWORD);
      const e = await b.post('/api/v1/me/mfa/totp', {});
      assert.equal((await b.post(`/api/v1/me/mfa/totp/${e.body.id}/confirm`, { code: await totpNow(e.body.secret, h.clock.nowMs()) })).status, 200);
      people[name] = { id: u.id, upn: u.upn, secret: e.body.secret };
    }
    const approvers = await group(admin, false, 'PIM approvers');
    const eligibility = await group(admin, true, 'User Administrator eligibility');
    assert.equal((await admin.post(`/api/v1/groups/${approvers}/members`, { id: people.bob!.id })).status, 201);
    const settings = await admin.patch(`/api/v1/roles/${ROLE.userAdministrator}/settings`, {
      activation: { maximumDuration: 'PT5H', requireMfa: true, requireJustification: true, requireApproval: true, approvalStages: [{ approvers: [{ type: 'group', id: approvers }], requiredApprovals: 1, escalation: null }] },
    });
    assert.equal(settings.status, 200, JSON.stringify(settings.body));
    await assign(admin, eligibility, ROLE.userAdministrator, { kind: 'eligible', permanent: true });
    assert.equal((await admin.post(`/api/v1/groups/${eligibility}/members`, { id: people.alice!.id })).status, 201);
    // For bulk activation: two roles without approval; for step-up: one that wants MFA within 5 minutes.
    await assign(admin, people.alice!.id, ROLE.securityReader, { kind: 'eligible', permanent: true });
    await assign(admin, people.alice!.id, ROLE.globalReader, { kind: 'eligible', permanent: true });
    await assign(admin, people.alice!.id, ROLE.groupsAdministrator, { kind: 'eligible', permanent: true });
    const fresh = await admin.patch(`/api/v1/roles/${ROLE.groupsAdministrator}/settings`, { activation: { mfaMaxAgeMinutes: 5 } });
    assert.equal(fresh.status, 200, JSON.stringify(fresh.body));
    stepUpRole = 'Groups Administrator';
  });

  let alice: Page;
  let bob: Page;
  const row = (page: Page, name: string | RegExp) => page.getByRole('row', { name });

  test('the user activates with a justification, the approver approves, the user sees "Active until"; deactivation waits 5 minutes', async () => {
    alice = await open();
    await signIn(alice, 'alice');
    const ua = row(alice, /User Administrator/);
    await ua.getByText('Group: User Administrator eligibility').waitFor(WAIT);
    await alice.getByRole('button', { name: 'Activate User Administrator' }).click();
    const panel = alice.getByRole('dialog', { name: 'Activate User Administrator' });
    await panel.getByText('Approval is required').waitFor(WAIT);
    const options = await panel.getByLabel('Duration').locator('option').allTextContents();
    assert.equal(options.at(-1), '5 hours', `the role's maximum: ${options.join(', ')}`);
    assert.ok(await panel.getByLabel('Justification (required)').isVisible());
    await panel.getByLabel('Justification (required)').fill('Password resets for new hires');
    await shot(alice, 'activation-panel');
    await panel.getByRole('button', { name: 'Request activation' }).click();
    await ua.getByText('Pending approval').waitFor(WAIT);
    await shot(alice, 'my-roles');

    bob = await open();
    await signIn(bob, 'bob');
    await bob.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Approve requests' }).click();
    await heading(bob, 'Approve requests');
    const req = row(bob, /alice@example\.com/);
    await req.getByText('Password resets for new hires').waitFor(WAIT);
    await shot(bob, 'approvals');
    await req.getByRole('button', { name: /^Approve User Administrator for/ }).click();
    const decide = bob.getByRole('dialog', { name: /^Approve request: User Administrator/ });
    await decide.getByLabel('Justification').fill('Ticket checked');
    await decide.getByRole('button', { name: 'Approve', exact: true }).click();
    await bob.getByText(/User Administrator for .*: approved\./).waitFor(WAIT);

    // The user's page notices the decision without a reload.
    await ua.getByText(/^Active until /).waitFor(WAIT);
    await alice.getByRole('tab', { name: /^Active/ }).click();
    await alice.getByRole('button', { name: 'Deactivate User Administrator' }).click();
    await alice.getByRole('alert').filter({ hasText: 'cannot be deactivated within 5 minutes of its start' }).waitFor(WAIT);
    await shot(alice, 'deactivation-too-soon');
    h.clock.advance(6 * 60_000);
    await alice.getByRole('button', { name: 'Deactivate User Administrator' }).click();
    await alice.getByText('User Administrator is deactivated.').waitFor(WAIT);
    await alice.getByText('You hold no active role.').waitFor(WAIT);
  });

  test('deny path, opened from a deep link to the approval', async () => {
    await alice.getByRole('tab', { name: /^Eligible/ }).click();
    await alice.getByRole('button', { name: 'Activate User Administrator' }).click();
    const panel = alice.getByRole('dialog', { name: 'Activate User Administrator' });
    await panel.getByLabel('Justification (required)').fill('Bulk password reset');
    await panel.getByRole('button', { name: 'Request activation' }).click();
    await row(alice, /User Administrator/).getByText('Pending approval').waitFor(WAIT);
    const pending = await admin.get(`/api/v1/requests?principalId=${people.alice!.id}&status=PendingApproval`);
    const id = pending.body.items[0].id as string;

    await bob.goto(`${base}/approvals/${id}`);
    const detail = bob.getByRole('region', { name: /Activate User Administrator/ });
    await detail.getByText('Bulk password reset').waitFor(WAIT);
    await shot(bob, 'approval-deep-link');
    await detail.getByRole('button', { name: 'Deny' }).click();
    const decide = bob.getByRole('dialog', { name: /^Deny request: User Administrator/ });
    await decide.getByLabel('Justification').fill('Not during the change freeze');
    await decide.getByRole('button', { name: 'Deny', exact: true }).click();
    await detail.getByText('Denied', { exact: true }).waitFor(WAIT);

    await row(alice, /User Administrator/).getByRole('button', { name: 'Activate User Administrator' }).waitFor(WAIT);
    await alice.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My requests' }).click();
    await heading(alice, 'My requests');
    const denied = alice.getByRole('table', { name: 'Past requests' }).getByRole('row', { name: /User Administrator/ }).filter({ hasText: 'Denied' });
    await denied.waitFor(WAIT);
    await shot(alice, 'my-requests');
    await denied.getByRole('link', { name: /Details/ }).click();
    await alice.getByText('Not during the change freeze', { exact: false }).waitFor(WAIT);
    assert.equal(new URL(alice.url()).pathname, `/requests/${id}`);
  });

  test('bulk activation of two roles', async () => {
    await alice.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My roles' }).click();
    await heading(alice, 'My roles');
    await alice.getByLabel('Select Security Reader').check();
    await alice.getByLabel('Select Global Reader').check();
    await alice.getByRole('button', { name: 'Activate selected (2)' }).click();
    const panel = alice.getByRole('dialog', { name: 'Activate 2 roles' });
    await panel.getByText('No approval is needed').waitFor(WAIT);
    await panel.getByLabel('Duration').selectOption({ label: '2 hours' });
    await panel.getByLabel('Justification (required)').fill('Quarterly access review');
    await panel.getByRole('button', { name: 'Activate' }).click();
    await alice.getByText(/Security Reader: active until/).waitFor(WAIT);
    await alice.getByText(/Global Reader: active until/).waitFor(WAIT);
    await row(alice, /Security Reader/).getByText(/^Active until /).waitFor(WAIT);
    await alice.getByRole('tab', { name: 'Active (2)' }).waitFor(WAIT);
  });

  test('MFA step-up: a role that wants recent MFA asks for a code, then the activation goes through', async () => {
    // Alice's sign-in MFA is more than 5 minutes old by now.
    await alice.getByRole('tab', { name: /^Eligible/ }).click();
    await alice.getByRole('button', { name: `Activate ${stepUpRole}` }).click();
    const panel = alice.getByRole('dialog', { name: `Activate ${stepUpRole}` });
    await panel.getByText('You will be asked for a code from your authenticator app').waitFor(WAIT);
    await panel.getByLabel('Justification (required)').fill('Group clean-up');
    await panel.getByRole('button', { name: 'Activate' }).click();
    const verify = alice.getByRole('dialog', { name: "Verify it's you" });
    await verify.getByText('within the last 5 minutes').waitFor(WAIT);
    await verify.getByLabel('Authenticator code').fill('000000');
    await verify.getByRole('button', { name: 'Verify' }).click();
    await verify.getByRole('alert').waitFor(WAIT);
    await shot(alice, 'step-up');
    await verify.getByLabel('Authenticator code').fill(await code(people.alice!.secret));
    await verify.getByRole('button', { name: 'Verify' }).click();
    await alice.getByText(`${stepUpRole}: active until`, { exact: false }).waitFor(WAIT);
    assert.equal(await verify.count(), 0, 'the dialog closed');
  });

  test('phone width: the pages stay usable at 390 px', async () => {
    await alice.setViewportSize({ width: 390, height: 844 });
    await alice.getByRole('tab', { name: /^Active/ }).click();
    await alice.getByRole('button', { name: `Deactivate ${stepUpRole}` }).waitFor(WAIT);
    const overflow = await alice.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    assert.ok(overflow <= 1, `no sideways scrolling (${overflow}px)`);
    await shot(alice, 'my-roles-phone');
    await alice.getByRole('button', { name: 'Sign out' }).click();
    await alice.getByRole('heading', { name: 'Sign in to openpim' }).waitFor(WAIT);
  });
});
