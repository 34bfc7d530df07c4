import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DeliveryWorker } from '../../src/delivery/worker.ts';
import { assign, group, userWithToken } from '../helpers/factories.ts';
import { ENGINE, startWithAdmin, type Api } from '../helpers/harness.ts';
import { Receiver } from '../helpers/webhook-receiver.ts';

describe(`webhooks (${ENGINE})`, () => {
  let h: Awaited<ReturnType<typeof startWithAdmin>>;
  let admin: Api;
  let worker: DeliveryWorker;
  let rx: Receiver;
  let slack: Receiver;
  type Person = Awaited<ReturnType<typeof userWithToken>>;
  let alice: Person; let bob: Person;
  let role = '';

  before(async () => {
    h = await startWithAdmin({ env: { PIM_PUBLIC_URL: 'https://pim.example.com' } });
    admin = h.admin;
    worker = new DeliveryWorker(h.system);
    rx = await new Receiver().listen();
    slack = await new Receiver().listen();
    alice = await userWithToken(admin);
    bob = await userWithToken(admin);
    const approvers = await group(admin, false, 'hook approvers');
    await admin.post(`/api/v1/groups/${approvers}/members`, { id: bob.id });
    role = (await admin.post('/api/v1/roles', { displayName: 'Hooked role', permissions: ['app:use'] })).body.id;
    await admin.patch(`/api/v1/roles/${role}/settings`, { activation: { requireMfa: false, requireApproval: true, approvalStages: [{ approvers: [{ type: 'group', id: approvers }], requiredApprovals: 1, escalation: null }] } });
    await assign(admin, alice.id, role, { kind: 'eligible', permanent: true });
    await worker.tick();
  });
  after(async () => {
    await worker?.stop();
    await h?.close();
    await rx?.close();
    await slack?.close();
  });

  test('administrators subscribe; the secret is shown once; URLs and filters are checked', async () => {
    assert.equal((await alice.api.post('/api/v1/webhooks', { url: rx.url, events: ['*'] })).status, 403);
    const insecure = await admin.post('/api/v1/webhooks', { url: 'http://hooks.example.com/pim', events: ['*'] });
    assert.equal(insecure.status, 400);
    assert.equal(insecure.body.error.code, 'webhook.url_insecure');
    assert.equal((await admin.post('/api/v1/webhooks', { url: 'https://u:p@hooks.example.com/', events: ['*'] })).body.error.code, 'webhook.url_invalid');
    assert.equal((await admin.post('/api/v1/webhooks', { url: rx.url, events: ['request.*'] })).status, 400, 'patterns name openpim event types');
    const created = await admin.post('/api/v1/webhooks', { url: rx.url, events: ['openpim.request.*', 'openpim.role.activated'], description: 'SIEM' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.match(created.body.secret, /^whsec_/);
    rx.secret = created.body.secret;
    const listed = await admin.get('/api/v1/webhooks');
    assert.equal(listed.body.items.length, 1);
    assert.equal('secret' in listed.body.items[0], false, 'never shown again');
    const s = await admin.post('/api/v1/webhooks', { url: slack.url, events: ['*'], format: 'slack', secret: 'a-secret-the-admin-chose-long-enough' });
    slack.secret = 'a-secret-the-admin-chose-long-enough';
    assert.equal(s.body.format, 'slack');
  });

  test('a signed CloudEvent per event; a receiver that fails once gets it again, the same event, once in effect', async () => {
    const pending = await alice.api.post('/api/v1/requests', { action: 'selfActivate', principalId: alice.id, roleId: role, justification: 'deploy <b>hotfix</b>', ticket: { number: 'CHG-7' }, schedule: { duration: 'PT1H' } });
    assert.equal(pending.status, 201, JSON.stringify(pending.body));
    await worker.tick();
    assert.equal(rx.calls.length, 1);
    const first = rx.calls[0]!;
    assert.ok(first.verified, 'the signature verifies with the secret');
    assert.match(String(first.headers['content-type']), /^application\/cloudevents\+json/);
    assert.equal(/t=(\d+)/.exec(String(first.headers['openpim-signature']))![1], String(Math.floor(h.clock.nowMs() / 1000)), 'timestamped by the server clock');
    const ce = JSON.parse(first.body);
    assert.equal(ce.specversion, '1.0');
    assert.equal(ce.type, 'openpim.request.pending');
    assert.equal(ce.source, 'https://pim.example.com');
    assert.equal(ce.subject, `requests/${pending.body.id}`);
    assert.equal(first.headers['idempotency-key'], ce.id);
    assert.deepEqual([ce.data.role.displayName, ce.data.justification, ce.data.ticket, ce.data.requestId], ['Hooked role', 'deploy <b>hotfix</b>', 'CHG-7', pending.body.id]);

    rx.failNext = 1;
    assert.equal((await bob.api.post(`/api/v1/requests/${pending.body.id}/approve`, { justification: 'ok' })).status, 200);
    await worker.tick();
    const afterFailure = rx.calls.length;
    const d = (await admin.get('/api/v1/deliveries?channel=webhook&status=pending')).body.items;
    assert.equal(d.length, 1, 'the refused call waits for its retry');
    assert.match(d[0].lastError, /HTTP 500/);
    h.clock.advance(30_000);
    await worker.tick();
    const types = rx.unique().map((c) => JSON.parse(c.body).type as string);
    assert.deepEqual(types.sort(), ['openpim.request.approved', 'openpim.request.pending', 'openpim.role.activated'].sort(), 'each event once, assignment events filtered out');
    const approved = rx.calls.slice(afterFailure - 2).filter((c) => JSON.parse(c.body).type === 'openpim.request.approved');
    assert.equal(approved.length, 2, 'delivered twice on the wire (500, then 2xx)…');
    assert.equal(approved[0]!.body, approved[1]!.body, '…with the same body');
    assert.equal(approved[0]!.headers['idempotency-key'], approved[1]!.headers['idempotency-key'], '…and the same idempotency key');
    assert.equal(JSON.parse(approved[1]!.body).data.decidedBy, bob.upn.split('@')[0]);
  });

  test('the Slack format: text and blocks, escaped', () => {
    const msgs = slack.unique().map((c) => JSON.parse(c.body));
    const pending = msgs.find((m) => String(m.text).startsWith('request.pending'));
    assert.ok(pending, JSON.stringify(msgs.map((m) => m.text)));
    assert.equal(pending.blocks[0].type, 'section');
    assert.ok(pending.blocks[0].text.text.includes('deploy &lt;b&gt;hotfix&lt;/b&gt;'));
    assert.match(pending.blocks[1].elements[0].text, /<https:\/\/pim\.example\.com\/requests\/[^|]+\|Open in openpim>/);
  });

  test('a disabled or deleted subscription gets nothing more', async () => {
    const hooks = (await admin.get('/api/v1/webhooks')).body.items as Array<{ id: string; format: string }>;
    const ce = hooks.find((x) => x.format === 'cloudevents')!;
    const sl = hooks.find((x) => x.format === 'slack')!;
    assert.equal((await admin.patch(`/api/v1/webhooks/${ce.id}`, { enabled: false })).body.enabled, false);
    assert.equal((await admin.delete(`/api/v1/webhooks/${sl.id}`)).status, 204);
    assert.equal((await admin.get(`/api/v1/webhooks/${sl.id}`)).status, 404);
    const before = [rx.calls.length, slack.calls.length];
    // Events both subscriptions would take: an assignment (slack: *) and a pending request (openpim.request.*).
    const carol = await userWithToken(admin);
    await assign(admin, carol.id, role, { kind: 'eligible', permanent: true });
    const r = await carol.api.post('/api/v1/requests', { action: 'selfActivate', principalId: carol.id, roleId: role, justification: 'again', ticket: { number: 'CHG-8' }, schedule: { duration: 'PT1H' } });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const counts = await worker.tick();
    assert.ok(counts !== undefined && counts.events >= 2, JSON.stringify(counts));
    assert.deepEqual([rx.calls.length, slack.calls.length], before);
    const audit = (await admin.get('/api/v1/audit?action=webhook.deleted')).body.items;
    assert.equal(audit.length, 1);
  });
});
