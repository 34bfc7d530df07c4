/**
 * `npm run size:web`: the size of the built portal (web/dist), raw and gzip-compressed (node:zlib
 * at its default level 6, what most servers and proxies use), split into what the first page
 * load fetches (index.html and the files it links) and what loads later, on demand (lazy chunks).
 * It measures the build as it is: run `npm run build:web` first after a change under web/.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

const DIST = path.resolve('web/dist');
const INDEX = path.join(DIST, 'index.html');

interface Row { file: string; raw: number; gzip: number; first: boolean }

function measure(file: string, first: boolean): Row {
  const bytes = readFileSync(path.join(DIST, file));
  return { file, raw: bytes.length, gzip: gzipSync(bytes).length, first };
}

const kB = (n: number) => `${(n / 1024).toFixed(1)} kB`;
const line = (name: string, raw: number, gzip: number) => `${name.padEnd(44)} ${kB(raw).padStart(10)} ${kB(gzip).padStart(10)}`;

function main(): void {
  if (!existsSync(INDEX)) {
    process.stderr.write('web/dist/index.html is missing: run "npm run build:web" first.\n');
    process.exit(1);
  }
  const html = readFileSync(INDEX, 'utf8');
  // What index.html itself links: the entry script, its stylesheet and the chunks it preloads.
  const linked = new Set([...html.matchAll(/(?:src|href)="\/(assets\/[^"]+)"/g)].map((m) => m[1] ?? ''));
  const assets = readdirSync(path.join(DIST, 'assets')).filter((f) => !f.endsWith('.map')).sort().map((f) => `assets/${f}`);
  const rows = [measure('index.html', true), ...assets.map((f) => measure(f, linked.has(f)))];

  const sum = (rs: Row[]) => rs.reduce((t, r) => ({ raw: t.raw + r.raw, gzip: t.gzip + r.gzip }), { raw: 0, gzip: 0 });
  const first = rows.filter((r) => r.first);
  const lazy = rows.filter((r) => !r.first);
  const out = [`${'file'.padEnd(44)} ${'raw'.padStart(10)} ${'gzip'.padStart(10)}`];
  for (const r of [...first, ...lazy]) out.push(line(`${r.file}${r.first ? '' : ' (lazy)'}`, r.raw, r.gzip));
  const f = sum(first);
  const l = sum(lazy);
  out.push('', line('first page load', f.raw, f.gzip), line('lazy chunks (loaded on demand)', l.raw, l.gzip), line('all', f.raw + l.raw, f.gzip + l.gzip));
  process.stdout.write(`${out.join('\n')}\n`);
}

main();
