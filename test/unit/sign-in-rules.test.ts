import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DomainError } from '../../src/domain/errors.ts';
import { checkPassword } from '../../src/domain/password-policy.ts';
import { mfaFresh, defaultPolicy, mergePolicy } from '../../src/domain/policy.ts';
import { PER_ACCOUNT_ADDRESS, PER_ACCOUNT_SECOND_FACTOR, PER_ADDRESS, SECOND_FACTOR_WINDOW_MS, throttle, WINDOW_MS } from '../../src/domain/sign-in-limits.ts';

const problemsOf = (pw: string, upn = 'alice@example.com'): string[] => {
  try { checkPassword(pw, upn); return []; } catch (e) { assert.ok(e instanceof DomainError); assert.equal(e.code, 'auth.password_weak'); return e.details.problems as string[]; }
};

describe('password rule', () => {
  const cases: Array<[string, string | null]> = [
    ['correct horse battery staple', null],
    ['short', 'at least 12 characters'],
    ['x'.repeat(257), 'at most 256 characters'],
    ['Password123', 'at least 12 characters'],
    ['password123!', 'not a well-known password'],
    ['qwertyuiopas', 'not a well-known password'],
    ['alice-has-a-long-password', 'not containing your user name'],
    ['abababababababab', 'more than one or two distinct characters'],
  ];
  for (const [pw, problem] of cases) {
    test(`${pw.slice(0, 20)} → ${problem ?? 'accepted'}`, () => {
      const p = problemsOf(pw);
      if (problem === null) assert.deepEqual(p, []);
      else assert.ok(p.includes(problem), JSON.stringify(p));
    });
  }
});

describe('sign-in throttle', () => {
  const now = 10 * WINDOW_MS;
  const times = (n: number, from = now - 1000) => Array.from({ length: n }, (_, i) => from - i);
  test('below both limits: allowed', () => {
    assert.deepEqual(throttle({ accountAddress: times(PER_ACCOUNT_ADDRESS - 1), address: times(PER_ADDRESS - 1) }, now), { allowed: true });
  });
  test('five for the pair: locked for that pair, with the time left', () => {
    const t = throttle({ accountAddress: times(PER_ACCOUNT_ADDRESS), address: times(PER_ACCOUNT_ADDRESS) }, now);
    assert.equal(t.allowed, false);
    assert.ok(!t.allowed && t.rule === 'account_address' && t.retryAfterMs > 0 && t.retryAfterMs <= WINDOW_MS);
  });
  test('thirty from the address: blocked', () => {
    const t = throttle({ accountAddress: [], address: times(PER_ADDRESS) }, now);
    assert.ok(!t.allowed && t.rule === 'address');
  });
  test('ten failed second factors for the account from anywhere: unfamiliar addresses wait out the hour, familiar ones do not', () => {
    const ten = times(PER_ACCOUNT_SECOND_FACTOR);
    const t = throttle({ accountAddress: [], address: [], secondFactor: { account: ten, familiar: false } }, now);
    assert.ok(!t.allowed && t.rule === 'account_second_factor');
    assert.ok(t.retryAfterMs > WINDOW_MS && t.retryAfterMs <= SECOND_FACTOR_WINDOW_MS);
    assert.deepEqual(throttle({ accountAddress: [], address: [], secondFactor: { account: ten, familiar: true } }, now), { allowed: true });
    assert.deepEqual(throttle({ accountAddress: [], address: [], secondFactor: { account: times(PER_ACCOUNT_SECOND_FACTOR - 1), familiar: false } }, now), { allowed: true });
    assert.deepEqual(throttle({ accountAddress: [], address: [], secondFactor: { account: times(PER_ACCOUNT_SECOND_FACTOR, now - SECOND_FACTOR_WINDOW_MS), familiar: false } }, now), { allowed: true }, 'an hour later');
  });
  test('old failures fall out of the window', () => {
    assert.deepEqual(throttle({ accountAddress: times(20, now - WINDOW_MS), address: times(100, now - WINDOW_MS) }, now), { allowed: true });
  });
});

describe('MFA freshness', () => {
  const p = defaultPolicy();
  const tenMinutes = mergePolicy(p, { activation: { mfaMaxAgeMinutes: 10 } });
  const cases: Array<[string, typeof p, number | undefined, 'ok' | 'missing' | 'stale']> = [
    ['no MFA', p, undefined, 'missing'],
    ['once per session, old MFA', p, 0, 'ok'],
    ['max age, within', tenMinutes, 1_000_000 - 600_000, 'ok'],
    ['max age, one ms too old', tenMinutes, 1_000_000 - 600_001, 'stale'],
  ];
  for (const [name, policy, at, want] of cases) test(name, () => assert.equal(mfaFresh(policy, at, 1_000_000), want));
});
