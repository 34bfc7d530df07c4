import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DeliveryWorker } from '../../src/delivery/worker.ts';
import type { ServiceContext } from '../../src/services/context.ts';
import { assign, userWithToken } from '../helpers/factories.ts';
import { ENGINE, startWithAdmin } from '../helpers/harness.ts';

const PIM = path.resolve('bin/pim.mjs');
const PORTAL = 'https://pim.example.com';

/**
 * What openpim sends, from a terminal: the real server on a loopback port (in this process, so
 * the test runs the delivery worker and moves the clock), `pim` as a separate process. No SMTP
 * is configured, so mails are kept: `pim mail` reads them; `pim deliveries` shows every
 * delivery, and retries a failed one.
 */
describe(`the pim command: kept mail and deliveries (${ENGINE})`, () => {
  let h: Awaited<ReturnType<typeof startWithAdmin>>;
  let base = '';
  let dir = '';
  let alice: Awaited<ReturnType<typeof userWithToken>>;
  let roleName = '';

  const pim = (token: string, args: string[]) => new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    const env = { PATH: process.env.PATH ?? '', HOME: dir, PIM_CONFIG_DIR: path.join(dir, 'config'), PIM_URL: base, PIM_TOKEN: token };
    const child = spawn(process.execPath, [PIM, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => { stdout += b.toString(); });
    child.stderr.on('data', (b: Buffer) => { stderr += b.toString(); });
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
  const admin = (args: string[]) => pim(h.adminToken, args);

  before(async () => {
    h = await startWithAdmin({ env: { PIM_PUBLIC_URL: PORTAL } });
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    const addr = h.app.server.address();
    base = `http://127.0.0.1:${typeof addr === 'object' && addr !== null ? addr.port : 0}`;
    dir = mkdtempSync(path.join(tmpdir(), 'openpim-cli-mail-'));
    alice = await userWithToken(h.admin, 'alice@example.com');
    roleName = 'Mail Room Operator';
    const role = await h.admin.post('/api/v1/roles', { displayName: roleName, permissions: ['mailroom:operate'] });
    assert.equal(role.status, 201, JSON.stringify(role.body));
    await assign(h.admin, alice.id, role.body.id, { kind: 'eligible', permanent: true });
    // The worker turns the assignment (and the bootstrap's) into mails; with no SMTP they are kept.
    const ran = await new DeliveryWorker(h.system).tick();
    assert.ok(ran !== undefined && ran.events >= 3 && ran.sent === 0, JSON.stringify(ran));
  });
  after(async () => { await h.close(); rmSync(dir, { recursive: true, force: true }); });

  test('help', async () => {
    const top = await admin(['--help']);
    assert.match(top.stdout, /\bmail\b/);
    assert.match(top.stdout, /\bdeliveries\b/);
    for (const args of [['mail', '--help'], ['deliveries', '--help']]) {
      const help = await admin(args);
      assert.equal(help.status, 0, args.join(' '));
      assert.match(help.stdout, /Examples?:\n {2}pim (mail|deliveries)/, args.join(' '));
    }
  });

  test('pim mail list and show: the kept mailbox, a message\'s text and HTML', async () => {
    const list = await admin(['mail', 'list']);
    assert.equal(list.status, 0, list.stderr);
    assert.match(list.stdout, /^ID\s+CREATED\s+TO\s+SUBJECT$/m);
    assert.match(list.stdout, new RegExp(`alice@example\\.com\\s+PIM: you are now eligible for ${roleName}$`, 'm'));
    assert.match(list.stdout, new RegExp(`admin@example\\.com\\s+PIM: alice was assigned ${roleName}`, 'm'));

    const mine = await admin(['mail', 'list', '--to', 'alice@example.com', '--json']);
    assert.equal(mine.status, 0, mine.stderr);
    const items = JSON.parse(mine.stdout) as Array<{ id: string; recipient: string; subject: string; status: string; text: string }>;
    assert.equal(items.length, 1);
    assert.equal(items[0]!.status, 'kept');
    const id = items[0]!.id;

    const show = await admin(['mail', 'show', id]);
    assert.equal(show.status, 0, show.stderr);
    assert.match(show.stdout, /^To: {6}alice@example\.com$/m);
    assert.match(show.stdout, new RegExp(`^Subject: PIM: you are now eligible for ${roleName}$`, 'm'));
    assert.ok(show.stdout.includes(`You are now eligible for ${roleName}: activate it when you need it.`), show.stdout);
    assert.ok(show.stdout.includes(`${PORTAL}/my-roles`), 'the deep link, in the text part');
    assert.ok(!/<html|<p[ >]/i.test(show.stdout), 'text, not HTML');
    const html = await admin(['mail', 'show', id, '--html']);
    assert.match(html.stdout, /<a [^>]*href="https:\/\/pim\.example\.com\/my-roles"/);

    const missing = await admin(['mail', 'show', '00000000-0000-4000-8000-000000000000']);
    assert.equal(missing.status, 4);
    assert.match(missing.stderr, /No mail with this id\. \(mail\.not_found\)\n`pim mail list` shows the ids/);
  });

  test('pim deliveries: kept ones as JSON, a failed one with its last error, retried', async () => {
    const kept = await admin(['deliveries', '--status', 'kept', '--json']);
    assert.equal(kept.status, 0, kept.stderr);
    const all = JSON.parse(kept.stdout) as Array<{ id: string; status: string; recipient: string; attempts: number; channel: string }>;
    assert.ok(all.length >= 4, `bootstrap and assignment mails: ${all.length}`);
    assert.ok(all.every((d) => d.status === 'kept' && d.attempts === 0 && d.channel === 'mail'));
    assert.ok(all.some((d) => d.recipient === 'alice@example.com'));
    const table = await admin(['deliveries', '--status', 'kept']);
    assert.match(table.stdout, /^ID\s+CREATED\s+CHANNEL\s+TO\s+STATUS\s+TRIES\s+NEXT TRY\s+LAST ERROR$/m);
    assert.match(table.stdout, /alice@example\.com\s+kept\s+0$/m);
    const notFailed = await admin(['deliveries', 'retry', all[0]!.id]);
    assert.equal(notFailed.status, 4);
    assert.match(notFailed.stderr, /delivery\.not_failed[\s\S]*pim deliveries --status failed/);

    // An SMTP server is configured later but cannot be reached, and the delivery is given up.
    const unreachable: ServiceContext = { ...h.system, config: { ...h.config, delivery: { ...h.config.delivery, smtpUrl: 'smtp://127.0.0.1:1', giveUpHours: 1 } } };
    const worker = new DeliveryWorker(unreachable);
    try {
      await assign(h.admin, alice.id, (await h.admin.post('/api/v1/roles', { displayName: 'Unlucky Role', permissions: ['unlucky:use'] })).body.id, { kind: 'eligible', permanent: true });
      assert.equal((await worker.tick())?.failed, 2);
      const pending = JSON.parse((await admin(['deliveries', '--status', 'pending', '--to', 'alice@example.com', '--json'])).stdout) as Array<{ id: string; attempts: number; nextAttemptAt: string; lastError: string }>;
      assert.equal(pending.length, 1);
      assert.equal(pending[0]!.attempts, 1);
      assert.equal(Date.parse(pending[0]!.nextAttemptAt), h.clock.nowMs() + 30_000);
      h.clock.advance(61 * 60_000);
      await worker.tick();
    } finally {
      await worker.stop();
    }
    const failed = await admin(['deliveries', '--status', 'failed']);
    assert.equal(failed.status, 0, failed.stderr);
    assert.match(failed.stdout, /alice@example\.com\s+failed\s+2\s+\S*.*(ECONNREFUSED|connect)/);
    const failedIds = ((await h.admin.get('/api/v1/deliveries?status=failed')).body.items as Array<{ id: string }>).map((d) => d.id);
    assert.equal(failedIds.length, 2);
    const retry = await admin(['deliveries', 'retry', failedIds[0]!]);
    assert.equal(retry.status, 0, retry.stderr);
    assert.match(retry.stdout, /is pending again/);
    const retriedJson = await admin(['deliveries', 'retry', failedIds[1]!, '--json']);
    assert.equal(JSON.parse(retriedJson.stdout).status, 'pending');
    assert.equal((await h.admin.get('/api/v1/deliveries?status=failed')).body.items.length, 0, 'both wait for their next try');
  });

  test('only role administrators read the mailbox', async () => {
    const r = await pim(alice.token, ['mail', 'list']);
    assert.equal(r.status, 4, r.stderr);
    assert.match(r.stderr, /auth\.forbidden/);
  });
});
