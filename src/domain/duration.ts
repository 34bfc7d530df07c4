import { invalid } from './errors.ts';

const ISO_DURATION = /^P(?:(\d{1,6})W)?(?:(\d{1,6})D)?(?:T(?:(\d{1,7})H)?(?:(\d{1,9})M)?(?:(\d{1,10})(?:\.(\d{1,3}))?S)?)?$/;

/**
 * Parses an ISO-8601 duration (`PT8H`, `PT1H45M`, `P365D`, `P2W`) into milliseconds.
 * Years and months are refused: their length depends on the calendar, and a policy cap
 * must mean the same thing every day.
 */
export function parseDuration(text: string): number {
  const m = ISO_DURATION.exec(text);
  if (!m || text === 'P' || text.endsWith('T')) {
    throw invalid('duration.invalid', 'Duration must be ISO-8601 such as PT8H, PT1H45M or P30D (weeks, days, hours, minutes, seconds).', { duration: text.slice(0, 64) });
  }
  const [, w, d, h, min, s, frac] = m;
  const n = (x: string | undefined) => (x === undefined ? 0 : Number(x));
  const ms = ((((n(w) * 7 + n(d)) * 24 + n(h)) * 60 + n(min)) * 60 + n(s)) * 1000 + (frac === undefined ? 0 : Number(frac.padEnd(3, '0')));
  if (!Number.isSafeInteger(ms)) throw invalid('duration.invalid', 'Duration is too large.', { duration: text.slice(0, 64) });
  return ms;
}

/** Formats milliseconds as a compact ISO-8601 duration (days, hours, minutes, seconds). */
export function formatDuration(ms: number): string {
  let rest = Math.max(0, Math.round(ms / 1000));
  const d = Math.floor(rest / 86400); rest -= d * 86400;
  const h = Math.floor(rest / 3600); rest -= h * 3600;
  const m = Math.floor(rest / 60); rest -= m * 60;
  const time = `${h ? `${h}H` : ''}${m ? `${m}M` : ''}${rest ? `${rest}S` : ''}`;
  return `P${d ? `${d}D` : ''}${time ? `T${time}` : ''}` === 'P' ? 'PT0S' : `P${d ? `${d}D` : ''}${time ? `T${time}` : ''}`;
}

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;
