import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { FakeClock, systemClock } from '../../src/clock.ts';
import { ROLE } from '../../src/domain/roles.ts';
import { ENGINE, startHarness, type Api, type Harness } from '../helpers/harness.ts';
import { listenOnLoopback, nextTotp, setUpAdminOverApi, signInOnPage, WAIT } from '../helpers/portal-e2e.ts';
import { Browser } from '../helpers/session.ts';
import { ensureWebBuilt, openBrowser, type BrowserWindow } from '../helpers/web.ts';

const SHOTS = path.resolve('test-artifacts/screenshots');
const ADMIN_PASSWORD = 'seven long winters up north';
const PASSWORD = 'a portal passphrase for tests';

/**
 * Controls without an accessible name (no label, aria-label or aria-labelledby), buttons and
 * links without text, as "selector: html": an axe-like check that needs no dependency.
 */
const UNNAMED = `(() => {
  const bad = [];
  const visible = (el) => el.getClientRects().length > 0;
  for (const el of document.querySelectorAll('input:not([type=hidden]), select, textarea')) {
    const named = (el.labels && el.labels.length > 0) || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby') || el.title;
    if (!named && visible(el)) bad.push(el.outerHTML.slice(0, 120));
  }
  for (const el of document.querySelectorAll('button, a[href]')) {
    const named = (el.textContent || '').trim() !== '' || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby');
    if (!named && visible(el)) bad.push(el.outerHTML.slice(0, 120));
  }
  for (const t of document.querySelectorAll('table')) if (!t.querySelector('caption')) bad.push('table without caption');
  const ids = [...document.querySelectorAll('[id]')].map((e) => e.id);
  for (const id of new Set(ids)) if (ids.indexOf(id) !== ids.lastIndexOf(id)) bad.push('duplicate id ' + id);
  return bad;
})()`;

/**
 * The administration pages in a real browser (Debian's Chromium via playwright-core) against
 * the real server on loopback: the administrator creates the seed's groups and a user, sets
 * User Administrator's settings through the editor, makes the group eligible through the Add
 * assignments wizard (seeing its validation errors first), and reads it all in the audit log.
 */
describe(`the portal's administration pages in Chromium (${ENGINE})`, () => {
  let h: Harness;
  let base = '';
  let page: Page;
  let admin: Api;
  let secret = '';
  let window: BrowserWindow | undefined;
  const shot = (name: string) => page.screenshot({ path: path.join(SHOTS, `admin-${name}.png`), fullPage: true });
  const heading = (name: string | RegExp) => page.getByRole('heading', { name, level: 1 }).waitFor(WAIT);
  const adminNav = (name: string) => page.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name, exact: true }).click();
  const noticeSays = (text: string | RegExp) => page.getByRole('status').filter({ hasText: text }).first().waitFor(WAIT);
  const accessible = async (where: string) => {
    const bad = await page.evaluate<string[]>(UNNAMED);
    assert.deepEqual(bad, [], `${where}: every control has an accessible name`);
  };

  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    ensureWebBuilt();
    // As in portal.test.ts: the server's clock a little behind the browser's.
    h = await startHarness({ clock: new FakeClock(systemClock.nowMs() - 20 * 60_000) });
    base = await listenOnLoopback(h);

    ({ admin, secret } = await setUpAdminOverApi(h, ADMIN_PASSWORD));

    window = await openBrowser();
    page = window.page;
    await signInOnPage(page, { from: `${base}/`, upn: 'admin@example.com', password: ADMIN_PASSWORD, code: () => nextTotp(h, secret) });
  });
  after(async () => {
    if (window !== undefined) {
      await window.page.screenshot({ path: path.join(SHOTS, 'admin-last-window.png'), fullPage: true }).catch(() => undefined);
      await window.close().catch(() => undefined);
    }
    await h?.close();
  });

  test('groups (role-assignable chosen at creation, then locked), a user, and a member', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Administration' }).click();
    await heading('Administration');
    await adminNav('Users');
    await heading('Users');
    await page.getByRole('button', { name: 'New user' }).click();
    await page.getByLabel('Sign-in name').fill('bob@example.com');
    await page.getByLabel('Display name').fill('Bob Approver');
    await page.getByRole('button', { name: 'Create user' }).click();
    await noticeSays('Bob Approver is created.');
    await page.getByRole('row', { name: /Bob Approver/ }).getByText('Enabled').waitFor(WAIT);
    await accessible('users');
    await shot('users');

    await adminNav('Groups');
    await heading('Groups');
    for (const [name, roleAssignable] of [['PIM approvers', false], ['User Administrator eligibility', true]] as const) {
      await page.getByRole('button', { name: 'New group' }).click();
      await page.getByLabel('Group name').fill(name);
      if (roleAssignable) await page.getByLabel(/^Role-assignable/).check();
      await page.getByRole('button', { name: 'Create group' }).click();
      await noticeSays(`${name} is created${roleAssignable ? ' (role-assignable)' : ''}.`);
    }
    await page.getByRole('row', { name: /User Administrator eligibility/ }).getByText('Yes').waitFor(WAIT);
    await accessible('groups');
    await shot('groups');

    await page.getByRole('link', { name: 'User Administrator eligibility' }).click();
    await heading('User Administrator eligibility');
    const locked = page.getByLabel('Role-assignable');
    assert.ok(await locked.isChecked(), 'shown as role-assignable');
    assert.ok(await locked.isDisabled(), 'and locked');

    await page.getByRole('link', { name: '← All groups' }).click();
    await page.getByRole('link', { name: 'PIM approvers' }).click();
    await heading('PIM approvers');
    assert.equal(await page.getByLabel('Role-assignable').isChecked(), false);
    await page.getByLabel('Add member: search').fill('Bob');
    await page.getByRole('button', { name: 'Add member Bob Approver' }).click();
    await noticeSays('Bob Approver is a member now.');
    await page.getByRole('table', { name: 'Members' }).getByRole('row', { name: /Bob Approver/ }).waitFor(WAIT);
    await accessible('group');
    await shot('group');

    await adminNav('Administrative units');
    await heading('Administrative units');
    await page.getByLabel('Unit name').fill('Finance');
    await page.getByRole('button', { name: 'Create administrative unit' }).click();
    await page.getByRole('row', { name: /Finance/ }).getByText(/^\/administrativeUnits\//).waitFor(WAIT);
    await accessible('administrative units');
    await shot('administrative-units');
  });

  test('role settings: 5 hours, MFA, justification and approval by the approvers group, saved and read back', async () => {
    await adminNav('Roles');
    await heading('Roles');
    await page.getByLabel('Search roles').fill('User Admin');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('row', { name: /^User Administrator Built-in/ }).getByText('Built-in').waitFor(WAIT);
    await accessible('roles');
    await shot('roles');
    await page.getByRole('link', { name: 'Settings of User Administrator' }).click();
    await heading('Role settings: User Administrator');
    await page.getByText('These are the default settings').waitFor(WAIT);

    // An out-of-range value: the API's message is shown in the tab it is about.
    const hours = page.getByLabel('Activation maximum duration (hours)');
    await hours.fill('30');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('tabpanel').getByRole('alert').filter({ hasText: 'between 30 minutes and 24 hours' }).waitFor(WAIT);

    await hours.fill('5');
    await page.getByRole('radio', { name: 'Multi-factor authentication' }).check();
    await page.getByLabel('Require justification on activation').check();
    await page.getByLabel('Require approval to activate').check();
    await page.getByLabel('Search approvers').fill('PIM');
    await page.getByRole('button', { name: 'Add PIM approvers' }).click();
    await page.getByRole('list', { name: 'Approvers' }).getByText('PIM approvers (group)').waitFor(WAIT);
    await accessible('settings: activation');
    await shot('settings-activation');
    await page.getByRole('button', { name: 'Save' }).click();
    await noticeSays('Settings saved.');

    await page.getByRole('tab', { name: 'Assignment' }).click();
    await page.getByLabel('Expire eligible assignments after').waitFor(WAIT);
    assert.equal(await page.getByLabel('Allow permanent eligible assignment').isChecked(), true);
    await accessible('settings: assignment');
    await page.getByRole('tab', { name: 'Notification' }).click();
    await page.getByRole('table', { name: /activate this role/ }).getByRole('row', { name: /Request to approve an activation/ }).getByText('Only the designated approvers').waitFor(WAIT);
    assert.equal(await page.getByRole('checkbox', { name: /default recipients$/ }).count(), 9, 'the 3 × 3 matrix');
    await accessible('settings: notification');
    await shot('settings-notification');

    // The round trip: a reload shows what was saved.
    await page.reload();
    await heading('Role settings: User Administrator');
    await page.getByText(/^Saved for this role by Ada Admin/).waitFor(WAIT);
    assert.equal(await page.getByLabel('Activation maximum duration (hours)').inputValue(), '5');
    assert.ok(await page.getByRole('radio', { name: 'Multi-factor authentication' }).isChecked());
    assert.ok(await page.getByLabel('Require justification on activation').isChecked());
    assert.ok(await page.getByLabel('Require approval to activate').isChecked());
    await page.getByRole('list', { name: 'Approvers' }).getByText('PIM approvers (group)').waitFor(WAIT);
    const saved = await admin.get(`/api/v1/roles/${ROLE.userAdministrator}/settings`);
    assert.equal(saved.body.source, 'role');
    assert.equal(saved.body.settings.activation.maximumDuration, 'PT5H');
    assert.equal(saved.body.settings.activation.requireMfa, true);
    assert.equal(saved.body.settings.activation.approvalStages[0].approvers[0].type, 'group');
  });

  test('Add assignments wizard: errors on the step they are about, then the group is eligible', async () => {
    await page.getByRole('link', { name: '← User Administrator: assignments' }).click();
    await heading('User Administrator');
    await page.getByRole('tab', { name: 'Eligible assignments' }).waitFor(WAIT);
    await page.getByText('Nobody is eligible for this role.').waitFor(WAIT);
    await page.getByRole('button', { name: 'Add assignments' }).click();
    const wizard = page.getByRole('dialog', { name: 'Add assignments: User Administrator' });
    const stepAlert = (text: string | RegExp) => wizard.getByRole('alert').filter({ hasText: text }).waitFor(WAIT);

    await wizard.getByRole('button', { name: 'Next' }).click();
    await stepAlert('Choose at least one member.');
    await wizard.getByLabel('Search members').fill('User Administrator');
    await wizard.getByRole('button', { name: 'Select User Administrator eligibility' }).click();
    await wizard.getByRole('list', { name: 'Selected members' }).getByText('User Administrator eligibility').waitFor(WAIT);
    assert.equal(await wizard.getByRole('button', { name: 'Select PIM approvers' }).count(), 0, 'only role-assignable groups are offered');
    await wizard.getByRole('button', { name: 'Next' }).click();

    // Shorter than any assignment may be: the API's message on the Setting step.
    await wizard.getByRole('radio', { name: 'For a number of days' }).check();
    await wizard.getByRole('spinbutton', { name: 'Number of days' }).fill('0');
    await wizard.getByRole('button', { name: 'Next' }).click();
    await stepAlert('An assignment must last at least 5 minutes.');
    assert.equal(await wizard.locator('[aria-current="step"]').textContent(), '2. Setting (needs attention)');
    await accessible('wizard');
    await shot('wizard-error');

    // Active needs a justification (the default Assignment rules): refused on the Justification step.
    await wizard.getByRole('radio', { name: /^Active/ }).check();
    await wizard.getByRole('radio', { name: 'Permanently active' }).check();
    await wizard.getByRole('button', { name: 'Next' }).click();
    await wizard.getByRole('heading', { name: 'Justification' }).waitFor(WAIT);
    await wizard.getByRole('button', { name: 'Assign' }).click();
    await stepAlert('A justification is required for active assignments of this role.');

    await wizard.getByRole('button', { name: 'Back' }).click();
    await wizard.getByRole('radio', { name: /^Eligible/ }).check();
    await wizard.getByRole('radio', { name: 'Permanently eligible' }).check();
    await wizard.getByRole('button', { name: 'Next' }).click();
    await wizard.getByLabel('Justification').fill('Seed: helpdesk leads');
    await wizard.getByRole('button', { name: 'Assign' }).click();
    await wizard.getByRole('list', { name: 'Results' }).getByText('User Administrator eligibility: eligible assignment added (permanent).').waitFor(WAIT);
    await wizard.getByRole('button', { name: 'Done' }).click();

    const row = page.getByRole('table', { name: 'Eligible assignments' }).getByRole('row', { name: /User Administrator eligibility/ });
    await row.getByText('Group', { exact: true }).waitFor(WAIT);
    await row.getByText('Permanent').waitFor(WAIT);
    await accessible('role');
    await shot('role');
    // Remove goes through the API, which refuses it within 5 minutes of the assignment: its message shows.
    await row.getByRole('button', { name: 'Remove User Administrator eligibility' }).click();
    const remove = page.getByRole('dialog', { name: 'Remove assignment of User Administrator eligibility' });
    await remove.getByRole('button', { name: 'Remove', exact: true }).click();
    await remove.getByRole('alert').filter({ hasText: 'cannot be removed within 5 minutes' }).waitFor(WAIT);
    await remove.getByRole('button', { name: 'Cancel' }).click();
    const list = await admin.get(`/api/v1/roles/${ROLE.userAdministrator}/assignments?kind=eligible`);
    assert.equal(list.body.items.length, 1);
    assert.equal(list.body.items[0].principalDisplayName, 'User Administrator eligibility');

    // Phone width: the role page and its table stay usable without sideways scrolling.
    await page.setViewportSize({ width: 390, height: 844 });
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    assert.ok(overflow <= 1, `no sideways scrolling (${overflow}px)`);
    await shot('role-phone');
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  test('the audit log lists these steps, filters them, exports them as CSV and shows the chain intact', async () => {
    await adminNav('Audit log');
    await heading('Audit log');
    await page.getByRole('status').filter({ hasText: 'Chain intact' }).waitFor(WAIT);
    const events = page.getByRole('table', { name: 'Audit events' });
    for (const action of ['user.created', 'group.created', 'group.member.added', 'role.settings.updated', 'schedule.eligible.created']) {
      await events.getByRole('rowheader', { name: action, exact: true }).first().waitFor(WAIT);
    }
    await events.getByRole('row', { name: /schedule\.eligible\.created/ }).getByText('Seed: helpdesk leads').waitFor(WAIT);
    await accessible('audit');
    await shot('audit');

    await page.getByLabel('Action').fill('group.*');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await events.getByRole('rowheader', { name: 'group.member.added' }).waitFor(WAIT);
    await events.getByRole('rowheader', { name: 'role.settings.updated' }).waitFor({ state: 'detached', ...WAIT });
    const actions = await events.getByRole('rowheader').allTextContents();
    assert.ok(actions.length >= 3 && actions.every((a) => a.startsWith('group.')), actions.join(', '));

    const href = await page.getByRole('link', { name: 'Download CSV' }).getAttribute('href');
    assert.equal(href, '/api/v1/audit/export?format=csv&action=group.*');
    const csv = await page.context().request.get(`${base}${href}`);
    assert.equal(csv.status(), 200);
    const text = await csv.text();
    assert.match(text, /^seq,id,at,/);
    assert.ok(text.includes('group.created') && !text.includes('role.settings.updated'), 'the export has the same filters');
  });

  test('someone without an administrator role sees the API\'s refusal', async () => {
    const bob = (await admin.get('/api/v1/users?search=bob')).body.items[0].id as string;
    assert.equal((await admin.post(`/api/v1/users/${bob}/password`, { password: PASSWORD })).status, 204);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Sign-in name').fill('bob@example.com');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('banner').getByText('Bob Approver').waitFor(WAIT);
    const b = new Browser(h.app);
    assert.equal((await b.signIn('bob@example.com', PASSWORD)).status, 200);
    const refused = await b.get('/api/v1/audit');
    assert.equal(refused.status, 403, JSON.stringify(refused.body));
    await page.goto(`${base}/admin/audit`);
    await heading('Audit log');
    await page.getByRole('alert').filter({ hasText: refused.body.error.message }).first().waitFor(WAIT);
    await shot('refused');
  });
});
