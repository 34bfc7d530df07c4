import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { DAY_MS } from '../../src/domain/duration.ts';
import { FakeClock, systemClock } from '../../src/clock.ts';
import { ROLE } from '../../src/domain/roles.ts';
import { ENGINE, startHarness, type Api, type Harness } from '../helpers/harness.ts';
import { formatViolations, runAxe } from '../helpers/axe.ts';
import { listenOnLoopback, nextTotp, setUpAdminOverApi, signInOnPage, WAIT } from '../helpers/portal-e2e.ts';
import { ensureWebBuilt, openBrowser, type BrowserWindow } from '../helpers/web.ts';

const SHOTS = path.resolve('test-artifacts/screenshots');
const ADMIN_PASSWORD = 'seven long winters up north';

/** A datetime-local input's value for an instant, in this machine's zone (the browser's too). */
function localInput(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}T${two(d.getHours())}:${two(d.getMinutes())}`;
}

/**
 * The rest of the administration pages in Chromium against the real server: custom roles,
 * role settings per scope, deleting and restoring users, groups and administrative units,
 * and moving the start of an assignment that has not begun. Each change succeeds once and is
 * refused once, the refusal showing the API's own message; the 30-day restore window is
 * crossed with the server's fake clock.
 */
describe(`the portal's administration pages, continued, in Chromium (${ENGINE})`, () => {
  let h: Harness;
  let base = '';
  let page: Page;
  let admin: Api;
  let secret = '';
  let window: BrowserWindow | undefined;
  let bobId = '';
  let dbRoleId = '';
  let financeScope = '';
  const shot = (name: string) => page.screenshot({ path: path.join(SHOTS, `admin-more-${name}.png`), fullPage: true });
  const heading = (name: string | RegExp) => page.getByRole('heading', { name, level: 1 }).waitFor(WAIT);
  const adminNav = (name: string) => page.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name, exact: true }).click();
  const noticeSays = (text: string | RegExp) => page.getByRole('status').filter({ hasText: text }).first().waitFor(WAIT);
  const alertSays = (text: string | RegExp, within = page.locator('body')) => within.getByRole('alert').filter({ hasText: text }).first().waitFor(WAIT);
  /** axe-core on the page as it is (open dialogs included): no serious or critical violation. */
  const accessible = async (where: string) => {
    const report = await runAxe(page);
    assert.deepEqual(report.failing.map((v) => v.id), [], `${where}:\n${formatViolations(report.failing)}`);
  };
  const noSideways = async (where: string) => {
    await page.setViewportSize({ width: 390, height: 844 });
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    await shot(`${where}-phone`);
    await page.setViewportSize({ width: 1280, height: 900 });
    assert.ok(overflow <= 1, `${where}: no sideways scrolling at 390 px (${overflow}px)`);
  };
  const signIn = () => signInOnPage(page, { upn: 'admin@example.com', password: ADMIN_PASSWORD, code: () => nextTotp(h, secret) });

  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    ensureWebBuilt();
    // As in portal-admin.test.ts: the server's clock a little behind the browser's.
    h = await startHarness({ clock: new FakeClock(systemClock.nowMs() - 20 * 60_000) });
    base = await listenOnLoopback(h);
    ({ admin, secret } = await setUpAdminOverApi(h, ADMIN_PASSWORD));
    const bob = await admin.post('/api/v1/users', { userPrincipalName: 'bob@example.com', displayName: 'Bob Builder' });
    assert.equal(bob.status, 201, JSON.stringify(bob.body));
    bobId = bob.body.id;

    window = await openBrowser();
    page = window.page;
    await page.goto(`${base}/`);
    await signIn();
  });
  after(async () => {
    if (window !== undefined) {
      await window.page.screenshot({ path: path.join(SHOTS, 'admin-more-last-window.png'), fullPage: true }).catch(() => undefined);
      await window.close().catch(() => undefined);
    }
    await h?.close();
  });

  test('custom roles: created, edited, refused a second time by name, deleted; refused while assigned; built-ins read-only', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Administration' }).click();
    await adminNav('Roles');
    await heading('Roles');
    for (const [name, permissions] of [['Database operators', 'db:read\ndb:write'], ['Report readers', 'report:read']] as const) {
      await page.getByRole('button', { name: 'New custom role' }).click();
      const form = page.getByRole('form', { name: 'New custom role' });
      await form.getByLabel('Role name').fill(name);
      await form.getByLabel('Description (optional)').fill(`Seed: ${name.toLowerCase()}`);
      await form.getByLabel('Permissions').fill(permissions);
      await form.getByRole('button', { name: 'Create role' }).click();
      await noticeSays(`${name} is created.`);
    }
    await page.getByRole('row', { name: /^Database operators Custom/ }).getByText('Custom').waitFor(WAIT);

    // The same name again: the API's refusal in the form.
    await page.getByRole('button', { name: 'New custom role' }).click();
    const form = page.getByRole('form', { name: 'New custom role' });
    await form.getByLabel('Role name').fill('report READERS');
    await form.getByRole('button', { name: 'Create role' }).click();
    await alertSays('A role with this name exists.', form);
    await accessible('new role form');
    await shot('role-refused');
    await page.getByRole('button', { name: 'Close the new role form' }).click();

    await page.getByRole('link', { name: 'Database operators', exact: true }).click();
    await heading('Database operators');
    await page.getByRole('list', { name: 'Permissions' }).getByText('db:write').waitFor(WAIT);
    await page.getByRole('button', { name: 'Edit role' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit Database operators' });
    await edit.getByLabel('Permissions').fill('db:read\ndb:write\ndb:admin');
    await edit.getByLabel('Description (optional)').fill('Runs the production databases');
    await edit.getByRole('button', { name: 'Save role' }).click();
    await noticeSays('Database operators: role saved.');
    await page.getByRole('list', { name: 'Permissions' }).getByText('db:admin').waitFor(WAIT);
    await page.getByText('Runs the production databases').waitFor(WAIT);
    dbRoleId = new URL(page.url()).pathname.split('/').pop() ?? '';
    const saved = await admin.get(`/api/v1/roles/${dbRoleId}`);
    assert.deepEqual(saved.body.permissions, ['db:read', 'db:write', 'db:admin']);

    // Held by someone (an assignment that starts in two days): deleting is refused with the API's message.
    const start = new Date(h.clock.nowMs() + 2 * DAY_MS).toISOString();
    const assigned = await admin.post('/api/v1/requests', { action: 'adminAssign', kind: 'eligible', principalId: bobId, roleId: dbRoleId, scope: '/', schedule: { startAt: start, duration: 'P30D' }, justification: 'On call from next week' });
    assert.equal(assigned.status, 201, JSON.stringify(assigned.body));
    await page.getByRole('button', { name: 'Delete role' }).click();
    const del = page.getByRole('dialog', { name: 'Delete Database operators?' });
    await del.getByRole('button', { name: 'Delete role' }).click();
    await alertSays('The role is still assigned; remove its assignments first.', del);
    await accessible('delete role refused');
    await shot('role-delete-refused');
    // Escape closes the dialog and gives focus back to the button that opened it.
    await page.keyboard.press('Escape');
    await del.waitFor({ state: 'detached', ...WAIT });
    assert.equal(await page.evaluate('document.activeElement?.textContent'), 'Delete role');

    // Nothing holds Report readers: it goes.
    await page.getByRole('link', { name: '← All roles' }).click();
    await page.getByLabel('Search roles').fill('readers');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('link', { name: 'Report readers', exact: true }).click();
    await heading('Report readers');
    await page.getByRole('button', { name: 'Delete role' }).click();
    await page.getByRole('dialog', { name: 'Delete Report readers?' }).getByRole('button', { name: 'Delete role' }).click();
    await heading('Roles');
    await page.getByLabel('Search roles').fill('readers');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('row', { name: /^Directory Readers Built-in/ }).waitFor(WAIT);
    assert.equal(await page.getByRole('link', { name: 'Report readers', exact: true }).count(), 0, 'the deleted role is no longer listed');
    const left = (await admin.get('/api/v1/roles?search=report%20readers')).body.items as Array<{ displayName: string }>;
    assert.deepEqual(left.filter((r) => r.displayName === 'Report readers'), [], 'deleted in the API too');

    // Built-in roles offer no edit or delete.
    await page.goto(`${base}/admin/roles/${ROLE.globalAdministrator}`);
    await heading('Global Administrator');
    await page.getByText('Built-in roles are read-only').waitFor(WAIT);
    assert.equal(await page.getByRole('button', { name: 'Edit role' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Delete role' }).count(), 0);
  });

  test('role settings per scope: inherited, an override refused then saved, then removed', async () => {
    const unit = await admin.post('/api/v1/administrativeUnits', { displayName: 'Finance' });
    assert.equal(unit.status, 201, JSON.stringify(unit.body));
    financeScope = unit.body.scope;
    await page.goto(`${base}/admin/roles/${dbRoleId}/settings`);
    await heading('Role settings: Database operators');
    await page.getByText('These are the default settings').waitFor(WAIT);
    const hours = page.getByLabel('Activation maximum duration (hours)');
    await hours.fill('6');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await noticeSays('Settings saved.');

    // Finance has nothing of its own: the role-wide settings apply there.
    await page.getByLabel('Scope', { exact: true }).selectOption({ label: 'Administrative unit: Finance' });
    await page.getByRole('button', { name: 'Show settings' }).click();
    await page.getByRole('heading', { name: `Settings at ${financeScope}` }).waitFor(WAIT);
    await page.getByText('the role-wide settings (Directory, /) apply here').waitFor(WAIT);
    assert.equal(await hours.inputValue(), '6');
    assert.equal(await page.getByRole('button', { name: 'Remove this override' }).count(), 0, 'nothing to remove yet');

    await hours.fill('30');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('tabpanel').getByRole('alert').filter({ hasText: 'between 30 minutes and 24 hours' }).waitFor(WAIT);
    await hours.fill('2');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await noticeSays(`Settings saved for ${financeScope}.`);
    await page.getByText('This scope has its own settings, saved by Ada Admin').waitFor(WAIT);
    await accessible('settings override');
    await shot('settings-override');
    const atUnit = await admin.get(`/api/v1/roles/${dbRoleId}/settings?scope=${encodeURIComponent(financeScope)}`);
    assert.equal(atUnit.body.source, 'scope');
    assert.equal(atUnit.body.definedAt, financeScope);
    assert.equal(atUnit.body.settings.activation.maximumDuration, 'PT2H');
    assert.equal((await admin.get(`/api/v1/roles/${dbRoleId}/settings`)).body.settings.activation.maximumDuration, 'PT6H', 'the role-wide settings are untouched');

    // Back at the directory: its own 6 hours; then Finance's override is removed.
    await page.getByLabel('Scope', { exact: true }).selectOption({ label: 'Directory (/)' });
    await page.getByRole('button', { name: 'Show settings' }).click();
    await page.getByText(/^Saved for this role by Ada Admin/).waitFor(WAIT);
    assert.equal(await hours.inputValue(), '6');
    await page.getByLabel('Scope', { exact: true }).selectOption({ label: 'Administrative unit: Finance' });
    await page.getByRole('button', { name: 'Show settings' }).click();
    await page.getByText('This scope has its own settings').waitFor(WAIT);
    assert.equal(await hours.inputValue(), '2');
    // The scope is in the address: a reload opens it again.
    assert.equal(new URL(page.url()).searchParams.get('scope'), financeScope);
    await page.reload();
    await page.getByText('This scope has its own settings').waitFor(WAIT);
    assert.equal(await hours.inputValue(), '2');
    assert.equal(await page.getByLabel('Scope', { exact: true }).inputValue(), financeScope);
    await noSideways('settings-scope');
    await page.getByRole('button', { name: 'Remove this override' }).click();
    await page.getByRole('dialog', { name: 'Remove this override?' }).getByRole('button', { name: 'Remove override' }).click();
    await noticeSays(`The override at ${financeScope} is removed: the settings of Directory apply here again.`);
    await page.getByText('the role-wide settings (Directory, /) apply here').waitFor(WAIT);
    assert.equal(await hours.inputValue(), '6');
    assert.equal((await admin.get(`/api/v1/roles/${dbRoleId}/settings?scope=${encodeURIComponent(financeScope)}`)).body.source, 'role');

    // A scope the API does not know: its message instead of settings.
    await page.getByLabel('Scope', { exact: true }).selectOption({ label: 'Another scope…' });
    await page.getByLabel('Scope path').fill('/administrativeUnits/no-such-unit');
    await page.getByRole('button', { name: 'Show settings' }).click();
    const unknown = await admin.get(`/api/v1/roles/${dbRoleId}/settings?scope=${encodeURIComponent('/administrativeUnits/no-such-unit')}`);
    assert.ok(unknown.status >= 400, JSON.stringify(unknown.body));
    await alertSays(unknown.body.error.message);
  });

  test('users: created, disabled and enabled, deleted and restored; the last Global Administrator is kept', async () => {
    await adminNav('Users');
    await heading('Users');
    await page.getByRole('button', { name: 'New user' }).click();
    await page.getByLabel('Sign-in name').fill('carol@example.com');
    await page.getByLabel('Display name').fill('Carol Temp');
    await page.getByRole('button', { name: 'Create user' }).click();
    await noticeSays('Carol Temp is created.');
    const carol = page.getByRole('row', { name: /Carol Temp/ });
    await carol.getByRole('button', { name: 'Disable Carol Temp' }).click();
    await noticeSays('Carol Temp is disabled.');
    await carol.getByText('Disabled').waitFor(WAIT);
    await carol.getByRole('button', { name: 'Enable Carol Temp' }).click();
    await noticeSays('Carol Temp is enabled.');

    await carol.getByRole('button', { name: 'Delete Carol Temp' }).click();
    await page.getByRole('dialog', { name: 'Delete Carol Temp?' }).getByRole('button', { name: 'Delete user' }).click();
    await noticeSays('Carol Temp is deleted; restore them from Deleted users within 30 days.');
    await carol.waitFor({ state: 'detached', ...WAIT });
    // By keyboard: the tabs move with the arrow keys.
    await page.getByRole('tab', { name: 'Users', exact: true }).focus();
    await page.keyboard.press('ArrowRight');
    assert.equal(await page.getByRole('tab', { name: 'Deleted users' }).getAttribute('aria-selected'), 'true');
    const deleted = page.getByRole('table', { name: 'Deleted users' });
    await deleted.getByRole('row', { name: /Carol Temp/ }).waitFor(WAIT);
    await accessible('deleted users');
    await shot('users-deleted');
    await deleted.getByRole('button', { name: 'Restore Carol Temp' }).click();
    await noticeSays('Carol Temp is restored.');
    await page.getByText('There are no deleted users.').waitFor(WAIT);
    await page.getByRole('tab', { name: 'Users', exact: true }).click();
    await page.getByRole('row', { name: /Carol Temp/ }).getByText('Enabled').waitFor(WAIT);

    // Ada is the only Global Administrator: the guardrail refuses both, with the API's message.
    const ada = page.getByRole('row', { name: /Ada Admin/ });
    await ada.getByRole('button', { name: 'Disable Ada Admin' }).click();
    await alertSays('This would leave no active Global Administrator. Assign another one first.');
    await ada.getByRole('button', { name: 'Delete Ada Admin' }).click();
    const refuse = page.getByRole('dialog', { name: 'Delete Ada Admin?' });
    await refuse.getByRole('button', { name: 'Delete user' }).click();
    await alertSays('This would leave no active Global Administrator. Assign another one first.', refuse);
    await accessible('delete user refused');
    await shot('users-guardrail');
    await refuse.getByRole('button', { name: 'Cancel' }).click();
    assert.equal((await admin.get('/api/v1/users?search=admin')).body.items[0].enabled, true);

    // From the user's own page: deleted, shown as such, restored.
    await page.getByRole('link', { name: 'Carol Temp' }).click();
    await heading('Carol Temp');
    await page.getByRole('button', { name: 'Delete user' }).click();
    await page.getByRole('dialog', { name: 'Delete Carol Temp?' }).getByRole('button', { name: 'Delete user' }).click();
    await noticeSays('Carol Temp is deleted.');
    await page.getByText('This user was deleted on').waitFor(WAIT);
    await accessible('deleted user');
    await page.getByRole('button', { name: 'Restore this user' }).click();
    await noticeSays('Carol Temp is restored.');
    await page.getByRole('button', { name: 'Delete user' }).waitFor(WAIT);
    await noSideways('user');
  });

  test('groups and administrative units: renamed (an invalid name refused), deleted and restored', async () => {
    const g = await admin.post('/api/v1/groups', { displayName: 'Helpdesk', roleAssignable: false });
    assert.equal(g.status, 201, JSON.stringify(g.body));
    await page.goto(`${base}/admin/groups/${g.body.id}`);
    await heading('Helpdesk');
    await page.getByRole('button', { name: 'Edit name and description' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit Helpdesk' });
    await edit.getByLabel('Group name').fill('');
    await edit.getByRole('button', { name: 'Save' }).click();
    const refused = await admin.patch(`/api/v1/groups/${g.body.id}`, { displayName: '', description: null });
    assert.equal(refused.status, 400, JSON.stringify(refused.body));
    await alertSays(refused.body.error.message, edit);
    await accessible('edit group refused');
    await edit.getByLabel('Group name').fill('Helpdesk leads');
    await edit.getByLabel('Description').fill('First line, senior staff');
    await edit.getByRole('button', { name: 'Save' }).click();
    await noticeSays('Helpdesk leads is saved.');
    await heading('Helpdesk leads');
    await page.getByText('First line, senior staff').waitFor(WAIT);

    await page.getByRole('button', { name: 'Delete group' }).click();
    await page.getByRole('dialog', { name: 'Delete Helpdesk leads?' }).getByRole('button', { name: 'Delete group' }).click();
    await noticeSays('Helpdesk leads is deleted; it can be restored for 30 days.');
    await page.getByText('This group was deleted on').waitFor(WAIT);
    await adminNav('Groups');
    await page.getByRole('tab', { name: 'Deleted groups' }).click();
    await page.getByRole('table', { name: 'Deleted groups' }).getByRole('button', { name: 'Restore Helpdesk leads' }).click();
    await noticeSays('Helpdesk leads is restored.');
    await page.getByRole('tab', { name: 'Groups', exact: true }).click();
    await page.getByRole('row', { name: /Helpdesk leads/ }).waitFor(WAIT);
    assert.equal((await admin.get(`/api/v1/groups/${g.body.id}`)).body.deletedAt, null);

    await adminNav('Administrative units');
    await heading('Administrative units');
    await page.getByRole('link', { name: 'Finance' }).click();
    await heading('Finance');
    await page.getByRole('button', { name: 'Edit name and description' }).click();
    const unitEdit = page.getByRole('dialog', { name: 'Edit Finance' });
    await unitEdit.getByLabel('Unit name').fill('Finance EMEA');
    await unitEdit.getByRole('button', { name: 'Save' }).click();
    await noticeSays('Finance EMEA is saved.');
    await heading('Finance EMEA');
    await page.getByRole('button', { name: 'Delete administrative unit' }).click();
    await page.getByRole('dialog', { name: 'Delete Finance EMEA?' }).getByRole('button', { name: 'Delete administrative unit' }).click();
    await noticeSays('Finance EMEA is deleted; it can be restored for 30 days.');
    await page.getByRole('button', { name: 'Restore this administrative unit' }).click();
    await noticeSays('Finance EMEA is restored.');
    await page.getByRole('button', { name: 'Delete administrative unit' }).waitFor(WAIT);
    await noSideways('unit');
  });

  test('a future assignment: its start refused in the past, then moved', async () => {
    await page.goto(`${base}/admin/roles/${dbRoleId}`);
    await heading('Database operators');
    const row = page.getByRole('table', { name: 'Eligible assignments' }).getByRole('row', { name: /Bob Builder/ });
    await row.getByRole('button', { name: 'Update Bob Builder' }).click();
    const dialog = page.getByRole('dialog', { name: 'Update assignment of Bob Builder' });
    await dialog.getByText('its start can still change').waitFor(WAIT);
    const startField = dialog.getByLabel(/^Start/);
    assert.notEqual(await startField.inputValue(), '', 'the current start is filled in');

    // A day before the browser's (real) time, and so before the server's too.
    await startField.fill(localInput(systemClock.nowMs() - DAY_MS));
    await dialog.getByRole('button', { name: 'Update', exact: true }).click();
    await alertSays('The start time is in the past.', dialog);
    await accessible('update a future assignment');
    await shot('update-start-refused');

    const newStart = localInput(h.clock.nowMs() + 5 * DAY_MS);
    await startField.fill(newStart);
    await dialog.getByRole('button', { name: 'Update', exact: true }).click();
    await noticeSays('Bob Builder: assignment updated.');
    const list = await admin.get(`/api/v1/roles/${dbRoleId}/assignments?kind=eligible`);
    assert.equal(list.body.items.length, 1);
    assert.equal(localInput(Date.parse(list.body.items[0].startAt)), newStart, 'the start moved to the chosen minute');
    await noSideways('role-future');
  });

  test('after 30 days a deleted user, group or unit can no longer be restored: the API says so', async () => {
    const dave = await admin.post('/api/v1/users', { userPrincipalName: 'dave@example.com', displayName: 'Dave Gone' });
    const old = await admin.post('/api/v1/groups', { displayName: 'Old group', roleAssignable: false });
    const unit = await admin.post('/api/v1/administrativeUnits', { displayName: 'Old unit' });
    assert.equal((await admin.delete(`/api/v1/users/${dave.body.id}`)).status, 204);
    assert.equal((await admin.delete(`/api/v1/groups/${old.body.id}`)).status, 204);
    assert.equal((await admin.delete(`/api/v1/administrativeUnits/${unit.body.id}`)).status, 204);
    h.clock.advance(31 * DAY_MS);
    // The browser's session ended long ago on the server's clock: sign in again.
    await page.goto(`${base}/`);
    await signIn();

    await page.goto(`${base}/admin/users`);
    await heading('Users');
    await page.getByRole('tab', { name: 'Deleted users' }).click();
    await page.getByRole('button', { name: 'Restore Dave Gone' }).click();
    await alertSays('This user was deleted more than 30 days ago and can no longer be restored.');
    await shot('restore-too-late');

    await adminNav('Groups');
    await page.getByRole('tab', { name: 'Deleted groups' }).click();
    await page.getByRole('button', { name: 'Restore Old group' }).click();
    await alertSays('This group was deleted more than 30 days ago and can no longer be restored.');

    await page.goto(`${base}/admin/administrative-units/${unit.body.id}`);
    await heading('Old unit');
    await page.getByRole('button', { name: 'Restore this administrative unit' }).click();
    await alertSays('This administrative unit was deleted more than 30 days ago and can no longer be restored.');
  });
});
