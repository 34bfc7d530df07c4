import { invalid } from '../domain/errors.ts';

/**
 * Opaque keyset cursors: base64url of the last row's sort key and id. Keyset paging stays
 * fast on deep pages and never skips or repeats rows when others are inserted meanwhile.
 */
export interface CursorKey {
  k: string | number;
  id: string;
}

export function encodeCursor(key: CursorKey): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): CursorKey | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (typeof v === 'object' && v !== null && 'id' in v && 'k' in v) {
      const { k, id } = v;
      if ((typeof k === 'string' || typeof k === 'number') && typeof id === 'string') return { k, id };
    }
  } catch {
    // fall through to the error below
  }
  throw invalid('request.invalid_cursor', 'The cursor is not one this server issued.');
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export function pageOf<T>(rows: T[], limit: number, keyOf: (row: T) => CursorKey): Page<T> {
  const more = rows.length > limit;
  const items = more ? rows.slice(0, limit) : rows;
  const last = items[items.length - 1];
  return { items, nextCursor: more && last !== undefined ? encodeCursor(keyOf(last)) : null };
}
