import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { totpNow } from '../../src/auth/totp.ts';
import { FakeClock, systemClock } from '../../src/clock.ts';
import { ROLE } from '../../src/domain/roles.ts';
import { formatViolations, runAxe } from '../helpers/axe.ts';
import { Api, ENGINE, startHarness, type Harness } from '../helpers/harness.ts';
import { listenOnLoopback, nextTotp, signInOnPage, WAIT } from '../helpers/portal-e2e.ts';
import { seedPortal, SEED_PASSWORD as PASSWORD, type PortalSeed } from '../helpers/portal-seed.ts';
import { Browser } from '../helpers/session.ts';
import { ensureWebBuilt, openBrowser, type BrowserWindow } from '../helpers/web.ts';

const SHOTS = path.resolve('test-artifacts/screenshots');
/** Moderate and minor axe findings: not failures, but worth reading. */
const NOTES = path.resolve('test-artifacts/accessibility-notes.txt');
const ADMIN_PASSWORD = 'seven long winters up north';
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };
/** 1280 px zoomed to 125 %: between the phone and the desktop layouts, where wide tables used to overflow. */
const ZOOMED = { width: 1024, height: 768 };

/**
 * Every page of the portal, signed in as an administrator and as a plain user, against the
 * real server on loopback with a seeded database (Debian's Chromium via playwright-core):
 * axe-core finds no serious or critical violation at 1280 px and at 390 px, nothing scrolls
 * sideways at 1280, 1024 or 390 px, and the keyboard reaches the navigation and the actions,
 * with dialogs keeping focus until Escape closes them. Screenshots land in test-artifacts/.
 */
describe(`the portal's accessibility in Chromium (${ENGINE})`, () => {
  let h: Harness;
  let base = '';
  let admin: Api;
  let seed: PortalSeed;
  let adminPage: Page;
  let userPage: Page;
  let adminSecret = '';
  const windows: BrowserWindow[] = [];
  const notes: string[] = [];
  let problems: string[] = [];

  const code = (secret: string) => nextTotp(h, secret);
  const open = async () => { const w = await openBrowser(DESKTOP); windows.push(w); return w.page; };
  const heading = (page: Page, name: string | RegExp) => page.getByRole('heading', { name, level: 1 }).waitFor(WAIT);
  /**
   * Data still loading shows "Loading …" in a status region: wait for every one to go. (A locator,
   * not waitForFunction with a string, which the portal's CSP refuses once it has to poll.)
   */
  const settled = (page: Page) => page.locator('[role="status"]', { hasText: /^Loading / }).first().waitFor({ state: 'detached', ...WAIT });

  /**
   * Checks the page as it is: axe at 1280 and 390 px, no sideways scrolling at those and at
   * 1024 px; a screenshot at each of the two. Problems are collected so that one run lists them all.
   */
  async function check(page: Page, name: string): Promise<void> {
    await settled(page);
    // Each page has its own title, from its heading (WCAG 2.4.2; the app sets it, see page-focus.ts).
    const [title, h1] = await page.evaluate<[string, string]>('[document.title, document.querySelector("main h1")?.textContent?.trim() ?? ""]');
    if (title !== `${h1} – openpim`) problems.push(`${name}: the title is "${title}", not "${h1} – openpim"`);
    for (const [viewport, suffix] of [[DESKTOP, ''], [PHONE, '-phone']] as const) {
      await page.setViewportSize(viewport);
      const report = await runAxe(page);
      if (report.failing.length > 0) problems.push(`${name} at ${viewport.width} px:\n${formatViolations(report.failing)}`);
      if (report.other.length > 0) notes.push(`${name} at ${viewport.width} px:\n${formatViolations(report.other)}`);
      if (report.review.length > 0) notes.push(`${name} at ${viewport.width} px, for review (axe could not decide):\n${formatViolations(report.review)}`);
      await noSidewaysScroll(page, name);
      await page.screenshot({ path: path.join(SHOTS, `a11y-${name}${suffix}.png`), fullPage: true });
    }
    await page.setViewportSize(ZOOMED);
    await noSidewaysScroll(page, name);
    await page.setViewportSize(DESKTOP);
  }
  async function noSidewaysScroll(page: Page, name: string): Promise<void> {
    const [scroll, inner] = await page.evaluate<[number, number]>('[document.documentElement.scrollWidth, window.innerWidth]');
    if (scroll > inner) problems.push(`${name} at ${inner} px scrolls sideways: ${scroll} px wide`);
  }
  const noProblems = () => {
    const found = problems;
    problems = [];
    assert.equal(found.length, 0, `serious or critical accessibility problems:\n${found.join('\n')}`);
  };

  function signIn(page: Page, upn: string, password: string, secret: string, atCode?: () => Promise<void>): Promise<void> {
    return signInOnPage(page, { from: `${base}/`, upn, password, code: () => code(secret), ...(atCode ? { atCode } : {}) });
  }

  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    ensureWebBuilt();
    // As in portal.test.ts: the server's clock a little behind the browser's, which keeps its own.
    h = await startHarness({ clock: new FakeClock(systemClock.nowMs() - 20 * 60_000) });
    base = await listenOnLoopback(h);
  });
  after(async () => {
    writeFileSync(NOTES, notes.length === 0 ? 'No moderate or minor axe findings.\n' : `${notes.join('\n\n')}\n`);
    for (const w of windows) await w.close().catch(() => undefined);
    await seed?.worker.stop();
    await h?.close();
  });

  test('sign-in and the three steps of first-run setup', async () => {
    adminPage = await open();
    const page = adminPage;
    await page.goto(`${base}/`);
    await page.getByText('No administrator exists yet').waitFor(WAIT);
    await check(page, 'sign-in-no-admin');

    await page.goto(`${base}/setup?code=${h.app.firstRunSetupCode}`);
    await heading(page, 'Set up openpim');
    await check(page, 'setup');
    await page.getByLabel('Sign-in name').fill('admin@example.com');
    await page.getByLabel('Display name').fill('Ada Admin');
    await page.getByLabel('Password', { exact: true }).fill(ADMIN_PASSWORD);
    await page.getByLabel('Repeat the password').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Create administrator' }).click();
    await page.getByRole('img', { name: 'QR code for your authenticator app' }).waitFor(WAIT);
    await check(page, 'setup-enrol');
    adminSecret = (await page.getByLabel('Secret key').textContent()) ?? '';
    await page.getByLabel('Code from the app').fill(await totpNow(adminSecret, h.clock.nowMs()));
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.getByRole('heading', { name: '3. Done' }).waitFor(WAIT);
    await check(page, 'setup-done');
    await page.getByRole('button', { name: 'Continue to My roles' }).click();
    await heading(page, 'My roles');
    noProblems();
  });

  test('seed: a user, groups, an administrative unit, role settings with approval, a pending request, a webhook and mails', async () => {
    const s = new Browser(h.app);
    assert.equal((await s.signIn('admin@example.com', ADMIN_PASSWORD, { totp: await code(adminSecret) })).status, 200);
    const me = (await s.get('/api/v1/auth/session')).body.user.id as string;
    const token = await s.post('/api/v1/tokens', { name: 'e2e', ownerId: me, scopes: ['api'] });
    assert.equal(token.status, 201, JSON.stringify(token.body));
    admin = new Api(h.app, token.body.token);
    seed = await seedPortal(h, admin, me);
    const kept = await admin.get('/api/v1/deliveries?status=kept');
    assert.ok(kept.status === 200 && kept.body.items.length > 0, `the mails are kept: ${JSON.stringify(kept.body)}`);
  });

  test('a plain user: sign-in, My roles with the activation panel, My requests, a request, notification and security settings', async () => {
    userPage = await open();
    const page = userPage;
    const alice = seed.alice;
    await signIn(page, alice.upn, PASSWORD, alice.secret, () => check(page, 'sign-in-mfa'));
    await page.getByRole('row', { name: /Security Reader/ }).waitFor(WAIT);
    await check(page, 'my-roles');
    await page.getByRole('tab', { name: /^Active/ }).click();
    await page.getByRole('row', { name: /Global Reader/ }).waitFor(WAIT);
    await check(page, 'my-roles-active');
    await page.getByRole('tab', { name: /^Eligible/ }).click();
    await page.getByRole('button', { name: 'Activate Security Reader' }).click();
    const panel = page.getByRole('dialog', { name: 'Activate Security Reader' });
    await panel.getByLabel('Duration').waitFor(WAIT);
    await check(page, 'activation-panel');
    await panel.getByRole('button', { name: 'Close' }).click();

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My requests' }).click();
    await heading(page, 'My requests');
    await page.getByRole('row', { name: /User Administrator/ }).first().waitFor(WAIT);
    await check(page, 'my-requests');
    await page.goto(`${base}/requests/${seed.request}`);
    await page.getByText('Password resets for new hires').first().waitFor(WAIT);
    await check(page, 'my-request');

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Approve requests' }).click();
    await heading(page, 'Approve requests');
    await check(page, 'approvals-empty');

    await page.getByRole('link', { name: 'Notification settings' }).click();
    await heading(page, 'Notification settings');
    await check(page, 'settings-notifications');

    // The Security settings page comes with passkey sign-in: checked once the build has it.
    await page.goto(`${base}/settings/security`);
    await page.getByRole('heading', { level: 1 }).waitFor(WAIT);
    if ((await page.getByRole('heading', { level: 1 }).textContent()) !== 'Page not found') await check(page, 'settings-security');
    noProblems();
  });

  test('an approver: Approvals with a request, the decision dialog and the deep link', async () => {
    const page = adminPage;
    await page.goto(`${base}/approvals`);
    await heading(page, 'Approve requests');
    await page.getByRole('row', { name: /alice@example\.com/ }).getByText('Password resets for new hires').waitFor(WAIT);
    await check(page, 'approvals');
    await page.getByRole('row', { name: /alice@example\.com/ }).getByRole('button', { name: /^Approve User Administrator for/ }).click();
    const decide = page.getByRole('dialog', { name: /^Approve request: User Administrator/ });
    await decide.getByLabel('Justification').waitFor(WAIT);
    await check(page, 'approve-dialog');
    await decide.getByRole('button', { name: 'Close' }).click();
    await page.goto(`${base}/approvals/${seed.request}`);
    await page.getByRole('region', { name: /Activate User Administrator/ }).getByText('Password resets for new hires').waitFor(WAIT);
    await check(page, 'approval');
    noProblems();
  });

  test('an administrator: every page under /admin, the role settings tabs and the Add assignments wizard', async () => {
    const page = adminPage;
    const visit = async (url: string, title: string | RegExp, name: string, ready?: Locator) => {
      await page.goto(`${base}${url}`);
      await heading(page, title);
      await ready?.waitFor(WAIT);
      await check(page, name);
    };
    await visit('/admin', 'Administration', 'admin');
    await visit('/admin/roles', 'Roles', 'admin-roles', page.getByRole('row', { name: /User Administrator/ }).first());
    await visit(`/admin/roles/${ROLE.userAdministrator}`, 'User Administrator', 'admin-role', page.getByRole('row', { name: /Helpdesk leads/ }));
    await page.getByRole('tab', { name: 'Active assignments' }).click();
    await settled(page);
    await check(page, 'admin-role-active');
    await page.getByRole('tab', { name: 'Eligible assignments' }).click();
    await page.getByRole('row', { name: /Helpdesk leads/ }).waitFor(WAIT);

    await page.getByRole('button', { name: 'Add assignments' }).click();
    const wizard = page.getByRole('dialog', { name: 'Add assignments: User Administrator' });
    await wizard.getByLabel('Search members').fill('bob');
    await wizard.getByRole('button', { name: /^Select bob/ }).waitFor(WAIT);
    await check(page, 'wizard-members');
    await wizard.getByRole('button', { name: /^Select bob/ }).click();
    await wizard.getByRole('button', { name: 'Next' }).click();
    await wizard.getByRole('radio', { name: 'For a number of days' }).waitFor(WAIT);
    await check(page, 'wizard-setting');
    await wizard.getByRole('button', { name: 'Next' }).click();
    await wizard.getByRole('heading', { name: 'Justification' }).waitFor(WAIT);
    await check(page, 'wizard-justification');
    await wizard.getByRole('button', { name: 'Cancel' }).click();

    await visit(`/admin/roles/${ROLE.userAdministrator}/settings`, 'Role settings: User Administrator', 'admin-role-settings-activation', page.getByRole('list', { name: 'Approvers', exact: true }));
    for (const tab of ['Assignment', 'Notification']) {
      await page.getByRole('tab', { name: tab }).click();
      await page.getByRole('tab', { name: tab, selected: true }).waitFor(WAIT);
      await check(page, `admin-role-settings-${tab.toLowerCase()}`);
    }

    await visit('/admin/users', 'Users', 'admin-users', page.getByRole('row', { name: /alice/ }));
    await visit(`/admin/users/${seed.alice.id}`, 'alice', 'admin-user');
    await visit('/admin/groups', 'Groups', 'admin-groups', page.getByRole('row', { name: /Helpdesk leads/ }));
    await visit(`/admin/groups/${seed.helpdesk}`, 'Helpdesk leads', 'admin-group');
    await visit('/admin/administrative-units', 'Administrative units', 'admin-units', page.getByRole('row', { name: /Finance/ }));
    await visit(`/admin/administrative-units/${seed.unit}`, 'Finance', 'admin-unit');
    await visit('/admin/audit', 'Audit log', 'admin-audit', page.getByRole('status').filter({ hasText: 'Chain intact' }));
    await visit('/admin/notifications', 'Notifications', 'admin-notifications');
    await visit('/admin/notifications/deliveries', 'Deliveries', 'admin-deliveries');
    await visit('/admin/notifications/mailbox', 'Mailbox', 'admin-mailbox', page.getByRole('row', { name: /alice@example\.com/ }).first());
    await page.getByRole('button', { name: /^Read / }).first().click();
    await page.getByLabel('Text body').waitFor(WAIT);
    await check(page, 'admin-mailbox-mail');
    await visit('/admin/notifications/webhooks', 'Webhooks', 'admin-webhooks', page.getByText('http://127.0.0.1:9/hooks/pim').first());
    noProblems();
  });

  test('keyboard: Tab reaches the main navigation and an action; a dialog keeps focus and Escape closes it', async () => {
    const page = userPage;
    await page.goto(`${base}/`);
    await heading(page, 'My roles');
    await page.getByRole('row', { name: /Security Reader/ }).waitFor(WAIT);
    const focused = (sel: string) => page.evaluate<boolean>(`document.activeElement?.closest(${JSON.stringify(sel)}) !== null && document.activeElement !== document.body`);
    const describe = () => page.evaluate<string>('(document.activeElement?.getAttribute("aria-label") || document.activeElement?.textContent || document.activeElement?.tagName || "").trim()');

    await page.keyboard.press('Tab');
    assert.equal(await describe(), 'Skip to content', 'the first stop skips to the content');
    let presses = 0;
    while (!(await focused('nav[aria-label="Main"] a')) && presses++ < 5) await page.keyboard.press('Tab');
    assert.ok(await focused('nav[aria-label="Main"] a'), 'Tab reaches the main navigation within a few presses');
    presses = 0;
    while ((await describe()) !== 'Activate Security Reader' && presses++ < 40) await page.keyboard.press('Tab');
    assert.equal(await describe(), 'Activate Security Reader', 'Tab reaches the row action');

    await page.keyboard.press('Enter');
    const panel = page.getByRole('dialog', { name: 'Activate Security Reader' });
    await panel.getByLabel('Duration').waitFor(WAIT);
    assert.ok(await focused('dialog[open]'), 'focus moves into the dialog');
    // Around the dialog and back, both ways: focus never lands on the page behind it.
    for (const key of ['Tab', 'Shift+Tab']) {
      for (let i = 0; i < 15; i++) {
        await page.keyboard.press(key);
        const outside = await page.evaluate<string | null>('document.activeElement && document.activeElement !== document.body && !document.activeElement.closest("dialog[open]") ? document.activeElement.outerHTML.slice(0, 120) : null');
        assert.equal(outside, null, `${key} ×${i + 1} stays in the dialog`);
      }
    }
    await page.keyboard.press('Escape');
    await panel.waitFor({ state: 'detached', ...WAIT });
    assert.equal(await describe(), 'Activate Security Reader', 'focus returns to the button that opened the dialog');

    // A navigation without a page load: focus moves to the new page (not left on the link) and the title follows.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My requests' }).focus();
    await page.keyboard.press('Enter');
    await heading(page, 'My requests');
    await page.locator('#main:focus').waitFor(WAIT);
    assert.equal(await page.title(), 'My requests – openpim');
    await page.keyboard.press('Tab');
    assert.ok(await focused('main'), 'Tab continues inside the new page');
  });
});
