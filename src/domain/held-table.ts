import { activeHeld, CELLS_PER_GRANT, decidePacked, packInto, REFS_PER_GRANT, type Held, type HeldSet, type NameTable, type Via, type Wanted } from './access.ts';
import { hashWords, parseUuid } from './uuid-key.ts';

/**
 * Every principal's held grants (HeldSet's layout) in one table, for the check path.
 *
 * Why not a Map<string, HeldSet>: on a tenant of a million schedules the index is far larger
 * than the CPU caches, and a Map lookup follows five or six pointers that each miss — the
 * hash bucket, the entry, the key string (compared by content, since the asked id is another
 * string object), the HeldSet, its arrays. Here a check reads the id it was given, one slot of
 * an open-addressing table that holds the id's 128 bits inline next to where its grants are,
 * and that block of one shared Float64Array: two likely misses, three when a grant matches
 * (its schedule and group ids, in one shared array of refs).
 *
 * Slots are 8 int32 words: the four words of the key, the offset and count of the principal's
 * grants in `cells` (four numbers each) and `refs` (two each), the slot's state, and the key's
 * kind. Canonical UUIDs (every id openpim makes) are their own key. Any other id (a test's
 * pinned id, a row written by hand, an upper-case UUID, which must not match its lower-case
 * twin) gets a number from a Map on the side, and that number is its key, with kind OTHER so
 * it never equals a UUID's key (the number n hashes like the UUID of words [n, 0, 0, 0]: the
 * kind is compared along with the words).
 *
 * Held sets are built lazily and dropped when what they were built from changes (the index
 * decides when: AccessIndex.forget). Dropping marks the slot STALE: the key stays (the next
 * check of that principal rebuilds into the same slot) and its grants become garbage in the
 * shared arrays. When the arrays run out of room they are compacted if at least half is
 * garbage, and doubled otherwise; when the table passes half full it is rehashed, leaving
 * stale slots out (so they also serve as the tombstones open addressing needs), and doubled
 * if live slots alone fill more than a quarter of it.
 */

const SLOT = 8;
const OFFSET = 4;
const COUNT = 5;
const STATE = 6;
const KIND = 7;

/** Slot states. */
const EMPTY = 0;
const LIVE = 1;
const STALE = 2;

/** Key kinds: the id's own 128 bits, or a number given to a non-canonical id. */
const KIND_UUID = 0;
const KIND_OTHER = 1;

/** The table is rehashed when more than this share of its slots is taken (keeps probes short). */
const MAX_LOAD = 0.5;

export interface HeldTableStats {
  capacity: number;
  live: number;
  stale: number;
  /** Non-canonical ids ever numbered. */
  otherIds: number;
  grantCapacity: number;
  usedGrants: number;
  garbageGrants: number;
}

function pow2AtLeast(n: number): number {
  let p = 8;
  while (p < n) p *= 2;
  return p;
}

export class HeldTable {
  private slots: Int32Array;
  private mask: number;
  /** Live + stale slots. */
  private taken = 0;
  private live = 0;
  private cells: Float64Array;
  private refs: Array<string | null> = [];
  /** Grants written to `cells` so far (refs.length is twice this). */
  private used = 0;
  /** Of those, grants no live slot points at any more. */
  private garbage = 0;
  private readonly others = new Map<string, number>();
  /** The key being looked up (scratch, so a lookup allocates nothing). */
  private readonly key = new Int32Array(4);

  constructor(
    readonly names: NameTable,
    private readonly initialSlots = 1024,
    private readonly initialGrants = 1024,
  ) {
    const cap = pow2AtLeast(initialSlots);
    this.slots = new Int32Array(cap * SLOT);
    this.mask = cap - 1;
    this.cells = new Float64Array(Math.max(1, initialGrants) * CELLS_PER_GRANT);
  }

  /** Forgets everything (a full reload of the index). */
  clear(): void {
    const cap = pow2AtLeast(this.initialSlots);
    this.slots = new Int32Array(cap * SLOT);
    this.mask = cap - 1;
    this.taken = 0; this.live = 0;
    this.cells = new Float64Array(Math.max(1, this.initialGrants) * CELLS_PER_GRANT);
    this.refs = [];
    this.used = 0; this.garbage = 0;
    this.others.clear();
  }

  /** The slot holding the principal's built held set, or -1 when there is none (never built, or dropped). */
  find(id: string): number {
    const kind = this.keyOf(id, false);
    if (kind < 0) return -1;
    const i = this.probe(kind);
    return i >= 0 && this.slots[i * SLOT + STATE] === LIVE ? i : -1;
  }

  /** Stores the principal's held grants (active ones; see activeHeld), replacing any it had; returns its slot. */
  put(id: string, held: readonly Held[]): number {
    const live = activeHeld(held);
    const kind = this.keyOf(id, true);
    let i = this.probe(kind);
    if (i >= 0) {
      this.drop(i);
    } else {
      if (this.taken + 1 > MAX_LOAD * (this.mask + 1)) {
        this.rehash(this.live + 1 > (MAX_LOAD / 2) * (this.mask + 1) ? 2 * (this.mask + 1) : this.mask + 1);
        i = this.probe(kind);
      }
      i = ~i;
      const b = i * SLOT;
      const k = this.key;
      this.slots[b] = k[0]!; this.slots[b + 1] = k[1]!; this.slots[b + 2] = k[2]!; this.slots[b + 3] = k[3]!;
      this.slots[b + KIND] = kind;
      this.slots[b + STATE] = STALE; // not live until packed: a compaction below must not copy it
      this.taken++;
    }
    const offset = live.length === 0 ? 0 : this.reserve(live.length);
    packInto(this.cells, this.refs, offset, live, this.names);
    const b = i * SLOT;
    this.slots[b + OFFSET] = offset;
    this.slots[b + COUNT] = live.length;
    this.slots[b + STATE] = LIVE;
    this.live++;
    return i;
  }

  /** Drops the principal's held set (if built): the next check of it rebuilds it. */
  invalidate(id: string): void {
    const kind = this.keyOf(id, false);
    if (kind < 0) return;
    const i = this.probe(kind);
    if (i >= 0) this.drop(i);
  }

  /** decideHeld over the held set in slot `slot` (from find or put; valid until the next put). */
  decide(slot: number, wanted: Wanted, scope: string, at: number, permissionsOf: (roleId: string) => readonly string[] | undefined, all: boolean): Via[] {
    const b = slot * SLOT;
    return decidePacked(this.cells, this.refs, this.names, this.slots[b + OFFSET]!, this.slots[b + COUNT]!, wanted, scope, at, permissionsOf, all);
  }

  /** A copy of the held set in `slot`, standing on its own (later puts may move the shared arrays). */
  snapshot(slot: number): HeldSet {
    const b = slot * SLOT;
    const from = this.slots[b + OFFSET]!;
    const size = this.slots[b + COUNT]!;
    return {
      size,
      cells: this.cells.slice(from * CELLS_PER_GRANT, (from + size) * CELLS_PER_GRANT),
      names: this.names,
      refs: this.refs.slice(from * REFS_PER_GRANT, (from + size) * REFS_PER_GRANT),
    };
  }

  stats(): HeldTableStats {
    return {
      capacity: this.mask + 1, live: this.live, stale: this.taken - this.live, otherIds: this.others.size,
      grantCapacity: this.cells.length / CELLS_PER_GRANT, usedGrants: this.used, garbageGrants: this.garbage,
    };
  }

  /** Fills `key` with the id's key; returns its kind, or -1 for a non-canonical id never numbered (when not `create`). */
  private keyOf(id: string, create: boolean): number {
    const k = this.key;
    if (parseUuid(id, k)) return KIND_UUID;
    let n = this.others.get(id);
    if (n === undefined) {
      if (!create) return -1;
      n = this.others.size;
      this.others.set(id, n);
    }
    k[0] = n; k[1] = 0; k[2] = 0; k[3] = 0;
    return KIND_OTHER;
  }

  /** Linear probing for `key`: its slot, or ~(the empty slot where it would go). */
  private probe(kind: number): number {
    const k = this.key;
    const a = k[0]!, b = k[1]!, c = k[2]!, d = k[3]!;
    const slots = this.slots;
    const mask = this.mask;
    let i = hashWords(a, b, c, d) & mask;
    for (;;) {
      const s = i * SLOT;
      if (slots[s + STATE] === EMPTY) return ~i;
      if (slots[s] === a && slots[s + 1] === b && slots[s + 2] === c && slots[s + 3] === d && slots[s + KIND] === kind) return i;
      i = (i + 1) & mask;
    }
  }

  private drop(i: number): void {
    const b = i * SLOT;
    if (this.slots[b + STATE] !== LIVE) return;
    this.slots[b + STATE] = STALE;
    this.garbage += this.slots[b + COUNT]!;
    this.live--;
  }

  /** Room for n more grants at the end of the shared arrays; returns where they start. */
  private reserve(n: number): number {
    const capacity = this.cells.length / CELLS_PER_GRANT;
    if (this.used + n > capacity) {
      const needed = this.used - this.garbage + n;
      if (2 * this.garbage >= this.used) this.compact(Math.max(this.initialGrants, 2 * needed));
      else {
        const cells = new Float64Array(Math.max(2 * capacity, needed) * CELLS_PER_GRANT);
        cells.set(this.cells.subarray(0, this.used * CELLS_PER_GRANT));
        this.cells = cells;
      }
    }
    const at = this.used;
    this.used += n;
    return at;
  }

  /** Copies every live slot's grants, packed, into new arrays of `grants` capacity. */
  private compact(grants: number): void {
    const cells = new Float64Array(grants * CELLS_PER_GRANT);
    const refs: Array<string | null> = [];
    let used = 0;
    const slots = this.slots;
    for (let s = 0; s < slots.length; s += SLOT) {
      if (slots[s + STATE] !== LIVE) continue;
      const from = slots[s + OFFSET]!;
      const count = slots[s + COUNT]!;
      if (count === 0) continue;
      cells.set(this.cells.subarray(from * CELLS_PER_GRANT, (from + count) * CELLS_PER_GRANT), used * CELLS_PER_GRANT);
      for (let r = from * REFS_PER_GRANT, end = (from + count) * REFS_PER_GRANT; r < end; r++) refs.push(this.refs[r]!);
      slots[s + OFFSET] = used;
      used += count;
    }
    this.cells = cells;
    this.refs = refs;
    this.used = used;
    this.garbage = 0;
  }

  /** Re-inserts the live slots into a table of `capacity` slots; stale ones are left out. */
  private rehash(capacity: number): void {
    const old = this.slots;
    this.slots = new Int32Array(capacity * SLOT);
    this.mask = capacity - 1;
    this.taken = 0;
    const slots = this.slots;
    const mask = this.mask;
    for (let s = 0; s < old.length; s += SLOT) {
      if (old[s + STATE] !== LIVE) continue;
      let i = hashWords(old[s]!, old[s + 1]!, old[s + 2]!, old[s + 3]!) & mask;
      while (slots[i * SLOT + STATE] !== EMPTY) i = (i + 1) & mask;
      slots.set(old.subarray(s, s + SLOT), i * SLOT);
      this.taken++;
    }
  }
}
