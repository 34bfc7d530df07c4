import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { totpNow } from '../../src/auth/totp.ts';
import { userWithToken } from '../helpers/factories.ts';
import { ENGINE, startWithAdmin } from '../helpers/harness.ts';
import { Browser } from '../helpers/session.ts';

const PASSWORD = 'a long and unusual passphrase';
const MIN = 60_000;

/** PATCH /api/v1/me/mfa/{id}: the security page renames authenticator apps and passkeys. */
describe(`renaming my MFA methods (${ENGINE})`, () => {
  let h: Awaited<ReturnType<typeof startWithAdmin>>;
  before(async () => { h = await startWithAdmin(); });
  after(async () => { await h.close(); });

  async function enrolled() {
    const u = await userWithToken(h.admin);
    assert.equal((await h.admin.post(`/api/v1/users/${u.id}/password`, { password: PASSWORD })).status, 204);
    const b = new Browser(h.app);
    assert.equal((await b.signIn(u.upn, PASSWORD)).status, 200);
    const e = await b.post('/api/v1/me/mfa/totp', { name: 'Phone' });
    assert.equal(e.status, 201, JSON.stringify(e.body));
    assert.equal((await b.post(`/api/v1/me/mfa/totp/${e.body.id}/confirm`, { code: await totpNow(e.body.secret, h.clock.nowMs()) })).status, 200);
    return { u, b, id: e.body.id as string, secret: e.body.secret as string };
  }

  test('renames my own method, audited, and the list shows the new name', async () => {
    const { u, b, id } = await enrolled();
    const r = await b.call('PATCH', `/api/v1/me/mfa/${id}`, { name: '  Work phone ' });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.name, 'Work phone');
    assert.equal(r.body.type, 'totp');
    const list = await b.get('/api/v1/me/mfa');
    assert.deepEqual(list.body.items.map((m: { name: string }) => m.name), ['Work phone']);
    const audit = await h.admin.get(`/api/v1/audit?action=mfa.method.renamed&targetId=${u.id}`);
    assert.equal(audit.status, 200);
    assert.equal(audit.body.items[0].before.name, 'Phone');
    assert.equal(audit.body.items[0].after.name, 'Work phone');
  });

  test('refusals: blank name, someone else\'s method, an API token, stale MFA', async () => {
    const { b, id, secret } = await enrolled();
    const blank = await b.call('PATCH', `/api/v1/me/mfa/${id}`, { name: '   ' });
    assert.equal(blank.status, 400, JSON.stringify(blank.body));

    const other = await enrolled();
    const foreign = await b.call('PATCH', `/api/v1/me/mfa/${other.id}`, { name: 'Mine now' });
    assert.equal(foreign.status, 404);
    assert.equal(foreign.body.error.code, 'mfa.not_found');

    const token = await other.u.api.patch(`/api/v1/me/mfa/${other.id}`, { name: 'From a token' });
    assert.equal(token.status, 403);
    assert.equal(token.body.error.code, 'auth.session_required');

    h.clock.advance(16 * MIN);
    const stale = await b.call('PATCH', `/api/v1/me/mfa/${id}`, { name: 'Later' });
    assert.equal(stale.status, 403);
    assert.equal(stale.body.error.code, 'auth.mfa_required');
    assert.equal(stale.body.error.details.reason, 'stale');
    assert.equal((await b.post('/api/v1/auth/mfa', { totp: await totpNow(secret, h.clock.nowMs()) })).status, 200);
    assert.equal((await b.call('PATCH', `/api/v1/me/mfa/${id}`, { name: 'Later' })).status, 200, 'after a step-up');
  });
});
