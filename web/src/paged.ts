import { useCallback, useEffect, useRef, useState } from 'react';
import { messageOf } from './api.ts';
import type { Page } from './admin-api.ts';

export interface Paged<T> {
  items: T[];
  /** undefined until the first page arrives. */
  loaded: boolean;
  error: string | null;
  loading: boolean;
  more: boolean;
  loadMore: () => Promise<void>;
  reload: () => Promise<void>;
}

/** A cursor-paged list: the first page loads when `key` changes, "Load more" appends the next. */
export function usePaged<T>(load: (cursor: string | null) => Promise<Page<T>>, key: string): Paged<T> {
  const [items, setItems] = useState<T[]>([]);
  const [loaded, setLoaded] = useState(false);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const seq = useRef(0);
  const loader = useRef(load);
  loader.current = load;

  const fetchPage = useCallback(async (from: string | null, append: boolean) => {
    const mine = ++seq.current;
    setLoading(true);
    try {
      const page = await loader.current(from);
      if (mine !== seq.current) return;
      setItems((old) => (append ? [...old, ...page.items] : page.items));
      setCursor(page.nextCursor);
      setError(null);
      setLoaded(true);
    } catch (err) {
      if (mine === seq.current) setError(messageOf(err));
    } finally {
      if (mine === seq.current) setLoading(false);
    }
  }, []);

  const reload = useCallback(() => fetchPage(null, false), [fetchPage]);
  // A new key is a different list: nothing of the old one stays on screen meanwhile.
  useEffect(() => { setItems([]); setLoaded(false); setCursor(null); void reload(); }, [key, reload]);
  const loadMore = useCallback(() => (cursor === null ? Promise.resolve() : fetchPage(cursor, true)), [cursor, fetchPage]);
  return { items, loaded, error, loading, more: cursor !== null, loadMore, reload };
}
