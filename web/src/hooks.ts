import { useCallback, useEffect, useRef, useState } from 'react';
import { messageOf } from './api.ts';

export interface Loaded<T> {
  data: T | undefined;
  error: string | null;
  loading: boolean;
  /** Loads again; the current data stays on screen meanwhile (no flicker on refresh). */
  reload: () => Promise<void>;
}

/** Loads data for a page; `key` changes reload it. Answers of superseded loads are dropped. */
export function useLoad<T>(load: () => Promise<T>, key: string): Loaded<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const seq = useRef(0);
  const loader = useRef(load);
  loader.current = load;
  const reload = useCallback(async () => {
    const mine = ++seq.current;
    setLoading(true);
    try {
      const d = await loader.current();
      if (mine === seq.current) { setData(d); setError(null); }
    } catch (err) {
      if (mine === seq.current) setError(messageOf(err));
    } finally {
      if (mine === seq.current) setLoading(false);
    }
  }, []);
  useEffect(() => { void reload(); }, [key, reload]);
  return { data, error, loading, reload };
}

/** Calls `tick` every `ms` while `active`, and when the window regains focus. */
export function usePolling(tick: () => void, ms: number, active: boolean): void {
  const fn = useRef(tick);
  fn.current = tick;
  useEffect(() => {
    const onFocus = () => fn.current();
    window.addEventListener('focus', onFocus);
    const t = active ? window.setInterval(() => fn.current(), ms) : undefined;
    return () => { window.removeEventListener('focus', onFocus); if (t !== undefined) window.clearInterval(t); };
  }, [ms, active]);
}

export interface Action {
  busy: boolean;
  error: string | null;
  setError: (message: string | null) => void;
  /** Runs `fn` once: busy meanwhile, the previous error cleared, a failure's message shown. */
  run: (fn: () => Promise<void>) => Promise<void>;
}

/** The busy flag and error message of a form or button that calls the API; `show` words a failure. */
export function useAction(show: (err: unknown) => string = messageOf): Action {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const run = useCallback(async (fn: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
    } catch (err) {
      setError(show(err));
    } finally {
      setBusy(false);
    }
  }, [show]);
  return { busy, error, setError, run };
}
