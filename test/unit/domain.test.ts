import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { canonicalJson, checkLink, eventHash, GENESIS_HASH, type ChainedEvent } from '../../src/domain/audit-chain.ts';
import { decide, type Grant } from '../../src/domain/access.ts';
import { parseDuration, formatDuration } from '../../src/domain/duration.ts';
import { DomainError } from '../../src/domain/errors.ts';
import { permissionMatches } from '../../src/domain/roles.ts';
import { checkRemovable, DEFAULT_EXPIRATION, isInForce, resolveWindow } from '../../src/domain/schedule-rules.ts';
import { parseScope, scopeCovers } from '../../src/domain/scope.ts';

const code = (fn: () => unknown): string => {
  try { fn(); } catch (e) { if (e instanceof DomainError) return e.code; throw e; }
  return 'no error';
};

describe('scopes', () => {
  test('valid and invalid scopes', () => {
    for (const s of ['/', '/administrativeUnits/abc', '/resources/db/prod', '/resources/db/prod/table/users']) assert.doesNotThrow(() => parseScope(s), s);
    for (const s of ['', 'x', '//', '/administrativeUnits', '/administrativeUnits/a/b', '/resources/db', '/resources/db/prod/table', '/other/x', `/resources/db/${'x'.repeat(300)}`, '/resources/d b/x'])
      assert.equal(code(() => parseScope(s)), 'scope.invalid', s);
  });
  test('an assignment covers its scope and everything below, nothing beside', () => {
    const table: Array<[string, string, boolean]> = [
      ['/', '/', true], ['/', '/resources/db/prod', true], ['/resources/db/prod', '/resources/db/prod', true],
      ['/resources/db/prod', '/resources/db/prod/table/t', true], ['/resources/db/prod', '/resources/db/production', false],
      ['/resources/db/prod/table/t', '/resources/db/prod', false], ['/administrativeUnits/a', '/', false], ['/administrativeUnits/a', '/administrativeUnits/ab', false],
    ];
    for (const [a, s, want] of table) assert.equal(scopeCovers(a, s), want, `${a} covers ${s}`);
  });
});

describe('durations', () => {
  test('parses ISO-8601 durations', () => {
    assert.equal(parseDuration('PT8H'), 8 * 3600_000);
    assert.equal(parseDuration('PT1H45M'), 105 * 60_000);
    assert.equal(parseDuration('P365D'), 365 * 86400_000);
    assert.equal(parseDuration('P2W'), 14 * 86400_000);
    assert.equal(parseDuration('PT0.5S'), 500);
    assert.equal(formatDuration(105 * 60_000), 'PT1H45M');
    for (const bad of ['', 'P', 'PT', '8h', 'P1Y', 'P1M', 'PT-1H', 'P1DT', 'PT1.2345S']) assert.equal(code(() => parseDuration(bad)), 'duration.invalid', bad);
  });
});

describe('schedule rules', () => {
  const now = Date.parse('2026-01-05T09:00:00Z');
  test('exactly one of duration, endAt, permanent', () => {
    assert.equal(code(() => resolveWindow(now, {}, DEFAULT_EXPIRATION.active)), 'schedule.expiration_ambiguous');
    assert.equal(code(() => resolveWindow(now, { duration: 'PT1H', permanent: true }, DEFAULT_EXPIRATION.active)), 'schedule.expiration_ambiguous');
    assert.deepEqual(resolveWindow(now, { permanent: true }, DEFAULT_EXPIRATION.active), { startAt: now, endAt: null });
  });
  test('five-minute minimum, maximum only when expiry is required', () => {
    assert.equal(code(() => resolveWindow(now, { duration: 'PT4M59S' }, DEFAULT_EXPIRATION.active)), 'schedule.too_short');
    assert.deepEqual(resolveWindow(now, { duration: 'PT5M' }, DEFAULT_EXPIRATION.active), { startAt: now, endAt: now + 300_000 });
    assert.doesNotThrow(() => resolveWindow(now, { duration: 'P400D' }, DEFAULT_EXPIRATION.eligible));
    const strict = { permanentAllowed: false, maximumDurationMs: 180 * 86400_000 };
    assert.equal(code(() => resolveWindow(now, { duration: 'P181D' }, strict)), 'schedule.too_long');
    assert.equal(code(() => resolveWindow(now, { permanent: true }, strict)), 'schedule.permanent_not_allowed');
  });
  test('start times: future kept, slightly past clamped, far past refused', () => {
    assert.equal(resolveWindow(now, { startAt: '2026-01-06T00:00:00Z', duration: 'PT1H' }, DEFAULT_EXPIRATION.active).startAt, Date.parse('2026-01-06T00:00:00Z'));
    assert.equal(resolveWindow(now, { startAt: '2026-01-05T08:58:00Z', duration: 'PT1H' }, DEFAULT_EXPIRATION.active).startAt, now);
    assert.equal(code(() => resolveWindow(now, { startAt: '2026-01-05T08:00:00Z', duration: 'PT1H' }, DEFAULT_EXPIRATION.active)), 'schedule.start_in_past');
    assert.equal(code(() => resolveWindow(now, { endAt: 'tomorrow' }, DEFAULT_EXPIRATION.active)), 'schedule.invalid_time');
  });
  test('removal lock and half-open windows', () => {
    assert.equal(code(() => checkRemovable(now, now + 299_999)), 'schedule.removal_too_soon');
    assert.doesNotThrow(() => checkRemovable(now, now + 300_000));
    const s = { startAt: 100, endAt: 200, endedAt: null };
    assert.equal(isInForce(s, 99), false); assert.equal(isInForce(s, 100), true); assert.equal(isInForce(s, 199), true); assert.equal(isInForce(s, 200), false);
    assert.equal(isInForce({ ...s, endedAt: 150 }, 150), false);
  });
});

describe('decisions', () => {
  const g = (over: Partial<Grant>): Grant => ({ scheduleId: 's', kind: 'active', principalId: 'u', roleId: 'r', scope: '/', startAt: 0, endAt: 100, assignmentType: 'Assigned', ...over });
  const perms = (id: string) => (id === 'r' ? ['db:*'] : id === 'q' ? ['record:read'] : undefined);
  test('compares with the instant: denied at endAt exactly', () => {
    assert.equal(decide([g({})], [], { roleId: 'r' }, '/', 99, perms).length, 1);
    assert.equal(decide([g({})], [], { roleId: 'r' }, '/', 100, perms).length, 0);
  });
  test('eligible grants nothing; groups grant with memberType Group', () => {
    assert.equal(decide([g({ kind: 'eligible' })], [], { roleId: 'r' }, '/', 10, perms).length, 0);
    const via = decide([], [{ groupId: 'G', grants: [g({ principalId: 'G' })] }], { permission: 'db:admin' }, '/resources/db/x', 10, perms);
    assert.equal(via[0]?.memberType, 'Group');
    assert.equal(via[0]?.groupId, 'G');
  });
  test('permission wildcards', () => {
    assert.ok(permissionMatches('db:*', 'db:admin'));
    assert.ok(permissionMatches('*', 'x:y'));
    assert.ok(!permissionMatches('db:*', 'dbx:admin'));
    assert.ok(!permissionMatches('record:read', 'record:write'));
  });
});

describe('audit chain', () => {
  const ev = (seq: number, prevHash: string): ChainedEvent => ({
    seq, id: `e${seq}`, at: '2026-01-05T09:00:00.000Z', actorId: 'a', actorType: 'user', action: 'x', targetType: null, targetId: null, roleId: null,
    before: null, after: { b: 1, a: [2, { d: 1, c: 2 }] }, justification: null, ticketNumber: null, ticketSystem: null, requestId: null, outcome: 'success', clientAddress: null, prevHash,
  });
  test('canonical JSON sorts keys at every depth', () => {
    assert.equal(canonicalJson({ b: 1, a: [2, { d: 1, c: 2 }] }), '{"a":[2,{"c":2,"d":1}],"b":1}');
  });
  test('links detect edits, gaps and reordering', () => {
    const e1 = ev(1, GENESIS_HASH); const h1 = eventHash(e1);
    const e2 = ev(2, h1); const h2 = eventHash(e2);
    assert.equal(checkLink(null, e1, h1), null);
    assert.equal(checkLink({ seq: 1, hash: h1 }, e2, h2), null);
    assert.equal(checkLink({ seq: 1, hash: h1 }, { ...e2, action: 'y' }, h2)?.reason, 'hash_mismatch');
    assert.equal(checkLink({ seq: 1, hash: h1 }, { ...e2, seq: 3 }, h2)?.reason, 'sequence_gap');
    assert.equal(checkLink({ seq: 1, hash: 'f'.repeat(64) }, e2, h2)?.reason, 'prev_hash_mismatch');
  });
});
