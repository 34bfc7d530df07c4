import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { totpNow } from '../../src/auth/totp.ts';
import { ROLE } from '../../src/domain/roles.ts';
import { assign, userWithToken } from '../helpers/factories.ts';
import { ENGINE, startWithAdmin, type Api } from '../helpers/harness.ts';
import { Browser } from '../helpers/session.ts';

const min = 60_000;
const day = 24 * 60 * min;
const PASSWORD = 'a long and unusual passphrase';

describe(`sign-in hardening (${ENGINE})`, () => {
  let h: Awaited<ReturnType<typeof startWithAdmin>>;
  let admin: Api;
  before(async () => {
    h = await startWithAdmin();
    admin = h.admin;
  });
  after(async () => { await h.close(); });

  const person = async () => {
    const u = await userWithToken(admin);
    assert.equal((await admin.post(`/api/v1/users/${u.id}/password`, { password: PASSWORD })).status, 204);
    return u;
  };
  /** Signs in from `address`, enrols TOTP; returns the secret. */
  const enrolTotp = async (upn: string, address: string) => {
    const b = new Browser(h.app, address);
    assert.equal((await b.signIn(upn, PASSWORD)).status, 200);
    const e = await b.post('/api/v1/me/mfa/totp', {});
    assert.equal((await b.post(`/api/v1/me/mfa/totp/${e.body.id}/confirm`, { code: await totpNow(e.body.secret, h.clock.nowMs()) })).status, 200);
    return { b, secret: e.body.secret as string };
  };
  const wrongCode = (secret: string) => totpNow(secret, h.clock.nowMs() + 10 * min);

  test('second-factor guesses are capped per account across addresses; familiar addresses and the owner still get in', async () => {
    const u = await person();
    const { secret } = await enrolTotp(u.upn, '10.20.0.1'); // the owner's usual address
    const bad = await wrongCode(secret);
    // One wrong code from each of 10 addresses: under every per-address rule, but 10 for the account.
    for (let i = 0; i < 10; i++) {
      const r = await new Browser(h.app, `172.16.0.${i + 1}`).signIn(u.upn, PASSWORD, { totp: bad });
      assert.equal(r.status, 401, `guess ${i}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.error.code, 'auth.invalid_mfa');
    }
    h.clock.advance(min);
    const right = await totpNow(secret, h.clock.nowMs());
    const fresh = await new Browser(h.app, '172.16.1.1').signIn(u.upn, PASSWORD, { totp: right });
    assert.equal(fresh.status, 429, 'an 11th address is refused even with the right code');
    assert.equal(fresh.body.error.code, 'auth.throttled');
    assert.equal(fresh.body.error.details.rule, 'account_second_factor');
    const owner = await new Browser(h.app, '10.20.0.1').signIn(u.upn, PASSWORD, { totp: right });
    assert.equal(owner.status, 200, `the owner's familiar address still works: ${JSON.stringify(owner.body)}`);
    const audit = await admin.get(`/api/v1/audit?action=auth.sign_in&outcome=failure&limit=50`);
    assert.ok(audit.body.items.some((e: { after?: { reason?: string } }) => e.after?.reason === 'throttled_account_second_factor'), 'the refusal is audited');

    h.clock.advance(61 * min);
    h.clock.advance(min);
    const later = await new Browser(h.app, '172.16.1.1').signIn(u.upn, PASSWORD, { totp: await totpNow(secret, h.clock.nowMs()) });
    assert.equal(later.status, 200, 'after the hour the rule lifts');
  });

  test('a wrong password never counts as a second-factor guess', async () => {
    const u = await person();
    const { secret } = await enrolTotp(u.upn, '10.21.0.1');
    for (let i = 0; i < 12; i++) await new Browser(h.app, `172.17.0.${i + 1}`).signIn(u.upn, 'not the password at all', { totp: '123456' });
    h.clock.advance(min);
    const r = await new Browser(h.app, '172.17.1.1').signIn(u.upn, PASSWORD, { totp: await totpNow(secret, h.clock.nowMs()) });
    assert.equal(r.status, 200, JSON.stringify(r.body));
  });

  test('managing MFA methods needs MFA from the last 15 minutes', async () => {
    const u = await person();
    const { b, secret } = await enrolTotp(u.upn, '10.22.0.1');
    assert.equal((await b.post('/api/v1/me/mfa/recovery-codes')).status, 201, 'fresh MFA: allowed');
    h.clock.advance(16 * min);
    await b.get('/api/v1/me/roles');
    const stale = await b.post('/api/v1/me/mfa/recovery-codes');
    assert.equal(stale.status, 403);
    assert.equal(stale.body.error.code, 'auth.mfa_required');
    assert.equal(stale.body.error.details.reason, 'stale');
    const up = await b.post('/api/v1/auth/mfa', { totp: await totpNow(secret, h.clock.nowMs()) });
    assert.equal(up.status, 200);
    assert.equal((await b.post('/api/v1/me/mfa/recovery-codes')).status, 201, 'after a step-up: allowed again');
  });

  test('a token minted for oneself is worth no more than what minted it', async () => {
    // No MFA enrolled: the token ends when the password-only session would.
    const plain = await person();
    const pb = new Browser(h.app);
    const signedIn = await pb.signIn(plain.upn, PASSWORD);
    const t1 = await pb.post('/api/v1/tokens', { name: 'cli', expiresInDays: 30 });
    assert.equal(t1.status, 201, JSON.stringify(t1.body));
    assert.equal(t1.body.expiresAt, signedIn.body.expiresAt, 'capped at the session end');

    // MFA enrolled: a session whose MFA is stale cannot mint one; fresh MFA gets the full 30 days.
    const u = await person();
    const { b, secret } = await enrolTotp(u.upn, '10.23.0.1');
    h.clock.advance(16 * min);
    await b.get('/api/v1/me/roles');
    const refused = await b.post('/api/v1/tokens', { name: 'cli', expiresInDays: 30 });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error.code, 'auth.mfa_required');
    await b.post('/api/v1/auth/mfa', { totp: await totpNow(secret, h.clock.nowMs()) });
    const t2 = await b.post('/api/v1/tokens', { name: 'cli', expiresInDays: 30 });
    assert.equal(t2.status, 201);
    assert.equal(Date.parse(t2.body.expiresAt), h.clock.nowMs() + 30 * day);

    // From a token: the new token ends no later than the one that minted it.
    const child = await h.admin.as(t2.body.token).post('/api/v1/tokens', { name: 'renewed', expiresInDays: 365 });
    assert.equal(child.status, 201);
    assert.equal(child.body.expiresAt, t2.body.expiresAt);
  });

  test('a User Administrator cannot see or end a privileged user\'s sessions; a role administrator can', async () => {
    const ua = await userWithToken(admin);
    await assign(admin, ua.id, ROLE.userAdministrator);
    const plain = await person();
    const ga = await person();
    await assign(admin, ga.id, ROLE.globalAdministrator);
    await new Browser(h.app).signIn(plain.upn, PASSWORD);
    await new Browser(h.app).signIn(ga.upn, PASSWORD);
    assert.equal((await ua.api.get(`/api/v1/users/${plain.id}/sessions`)).status, 200);
    assert.equal((await ua.api.get(`/api/v1/users/${ga.id}/sessions`)).status, 403);
    assert.equal((await ua.api.delete(`/api/v1/users/${ga.id}/sessions`)).status, 403);
    assert.equal((await admin.get(`/api/v1/users/${ga.id}/sessions`)).body.items.length, 1);
  });

  test('an unknown token issued a moment ago elsewhere is found after one index sync', async () => {
    // Written straight to the database, as `pim bootstrap` or another node would: the index has not seen it.
    const { hashToken, newToken } = await import('../../src/auth/tokens.ts');
    const { inTransaction } = await import('../../src/services/transaction.ts');
    const { AccessIndex } = await import('../../src/store/access-index.ts');
    const secret = newToken('x'.repeat(43));
    const id = crypto.randomUUID();
    // Another node: same database, its own index (so this server's index is not synced by the write).
    const otherNode = { ...h.system, index: new AccessIndex(h.system.db) };
    await inTransaction(otherNode, async (tx) => {
      await tx.db.insertInto('api_tokens').values({ id, owner_id: h.adminId, owner_type: 'user', name: 'elsewhere', token_hash: hashToken(secret), scopes: JSON.stringify(['api']), created_by: null, created_at: tx.nowMs, expires_at: tx.nowMs + day, revoked_at: null, last_used_at: null }).execute();
      await tx.audit({ action: 'token.created', targetType: 'token', targetId: id });
    });
    assert.equal((await h.admin.as(secret).get('/api/v1/auth/session')).status, 200);
  });
});

describe(`the CSRF token after a reload, and malformed URLs (${ENGINE})`, () => {
  test('GET /auth/session gives a session the CSRF token sign-in gave; a token caller gets none', async () => {
    const h = await startWithAdmin();
    try {
      const u = await userWithToken(h.admin);
      await h.admin.post(`/api/v1/users/${u.id}/password`, { password: PASSWORD });
      const b = new Browser(h.app);
      const signedIn = await b.signIn(u.upn, PASSWORD);
      const again = await b.get('/api/v1/auth/session');
      assert.equal(again.body.csrfToken, signedIn.body.csrfToken);
      // A page reloaded knows only the cookie: the token from /auth/session makes its writes pass.
      const reloaded = new Browser(h.app);
      reloaded.jar.set('pim_session', b.jar.get('pim_session')!);
      assert.equal((await reloaded.post('/api/v1/me/bundles', { name: 'x', items: [] })).body.error?.code, 'auth.csrf_failed');
      const write = await reloaded.call('PUT', '/api/v1/me/notification-preferences', { informationalMail: true }, { headers: { 'x-csrf-token': again.body.csrfToken } });
      assert.equal(write.status, 200, JSON.stringify(write.body));
      assert.equal('csrfToken' in (await u.api.get('/api/v1/auth/session')).body, false);
      const bad = await h.app.inject({ method: 'GET', url: '/api/v1/users/%E0%A4%A' });
      assert.equal(bad.statusCode, 400);
      assert.equal(JSON.parse(bad.body).error.code, 'request.invalid');
    } finally {
      await h.close();
    }
  });
});

describe(`session cookies over https (${ENGINE})`, () => {
  test('the cookies carry the __Host- prefix and Secure, and they work', async () => {
    const h = await startWithAdmin({ env: { PIM_PUBLIC_URL: 'https://pim.example.com' } });
    try {
      const u = await userWithToken(h.admin);
      await h.admin.post(`/api/v1/users/${u.id}/password`, { password: PASSWORD });
      const b = new Browser(h.app);
      const r = await b.signIn(u.upn, PASSWORD);
      assert.equal(r.status, 200);
      const cookies = [r.headers['set-cookie']].flat().join('\n');
      assert.match(cookies, /__Host-pim_session=pims_[^;]+;.*Secure/i);
      assert.match(cookies, /__Host-pim_csrf=/);
      assert.doesNotMatch(cookies, /(^|\n)pim_session=/);
      assert.equal((await b.get('/api/v1/auth/session')).status, 200);
      assert.equal((await b.post('/api/v1/auth/sign-out')).status, 204);
      assert.equal((await b.get('/api/v1/auth/session')).status, 401);
    } finally {
      await h.close();
    }
  });
});
