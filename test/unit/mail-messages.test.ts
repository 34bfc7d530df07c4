import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { afterFailure, MAX_RETRY_MS, retryDelayMs } from '../../src/domain/delivery-rules.ts';
import { escapeHtml, MESSAGES, renderMail, type MessageKind } from '../../src/domain/mail-messages.ts';
import { planMails } from '../../src/domain/notification-plan.ts';
import { defaultPolicy, mergePolicy } from '../../src/domain/policy.ts';

const facts = { roleId: 'r1', roleName: 'User Administrator', scope: '/', principalName: 'Alice', requestId: 'q1', justification: 'x', endAt: null };

describe('mail messages', () => {
  test('every message renders a one-line subject, both parts and a link on the portal', () => {
    for (const kind of Object.keys(MESSAGES) as MessageKind[]) {
      const m = renderMail(kind, facts, 'https://pim.example.com/');
      assert.ok(m.subject.startsWith('PIM: ') && !/[\r\n]/.test(m.subject), kind);
      assert.match(m.text, /https:\/\/pim\.example\.com\//, kind);
      assert.match(m.html, /<a href="https:\/\/pim\.example\.com\//, kind);
    }
  });
  test('user input cannot inject a header or markup', () => {
    const m = renderMail('approval.requested', { ...facts, principalName: 'Eve\r\nBcc: all@example.com', justification: '<img src=x onerror=alert(1)>' }, 'https://pim.example.com');
    assert.ok(!/[\r\n]/.test(m.subject));
    assert.ok(!m.html.includes('<img'));
    assert.ok(m.html.includes('&lt;img src=x onerror=alert(1)&gt;'));
    assert.equal(escapeHtml(`a&<>"'`), 'a&amp;&lt;&gt;&quot;&#39;');
  });
});

describe('who is mailed', () => {
  const defaults = ['a@example.com', 'B@example.com', 'b@example.com'];
  test('defaults, deduplicated case-insensitively', () => {
    const p = planMails([{ kind: 'activation.alert', section: 'activated', audience: 'admin', defaults }], defaultPolicy(), 1000);
    assert.deepEqual(p.map((x) => x.to), [['a@example.com', 'B@example.com']]);
  });
  test('default recipients off, additional recipients, critical only, and the cap', () => {
    const policy = mergePolicy(defaultPolicy(), { notifications: { activated: { admin: { defaultRecipients: false, additionalRecipients: ['sec@example.com'] }, approver: { criticalOnly: true, additionalRecipients: [] } } } });
    const p = planMails([
      { kind: 'activation.alert', section: 'activated', audience: 'admin', defaults },
      { kind: 'request.completed', section: 'activated', audience: 'approver', defaults },
      { kind: 'approval.requested', section: 'activated', audience: 'approver', defaults },
    ], policy, 1000);
    assert.deepEqual(p.map((x) => [x.kind, x.to]), [['activation.alert', ['sec@example.com']], ['approval.requested', ['a@example.com', 'B@example.com']]]);
    const capped = planMails([{ kind: 'activation.alert', section: 'activated', audience: 'admin', defaults: ['1@x.io', '2@x.io', '3@x.io'] }, { kind: 'activation.notice', section: 'activated', audience: 'assignee', defaults: ['4@x.io'] }], defaultPolicy(), 2);
    assert.deepEqual(capped.map((x) => x.to), [['1@x.io', '2@x.io']], 'at most N addresses per event');
  });
});

describe('retries', () => {
  test('30 s, doubling, at most 30 minutes apart; given up when the next try would be too late', () => {
    assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 8, 30].map(retryDelayMs), [30_000, 60_000, 120_000, 240_000, 480_000, 960_000, MAX_RETRY_MS, MAX_RETRY_MS, MAX_RETRY_MS]);
    assert.deepEqual(afterFailure(1, 0, 100_000), { status: 'pending', nextAttemptAt: 30_000 });
    assert.deepEqual(afterFailure(3, 0, 100_000), { status: 'failed' });
  });
});

describe('the digest week', () => {
  test('Monday 00:00 UTC to Monday 00:00 UTC, the last full week before now', async () => {
    const { digestPeriod } = await import('../../src/domain/digest-period.ts');
    const at = (s: string) => Date.parse(s);
    assert.deepEqual(digestPeriod(at('2026-11-22T12:00:00Z')), { from: at('2026-11-09T00:00:00Z'), to: at('2026-11-16T00:00:00Z') }, 'a Sunday');
    assert.deepEqual(digestPeriod(at('2026-11-23T00:00:00Z')), { from: at('2026-11-16T00:00:00Z'), to: at('2026-11-23T00:00:00Z') }, 'Monday midnight itself');
    assert.deepEqual(digestPeriod(at('2026-11-22T23:59:59Z')).to, at('2026-11-16T00:00:00Z'));
  });
});
