import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { decideHeld, NameTable, packHeld, type Grant, type Held, type Via, type Wanted } from '../../src/domain/access.ts';
import { HeldTable } from '../../src/domain/held-table.ts';
import { formatUuid, hashWords, parseUuid } from '../../src/domain/uuid-key.ts';

const perms = (roleId: string): readonly string[] | undefined => (roleId === 'dbAdmin' ? ['db:*'] : roleId === 'reader' ? ['db:read'] : []);

let seq = 0;
/** One active grant of `roleId` at `scope`, live in [startAt, endAt). */
function held(roleId: string, o: { scope?: string; startAt?: number; endAt?: number | null; groupId?: string | null; window?: Held['window']; kind?: Grant['kind'] } = {}): Held {
  const grant: Grant = {
    scheduleId: `s${seq++}`, kind: o.kind ?? 'active', principalId: 'p', roleId, scope: o.scope ?? '/',
    startAt: o.startAt ?? 0, endAt: o.endAt === undefined ? null : o.endAt, assignmentType: 'Assigned',
  };
  return { grant, groupId: o.groupId ?? null, ...(o.window ? { window: o.window } : {}) };
}

/** Everything the answers of a held set depend on: compared with decideHeld over packHeld, the reference. */
const probes: Array<[Wanted, string, number]> = [
  [{ roleId: 'admin' }, '/', 50], [{ roleId: 'admin' }, '/resources/db/prod', 50], [{ roleId: 'admin' }, '/', 150],
  [{ roleId: 'dbAdmin' }, '/resources/db/prod/table/t', 50], [{ permission: 'db:read' }, '/resources/db/prod', 50],
  [{ permission: 'db:write' }, '/', 5], [{ roleId: 'nobody' }, '/', 50],
];
function answers(decide: (w: Wanted, scope: string, at: number) => Via[]): Via[][] {
  return probes.map(([w, scope, at]) => decide(w, scope, at));
}
function expected(list: readonly Held[]): Via[][] {
  const set = packHeld(list, new NameTable());
  return answers((w, scope, at) => decideHeld(set, w, scope, at, perms, true));
}
function actual(t: HeldTable, id: string): Via[][] | undefined {
  const slot = t.find(id);
  if (slot < 0) return undefined;
  return answers((w, scope, at) => t.decide(slot, w, scope, at, perms, true));
}

const sets: Held[][] = [
  [],
  [held('admin', { endAt: 100 })],
  [held('admin', { scope: '/resources/db' }), held('dbAdmin', { scope: '/resources/db/prod', groupId: 'g1', startAt: 10, endAt: 120 })],
  [held('reader', { groupId: 'g2', window: { startAt: 0, endAt: 60 } }), held('admin', { kind: 'eligible' }), held('admin', { startAt: 100 })],
];

/** Canonical UUIDs that land in the same slot of a table of `capacity` slots. */
function colliding(capacity: number, n: number): string[] {
  const byBucket = new Map<number, string[]>();
  const w = new Int32Array(4);
  for (;;) {
    const id = randomUUID();
    assert.ok(parseUuid(id, w));
    const bucket = hashWords(w[0]!, w[1]!, w[2]!, w[3]!) & (capacity - 1);
    const ids = byBucket.get(bucket) ?? [];
    ids.push(id);
    byBucket.set(bucket, ids);
    if (ids.length === n) return ids;
  }
}

describe('UUID keys', () => {
  test('a canonical UUID reads as four words and prints back the same', () => {
    const w = new Int32Array(4);
    for (let i = 0; i < 2000; i++) {
      const id = randomUUID();
      assert.equal(parseUuid(id, w), true, id);
      assert.equal(formatUuid(w), id);
    }
    assert.equal(parseUuid('00000000-0000-0000-0000-000000000000', w), true);
    assert.deepEqual([...w], [0, 0, 0, 0]);
    assert.equal(parseUuid('ffffffff-ffff-ffff-ffff-ffffffffffff', w), true);
    assert.deepEqual([...w], [-1, -1, -1, -1]);
  });

  test('anything else is refused, so it keeps its own string identity', () => {
    const id = randomUUID();
    const w = new Int32Array(4);
    const bad = [
      id.toUpperCase(), id.replace(/-/g, ''), `{${id}}`, id.slice(0, 35), `${id}0`, '', 'user-1',
      `${id.slice(0, 8)}_${id.slice(9)}`, // a hyphen replaced
      `${id.slice(0, 7)}-${id.slice(8, 35)}`, // hyphens moved
      `g${id.slice(1)}`, // not a hex digit
      `${String.fromCharCode(0x130)}${id.slice(1)}`, // 0x130 & 127 is '0': still not a digit
      `${id.slice(0, 8)}${String.fromCharCode(0x12d)}${id.slice(9)}`, // 0x12d & 127 is '-': still not a hyphen
    ];
    for (const s of bad) assert.equal(parseUuid(s, w), false, JSON.stringify(s));
  });
});

describe('HeldTable', () => {
  test('answers exactly as decideHeld over the same grants, per principal', () => {
    const t = new HeldTable(new NameTable());
    const ids = sets.map(() => randomUUID());
    assert.equal(t.find(ids[0]!), -1);
    ids.forEach((id, i) => t.put(id, sets[i]!));
    ids.forEach((id, i) => assert.deepEqual(actual(t, id), expected(sets[i]!), `set ${i}`));
    // Eligible grants are left out, as packHeld leaves them out.
    assert.equal(t.stats().usedGrants, 0 + 1 + 2 + 2);
    // A copy that stands on its own (what AccessIndex.held gives authorize).
    const slot = t.find(ids[2]!);
    const snap = t.snapshot(slot);
    assert.deepEqual(answers((w, s, at) => decideHeld(snap, w, s, at, perms, true)), expected(sets[2]!));
  });

  test('colliding ids share a probe chain: each finds its own, and dropping one keeps the chain', () => {
    const t = new HeldTable(new NameTable(), 64);
    const ids = colliding(64, 5);
    ids.forEach((id, i) => t.put(id, sets[i % sets.length]!));
    const slots = ids.map((id) => t.find(id));
    assert.equal(new Set(slots).size, 5, 'five slots');
    ids.forEach((id, i) => assert.deepEqual(actual(t, id), expected(sets[i % sets.length]!), id));
    // Dropping the second leaves its key in place, so the third, fourth and fifth are still reached.
    t.invalidate(ids[1]!);
    assert.equal(t.find(ids[1]!), -1);
    for (const i of [0, 2, 3, 4]) assert.deepEqual(actual(t, ids[i]!), expected(sets[i % sets.length]!), `after drop ${i}`);
    // Rebuilt into the same slot.
    t.put(ids[1]!, sets[3]!);
    assert.equal(t.find(ids[1]!), slots[1]);
    assert.deepEqual(actual(t, ids[1]!), expected(sets[3]!));
    // An id with the same bucket that was never stored is not found, and dropping it changes nothing.
    const stranger = colliding(64, 1)[0]!;
    assert.equal(t.find(stranger), -1);
    t.invalidate(stranger);
    assert.equal(t.stats().live, 5);
  });

  test('ids that differ only in their last words are different keys, even in one bucket', () => {
    const t = new HeldTable(new NameTable(), 64);
    const w = new Int32Array(4);
    const prefix = randomUUID().slice(0, 19); // the first two words and half the third
    const byBucket = new Map<number, string>();
    let pair: [string, string] | undefined;
    while (pair === undefined) {
      const id = prefix + randomUUID().slice(19);
      assert.ok(parseUuid(id, w));
      const bucket = hashWords(w[0]!, w[1]!, w[2]!, w[3]!) & 63;
      const other = byBucket.get(bucket);
      if (other !== undefined && other !== id) pair = [other, id];
      byBucket.set(bucket, id);
    }
    t.put(pair[0], sets[1]!);
    assert.equal(t.find(pair[1]), -1);
    t.put(pair[1], sets[2]!);
    assert.deepEqual(actual(t, pair[0]), expected(sets[1]!));
    assert.deepEqual(actual(t, pair[1]), expected(sets[2]!));
  });

  test('grows and rehashes: thousands of principals from an 8-slot table', () => {
    const t = new HeldTable(new NameTable(), 8, 1);
    const ids = Array.from({ length: 5000 }, () => randomUUID());
    ids.forEach((id, i) => t.put(id, sets[i % sets.length]!));
    const s = t.stats();
    assert.equal(s.live, 5000);
    assert.ok(s.capacity >= 10_000, `at most half full: ${s.capacity}`);
    assert.equal(s.usedGrants, ids.reduce((n, _, i) => n + [0, 1, 2, 2][i % 4]!, 0));
    ids.forEach((id, i) => assert.deepEqual(actual(t, id), expected(sets[i % sets.length]!), id));
  });

  test('dropped entries are left out of the next rehash, and re-put after it', () => {
    const t = new HeldTable(new NameTable(), 64);
    const ids = Array.from({ length: 30 }, () => randomUUID());
    ids.forEach((id) => t.put(id, sets[1]!));
    for (const id of ids.slice(0, 25)) t.invalidate(id);
    assert.deepEqual([t.stats().live, t.stats().stale], [5, 25]);
    // Past half full (32 of 64): rehashed at the same size, since only 5 are live.
    const more = Array.from({ length: 5 }, () => randomUUID());
    more.forEach((id) => t.put(id, sets[2]!));
    assert.deepEqual([t.stats().capacity, t.stats().live, t.stats().stale], [64, 10, 0]);
    for (const id of ids.slice(0, 25)) assert.equal(t.find(id), -1);
    for (const id of ids.slice(25)) assert.deepEqual(actual(t, id), expected(sets[1]!));
    for (const id of more) assert.deepEqual(actual(t, id), expected(sets[2]!));
    t.put(ids[0]!, sets[3]!);
    assert.deepEqual(actual(t, ids[0]!), expected(sets[3]!));
  });

  test('rebuilding the same principals over and over compacts the grants instead of growing', () => {
    const t = new HeldTable(new NameTable(), 16, 16);
    const ids = Array.from({ length: 4 }, () => randomUUID());
    const last = new Map<string, number>();
    for (let round = 0; round < 2000; round++) {
      const id = ids[round % 4]!;
      if (round % 3 === 0) t.invalidate(id); // dropped first, or replaced while live: both leave garbage
      const k = round % 7 === 0 ? 1 : 2 + (round % 2);
      t.put(id, sets[k]!);
      last.set(id, k);
    }
    const s = t.stats();
    assert.ok(s.grantCapacity <= 64, `grant capacity ${s.grantCapacity}`);
    assert.ok(s.garbageGrants < s.usedGrants, JSON.stringify(s));
    for (const id of ids) assert.deepEqual(actual(t, id), expected(sets[last.get(id)!]!), id);
  });

  test('ids that are not canonical UUIDs are keyed by a number of their own', () => {
    const t = new HeldTable(new NameTable());
    const lower = randomUUID();
    const upper = lower.toUpperCase();
    const zero = '00000000-0000-0000-0000-000000000000'; // the same words (and bucket) as the first number given out
    t.put(zero, sets[3]!);
    assert.equal(t.find('user-1'), -1);
    t.put('user-1', sets[1]!);
    t.put(upper, sets[2]!);
    t.put(zero, sets[3]!);
    assert.deepEqual(actual(t, 'user-1'), expected(sets[1]!));
    assert.deepEqual(actual(t, upper), expected(sets[2]!));
    assert.deepEqual(actual(t, zero), expected(sets[3]!));
    assert.equal(t.find(lower), -1, 'the lower-case twin is another principal');
    assert.equal(t.find('USER-1'), -1);
    t.put(lower, sets[0]!);
    assert.deepEqual(actual(t, lower), expected(sets[0]!));
    assert.deepEqual(actual(t, upper), expected(sets[2]!));
    // Looking up or dropping an unknown non-canonical id does not number it.
    t.invalidate('someone-else');
    assert.equal(t.find('someone-else'), -1);
    assert.equal(t.stats().otherIds, 2);
    t.invalidate('user-1');
    assert.equal(t.find('user-1'), -1);
    t.put('user-1', sets[2]!);
    assert.deepEqual(actual(t, 'user-1'), expected(sets[2]!));
    t.clear();
    for (const id of ['user-1', upper, zero, lower]) assert.equal(t.find(id), -1);
    assert.deepEqual(t.stats(), { capacity: 1024, live: 0, stale: 0, otherIds: 0, grantCapacity: 1024, usedGrants: 0, garbageGrants: 0 });
  });

  test('any sequence of puts, drops and lookups answers as a Map of held sets would', () => {
    const pool = [...Array.from({ length: 12 }, () => randomUUID()), 'u1', 'G', 'ABCDEF00-0000-0000-0000-000000000000'];
    const op = fc.oneof(
      fc.record({ kind: fc.constant('put' as const), who: fc.nat(pool.length - 1), set: fc.nat(sets.length - 1) }),
      fc.record({ kind: fc.constant('drop' as const), who: fc.nat(pool.length - 1) }),
      fc.record({ kind: fc.constant('find' as const), who: fc.nat(pool.length - 1) }),
    );
    fc.assert(fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
      const t = new HeldTable(new NameTable(), 8, 1);
      const model = new Map<string, number>();
      for (const o of ops) {
        const id = pool[o.who]!;
        if (o.kind === 'put') { t.put(id, sets[o.set]!); model.set(id, o.set); }
        else if (o.kind === 'drop') { t.invalidate(id); model.delete(id); }
        else {
          const want = model.get(id);
          assert.deepEqual(actual(t, id), want === undefined ? undefined : expected(sets[want]!));
        }
      }
      for (const id of pool) {
        const want = model.get(id);
        assert.deepEqual(actual(t, id), want === undefined ? undefined : expected(sets[want]!));
      }
      const s = t.stats();
      assert.equal(s.live, model.size);
      assert.ok(s.usedGrants - s.garbageGrants === [...model.values()].reduce((n, k) => n + [0, 1, 2, 2][k]!, 0));
    }), { numRuns: 300 });
  });
});
