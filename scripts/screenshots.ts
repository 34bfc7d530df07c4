/**
 * `npm run screenshots`: regenerates the portal screenshots in docs/screenshots/ (shown in
 * README.md) from a real server on a fresh, seeded SQLite database in a temporary folder,
 * in Debian's Chromium at 1280×800, as the end-to-end tests run it. Nothing else is touched.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { totpNow } from '../src/auth/totp.ts';
import { FakeClock, systemClock } from '../src/clock.ts';
import { ROLE } from '../src/domain/roles.ts';
import { Api, startHarness } from '../test/helpers/harness.ts';
import { seedPortal, SEED_PASSWORD } from '../test/helpers/portal-seed.ts';
import { Browser } from '../test/helpers/session.ts';
import { ensureWebBuilt, openBrowser } from '../test/helpers/web.ts';

const OUT = path.resolve('docs/screenshots');
const ADMIN = 'admin@example.com';
const WAIT = { timeout: 15_000 };

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  ensureWebBuilt();
  // A fresh database even when PIM_TEST_DATABASE_URL is set: the pictures do not depend on it.
  delete process.env.PIM_TEST_DATABASE_URL;
  // The server's clock a little behind the browser's (as in the tests: cookies stay valid).
  const h = await startHarness({ clock: new FakeClock(systemClock.nowMs() - 20 * 60_000) });
  const windows: Array<{ close(): Promise<void> }> = [];
  try {
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    const base = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;

    const s = new Browser(h.app);
    const setup = await s.post<{ user: { id: string } }>('/api/v1/setup', { code: h.app.firstRunSetupCode, userPrincipalName: ADMIN, displayName: 'Ada Admin', password: SEED_PASSWORD });
    assert.equal(setup.status, 201, JSON.stringify(setup.body));
    const token = await s.post<{ token: string }>('/api/v1/tokens', { name: 'screenshots', ownerId: setup.body.user.id, scopes: ['api'] });
    assert.equal(token.status, 201, JSON.stringify(token.body));
    const seed = await seedPortal(h, new Api(h.app, token.body.token), setup.body.user.id);
    await seed.worker.stop();

    const open = async () => { const w = await openBrowser({ width: 1280, height: 800 }); windows.push(w); return w.page; };
    const heading = (page: Page, name: string | RegExp) => page.getByRole('heading', { name, level: 1 }).waitFor(WAIT);
    const shot = async (page: Page, name: string) => {
      // Without the text cursor blinking in a field, the same page gives the same picture.
      await page.screenshot({ path: path.join(OUT, `${name}.png`), caret: 'hide', animations: 'disabled' });
      process.stdout.write(`docs/screenshots/${name}.png\n`);
    };
    const signIn = async (page: Page, upn: string, secret?: string) => {
      await page.goto(`${base}/`);
      await page.getByLabel('Sign-in name').fill(upn);
      await page.getByLabel('Password', { exact: true }).fill(SEED_PASSWORD);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      if (secret !== undefined) {
        h.clock.advance(30_000);
        await page.getByLabel('Authenticator code').fill(await totpNow(secret, h.clock.nowMs()));
        await page.getByRole('button', { name: 'Verify' }).click();
      }
      await heading(page, 'My roles');
    };

    const alice = await open();
    await signIn(alice, seed.alice.upn, seed.alice.secret);
    await alice.getByRole('button', { name: 'Activate Security Reader' }).click();
    const panel = alice.getByRole('dialog', { name: 'Activate Security Reader' });
    await panel.getByLabel('Duration').waitFor(WAIT);
    await panel.getByLabel(/^Justification/).fill('Quarterly access review');
    await shot(alice, 'my-roles-activation');

    const admin = await open();
    await signIn(admin, ADMIN);
    await admin.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Approve requests' }).click();
    await heading(admin, 'Approve requests');
    await admin.getByRole('row', { name: /alice@example\.com/ }).getByText('Password resets for new hires').waitFor(WAIT);
    await shot(admin, 'approvals');

    await admin.goto(`${base}/admin/roles/${ROLE.userAdministrator}/settings`);
    await heading(admin, 'Role settings: User Administrator');
    await admin.getByRole('list', { name: 'Approvers', exact: true }).getByText('PIM approvers (group)').waitFor(WAIT);
    await shot(admin, 'role-settings');

    await admin.goto(`${base}/admin/roles/${ROLE.userAdministrator}`);
    await admin.getByRole('row', { name: /Helpdesk leads/ }).waitFor(WAIT);
    await admin.getByRole('button', { name: 'Add assignments' }).click();
    const wizard = admin.getByRole('dialog', { name: 'Add assignments: User Administrator' });
    await wizard.getByLabel('Search members').fill('bob');
    await wizard.getByRole('button', { name: /^Select bob/ }).click();
    await wizard.getByRole('button', { name: 'Next' }).click();
    await wizard.getByRole('radio', { name: 'For a number of days' }).check();
    await shot(admin, 'add-assignments');
    await wizard.getByRole('button', { name: 'Cancel' }).click();

    await admin.goto(`${base}/admin/audit`);
    await heading(admin, 'Audit log');
    await admin.getByRole('status').filter({ hasText: 'Chain intact' }).waitFor(WAIT);
    await admin.getByRole('table', { name: 'Audit events' }).getByRole('rowheader', { name: 'request.selfActivate' }).waitFor(WAIT);
    // The events are what this picture is about: scroll the filters to the top, the table below them.
    const filters = await admin.getByRole('heading', { name: 'Filters' }).boundingBox();
    await admin.evaluate(`window.scrollTo(0, ${Math.round((filters?.y ?? 0) - 40)})`);
    await shot(admin, 'audit-log');
  } finally {
    for (const w of windows) await w.close().catch(() => undefined);
    await h.close();
  }
}

await main();
