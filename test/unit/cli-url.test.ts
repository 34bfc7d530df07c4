import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadCredentials, saveCredentials } from '../../src/cli/client/credentials.ts';
import { PimClient } from '../../src/cli/client/http.ts';
import { apiUrl, isClearText, isLoopback, serverUrl, UrlError } from '../../src/cli/client/url.ts';

describe('the CLI\'s server URL', () => {
  test('normalised once: trailing slashes go, a base path stays, case and default ports settle', () => {
    const cases: Array<[string, string]> = [
      ['https://pim.example.com', 'https://pim.example.com'],
      ['https://pim.example.com/', 'https://pim.example.com'],
      ['https://example.com/pim', 'https://example.com/pim'],
      ['https://example.com/pim/', 'https://example.com/pim'],
      ['https://example.com/a/b//', 'https://example.com/a/b'],
      ['HTTPS://Example.COM:443/pim', 'https://example.com/pim'],
      ['http://127.0.0.1:8080/', 'http://127.0.0.1:8080'],
      ['  http://localhost:8080  ', 'http://localhost:8080'],
    ];
    for (const [given, want] of cases) assert.equal(serverUrl(given), want, given);
  });

  test('what is not a server URL is refused, saying what to type', () => {
    for (const bad of ['pim.example.com', 'ftp://pim.example.com', 'https://alice:secret@pim.example.com', 'https://pim.example.com/?x=1', 'https://pim.example.com/#top', '']) {
      assert.throws(() => serverUrl(bad), UrlError, bad);
    }
  });

  test('API paths are joined after the base path (not resolved against it)', () => {
    const cases: Array<[string, string, string]> = [
      ['https://example.com/pim', '/api/v1/me/roles', 'https://example.com/pim/api/v1/me/roles'],
      ['https://example.com/pim/', '/api/v1/audit?action=request.*&limit=5', 'https://example.com/pim/api/v1/audit?action=request.*&limit=5'],
      ['https://example.com/a/b', '/api/v1/roles/x%2Fy', 'https://example.com/a/b/api/v1/roles/x%2Fy'],
      ['https://example.com', '/api/v1/me/roles', 'https://example.com/api/v1/me/roles'],
      ['http://127.0.0.1:8080', '/api/v1/auth/session', 'http://127.0.0.1:8080/api/v1/auth/session'],
      // new URL('//evil.example/x', base) would switch hosts; joined, it stays a path on this server.
      ['https://example.com/pim', '//evil.example/x', 'https://example.com/pim//evil.example/x'],
    ];
    for (const [base, p, want] of cases) assert.equal(apiUrl(base, p).href, want, `${base} + ${p}`);
    assert.throws(() => apiUrl('https://example.com/pim', 'api/v1/roles'));
  });

  test('every request of the client keeps the base path', async () => {
    const seen: string[] = [];
    const real = globalThis.fetch;
    globalThis.fetch = (input: string | URL | Request) => {
      seen.push(input instanceof Request ? input.url : input.toString());
      return Promise.resolve(new Response('{"ok":true}', { status: 200, headers: { 'content-type': 'application/json' } }));
    };
    try {
      const c = new PimClient('https://example.com/pim', 'pim_token');
      await c.get('/api/v1/me/roles');
      await c.post('/api/v1/requests/batch', { requests: [] });
      await (await c.open('GET', '/api/v1/audit/export?format=csv', undefined, 'text/csv')).text();
    } finally {
      globalThis.fetch = real;
    }
    assert.deepEqual(seen, ['https://example.com/pim/api/v1/me/roles', 'https://example.com/pim/api/v1/requests/batch', 'https://example.com/pim/api/v1/audit/export?format=csv']);
  });

  test('loopback is 127.0.0.0/8, ::1 and localhost, judged on the parsed host', () => {
    for (const u of ['http://127.0.0.1:8080', 'http://127.1.2.3', 'http://127.1', 'http://localhost', 'http://LOCALHOST:3000/pim', 'http://[::1]:8080', 'http://[0:0:0:0:0:0:0:1]']) assert.equal(isLoopback(u), true, u);
    for (const u of ['http://127.0.0.1.evil.example', 'http://localhost.evil.example', 'http://localhost@evil.example', 'http://128.0.0.1', 'http://10.0.0.1', 'http://[::2]', 'http://pim.example.com']) assert.equal(isLoopback(u), false, u);
  });

  test('clear text: plain http to anything but loopback', () => {
    assert.equal(isClearText('http://pim.example.com'), true);
    assert.equal(isClearText('http://192.0.2.10:8080/pim'), true);
    assert.equal(isClearText('http://127.0.0.1:8080'), false);
    assert.equal(isClearText('http://[::1]:8080'), false);
    assert.equal(isClearText('https://pim.example.com'), false);
  });
});

describe('credentials and the URL', () => {
  let dir = '';
  const saved = process.env.PIM_CONFIG_DIR;
  before(() => { dir = mkdtempSync(path.join(tmpdir(), 'openpim-creds-')); process.env.PIM_CONFIG_DIR = dir; });
  after(() => { if (saved === undefined) delete process.env.PIM_CONFIG_DIR; else process.env.PIM_CONFIG_DIR = saved; rmSync(dir, { recursive: true, force: true }); });

  test('PIM_URL + PIM_TOKEN: normalised; clear text accepted only with PIM_INSECURE', () => {
    assert.deepEqual(loadCredentials({ PIM_URL: 'https://example.com/pim/', PIM_TOKEN: 't' }), { url: 'https://example.com/pim', token: 't', insecure: false });
    assert.equal(loadCredentials({ PIM_URL: 'http://pim.lan', PIM_TOKEN: 't', PIM_INSECURE: '1' })?.insecure, true);
    assert.throws(() => loadCredentials({ PIM_URL: 'pim.lan', PIM_TOKEN: 't' }), UrlError);
  });

  test('PIM_URL alone picks the stored login only for the same server, however the URL is spelled', () => {
    saveCredentials({ url: 'https://example.com/pim', token: 'stored' });
    assert.equal(loadCredentials({ PIM_URL: 'https://EXAMPLE.com/pim/' })?.token, 'stored');
    assert.equal(loadCredentials({ PIM_URL: 'https://example.com' }), undefined, 'another base path is another server');
    assert.equal(loadCredentials({})?.url, 'https://example.com/pim');
  });
});
