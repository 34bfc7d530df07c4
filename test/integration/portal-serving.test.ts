import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { Api, ENGINE, startHarness, type Harness } from '../helpers/harness.ts';
import { Browser } from '../helpers/session.ts';
import { ensureWebBuilt } from '../helpers/web.ts';

const HTML = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };
const PASSWORD = 'a long first-run passphrase';

describe(`the portal bundle and first-run setup over HTTP (${ENGINE})`, () => {
  let h: Harness;
  let anon: Api;
  before(async () => {
    ensureWebBuilt();
    h = await startHarness();
    anon = new Api(h.app);
  });
  after(async () => { await h.close(); });

  test('index.html at / and for deep links, with strict security headers', async () => {
    for (const url of ['/', '/requests/4b1c7c1e-0000-4000-8000-000000000000', '/approvals', '/setup?code=x']) {
      const r = await anon.call('GET', url, undefined, HTML);
      assert.equal(r.status, 200, url);
      assert.match(String(r.headers['content-type']), /text\/html/);
      assert.match(String(r.body), /<div id="root">/);
      const csp = String(r.headers['content-security-policy']);
      for (const d of ["script-src 'self'", "frame-ancestors 'none'", "object-src 'none'", "default-src 'self'"]) assert.ok(csp.includes(d), `${url}: ${csp}`);
      assert.ok(!csp.includes('unsafe-inline'), csp);
      assert.equal(r.headers['x-content-type-options'], 'nosniff');
      assert.equal(r.headers['referrer-policy'], 'no-referrer');
      assert.equal(r.headers['cache-control'], 'no-cache');
    }
    // No inline script in the page itself (the CSP would block it anyway).
    const page = await anon.call('GET', '/', undefined, HTML);
    assert.doesNotMatch(String(page.body), /<script(?![^>]*\bsrc=)[^>]*>/);
  });

  test('hashed assets are served immutable; unknown files and non-HTML deep links get the JSON 404', async () => {
    const js = readdirSync('web/dist/assets').find((f) => f.endsWith('.js'));
    assert.ok(js !== undefined);
    const a = await anon.get(`/assets/${js}`);
    assert.equal(a.status, 200);
    assert.match(String(a.headers['content-type']), /javascript/);
    assert.match(String(a.headers['cache-control']), /immutable/);
    for (const url of ['/assets/nope.js', '/requests/abc', '/%2e%2e/package.json', '/.env', '/%E0%A4%A']) {
      const r = await anon.get(url);
      // A malformed escape is refused by Fastify's router itself (400, its own body, as for any path).
      assert.equal(r.status, url.includes('%A4%A') ? 400 : 404, url);
      if (r.status === 404) assert.equal(typeof r.body.error.code, 'string', url);
    }
  });

  test('the portal never shadows the APIs', async () => {
    const api = await anon.call('GET', '/api/v1/no-such-thing', undefined, HTML);
    assert.equal(api.status, 404);
    assert.equal(api.body.error.code, 'route.not_found');
    assert.equal((await anon.call('GET', '/access/v1/nothing', undefined, HTML)).body.error.code, 'route.not_found');
    assert.equal((await anon.call('GET', '/.well-known/nothing', undefined, HTML)).body.error.code, 'route.not_found');
    const wk = await anon.get('/.well-known/authzen-configuration');
    assert.equal(wk.status, 200);
    assert.equal(typeof wk.body, 'object');
    const docs = await anon.call('GET', '/api/docs/', undefined, HTML);
    assert.equal(docs.status, 200);
    assert.match(String(docs.body), /swagger/i);
    assert.equal((await anon.get('/api/v1/openapi.json')).status, 200);
  });

  test('first-run setup: code required, password policy, creates a signed-in administrator once, audited', async () => {
    assert.deepEqual((await anon.get('/api/v1/setup')).body, { required: true });
    const input = { code: h.app.firstRunSetupCode, userPrincipalName: 'root@example.com', displayName: 'Root', password: PASSWORD };
    const wrong = await anon.post('/api/v1/setup', { ...input, code: 'not-the-code' });
    assert.equal(wrong.status, 403);
    assert.equal(wrong.body.error.code, 'setup.invalid_code');
    const missing = await anon.post('/api/v1/setup', { userPrincipalName: 'root@example.com', displayName: 'Root', password: PASSWORD });
    assert.equal(missing.status, 400);
    assert.equal(missing.body.error.code, 'request.invalid');
    const extra = await anon.post('/api/v1/setup', { ...input, isAdmin: true });
    assert.equal(extra.body.error.code, 'request.unknown_field');
    const weak = await anon.post('/api/v1/setup', { ...input, password: 'short' });
    assert.equal(weak.status, 400);
    assert.equal(weak.body.error.code, 'auth.password_weak');
    const badUpn = await anon.post('/api/v1/setup', { ...input, userPrincipalName: 'no at sign' });
    assert.equal(badUpn.body.error.code, 'setup.invalid_upn');
    assert.deepEqual((await anon.get('/api/v1/setup')).body, { required: true }, 'refusals change nothing');

    const b = new Browser(h.app);
    const ok = await b.post('/api/v1/setup', input);
    assert.equal(ok.status, 201, JSON.stringify(ok.body));
    assert.equal(ok.body.user.userPrincipalName, 'root@example.com');
    assert.equal(ok.body.mfaAt, null);
    assert.equal(typeof ok.body.csrfToken, 'string');
    // Signed in: the session reads and (with the CSRF token) writes, e.g. starting TOTP enrolment.
    assert.equal((await b.get('/api/v1/auth/session')).body.user.id, ok.body.user.id);
    const enrol = await b.call('POST', '/api/v1/me/mfa/totp', {}, { headers: { 'x-csrf-token': ok.body.csrfToken } });
    assert.equal(enrol.status, 201, JSON.stringify(enrol.body));
    const roles = await b.get('/api/v1/me/roles');
    assert.deepEqual(roles.body.active.map((r: { roleDisplayName: string }) => r.roleDisplayName).sort(), ['Global Administrator', 'Privileged Role Administrator']);
    assert.ok(roles.body.active.every((r: { endAt: string | null }) => r.endAt === null), 'permanent (break-glass)');
    // The password works for sign-in.
    assert.equal((await new Browser(h.app).signIn('root@example.com', PASSWORD)).status, 200);

    const again = await anon.post('/api/v1/setup', { ...input, userPrincipalName: 'second@example.com' });
    assert.equal(again.status, 409);
    assert.equal(again.body.error.code, 'setup.already_done');
    assert.deepEqual((await anon.get('/api/v1/setup')).body, { required: false });

    const audit = await b.get('/api/v1/audit?action=bootstrap.completed');
    assert.equal(audit.status, 200, JSON.stringify(audit.body));
    assert.equal(audit.body.items.length, 1);
    assert.equal(audit.body.items[0].after.via, 'setup');
    const refused = await b.get('/api/v1/audit?action=setup.refused');
    assert.ok(refused.body.items.length >= 1);
  });

  test('the setup endpoints are in the OpenAPI document', async () => {
    const doc = (await anon.get('/api/v1/openapi.json')).body;
    assert.ok(doc.paths['/api/v1/setup'].get);
    assert.ok(doc.paths['/api/v1/setup'].post.requestBody);
    assert.equal(doc.paths['/'], undefined, 'the portal routes are hidden');
  });
});
