import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { FakeClock, systemClock } from '../../src/clock.ts';
import { DeliveryWorker } from '../../src/delivery/worker.ts';
import { ROLE } from '../../src/domain/roles.ts';
import { assign, userWithToken } from '../helpers/factories.ts';
import { ENGINE, startWithAdmin, type Api } from '../helpers/harness.ts';
import { ensureWebBuilt, openBrowser, type BrowserWindow } from '../helpers/web.ts';
import { listenOnLoopback, signInOnPage, WAIT } from '../helpers/portal-e2e.ts';
import { Receiver } from '../helpers/webhook-receiver.ts';

const SHOTS = path.resolve('test-artifacts/screenshots');
const PASSWORD = 'notification pages passphrase';
const PUBLIC_URL = 'https://pim.example.com';

/**
 * Administration › Notifications and the user's notification settings in a real browser
 * (Debian's Chromium via playwright-core) against the real server on loopback in this process,
 * with no SMTP server configured, so mails are kept. The test runs the delivery worker itself.
 */
describe(`the portal's notification pages in Chromium (${ENGINE})`, () => {
  let h: Awaited<ReturnType<typeof startWithAdmin>>;
  let admin: Api;
  let worker: DeliveryWorker;
  let rx: Receiver;
  let base = '';
  let adminPage: Page;
  let alice: Awaited<ReturnType<typeof userWithToken>>;
  const windows: BrowserWindow[] = [];
  /** What the browser reported from the pages and frames (CSP refusals show here). */
  const consoleLines: string[] = [];

  const open = async (viewport?: { width: number; height: number }) => {
    const w = await openBrowser(viewport);
    windows.push(w);
    w.page.on('console', (m) => consoleLines.push(m.text()));
    return w.page;
  };
  const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
  const heading = (page: Page, name: string | RegExp) => page.getByRole('heading', { name, level: 1 }).waitFor(WAIT);
  const section = (page: Page, name: string) => page.getByRole('navigation', { name: 'Notifications sections' }).getByRole('link', { name, exact: true }).click();

  const signIn = (page: Page, upn: string) => signInOnPage(page, { from: `${base}/`, upn, password: PASSWORD });

  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    ensureWebBuilt();
    // The browser keeps its own clock: the fake one starts behind it and stays behind while the
    // test moves it on by an hour (a webhook delivery gives up after 1 hour here). Sessions
    // last through that hour.
    h = await startWithAdmin({
      clock: new FakeClock(systemClock.nowMs() - 3 * 3_600_000),
      env: { PIM_PUBLIC_URL: PUBLIC_URL, PIM_DELIVERY_GIVE_UP_HOURS: '1', PIM_SESSION_IDLE_MINUTES: '240' },
    });
    assert.equal(h.config.delivery.smtpUrl, null, 'no SMTP server: mails are kept');
    admin = h.admin;
    worker = new DeliveryWorker(h.system);
    rx = await new Receiver().listen();
    base = await listenOnLoopback(h);
    assert.equal((await admin.post(`/api/v1/users/${h.adminId}/password`, { password: PASSWORD })).status, 204);
    alice = await userWithToken(admin, 'alice@example.com');
    assert.equal((await admin.post(`/api/v1/users/${alice.id}/password`, { password: PASSWORD })).status, 204);
  });
  after(async () => {
    for (const [i, w] of windows.entries()) await w.page.screenshot({ path: path.join(SHOTS, `notifications-last-window-${i}.png`), fullPage: true }).catch(() => undefined);
    for (const w of windows) await w.close().catch(() => undefined);
    await worker?.stop();
    await h?.close();
    await rx?.close();
  });

  test('the administrator reads a kept mail in the mailbox (text, and HTML in a sandboxed frame) and finds it kept in Deliveries', async () => {
    await assign(admin, alice.id, ROLE.securityReader, { kind: 'eligible', permanent: true });
    await worker.tick();
    const subject = 'PIM: you are now eligible for Security Reader';

    adminPage = await open();
    await signIn(adminPage, 'admin@example.com');
    await adminPage.goto(`${base}/admin/notifications`);
    await heading(adminPage, 'Notifications');
    await section(adminPage, 'Mailbox');
    await heading(adminPage, 'Mailbox');
    const row = adminPage.getByRole('row', { name: new RegExp(subject) });
    await row.getByText('alice@example.com').waitFor(WAIT);
    await row.getByRole('button', { name: `Read ${subject} to alice@example.com` }).click();

    const mail = adminPage.getByRole('region', { name: subject });
    await mail.getByRole('heading', { name: subject }).waitFor(WAIT);
    const text = mail.getByLabel('Text body');
    await text.getByText(`See my roles: ${PUBLIC_URL}/my-roles`).waitFor(WAIT);
    assert.match((await text.textContent()) ?? '', /You are now eligible for Security Reader/);
    await shot(adminPage, 'notifications-mailbox-text');

    await mail.getByRole('tab', { name: 'HTML preview' }).click();
    const frame = mail.locator('iframe');
    assert.equal(await frame.getAttribute('sandbox'), '', 'sandboxed: no scripts, opaque origin');
    assert.equal(await adminPage.locator('.notif-mail table, .notif-mail a[href^="https://pim.example.com"]').count(), 0, 'the mail HTML is not in the page itself');
    const inside = mail.frameLocator('iframe');
    await inside.getByText('You are now eligible for Security Reader').waitFor(WAIT);
    await inside.getByRole('link', { name: 'See my roles' }).waitFor(WAIT);
    // The frame loads /api/v1/mail/{id}/html under its own policy: the mail's inline style
    // applies (a table header is left-aligned only by its style attribute), nothing is refused.
    assert.equal(await inside.locator('th').first().evaluate((el) => el.ownerDocument.defaultView?.getComputedStyle(el).textAlign), 'left');
    assert.deepEqual(consoleLines.filter((l) => l.includes('Content Security Policy')), []);
    await shot(adminPage, 'notifications-mailbox-html');

    await section(adminPage, 'Deliveries');
    await heading(adminPage, 'Deliveries');
    await adminPage.getByRole('tab', { name: 'Kept' }).click();
    const kept = adminPage.getByRole('row', { name: new RegExp(subject) });
    await kept.getByText('Kept', { exact: true }).waitFor(WAIT);
    await kept.getByText('alice@example.com').waitFor(WAIT);
    await shot(adminPage, 'notifications-deliveries-kept');
  });

  let hookId = '';

  test('webhooks: a refused URL shows next to its field; the secret is shown once; events reach the receiver; a 500 shows as pending with the error', async () => {
    await section(adminPage, 'Webhooks');
    await heading(adminPage, 'Webhooks');
    await adminPage.getByText('No webhooks yet.').waitFor(WAIT);
    await adminPage.getByRole('button', { name: 'Add webhook' }).click();
    const form = adminPage.getByRole('dialog', { name: 'Add webhook' });
    const url = form.getByLabel('Endpoint URL');
    await url.fill('http://receiver.example.com/hook');
    await form.getByLabel('Events').fill('*');
    await form.getByLabel('Description (optional)').fill('Test receiver');
    await form.getByRole('button', { name: 'Add webhook' }).click();
    await form.getByText('Webhook URLs must be https (http only on a loopback host).').waitFor(WAIT);
    assert.equal(await url.getAttribute('aria-invalid'), 'true');
    await shot(adminPage, 'notifications-webhook-invalid');

    await url.fill(rx.url);
    await form.getByRole('button', { name: 'Add webhook' }).click();
    const secretDialog = adminPage.getByRole('dialog', { name: 'Webhook added: copy its secret' });
    await secretDialog.getByText('It is shown only this once').waitFor(WAIT);
    const secret = await secretDialog.getByLabel('Signing secret').inputValue();
    assert.match(secret, /^whsec_/);
    rx.secret = secret;
    await secretDialog.getByRole('button', { name: 'Copy secret' }).click();
    await secretDialog.getByRole('status').filter({ hasText: /Copied to the clipboard|the secret is selected/ }).waitFor(WAIT);
    await shot(adminPage, 'notifications-webhook-secret');
    await secretDialog.getByRole('button', { name: 'I have stored the secret' }).click();
    const hookRow = adminPage.getByRole('row', { name: /Test receiver/ });
    await hookRow.getByText('Enabled', { exact: true }).waitFor(WAIT);
    assert.ok(!(await adminPage.content()).includes(secret), 'the secret is gone from the page');
    const hooks = await admin.get('/api/v1/webhooks');
    hookId = hooks.body.items[0].id as string;
    assert.equal(hooks.body.items[0].secret, undefined);

    // An event reaches the receiver, signed.
    await assign(admin, alice.id, ROLE.globalReader, { kind: 'eligible', permanent: true });
    await worker.tick();
    assert.equal(rx.calls.length, 1);
    assert.ok(rx.calls[0]!.verified, 'signed with the secret shown once');
    assert.equal(JSON.parse(rx.calls[0]!.body).type, 'openpim.assignment.created');

    // The receiver fails the next one: pending, with the error and the next try.
    rx.failNext = 1;
    await assign(admin, alice.id, ROLE.groupsAdministrator, { kind: 'eligible', permanent: true });
    await worker.tick();
    assert.equal(rx.calls.length, 2);
    await section(adminPage, 'Deliveries');
    await adminPage.getByRole('tab', { name: 'Pending' }).click();
    const pending = adminPage.getByRole('row').filter({ hasText: rx.url });
    await pending.getByText('HTTP 500 from the endpoint').waitFor(WAIT);
    await pending.getByText('Pending', { exact: true }).waitFor(WAIT);
    assert.equal((await pending.getByRole('cell').nth(4).textContent())?.trim(), '1', 'one attempt so far');
    await shot(adminPage, 'notifications-deliveries-pending');
  });

  test('a delivery that gave up shows as failed; Retry queues it again, and a refused retry shows the API message', async () => {
    // Past the (1 hour) give-up time the next failed try ends it.
    rx.failNext = 100;
    h.clock.advance(61 * 60_000);
    await worker.tick();
    await adminPage.getByRole('tab', { name: 'Failed' }).click();
    // The receiver's own deliveries, not the failure alerts that go to it too (it takes every event).
    const failed = adminPage.getByRole('row').filter({ hasText: rx.url }).filter({ hasNotText: 'delivery.failed' });
    await failed.getByRole('button', { name: /^Retry / }).waitFor(WAIT);
    await shot(adminPage, 'notifications-deliveries-failed');

    // Someone else retries it first: this page's Retry is refused with the API's reason.
    const notAlerts = async (status: string) => ((await admin.get(`/api/v1/deliveries?status=${status}&channel=webhook`)).body.items as Array<{ id: string; eventType: string }>)
      .filter((d) => d.eventType !== 'delivery.failed');
    const id = (await notAlerts('failed'))[0]!.id;
    assert.equal((await admin.post(`/api/v1/deliveries/${id}/retry`)).status, 200);
    await failed.getByRole('button', { name: /^Retry / }).click();
    await failed.getByRole('alert').filter({ hasText: 'Only failed deliveries are retried; this one is pending.' }).waitFor(WAIT);

    // It fails for good once more (a retry gives it a fresh hour), then is retried from the
    // page: the receiver is up again and gets it.
    h.clock.advance(61 * 60_000);
    await worker.tick();
    assert.deepEqual((await notAlerts('failed')).map((d) => d.id), [id]);
    // Meanwhile the alert about the first failure went to this receiver too, and failed there.
    assert.equal((await admin.get('/api/v1/deliveries?status=failed&channel=webhook')).body.items.some((d: { eventType: string }) => d.eventType === 'delivery.failed'), true);
    await adminPage.getByRole('button', { name: 'Refresh' }).click();
    rx.failNext = 0;
    const again = adminPage.getByRole('row').filter({ hasText: rx.url }).filter({ hasNotText: 'delivery.failed' });
    await again.getByRole('button', { name: /^Retry / }).click();
    await adminPage.getByText(/^Queued again: /).waitFor(WAIT);
    await again.waitFor({ ...WAIT, state: 'detached' });
    const before = rx.calls.length;
    await worker.tick();
    assert.equal(rx.calls.length, before + 2, 'the retried delivery, and the alert about its second failure (another hour: another alert)');
    assert.equal((await admin.get(`/api/v1/deliveries?status=sent&channel=webhook`)).body.items.some((d: { id: string }) => d.id === id), true);
  });

  test('the webhook is edited, disabled, then deleted after a confirmation', async () => {
    await section(adminPage, 'Webhooks');
    const hookRow = adminPage.getByRole('row', { name: /Test receiver/ });
    await hookRow.getByRole('button', { name: 'Edit Test receiver' }).click();
    const form = adminPage.getByRole('dialog', { name: 'Edit webhook' });
    assert.equal(await form.getByLabel('Events').inputValue(), '*');
    await form.getByLabel('Events').fill('openpim.request.*, openpim.role.activated');
    await form.getByRole('button', { name: 'Save changes' }).click();
    await adminPage.getByText('Saved: Test receiver.').waitFor(WAIT);
    await hookRow.getByText('openpim.role.activated').waitFor(WAIT);
    assert.deepEqual((await admin.get(`/api/v1/webhooks/${hookId}`)).body.events, ['openpim.request.*', 'openpim.role.activated']);
    await hookRow.getByRole('button', { name: 'Disable Test receiver' }).click();
    await hookRow.getByText('Disabled', { exact: true }).waitFor(WAIT);
    assert.equal((await admin.get(`/api/v1/webhooks/${hookId}`)).body.enabled, false);
    await shot(adminPage, 'notifications-webhooks');
    await hookRow.getByRole('button', { name: 'Delete Test receiver' }).click();
    const confirm = adminPage.getByRole('dialog', { name: 'Delete webhook?' });
    await confirm.getByText(rx.url).waitFor(WAIT);
    await confirm.getByRole('button', { name: 'Delete webhook' }).click();
    await adminPage.getByText('No webhooks yet.').waitFor(WAIT);
    assert.equal((await admin.get(`/api/v1/webhooks/${hookId}`)).status, 404);
  });

  test('phone width: deliveries and the mailbox stay usable at 390 px', async () => {
    await adminPage.setViewportSize({ width: 390, height: 844 });
    await section(adminPage, 'Deliveries');
    await adminPage.getByRole('tab', { name: 'All' }).click();
    await adminPage.getByRole('row').filter({ hasText: 'alice@example.com' }).first().waitFor(WAIT);
    const overflow = () => adminPage.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    assert.ok(await overflow() <= 1, `no sideways scrolling on Deliveries (${await overflow()}px)`);
    await shot(adminPage, 'notifications-deliveries-phone');
    await section(adminPage, 'Mailbox');
    await adminPage.getByRole('button', { name: /^Read PIM: you are now eligible for Security Reader/ }).click();
    await adminPage.getByLabel('Text body').waitFor(WAIT);
    assert.ok(await overflow() <= 1, `no sideways scrolling in the mailbox (${await overflow()}px)`);
    await shot(adminPage, 'notifications-mailbox-phone');
  });

  test('a user turns informational mail off on the settings page; the API reports it', async () => {
    const page = await open();
    await signIn(page, alice.upn);
    await page.getByRole('link', { name: 'Notification settings' }).click();
    await heading(page, 'Notification settings');
    const box = page.getByLabel('Send me informational mail');
    assert.equal(await box.isChecked(), true, 'on by default');
    await page.getByText('Approval requests addressed to you always come').waitFor(WAIT);
    await box.uncheck();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved: no more informational mail.').waitFor(WAIT);
    await shot(page, 'notifications-preferences');
    assert.equal((await alice.api.get('/api/v1/me/notification-preferences')).body.informationalMail, false);
  });
});
