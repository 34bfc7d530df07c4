import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

const WEB = path.resolve('web');
const INDEX = path.join(WEB, 'dist', 'index.html');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/**
 * Builds the portal when web/dist is missing or older than its sources (npm install builds it
 * once; a test after an edit of web/ must see the edit). About a second.
 */
export function ensureWebBuilt(): void {
  const sources = Math.max(newestMtime(path.join(WEB, 'src')), statSync(path.join(WEB, 'index.html')).mtimeMs, statSync(path.join(WEB, 'vite.config.ts')).mtimeMs);
  if (existsSync(INDEX) && statSync(INDEX).mtimeMs >= sources) return;
  const r = spawnSync(process.execPath, [path.resolve('node_modules/vite/bin/vite.js'), 'build', 'web', '--logLevel', 'warn'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`building the portal failed:\n${r.stdout}\n${r.stderr}`);
}

/** Debian's Chromium (apt-get install chromium); never a downloaded browser. */
export const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

export interface BrowserWindow { context: BrowserContext; page: Page; close(): Promise<void> }

/** A fresh browser profile (its own cookies and storage), launched as STACK.md says. */
export async function openBrowser(viewport = { width: 1280, height: 900 }): Promise<BrowserWindow> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install it with "apt-get install -y --no-install-recommends chromium" (.ci/run does)`);
  const dir = mkdtempSync(path.join(tmpdir(), 'openpim-chromium-'));
  const context = await chromium.launchPersistentContext(dir, { executablePath: CHROMIUM, headless: true, args: ARGS, viewport });
  context.setDefaultTimeout(15_000);
  const page = context.pages()[0] ?? await context.newPage();
  // Script errors in the page would otherwise show only as a timeout (401s are signed-out checks).
  page.on('pageerror', (err) => process.stderr.write(`[browser] ${err.message}\n`));
  page.on('console', (m) => { if (m.type() === 'error' && !m.text().includes('status of 401')) process.stderr.write(`[browser console] ${m.text()}\n`); });
  return { context, page, close: async () => { await context.close(); rmSync(dir, { recursive: true, force: true }); } };
}
