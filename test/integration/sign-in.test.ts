import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { totpNow } from '../../src/auth/totp.ts';
import { ROLE } from '../../src/domain/roles.ts';
import { assign, userWithToken } from '../helpers/factories.ts';
import { ENGINE, startWithAdmin, type Api } from '../helpers/harness.ts';
import { Browser } from '../helpers/session.ts';

const min = 60_000;
const PASSWORD = 'a long and unusual passphrase';

describe(`sign-in, sessions and MFA (${ENGINE})`, () => {
  let h: Awaited<ReturnType<typeof startWithAdmin>>;
  let admin: Api;
  before(async () => {
    h = await startWithAdmin();
    admin = h.admin;
  });
  after(async () => { await h.close(); });

  const person = async () => {
    const u = await userWithToken(admin);
    const r = await admin.post(`/api/v1/users/${u.id}/password`, { password: PASSWORD });
    assert.equal(r.status, 204, JSON.stringify(r.body));
    return u;
  };
  /** Signs in and enrols TOTP; returns the browser (MFA done) and the secret. */
  const withTotp = async (u: { upn: string }) => {
    const b = new Browser(h.app);
    assert.equal((await b.signIn(u.upn, PASSWORD)).status, 200);
    const e = await b.post('/api/v1/me/mfa/totp', { name: 'phone' });
    assert.equal(e.status, 201, JSON.stringify(e.body));
    assert.match(e.body.otpauthUri, /^otpauth:\/\/totp\/openpim:/);
    assert.match(e.body.qrCode, /^data:image\/png;base64,/);
    const c = await b.post(`/api/v1/me/mfa/totp/${e.body.id}/confirm`, { code: await totpNow(e.body.secret, h.clock.nowMs()) });
    assert.equal(c.status, 200, JSON.stringify(c.body));
    assert.ok(c.body.session.mfaAt, 'confirming is MFA done in this session');
    return { b, secret: e.body.secret as string };
  };

  test('password rules and password sign-in with a session cookie (httpOnly, SameSite) and CSRF on writes', async () => {
    const u = await userWithToken(admin);
    for (const weak of ['short', 'password123!', `${u.upn.split('@')[0]}-and-more-text`, 'aaaaaaaaaaaaaaa']) {
      const r = await admin.post(`/api/v1/users/${u.id}/password`, { password: weak });
      assert.equal(r.body.error?.code, 'auth.password_weak', weak);
    }
    assert.equal((await admin.post(`/api/v1/users/${u.id}/password`, { password: PASSWORD })).status, 204);
    const b = new Browser(h.app);
    const bad = await b.signIn(u.upn, 'not the password at all');
    assert.equal(bad.status, 401);
    assert.equal(bad.body.error.code, 'auth.invalid_credentials');
    const unknown = await b.signIn('nobody@example.com', PASSWORD);
    assert.deepEqual(unknown.body.error.code, 'auth.invalid_credentials', 'unknown accounts answer the same');
    const ok = await b.signIn(u.upn.toUpperCase(), PASSWORD);
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal(ok.body.user.id, u.id);
    assert.equal(ok.body.mfaAt, null);
    const setCookie = [ok.headers['set-cookie']].flat().join('\n');
    assert.match(setCookie, /pim_session=pims_[^;]+;.*HttpOnly/i);
    assert.match(setCookie, /SameSite=Lax/i);
    assert.doesNotMatch(setCookie, /pim_session=[^\n]*Secure/i, 'no Secure flag on plain http');

    const me = await b.get('/api/v1/auth/session');
    assert.equal(me.body.via, 'session');
    assert.equal((await b.get('/api/v1/me/roles')).status, 200, 'the cookie authenticates API calls');
    const forged = await b.post('/api/v1/me/bundles', { name: 'x', items: [{ roleId: 'r' }] }, { csrf: false });
    assert.equal(forged.status, 403);
    assert.equal(forged.body.error.code, 'auth.csrf_failed');
    const wrong = await b.call('POST', '/api/v1/me/bundles', { name: 'x', items: [{ roleId: 'r' }] }, { csrf: false, headers: { 'x-csrf-token': 'guess' } });
    assert.equal(wrong.body.error.code, 'auth.csrf_failed');

    assert.equal((await b.post('/api/v1/auth/sign-out')).status, 204);
    assert.equal((await b.get('/api/v1/me/roles')).status, 401, 'signed out');
  });

  test('TOTP: enrolment, sign-in asks for the code, each code works once, recovery codes, step-up rotates the session', async () => {
    const u = await person();
    const { secret } = await withTotp(u);
    const b = new Browser(h.app);
    const first = await b.signIn(u.upn, PASSWORD);
    assert.equal(first.status, 401);
    assert.equal(first.body.error.code, 'auth.mfa_required');
    h.clock.advance(min);
    const code = await totpNow(secret, h.clock.nowMs());
    const ok = await b.signIn(u.upn, PASSWORD, { totp: code });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.ok(ok.body.mfaAt);
    const replay = await new Browser(h.app).signIn(u.upn, PASSWORD, { totp: code });
    assert.equal(replay.status, 401);
    assert.equal(replay.body.error.code, 'auth.invalid_mfa', 'the same code twice is refused');

    const codes = await b.post('/api/v1/me/mfa/recovery-codes');
    assert.equal(codes.status, 201);
    assert.equal(codes.body.codes.length, 10);
    const viaRecovery = await new Browser(h.app).signIn(u.upn, PASSWORD, { recoveryCode: codes.body.codes[0] });
    assert.equal(viaRecovery.status, 200);
    assert.equal((await new Browser(h.app).signIn(u.upn, PASSWORD, { recoveryCode: codes.body.codes[0] })).body.error.code, 'auth.invalid_mfa', 'single use');
    const methods = await b.get('/api/v1/me/mfa');
    assert.deepEqual(methods.body.items.map((m: { type: string }) => m.type).sort(), ['recovery', 'totp']);

    // Step-up in a session without MFA: a new session id.
    const c = new Browser(h.app);
    h.clock.advance(min);
    await c.signIn(u.upn, PASSWORD, { recoveryCode: codes.body.codes[1] });
    const before = c.jar.get('pim_session');
    h.clock.advance(min);
    const up = await c.post('/api/v1/auth/mfa', { totp: await totpNow(secret, h.clock.nowMs()) });
    assert.equal(up.status, 200, JSON.stringify(up.body));
    assert.notEqual(c.jar.get('pim_session'), before, 'rotated');
    const stale = await h.app.inject({ method: 'GET', url: '/api/v1/me/roles', headers: { cookie: `pim_session=${before}` } });
    assert.equal(stale.statusCode, 401, 'the old session id is dead');

    const tokenEnrol = await u.api.post('/api/v1/me/mfa/totp', {});
    assert.equal(tokenEnrol.body.error.code, 'auth.session_required', 'an API token cannot add MFA methods');
  });

  test('throttle: 5 failures lock the account from that address only; the owner elsewhere still signs in', async () => {
    const u = await person();
    const attacker = (ip: string) => h.app.inject({ method: 'POST', url: '/api/v1/auth/sign-in', remoteAddress: ip, headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ userPrincipalName: u.upn, password: 'wrong guess number x' }) });
    for (let i = 0; i < 5; i++) assert.equal((await attacker('10.9.9.9')).statusCode, 401);
    const locked = await attacker('10.9.9.9');
    assert.equal(locked.statusCode, 429);
    assert.equal(JSON.parse(locked.body).error.code, 'auth.throttled');
    const owner = await h.app.inject({ method: 'POST', url: '/api/v1/auth/sign-in', remoteAddress: '10.1.1.1', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ userPrincipalName: u.upn, password: PASSWORD }) });
    assert.equal(owner.statusCode, 200, 'failures elsewhere never lock the owner out');
    const rightButLocked = await h.app.inject({ method: 'POST', url: '/api/v1/auth/sign-in', remoteAddress: '10.9.9.9', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ userPrincipalName: u.upn, password: PASSWORD }) });
    assert.equal(rightButLocked.statusCode, 429, 'the guesser\'s address stays locked even with the right password');
    h.clock.advance(15 * min);
    assert.equal((await attacker('10.9.9.9')).statusCode, 401, 'the lock lifts after 15 minutes');
    // Spraying: 30 failures from one address across accounts block that address.
    for (let i = 0; i < 30; i++) await h.app.inject({ method: 'POST', url: '/api/v1/auth/sign-in', remoteAddress: '10.7.7.7', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ userPrincipalName: `spray${i}@example.com`, password: 'Spring2026!!' }) });
    const sprayed = await h.app.inject({ method: 'POST', url: '/api/v1/auth/sign-in', remoteAddress: '10.7.7.7', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ userPrincipalName: u.upn, password: PASSWORD }) });
    assert.equal(sprayed.statusCode, 429);
    const audit = await admin.get(`/api/v1/audit?action=auth.sign_in&targetId=${u.id}&limit=200`);
    const reasons = audit.body.items.filter((e: { outcome: string }) => e.outcome === 'failure').map((e: { after: { reason: string } }) => e.after.reason);
    assert.ok(reasons.filter((r: string) => r === 'bad_password').length >= 5, 'every failed attempt is audited');
  });

  test('sessions: idle and absolute timeouts on the clock; disabling a user ends them at once; admins end them', async () => {
    const u = await person();
    const b = new Browser(h.app);
    await b.signIn(u.upn, PASSWORD);
    h.clock.advance(29 * min);
    assert.equal((await b.get('/api/v1/me/roles')).status, 200);
    h.clock.advance(29 * min);
    assert.equal((await b.get('/api/v1/me/roles')).status, 200, 'use keeps it alive');
    h.clock.advance(30 * min);
    const idle = await b.get('/api/v1/me/roles');
    assert.equal(idle.status, 401);
    assert.equal(idle.body.error.code, 'auth.session_expired');

    await b.signIn(u.upn, PASSWORD);
    for (let i = 0; i < 25; i++) { h.clock.advance(29 * min); await b.get('/api/v1/me/roles'); }
    assert.equal((await b.get('/api/v1/me/roles')).status, 401, 'ends 12 hours after sign-in however busy');

    const c = new Browser(h.app);
    await c.signIn(u.upn, PASSWORD);
    assert.equal((await admin.get(`/api/v1/users/${u.id}/sessions`)).body.items.length, 1);
    assert.equal((await admin.patch(`/api/v1/users/${u.id}`, { enabled: false })).status, 200);
    assert.equal((await c.get('/api/v1/me/roles')).status, 401, 'disabled: the session ended at once');
    await admin.patch(`/api/v1/users/${u.id}`, { enabled: true });

    const d = new Browser(h.app);
    await d.signIn(u.upn, PASSWORD);
    const ended = await admin.delete(`/api/v1/users/${u.id}/sessions`);
    assert.equal(ended.body.ended, 1);
    assert.equal((await d.get('/api/v1/me/roles')).status, 401);
    const e = new Browser(h.app);
    await e.signIn(u.upn, PASSWORD);
    assert.equal((await u.api.delete(`/api/v1/sessions`)).status, 403, 'ending everyone\'s sessions needs a role administrator');
    assert.ok((await admin.delete('/api/v1/sessions')).body.ended >= 1);
    assert.equal((await e.get('/api/v1/me/roles')).status, 401);
  });

  test('MFA step-up for activation: refused without, accepted with session MFA or a per-request code, refused when stale', async () => {
    const roleId = (await admin.post('/api/v1/roles', { displayName: `mfa-${Math.random().toString(36).slice(2, 8)}`, permissions: ['app:use'] })).body.id as string;
    const u = await person();
    await assign(admin, u.id, roleId, { kind: 'eligible', permanent: true });
    const activate = (via: { post: Browser['post'] } | Api, extra: Record<string, unknown> = {}) =>
      via.post('/api/v1/requests', { action: 'selfActivate', principalId: u.id, roleId, justification: 'x', schedule: { duration: 'PT1H' }, ...extra });
    const noMfa = await activate(u.api);
    assert.equal(noMfa.status, 403);
    assert.equal(noMfa.body.error.code, 'auth.mfa_required');
    assert.equal(noMfa.body.error.details.reason, 'missing');

    const { b, secret } = await withTotp(u);
    const ok = await activate(b);
    assert.equal(ok.status, 201, `once per session: ${JSON.stringify(ok.body)}`);

    h.clock.advance(min);
    const withCode = await activate(u.api, { mfa: { totp: await totpNow(secret, h.clock.nowMs()) } });
    assert.equal(withCode.status, 201, `a token with a code for this request: ${JSON.stringify(withCode.body)}`);
    const sameCode = await activate(u.api, { mfa: { totp: await totpNow(secret, h.clock.nowMs()) } });
    assert.equal(sameCode.body.error.code, 'auth.invalid_mfa', 'that code is used up');

    await admin.patch(`/api/v1/roles/${roleId}/settings`, { activation: { mfaMaxAgeMinutes: 10 } });
    h.clock.advance(11 * min);
    const stale = await activate(b);
    assert.equal(stale.body.error.code, 'auth.mfa_required');
    assert.equal(stale.body.error.details.reason, 'stale');
    assert.equal(stale.body.error.details.maxAgeMinutes, 10);
    await b.post('/api/v1/auth/mfa', { totp: await totpNow(secret, h.clock.nowMs()) });
    assert.equal((await activate(b)).status, 201, 'fresh again after step-up');
  });

  test('admins reset a user\'s MFA (audited) and set passwords; privileged users need a role administrator', async () => {
    const u = await person();
    const { b } = await withTotp(u);
    const ua = await userWithToken(admin);
    await assign(admin, ua.id, ROLE.userAdministrator, { kind: 'active', permanent: true });
    const reset = await ua.api.delete(`/api/v1/users/${u.id}/mfa`);
    assert.equal(reset.status, 204, JSON.stringify(reset.body));
    assert.equal((await b.get('/api/v1/me/roles')).status, 401, 'their sessions ended');
    const again = await new Browser(h.app).signIn(u.upn, PASSWORD);
    assert.equal(again.status, 200, 'no second factor asked any more');
    const audit = await admin.get(`/api/v1/audit?action=mfa.reset&targetId=${u.id}`);
    assert.equal(audit.body.items.length, 1);
    assert.equal((await ua.api.delete(`/api/v1/users/${h.adminId}/mfa`)).status, 403, 'not for a Global Administrator');
    assert.equal((await ua.api.post(`/api/v1/users/${h.adminId}/password`, { password: PASSWORD })).status, 403);
    assert.equal((await admin.post(`/api/v1/users/${h.adminId}/password`, { password: PASSWORD })).status, 204, 'a role administrator may');
  });

  test('parallel guesses cannot slip under the limit; password change is throttled and needs a password', async () => {
    const u = await person();
    const guess = () => h.app.inject({ method: 'POST', url: '/api/v1/auth/sign-in', remoteAddress: '10.4.4.4', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ userPrincipalName: u.upn, password: 'parallel wrong guess' }) });
    const burst = await Promise.all(Array.from({ length: 20 }, guess));
    assert.equal(burst.filter((r) => r.statusCode === 401).length, 5, 'exactly five get a verdict');
    assert.equal(burst.filter((r) => r.statusCode === 429).length, 15);

    const b = new Browser(h.app);
    await b.signIn(u.upn, PASSWORD);
    for (let i = 0; i < 5; i++) assert.equal((await b.call('PUT', '/api/v1/me/password', { currentPassword: 'wrong wrong wrong', newPassword: 'another fine passphrase' })).status, 401);
    const locked = await b.call('PUT', '/api/v1/me/password', { currentPassword: PASSWORD, newPassword: 'another fine passphrase' });
    assert.equal(locked.status, 429, 'guessing the current password is throttled too');
    const tokenOnly = await userWithToken(admin);
    const set = await tokenOnly.api.call('PUT', '/api/v1/me/password', { currentPassword: '', newPassword: 'a token cannot set this one' });
    assert.equal(set.body.error.code, 'auth.password_not_set', 'a token alone cannot give the account a password');
  });

  test('a pending enrolment needs MFA to confirm once the account has MFA; the first method ends password-only sessions', async () => {
    const u = await person();
    const attacker = new Browser(h.app);
    await attacker.signIn(u.upn, PASSWORD);
    const planted = await attacker.post('/api/v1/me/mfa/totp', { name: 'attacker' });
    const { secret } = await withTotp(u);
    assert.equal((await attacker.get('/api/v1/me/roles')).status, 401, 'enrolling the first method ended the other password-only session');
    const again = new Browser(h.app);
    h.clock.advance(60_000);
    assert.equal((await again.signIn(u.upn, PASSWORD, { totp: await totpNow(secret, h.clock.nowMs()) })).status, 200);
    void planted;
    const pw = new Browser(h.app);
    assert.equal((await pw.signIn(u.upn, PASSWORD)).body.error.code, 'auth.mfa_required');
  });

  test('privileged reach counts group ownership: a User Administrator cannot act as the owner of a Global Administrator group', async () => {
    const ga = await admin.post('/api/v1/groups', { displayName: `ga-${Math.random().toString(36).slice(2, 8)}`, roleAssignable: true });
    await assign(admin, ga.body.id, ROLE.globalAdministrator, { kind: 'eligible', permanent: true });
    const owner = await person();
    assert.equal((await admin.post(`/api/v1/groups/${ga.body.id}/owners`, { id: owner.id })).status, 201);
    const ua = await userWithToken(admin);
    await assign(admin, ua.id, ROLE.userAdministrator, { kind: 'active', permanent: true });
    assert.equal((await ua.api.post('/api/v1/tokens', { name: 'x', ownerId: owner.id })).status, 403);
    assert.equal((await ua.api.post(`/api/v1/users/${owner.id}/password`, { password: PASSWORD })).status, 403);
    assert.equal((await ua.api.delete(`/api/v1/users/${owner.id}/mfa`)).status, 403);
  });

  test('MFA on active assignment also binds updates and extensions', async () => {
    const roleId = (await admin.post('/api/v1/roles', { displayName: `adm-${Math.random().toString(36).slice(2, 8)}`, permissions: ['app:use'] })).body.id as string;
    const u = await userWithToken(admin);
    const a = await assign(admin, u.id, roleId, { kind: 'active', duration: 'P2D' });
    await admin.patch(`/api/v1/roles/${roleId}/settings`, { assignment: { active: { requireMfa: true } } });
    h.clock.advance(6 * min);
    const upd = await admin.post('/api/v1/requests', { action: 'adminUpdate', kind: 'active', principalId: u.id, roleId, targetScheduleId: a.targetScheduleId, schedule: { permanent: true }, justification: 'x' });
    assert.equal(upd.body.error.code, 'auth.mfa_required');
    const ext = await admin.post('/api/v1/requests', { action: 'adminExtend', kind: 'active', principalId: u.id, roleId, targetScheduleId: a.targetScheduleId, schedule: { duration: 'P9D' }, justification: 'x' });
    assert.equal(ext.body.error.code, 'auth.mfa_required');
  });
});
