/** Exit codes the CLI uses (documented in README "Daily use from the terminal"). */
export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  notSignedIn: 3,
  refused: 4,
  /** --wait: the request was denied, canceled or expired. */
  notGranted: 5,
  unreachable: 6,
} as const;

/** A plain aligned table: what people read in a terminal; --json gives scripts the data. */
export function table(headers: string[], rows: string[][]): string {
  if (rows.length === 0) return '';
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n') + '\n';
}

export function when(iso: string | null | undefined): string {
  if (iso === null || iso === undefined) return 'permanent';
  return iso.replace('T', ' ').replace(/:\d\d(\.\d+)?Z$/, ' UTC');
}

export function out(text: string): void { process.stdout.write(text); }
export function json(value: unknown): void { process.stdout.write(`${JSON.stringify(value, null, 2)}\n`); }
