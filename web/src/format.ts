/** Dates, durations and names as people read them. */

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function formatDateTime(iso: string | null | undefined): string {
  if (iso === null || iso === undefined) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dateTime.format(d);
}

/** Minutes in an ISO-8601 duration such as PT8H, PT1H45M or P1DT2H (no years or months). */
export function durationMinutes(iso: string): number | null {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(iso);
  if (m === null || iso === 'P' || iso.endsWith('T')) return null;
  const [, d, h, min, s] = m;
  return Number(d ?? 0) * 1440 + Number(h ?? 0) * 60 + Number(min ?? 0) + Math.floor(Number(s ?? 0) / 60);
}

export function minutesToIso(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return `PT${h > 0 ? `${h}H` : ''}${m > 0 || h === 0 ? `${m}M` : ''}`;
}

export function describeMinutes(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  const parts = [h > 0 ? `${h} hour${h === 1 ? '' : 's'}` : '', m > 0 ? `${m} minute${m === 1 ? '' : 's'}` : ''].filter(Boolean);
  return parts.join(' ') || '0 minutes';
}

/** Choices for an activation's length: half an hour, whole hours, and the maximum itself. */
export function durationChoices(maxMinutes: number): number[] {
  const out = new Set<number>();
  if (maxMinutes >= 30) out.add(30);
  for (let h = 1; h * 60 <= maxMinutes && h <= 24; h++) out.add(h * 60);
  for (let d = 2; d * 1440 <= maxMinutes && d <= 30; d++) out.add(d * 1440);
  out.add(maxMinutes);
  return [...out].filter((m) => m >= 5).sort((a, b) => a - b);
}

export function describeScope(scope: string): string {
  return scope === '/' ? 'Directory' : scope;
}

/** An ISO instant as a datetime-local input's value ("2026-01-05T10:00") in the browser's zone. */
export function isoToLocalInput(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}T${two(d.getHours())}:${two(d.getMinutes())}`;
}

/** "2026-01-05T10:00" from a datetime-local input, as an ISO instant in the browser's zone. */
export function localInputToIso(value: string): string | undefined {
  if (value === '') return undefined;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}
