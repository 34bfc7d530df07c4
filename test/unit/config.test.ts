import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.ts';

test('defaults: embedded SQLite in ./data, loopback 8080', () => {
  const c = loadConfig({}, '/srv/pim');
  assert.equal(c.databaseUrl, 'sqlite:/srv/pim/data/openpim.db');
  assert.equal(c.host, '127.0.0.1');
  assert.equal(c.port, 8080);
  assert.equal(c.publicUrl, 'http://127.0.0.1:8080');
});

test('a bad configuration lists every bad key at once', () => {
  try {
    loadConfig({ PIM_PORT: 'eighty', PIM_LOG_LEVEL: 'loud', PIM_DATABASE_URL: 'mysql://x', PIM_PUBLIC_URL: 'ftp://x', PIM_PROT: '1', PIM_AUTO_MIGRATE: 'maybe' });
    assert.fail('expected ConfigError');
  } catch (e) {
    assert.ok(e instanceof ConfigError);
    const keys = e.problems.map((p) => p.split(':')[0]);
    assert.deepEqual(keys.sort(), ['PIM_AUTO_MIGRATE', 'PIM_DATABASE_URL', 'PIM_LOG_LEVEL', 'PIM_PORT', 'PIM_PROT', 'PIM_PUBLIC_URL']);
  }
});

test('postgres URLs and *_FILE secrets', async () => {
  const { writeFileSync, mkdtempSync } = await import('node:fs');
  const dir = mkdtempSync('/tmp/pimcfg-');
  writeFileSync(`${dir}/url`, 'postgres://u:p@127.0.0.1:5432/pim\n');
  assert.equal(loadConfig({ PIM_DATABASE_URL_FILE: `${dir}/url` }).databaseUrl, 'postgres://u:p@127.0.0.1:5432/pim');
  assert.throws(() => loadConfig({ PIM_DATABASE_URL_FILE: `${dir}/missing` }), ConfigError);
});
