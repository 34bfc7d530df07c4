import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { ENGINE, PG_URL } from '../helpers/harness.ts';

const PIM = path.resolve('bin/pim.mjs');

/** Runs the real `pim serve` and `pim …` processes, as a user of the README would. */
describe(`server and CLI as processes (${ENGINE})`, () => {
  let dir: string;
  let env: Record<string, string>;
  let server: ChildProcess;
  let base = '';
  let dbName: string | undefined;
  let adminToken = '';

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'openpim-e2e-'));
    env = { PATH: process.env.PATH ?? '', HOME: dir, PIM_DATA_DIR: dir, PIM_PORT: '0', PIM_LOG_LEVEL: 'warn', PIM_INDEX_POLL_MS: '100' };
    if (PG_URL) {
      dbName = `e2e_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
      const c = new pg.Client({ connectionString: PG_URL }); await c.connect();
      await c.query(`CREATE DATABASE ${dbName}`); await c.end();
      const u = new URL(PG_URL); u.pathname = `/${dbName}`;
      env.PIM_DATABASE_URL = u.toString();
    }
    server = spawn(process.execPath, [PIM, 'serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    base = await new Promise<string>((resolve, reject) => {
      server.stdout!.on('data', (b: Buffer) => {
        out += b.toString();
        const m = /listening on (http:\/\/[^\s]+)/.exec(out);
        if (m?.[1] !== undefined && out.includes('bootstrap --admin')) resolve(m[1]);
      });
      server.on('exit', (code) => reject(new Error(`server exited ${code}: ${out}`)));
    });
  });

  after(async () => {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
    if (dbName) { const c = new pg.Client({ connectionString: PG_URL }); await c.connect(); await c.query(`DROP DATABASE ${dbName}`); await c.end(); }
  });

  const pim = (...args: string[]) => spawnSync(process.execPath, [PIM, ...args], { env, encoding: 'utf8' });

  test('empty database: the server says how to create the first administrator; bootstrap works once', async () => {
    const r = pim('bootstrap', '--admin', 'alice@example.com', '--json');
    assert.equal(r.status, 0, r.stderr);
    const boot = JSON.parse(r.stdout) as { token: string; userId: string };
    assert.match(boot.token, /^pim_/);
    adminToken = boot.token;
    const again = pim('bootstrap', '--admin', 'mallory@example.com');
    assert.equal(again.status, 3);
    assert.match(again.stderr, /already exists/);
    // The server (another process) picks the new administrator up from the store.
    let roles: { active: Array<{ roleDisplayName: string }> } = { active: [] };
    for (let i = 0; i < 400 && roles.active.length < 2; i++) {
      const res = await fetch(`${base}/api/v1/me/roles`, { headers: { authorization: `Bearer ${boot.token}` } });
      if (res.status === 200) roles = await res.json() as typeof roles;
      else await new Promise((w) => setTimeout(w, 50));
    }
    assert.deepEqual(roles.active.map((x) => x.roleDisplayName).sort(), ['Global Administrator', 'Privileged Role Administrator']);
  });

  test('OpenAPI 3.1 document and browsable docs', async () => {
    const doc = await (await fetch(`${base}/api/v1/openapi.json`)).json() as { openapi: string; paths: Record<string, Record<string, { security?: unknown }>> };
    assert.equal(doc.openapi, '3.1.0');
    for (const p of ['/api/v1/users', '/api/v1/roles', '/api/v1/requests', '/api/v1/check', '/api/v1/check/batch', '/api/v1/principals/{id}/access']) assert.ok(doc.paths[p], p);
    assert.ok(doc.paths['/api/v1/check']!.post!.security, 'secured routes say so');
    const html = await fetch(`${base}/api/docs/`);
    assert.equal(html.status, 200);
    assert.match(await html.text(), /swagger/i);
  });

  test('errors never leak internals', async () => {
    const res = await fetch(`${base}/api/v1/users`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' });
    assert.equal(res.status, 401);
    const nf = await fetch(`${base}/nope`);
    assert.equal(nf.status, 404);
    assert.deepEqual(Object.keys(await nf.json() as object), ['error']);
  });

  test('pim audit verify checks the chain: on the server, or straight from the database with --local', () => {
    const local = pim('audit', 'verify', '--local', '--json');
    assert.equal(local.status, 0, local.stderr);
    assert.equal((JSON.parse(local.stdout) as { ok: boolean }).ok, true);
    const notSignedIn = pim('audit', 'verify');
    assert.equal(notSignedIn.status, 3, 'without --local it asks a server, as every signed-in command');
    assert.match(notSignedIn.stderr, /pim login/);
    // A script: PIM_URL + PIM_TOKEN instead of a stored login.
    const remote = spawnSync(process.execPath, [PIM, 'audit', 'verify', '--json'], { env: { ...env, PIM_URL: base, PIM_TOKEN: adminToken }, encoding: 'utf8' });
    assert.equal(remote.status, 0, remote.stderr);
    assert.equal((JSON.parse(remote.stdout) as { ok: boolean }).ok, true);
  });

  test('a bad configuration stops start-up listing every bad key', () => {
    const r = spawnSync(process.execPath, [PIM, 'serve'], { env: { ...env, PIM_PORT: 'x', PIM_LOG_LEVEL: 'chatty' }, encoding: 'utf8' });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /PIM_PORT/);
    assert.match(r.stderr, /PIM_LOG_LEVEL/);
  });
});
