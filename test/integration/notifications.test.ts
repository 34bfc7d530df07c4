import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DeliveryWorker } from '../../src/delivery/worker.ts';
import { assign, group, userWithToken } from '../helpers/factories.ts';
import { ENGINE, startWithAdmin, type Api } from '../helpers/harness.ts';
import { TestSmtp } from '../helpers/smtp.ts';

const min = 60_000;
const PORTAL = 'https://pim.example.com';
let seq = 0;
const uniq = () => `${(seq++).toString(36)}${Math.random().toString(36).slice(2, 7)}`;

describe(`notifications by mail through a real SMTP server (${ENGINE})`, () => {
  let smtp: TestSmtp;
  let h: Awaited<ReturnType<typeof startWithAdmin>>;
  let admin: Api;
  let worker: DeliveryWorker;
  type Person = Awaited<ReturnType<typeof userWithToken>>;
  let alice: Person; let bob: Person; let carol: Person;
  let approvers = '';

  before(async () => {
    smtp = await new TestSmtp().listen();
    h = await startWithAdmin({ env: { PIM_SMTP_URL: smtp.url, PIM_PUBLIC_URL: PORTAL } });
    admin = h.admin;
    worker = new DeliveryWorker(h.system);
    alice = await userWithToken(admin, `alice-${uniq()}@example.com`);
    bob = await userWithToken(admin, `bob-${uniq()}@example.com`);
    carol = await userWithToken(admin, `carol-${uniq()}@example.com`);
    approvers = await group(admin, false, `approvers-${uniq()}`);
    for (const p of [bob, carol]) assert.equal((await admin.post(`/api/v1/groups/${approvers}/members`, { id: p.id })).status, 201);
    // The bootstrap's own assignments mailed the administrator already.
    await worker.tick();
    assert.ok(smtp.to('admin@example.com').some((m) => /was assigned Global Administrator/.test(m.subject)), JSON.stringify(smtp.mails.map((m) => m.subject)));
  });
  after(async () => {
    await worker?.stop();
    await h?.close();
    await smtp?.close();
  });

  /** A custom role that needs approval by the approvers group (and no MFA, to keep the story short). */
  const approvalRole = async (notifications: Record<string, unknown> = {}) => {
    const role = (await admin.post('/api/v1/roles', { displayName: `Mail role ${uniq()}`, permissions: ['app:use'] })).body.id as string;
    const s = await admin.patch(`/api/v1/roles/${role}/settings`, {
      activation: { requireMfa: false, requireApproval: true, approvalStages: [{ approvers: [{ type: 'group', id: approvers }], requiredApprovals: 1, escalation: null }] },
      notifications,
    });
    assert.equal(s.status, 200, JSON.stringify(s.body));
    return role;
  };
  const activate = async (role: string, justification = 'Fixing the payroll job') => {
    const r = await alice.api.post('/api/v1/requests', { action: 'selfActivate', principalId: alice.id, roleId: role, justification, ticket: { number: 'INC-42', system: 'ServiceNow' }, schedule: { duration: 'PT1H' } });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal(r.body.status, 'PendingApproval');
    return r.body.id as string;
  };
  const since = () => { const n = smtp.mails.length; return () => smtp.mails.slice(n); };
  const subjects = (mails: { subject: string }[]) => mails.map((m) => m.subject);

  test('the seed story by mail: assignment, approval request with a deep link, decision, activation alert', async () => {
    const role = await approvalRole();
    let fresh = since();
    await assign(admin, alice.id, role, { kind: 'eligible', permanent: true });
    await worker.tick();
    const assigned = fresh();
    assert.deepEqual(assigned.filter((m) => m.to.includes(alice.upn)).map((m) => m.subject), [`PIM: you are now eligible for ${(await admin.get(`/api/v1/roles/${role}`)).body.displayName}`]);
    assert.equal(assigned.filter((m) => m.to.includes('admin@example.com')).length, 1, 'the administrators get the assignment alert');
    assert.equal(assigned.filter((m) => m.to.includes(bob.upn)).length, 0, 'approvers are not told about an assignment');

    fresh = since();
    const id = await activate(role, '<b>fix</b> prod & "db"');
    await worker.tick();
    const asked = fresh();
    for (const p of [bob, carol]) {
      const mails = asked.filter((m) => m.to.includes(p.upn));
      assert.equal(mails.length, 1, `${p.upn}: ${JSON.stringify(subjects(asked))}`);
      assert.match(mails[0]!.subject, /requests approval to activate/);
      assert.ok(mails[0]!.body.includes(`${PORTAL}/approvals/${id}`), 'a deep link to the request');
      assert.ok(mails[0]!.body.includes('&lt;b&gt;fix&lt;/b&gt; prod &amp; &quot;db&quot;'), 'the justification is escaped in HTML');
      assert.ok(mails[0]!.body.includes('Justification: <b>fix</b> prod & "db"'), 'and exact in the text part');
      assert.ok(mails[0]!.body.includes('ServiceNow INC-42'));
    }
    assert.equal(asked.filter((m) => m.to.includes(alice.upn)).length, 0, 'the requester is not asked to approve');

    fresh = since();
    assert.equal((await bob.api.post(`/api/v1/requests/${id}/approve`, { justification: 'Looks right' })).status, 200);
    await worker.tick();
    const decided = fresh();
    assert.deepEqual(subjects(decided.filter((m) => m.to.includes(alice.upn))).sort(), [`PIM: you activated ${(await admin.get(`/api/v1/roles/${role}`)).body.displayName}`, `PIM: your request for ${(await admin.get(`/api/v1/roles/${role}`)).body.displayName} was approved`].sort());
    const approved = decided.find((m) => m.to.includes(alice.upn) && /approved/.test(m.subject))!;
    assert.ok(approved.body.includes(`${PORTAL}/requests/${id}`) && approved.body.includes('Looks right'));
    assert.equal(decided.filter((m) => m.to.includes(carol.upn) && /was decided/.test(m.subject)).length, 1, 'the other approver learns it is done');
    assert.equal(decided.filter((m) => m.to.includes(bob.upn)).length, 0, 'the approver who decided gets nothing');
    assert.equal(decided.filter((m) => m.to.includes('admin@example.com') && /activated/.test(m.subject)).length, 1, 'the activation alert');
    assert.ok(decided.every((m) => m.messageId.endsWith('@openpim>')));
  });

  test('the role\'s settings: default recipients off, additional recipients, critical only', async () => {
    const role = await approvalRole({ activated: { admin: { defaultRecipients: false, additionalRecipients: ['secops@example.com'] }, approver: { criticalOnly: true } } });
    await assign(admin, alice.id, role, { kind: 'eligible', permanent: true });
    await worker.tick();
    const fresh = since();
    const id = await activate(role);
    await worker.tick();
    assert.equal(fresh().filter((m) => m.to.includes(carol.upn)).length, 1, 'critical only still asks for the approval');
    await bob.api.post(`/api/v1/requests/${id}/approve`, { justification: 'ok' });
    await worker.tick();
    const all = fresh();
    assert.equal(all.filter((m) => m.to.includes('secops@example.com') && /activated/.test(m.subject)).length, 1);
    assert.equal(all.filter((m) => m.to.includes('admin@example.com') && /activated/.test(m.subject)).length, 0, 'default recipients off');
    assert.equal(all.filter((m) => m.to.includes(carol.upn) && /was decided/.test(m.subject)).length, 0, 'informational mail dropped for critical-only approvers');
  });

  test('the mail server down for a day: retries spaced up to 30 minutes, everything delivered once when it is back', async () => {
    const role = (await admin.post('/api/v1/roles', { displayName: `Outage ${uniq()}`, permissions: ['app:use'] })).body.id as string;
    const dave = await userWithToken(admin, `dave-${uniq()}@example.com`);
    const port = smtp.port;
    await smtp.close();
    await assign(admin, dave.id, role, { kind: 'eligible', permanent: true });
    const first = await worker.tick();
    assert.ok(first !== undefined && first.failed >= 2, JSON.stringify(first));
    const mine = async () => (await admin.get(`/api/v1/deliveries?recipient=${encodeURIComponent(dave.upn)}`)).body.items[0];
    let d = await mine();
    assert.equal(d.status, 'pending');
    assert.equal(d.attempts, 1);
    assert.equal(Date.parse(d.nextAttemptAt) - h.clock.nowMs(), 30_000, 'first retry after 30 s');
    assert.match(d.lastError, /ECONNREFUSED|connect/i);
    const gaps: number[] = [];
    for (let t = 0; t < 24 * 60; t += 5) {
      h.clock.advance(5 * min);
      await worker.tick();
      const now = await mine();
      if (now.attempts !== d.attempts) gaps.push(Date.parse(now.nextAttemptAt) - h.clock.nowMs());
      d = now;
    }
    assert.equal(d.status, 'pending', 'not given up after a day');
    assert.ok(d.attempts >= 40 && d.attempts <= 70, `attempts: ${d.attempts}`);
    assert.ok(gaps.every((g) => g <= 30 * min) && gaps.at(-1) === 30 * min, `gaps ${gaps.slice(0, 8).join(',')} … ${gaps.at(-1)}`);

    await smtp.listen(port);
    h.clock.advance(30 * min);
    await worker.tick();
    assert.equal(smtp.to(dave.upn).length, 1, 'delivered exactly once');
    assert.equal((await mine()).status, 'sent');
  });

  test('a permanent refusal fails after the give-up period, raises an alert, and can be retried', async () => {
    const role = (await admin.post('/api/v1/roles', { displayName: `Refused ${uniq()}`, permissions: ['app:use'] })).body.id as string;
    const erin = await userWithToken(admin, `erin-${uniq()}@example.com`);
    smtp.reject = true;
    try {
      await assign(admin, erin.id, role, { kind: 'eligible', permanent: true });
      for (let t = 0; t < 4 * 24 * 2 + 2; t++) { await worker.tick(); h.clock.advance(30 * min); }
    } finally {
      smtp.reject = false;
    }
    const failed = (await admin.get(`/api/v1/deliveries?status=failed&recipient=${encodeURIComponent(erin.upn)}`)).body.items;
    assert.equal(failed.length, 1);
    assert.match(failed[0].lastError, /550/);
    const audited = (await admin.get(`/api/v1/audit?action=delivery.failed&targetId=${failed[0].id}`)).body.items;
    assert.equal(audited.length, 1, 'the failure is audited');
    assert.equal(audited[0].after.recipient, erin.upn);

    // The alert: administrators are mailed once the mail server takes mail again, listing what failed.
    const fresh = since();
    await worker.tick();
    const alerts = fresh().filter((m) => /deliveries failed for good/.test(m.subject));
    assert.deepEqual(alerts.map((m) => m.to), [['admin@example.com']], JSON.stringify(subjects(fresh())));
    assert.ok(alerts[0]!.body.includes(`mail to ${erin.upn}`), alerts[0]!.body);
    assert.match(alerts[0]!.body, /550 mailbox unavailable/);
    assert.ok(alerts[0]!.body.includes(`${PORTAL}/admin/notifications/deliveries`), 'a link to the failed list');
    // One alert for the whole hour's failures, none about the alert's own tries.
    const alertRows = (await admin.get('/api/v1/deliveries?recipient=admin%40example.com&limit=200')).body.items
      .filter((d: { subject: string }) => /deliveries failed for good/.test(d.subject));
    assert.equal(alertRows.length, 1);
    assert.equal(alertRows[0].status, 'sent');
    assert.equal(alertRows[0].critical, true, 'critical-only recipients and opted-out users still get it');
    assert.equal((await alice.api.post(`/api/v1/deliveries/${failed[0].id}/retry`)).status, 403);
    const retried = await admin.post(`/api/v1/deliveries/${failed[0].id}/retry`);
    assert.equal(retried.status, 200, JSON.stringify(retried.body));
    assert.equal(retried.body.status, 'pending');
    assert.equal((await admin.post(`/api/v1/deliveries/${failed[0].id}/retry`)).status, 409, 'only failed ones');
    await worker.tick();
    assert.equal(smtp.to(erin.upn).length, 1);
  });

  test('a user may turn informational mail off, never the approval requests addressed to them', async () => {
    const prefs = await carol.api.call('PUT', '/api/v1/me/notification-preferences', { informationalMail: false });
    assert.equal(prefs.status, 200, JSON.stringify(prefs.body));
    assert.equal(prefs.body.informationalMail, false);
    assert.equal((await carol.api.get('/api/v1/me/notification-preferences')).body.informationalMail, false);
    assert.equal((await carol.api.call('PUT', '/api/v1/me/notification-preferences', { informationalMail: 'no' })).status, 400);
    const role = await approvalRole();
    await assign(admin, alice.id, role, { kind: 'eligible', permanent: true });
    await worker.tick();
    const fresh = since();
    const id = await activate(role);
    await worker.tick();
    await bob.api.post(`/api/v1/requests/${id}/approve`, { justification: 'fine' });
    await assign(admin, carol.id, role, { kind: 'eligible', permanent: true });
    await worker.tick();
    const toCarol = fresh().filter((m) => m.to.includes(carol.upn));
    assert.deepEqual(toCarol.map((m) => /requests approval/.test(m.subject)), [true], `only the approval request: ${JSON.stringify(subjects(toCarol))}`);
    await carol.api.call('PUT', '/api/v1/me/notification-preferences', { informationalMail: true });
  });

  test('an administrator\'s direct extension is mailed to the other administrators and the assignee', async () => {
    const role = (await admin.post('/api/v1/roles', { displayName: `Extended ${uniq()}`, permissions: ['app:use'] })).body.id as string;
    const frank = await userWithToken(admin, `frank-${uniq()}@example.com`);
    const a = await assign(admin, frank.id, role, { kind: 'eligible', duration: 'P30D' });
    await worker.tick();
    const fresh = since();
    const ext = await admin.post('/api/v1/requests', { action: 'adminExtend', kind: 'eligible', principalId: frank.id, roleId: role, targetScheduleId: a.targetScheduleId, justification: 'project runs longer', schedule: { duration: 'P60D' } });
    assert.equal(ext.status, 201, JSON.stringify(ext.body));
    await worker.tick();
    const mails = fresh();
    const toFrank = mails.filter((m) => m.to.includes(frank.upn));
    assert.equal(toFrank.length, 1);
    assert.match(toFrank[0]!.subject, /was extended/);
    assert.ok(toFrank[0]!.body.includes('project runs longer'));
    assert.equal(mails.filter((m) => m.to.includes('admin@example.com') && /was extended/.test(m.subject)).length, 1);
  });

  test('the weekly digest: once, after Monday 00:00 UTC, to the administrators', async () => {
    const { runDueJobs } = await import('../../src/services/due-jobs.ts');
    const { digestPeriod } = await import('../../src/domain/digest-period.ts');
    const next = digestPeriod(h.clock.nowMs()).to + 7 * 24 * 60 * min;
    h.clock.set(next + 5 * min);
    const fresh = since();
    assert.equal((await runDueJobs(h.system)).digests, 1);
    assert.equal((await runDueJobs(h.system)).digests, 0, 'once per week');
    await worker.tick();
    const digest = fresh().filter((m) => /weekly digest/.test(m.subject));
    assert.deepEqual(digest.map((m) => m.to), [['admin@example.com']]);
    assert.match(digest[0]!.body, /Activations: [1-9]\d* \(by 1 principals\)/);
    assert.match(digest[0]!.body, /Top roles \(permanent \+ eligible holders\)/);
  });

  test('only role administrators read deliveries', async () => {
    assert.equal((await alice.api.get('/api/v1/deliveries')).status, 403);
    assert.equal((await alice.api.get('/api/v1/mail')).status, 403);
    assert.equal((await admin.get('/api/v1/deliveries?status=bogus')).status, 400);
  });
});

describe(`notifications without SMTP: the kept mailbox (${ENGINE})`, () => {
  test('mails are kept for administrators to read, never sent', async () => {
    const h = await startWithAdmin({ env: { PIM_PUBLIC_URL: PORTAL } });
    try {
      const worker = new DeliveryWorker(h.system);
      const u = await userWithToken(h.admin, `kept-${uniq()}@example.com`);
      const role = (await h.admin.post('/api/v1/roles', { displayName: `Kept ${uniq()}`, permissions: ['app:use'] })).body.id as string;
      await assign(h.admin, u.id, role, { kind: 'active', permanent: true });
      const counts = await worker.tick();
      assert.deepEqual({ sent: counts?.sent, failed: counts?.failed }, { sent: 0, failed: 0 });
      const box = await h.admin.get('/api/v1/mail');
      assert.equal(box.status, 200);
      const mine = box.body.items.filter((m: { recipient: string }) => m.recipient === u.upn);
      assert.equal(mine.length, 1);
      assert.equal(mine[0].status, 'kept');
      assert.match(mine[0].subject, /you are now active for Kept/);
      assert.ok(mine[0].text.includes(`${PORTAL}/my-roles`));
      assert.match(mine[0].html, /<a href="https:\/\/pim\.example\.com\/my-roles">/);

      // One mail by id, and its HTML as a page of its own under a policy that allows only its inline style.
      const one = await h.admin.get(`/api/v1/mail/${mine[0].id}`);
      assert.equal(one.status, 200);
      assert.deepEqual(one.body, mine[0]);
      const page = await h.admin.get(`/api/v1/mail/${mine[0].id}/html`);
      assert.equal(page.status, 200);
      assert.match(String(page.headers['content-type']), /^text\/html/);
      assert.equal(page.body, mine[0].html);
      const csp = String(page.headers['content-security-policy']);
      for (const directive of ["default-src 'none'", "style-src 'unsafe-inline'", "frame-ancestors 'self'", 'sandbox']) assert.ok(csp.includes(directive), csp);
      assert.equal(page.headers['x-content-type-options'], 'nosniff');
      assert.equal(page.headers['cache-control'], 'no-store');
      const missing = await h.admin.get('/api/v1/mail/00000000-0000-4000-8000-000000000000/html');
      assert.equal(missing.status, 404);
      assert.equal(missing.body.error.code, 'mail.not_found');
      assert.equal((await h.admin.get('/api/v1/mail/not%20an%20id')).status, 400);
      assert.equal((await u.api.get(`/api/v1/mail/${mine[0].id}`)).status, 403);
      assert.equal((await u.api.get(`/api/v1/mail/${mine[0].id}/html`)).status, 403);
      await worker.stop();
    } finally {
      await h.close();
    }
  });
});
