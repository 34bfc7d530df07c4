import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AxeResults, ImpactValue, Result } from 'axe-core';
import type { Page } from 'playwright-core';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** The impacts that fail a page: axe's "serious" and "critical" (the bar). */
const FAILING: ReadonlySet<ImpactValue> = new Set<ImpactValue>(['serious', 'critical']);

export interface AxeReport {
  /** Serious and critical violations: the test fails on any of these. */
  failing: Result[];
  /** Minor and moderate ones, reported to read but not failed on. */
  other: Result[];
  /** Serious or critical checks axe could not decide (for example contrast over an image): to look at. */
  review: Result[];
}

/**
 * Runs axe-core on the page as it is now (dialogs open included). The source goes in through
 * page.evaluate, which the portal's CSP (script-src 'self', no inline scripts) does not govern,
 * unlike a <script> element from page.addScriptTag; so the test sees the page with its real
 * headers. Injected once per document (a client-side navigation keeps it).
 */
export async function runAxe(page: Page): Promise<AxeReport> {
  const loaded = await page.evaluate('typeof window.axe === "object"');
  if (loaded !== true) await page.evaluate(AXE_SOURCE);
  // A string, so that the test's TypeScript never has to know the page's globals.
  const results = await page.evaluate<AxeResults>(`window.axe.run(document, { resultTypes: ['violations', 'incomplete'] })`);
  return {
    failing: results.violations.filter((v) => v.impact != null && FAILING.has(v.impact)),
    other: results.violations.filter((v) => v.impact == null || !FAILING.has(v.impact)),
    review: results.incomplete.filter((v) => v.impact != null && FAILING.has(v.impact)),
  };
}

/** One violation per paragraph: rule, impact, what it means, and each element with axe's advice. */
export function formatViolations(violations: Result[]): string {
  return violations.map((v) => {
    const nodes = v.nodes.slice(0, 8).map((n) => {
      const summary = (n.failureSummary ?? '').split('\n').map((l) => l.trim()).filter(Boolean).join(' ');
      return `    ${n.target.join(' ')}\n      ${n.html.slice(0, 160)}\n      ${summary}`;
    });
    const more = v.nodes.length > 8 ? [`    … and ${v.nodes.length - 8} more`] : [];
    return [`  ${v.id} (${v.impact ?? 'no impact'}): ${v.help} — ${v.helpUrl}`, ...nodes, ...more].join('\n');
  }).join('\n');
}
