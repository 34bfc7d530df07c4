/**
 * A principal id as four 32-bit words, so a table can hold the id itself instead of a
 * pointer to a string: comparing it reads 16 bytes next to the rest of the entry, where a
 * Map follows the entry to its key string (one more cache miss per lookup on a large tenant).
 *
 * Only the canonical spelling is read this way: 36 characters, lowercase hex in groups of
 * 8-4-4-4-12, as randomUUID() makes every id openpim creates. Ids are compared as strings
 * everywhere else, so `ABC…` or a UUID without its hyphens must stay a different key from
 * `abc…`: anything not canonical is refused here and the table keys it another way.
 */

/** Hex digit value per ASCII code, -1 for anything else. */
const HEX = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i++) HEX[48 + i] = i; // 0-9
for (let i = 0; i < 6; i++) HEX[97 + i] = 10 + i; // a-f

/** Where the 32 hex digits sit in the 36 characters (hyphens at 8, 13, 18 and 23). */
const DIGIT_AT = Uint8Array.from([
  0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 14, 15, 16, 17,
  19, 20, 21, 22, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35,
]);

export const UUID_LENGTH = 36;

/**
 * Reads a canonical UUID into `out[0..3]` (most significant word first) and returns true;
 * returns false (leaving `out` unspecified) for any other string. Branch-light: every digit
 * is looked up, and one OR of all of them says whether any was not a digit.
 */
export function parseUuid(id: string, out: Int32Array): boolean {
  if (id.length !== UUID_LENGTH) return false;
  if ((id.charCodeAt(8) & id.charCodeAt(13) & id.charCodeAt(18) & id.charCodeAt(23)) !== 45
    || (id.charCodeAt(8) | id.charCodeAt(13) | id.charCodeAt(18) | id.charCodeAt(23)) !== 45) return false; // all four are '-'
  let bad = 0;
  let chars = 0;
  for (let w = 0; w < 4; w++) {
    let word = 0;
    for (let j = 8 * w, end = j + 8; j < end; j++) {
      const c = id.charCodeAt(DIGIT_AT[j]!);
      chars |= c;
      const d = HEX[c & 127]!;
      bad |= d; // -1 (all bits) for a non-digit
      word = (word << 4) | (d & 15);
    }
    out[w] = word;
  }
  // A character above 127 whose low seven bits look like a digit is still not one.
  return bad >= 0 && chars < 128;
}

/** The canonical spelling of four words (the inverse of parseUuid; for tests and diagnostics). */
export function formatUuid(words: ArrayLike<number>): string {
  const h = (w: number) => ((w >>> 0).toString(16)).padStart(8, '0');
  const s = h(words[0]!) + h(words[1]!) + h(words[2]!) + h(words[3]!);
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

/**
 * A 32-bit hash of four words. Random (version 4) ids would need none, but time-ordered
 * ones (version 7) share their leading bits and tests pin ids like `…-000000000001`, so
 * every word is mixed in (murmur3's finalizer steps).
 */
export function hashWords(a: number, b: number, c: number, d: number): number {
  let h = Math.imul(a ^ 0x2545f491, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 15) ^ b, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13) ^ c, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16) ^ d, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
