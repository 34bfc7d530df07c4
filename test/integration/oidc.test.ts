import assert from 'node:assert/strict';
import { ROLE } from '../../src/domain/roles.ts';
import { after, before, describe, test } from 'node:test';
import { FakeClock, systemClock } from '../../src/clock.ts';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { mfaDone, safeReturnTo } from '../../src/services/oidc-sign-in.ts';
import { assign, userWithToken } from '../helpers/factories.ts';
import { ENGINE, startHarness, startWithAdmin, type Api } from '../helpers/harness.ts';
import { CLIENT_ID, CLIENT_SECRET, MFA_ACR, startIdp, type Account, type Idp, type LoginChoice } from '../helpers/oidc-idp.ts';
import { Browser } from '../helpers/session.ts';

/** The app is driven with inject; this is only the origin the provider redirects browsers to. */
const PUBLIC_URL = 'http://127.0.0.1:8080';


/** A browser at the provider: real HTTP, redirects followed by hand, the provider's cookies kept. */
class IdpBrowser {
  private readonly jar = new Map<string, string>();
  /** Follows redirects from the authorization URL until the provider sends the browser back to us. */
  async authorize(url: string): Promise<URL> {
    let at = new URL(url);
    for (let hop = 0; hop < 12; hop++) {
      if (at.href.startsWith(PUBLIC_URL)) return at;
      const cookie = [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
      const res = await fetch(at, { redirect: 'manual', headers: cookie === '' ? {} : { cookie } });
      for (const line of res.headers.getSetCookie()) {
        const [pair] = line.split(';');
        const eq = pair!.indexOf('=');
        const name = pair!.slice(0, eq);
        const value = pair!.slice(eq + 1);
        if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) this.jar.delete(name); else this.jar.set(name, value);
      }
      const location = res.headers.get('location');
      if (res.status < 300 || res.status >= 400 || location === null) throw new Error(`the provider answered ${res.status} at ${at.href}: ${(await res.text()).slice(0, 300)}`);
      at = new URL(location, at);
    }
    throw new Error('too many redirects');
  }
}

let seq = 0;
const uniq = () => `${(seq++).toString(36)}${Math.random().toString(36).slice(2, 8)}`;

describe(`OIDC single sign-on against in-process oidc-provider (${ENGINE})`, () => {
  let idp: Idp;
  let h: Awaited<ReturnType<typeof startWithAdmin>>;
  let admin: Api;
  let roleId: string;

  before(async () => {
    idp = await startIdp(PUBLIC_URL);
    // openid-client checks iat/exp with the real clock: the app's clock starts at the real time.
    h = await startWithAdmin({
      clock: new FakeClock(systemClock.nowMs()),
      env: { PIM_PUBLIC_URL: PUBLIC_URL, PIM_OIDC_ISSUER: idp.issuer, PIM_OIDC_CLIENT_ID: CLIENT_ID, PIM_OIDC_CLIENT_SECRET: CLIENT_SECRET },
    });
    admin = h.admin;
    // A role whose activation needs MFA (the default setting).
    roleId = (await admin.post('/api/v1/roles', { displayName: `sso-${uniq()}`, permissions: ['app:use'] })).body.id;
  });
  after(async () => {
    await h?.close();
    await idp?.close();
  });

  const db = () => h.rt.deps.db;
  const count = async (table: 'users' | 'sessions' | 'user_identities' | 'oidc_logins') => Number((await db().selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const counts = async () => ({ users: await count('users'), sessions: await count('sessions'), identities: await count('user_identities') });
  const account = (a: Account = {}) => {
    const sub = `sub-${uniq()}`;
    const email = a.email ?? `${sub}@corp.example`;
    idp.accounts.set(sub, { email, email_verified: true, name: `Person ${sub}`, ...a });
    return { sub, email };
  };

  /** start → provider → callback, as one browser. */
  async function sso(b: Browser, who: LoginChoice, o: { returnTo?: string; stepUp?: boolean; at?: IdpBrowser } = {}) {
    const q = new URLSearchParams({ ...(o.returnTo !== undefined ? { returnTo: o.returnTo } : {}), ...(o.stepUp ? { stepUp: '1' } : {}) });
    const start = await b.get(`/api/v1/auth/oidc/start${q.size > 0 ? `?${q.toString()}` : ''}`);
    assert.equal(start.status, 302, JSON.stringify(start.body));
    const authUrl = new URL(String(start.headers.location));
    idp.next = who;
    const back = await (o.at ?? new IdpBrowser()).authorize(authUrl.href);
    const callbackPath = `${back.pathname}${back.search}`;
    const callback = await b.get(callbackPath);
    return { authUrl, callbackPath, callback };
  }
  const activate = (b: Browser, principalId: string) =>
    b.post('/api/v1/requests', { action: 'selfActivate', principalId, roleId, justification: 'sso test', schedule: { duration: 'PT1H' } });

  test('providers: the sign-in page learns that single sign-on is on', async () => {
    const r = await h.anon.get('/api/v1/auth/providers');
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, { password: true, oidc: { enabled: true, startUrl: '/api/v1/auth/oidc/start' } });
  });

  test('first sign-in creates the user; amr ["mfa"] gives the session MFA, and an MFA-requiring activation succeeds', async () => {
    const { sub, email } = account();
    const before = await counts();
    const b = new Browser(h.app);
    const { authUrl, callback } = await sso(b, { accountId: sub, amr: ['pwd', 'mfa'] }, { returnTo: '/requests?tab=mine' });
    assert.equal(authUrl.searchParams.get('code_challenge_method'), 'S256');
    assert.ok(authUrl.searchParams.get('state') && authUrl.searchParams.get('nonce') && authUrl.searchParams.get('code_challenge'));
    assert.equal(authUrl.searchParams.get('scope'), 'openid email profile');
    assert.equal(authUrl.searchParams.get('max_age'), null, 'no max_age on a plain sign-in');
    assert.equal(callback.status, 302, JSON.stringify(callback.body));
    assert.equal(callback.headers.location, '/requests?tab=mine');
    assert.match([callback.headers['set-cookie']].flat().join('\n'), /pim_session=pims_[^;]+;.*HttpOnly/i);
    assert.equal(b.jar.has('pim_oidc_state'), false, 'the login cookie is cleared');

    const me = await b.get('/api/v1/auth/session');
    assert.equal(me.status, 200);
    assert.equal(me.body.user.userPrincipalName, email);
    assert.ok(me.body.mfaAt, 'MFA done at the provider counts');
    const userId = me.body.user.id as string;
    const sessions = await b.get('/api/v1/me/sessions');
    assert.equal(sessions.body.items[0].method, 'oidc+mfa');
    const after = await counts();
    assert.deepEqual(after, { users: before.users + 1, sessions: before.sessions + 1, identities: before.identities + 1 });
    const user = await admin.get(`/api/v1/users/${userId}`);
    assert.equal(user.body.displayName, `Person ${sub}`);
    assert.equal(user.body.mail, email);

    await assign(admin, userId, roleId, { kind: 'eligible', permanent: true });
    const ok = await activate(b, userId);
    assert.equal(ok.status, 201, JSON.stringify(ok.body));

    // Signing in again finds the same user through the (issuer, sub) link.
    const again = await sso(new Browser(h.app), { accountId: sub, amr: ['mfa'] });
    assert.equal(again.callback.status, 302);
    assert.equal((await count('users')), after.users, 'no second user');

    const audit = async (action: string) => (await admin.get(`/api/v1/audit?action=${action}&targetId=${userId}`)).body.items;
    assert.equal((await audit('user.created'))[0].after.via, 'oidc');
    assert.equal((await audit('user.identity_linked'))[0].after.subject, sub);
    const signIns = await audit('auth.sign_in');
    assert.equal(signIns.length, 2);
    assert.deepEqual([signIns[0].after.method, signIns[0].after.mfa, signIns[0].outcome], ['oidc', true, 'success']);
  });

  test('without MFA at the provider: linked by verified email, activation answers auth.mfa_required; step-up (max_age=0) gives fresh MFA', async () => {
    const u = await userWithToken(admin, `linked-${uniq()}@corp.example`);
    const { sub } = account({ email: u.upn.toUpperCase() });
    await assign(admin, u.id, roleId, { kind: 'eligible', permanent: true });
    const idpBrowser = new IdpBrowser();
    const b = new Browser(h.app);
    const before = await counts();
    const first = await sso(b, { accountId: sub, amr: ['pwd'] }, { at: idpBrowser });
    assert.equal(first.callback.status, 302, JSON.stringify(first.callback.body));
    assert.equal(first.callback.headers.location, '/');
    const me = await b.get('/api/v1/auth/session');
    assert.equal(me.body.user.id, u.id, 'matched by verified email (case-insensitive) and linked');
    assert.equal(me.body.mfaAt, null);
    assert.deepEqual(await counts(), { users: before.users, sessions: before.sessions + 1, identities: before.identities + 1 });
    assert.equal((await b.get('/api/v1/me/sessions')).body.items[0].method, 'oidc');

    const refused = await activate(b, u.id);
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error.code, 'auth.mfa_required');

    // Step-up at the provider as someone else: refused, the session stays as it was.
    const stranger = account();
    const other = await sso(b, { accountId: stranger.sub, amr: ['mfa'] }, { stepUp: true, at: new IdpBrowser() });
    assert.equal(other.callback.status, 403);
    assert.equal(other.callback.body.error.code, 'auth.sso_user_mismatch');
    // Step-up where the provider still reports no MFA: refused too.
    const weak = await sso(b, { accountId: sub, amr: ['pwd'] }, { stepUp: true, at: idpBrowser });
    assert.equal(weak.callback.status, 403);
    assert.equal(weak.callback.body.error.code, 'auth.sso_mfa_missing');
    assert.equal((await b.get('/api/v1/auth/session')).body.mfaAt, null);

    const oldCookie = b.jar.get('pim_session');
    const seen = idp.interactions.length;
    const up = await sso(b, { accountId: sub, amr: ['pwd', 'otp'] }, { stepUp: true, returnTo: '/roles', at: idpBrowser });
    assert.equal(up.authUrl.searchParams.get('max_age'), '0');
    assert.equal(up.authUrl.searchParams.get('prompt'), 'login');
    assert.equal(up.authUrl.searchParams.get('acr_values'), null, 'no acr_values unless PIM_OIDC_MFA_ACR is set');
    assert.equal(idp.interactions[seen]?.prompt, 'login', 'the provider asked again although its session was alive');
    assert.equal(up.callback.status, 302, JSON.stringify(up.callback.body));
    assert.equal(up.callback.headers.location, '/roles');
    assert.notEqual(b.jar.get('pim_session'), oldCookie, 'the session got a new id');
    const stale = await h.app.inject({ method: 'GET', url: '/api/v1/auth/session', headers: { cookie: `pim_session=${oldCookie}` } });
    assert.equal(stale.statusCode, 401, 'the old session id is dead');
    const fresh = await b.get('/api/v1/auth/session');
    assert.ok(fresh.body.mfaAt, 'fresh MFA in the session');
    assert.ok(Math.abs(Date.parse(fresh.body.mfaAt) - h.clock.nowMs()) < 60_000, 'mfaAt is the provider\'s auth_time');
    const ok = await activate(b, u.id);
    assert.equal(ok.status, 201, JSON.stringify(ok.body));
    const verified = (await admin.get(`/api/v1/audit?action=mfa.verified&targetId=${u.id}`)).body.items;
    assert.equal(verified[0].after.method, 'oidc');

    const anonymous = await new Browser(h.app).get('/api/v1/auth/oidc/start?stepUp=1');
    assert.equal(anonymous.status, 403);
    assert.equal(anonymous.body.error.code, 'auth.session_required', 'step-up needs a signed-in session');
  });

  test('a replayed, forged or foreign state is refused and creates nothing', async () => {
    const { sub } = account();
    const b = new Browser(h.app);
    const done = await sso(b, { accountId: sub, amr: ['mfa'] });
    assert.equal(done.callback.status, 302);
    const before = await counts();

    // Replay: the same callback again (the login row is gone; the code is used too).
    b.jar.set('pim_oidc_state', new URL(done.callbackPath, PUBLIC_URL).searchParams.get('state')!);
    const replay = await b.get(done.callbackPath);
    assert.equal(replay.status, 400, JSON.stringify(replay.body));
    assert.equal(replay.body.error.code, 'auth.sso_state_invalid');

    // Forged: a state we never issued, with or without a matching cookie.
    const forged = new Browser(h.app);
    forged.jar.set('pim_oidc_state', 'forged-state');
    const f1 = await forged.get('/api/v1/auth/oidc/callback?code=abc&state=forged-state');
    assert.equal(f1.status, 400);
    assert.equal(f1.body.error.code, 'auth.sso_state_invalid');
    const f2 = await new Browser(h.app).get('/api/v1/auth/oidc/callback?code=abc&state=forged-state');
    assert.equal(f2.body.error.code, 'auth.sso_state_invalid');
    const f3 = await new Browser(h.app).get('/api/v1/auth/oidc/callback?code=abc');
    assert.equal(f3.body.error.code, 'auth.sso_state_invalid');

    // Login CSRF: an attacker's finished login, opened in the victim's browser, does not sign the victim in.
    const attacker = new Browser(h.app);
    const evil = account();
    const start = await attacker.get('/api/v1/auth/oidc/start');
    idp.next = { accountId: evil.sub, amr: ['mfa'] };
    const back = await new IdpBrowser().authorize(String(start.headers.location));
    const victim = new Browser(h.app);
    const csrf = await victim.get(`${back.pathname}${back.search}`);
    assert.equal(csrf.status, 400);
    assert.equal(csrf.body.error.code, 'auth.sso_state_invalid');
    assert.equal(victim.jar.has('pim_session'), false);

    assert.deepEqual(await counts(), before, 'no user, identity or session was created');
    const failures = (await admin.get('/api/v1/audit?action=auth.sign_in&outcome=failure&limit=20')).body.items
      .filter((e: { after: { method?: string } }) => e.after?.method === 'oidc').map((e: { after: { reason: string } }) => e.after.reason);
    assert.ok(failures.includes('state_unknown_or_used') && failures.includes('state_not_bound'), JSON.stringify(failures));
  });

  test('a browser back from a refused sign-in is sent to the sign-in page with the reason code; an API client gets the error', async () => {
    const b = new Browser(h.app);
    const html = await b.call('GET', '/api/v1/auth/oidc/callback?code=x&state=forged', undefined, { headers: { accept: 'text/html,application/xhtml+xml' } });
    assert.equal(html.status, 302, JSON.stringify(html.body));
    assert.equal(html.headers.location, '/?error=auth.sso_state_invalid');
    const json = await b.get('/api/v1/auth/oidc/callback?code=x&state=forged');
    assert.equal(json.status, 400);
    assert.equal(json.body.error.code, 'auth.sso_state_invalid');
  });

  test('linked identities: the user and administrators list them; unlinking is audited and the next sign-in links by email again', async () => {
    const u = await userWithToken(admin, `ids-${uniq()}@corp.example`);
    const { sub } = account({ email: u.upn });
    const b = new Browser(h.app);
    assert.equal((await sso(b, { accountId: sub, amr: ['mfa'] })).callback.status, 302);
    const mine = await b.get('/api/v1/me/identities');
    assert.equal(mine.status, 200);
    assert.deepEqual(mine.body.items.map((i: { issuer: string; subject: string }) => [i.issuer, i.subject]), [[idp.issuer, sub]]);
    const listed = await admin.get(`/api/v1/users/${u.id}/identities`);
    assert.equal(listed.body.items[0].id, mine.body.items[0].id);
    assert.equal((await u.api.get(`/api/v1/users/${h.adminId}/identities`)).status, 403, 'not someone else\'s');

    // A User Administrator cannot unlink a Global Administrator's identity.
    const ua = await userWithToken(admin);
    await assign(admin, ua.id, ROLE.userAdministrator);
    await assign(admin, u.id, ROLE.globalAdministrator);
    assert.equal((await ua.api.delete(`/api/v1/users/${u.id}/identities/${mine.body.items[0].id}`)).status, 403);
    assert.equal((await admin.delete(`/api/v1/users/${u.id}/identities/nope`)).status, 404);
    assert.equal((await admin.delete(`/api/v1/users/${u.id}/identities/${mine.body.items[0].id}`)).status, 204);
    assert.deepEqual((await admin.get(`/api/v1/users/${u.id}/identities`)).body.items, []);
    const unlinked = (await admin.get(`/api/v1/audit?action=user.identity_unlinked&targetId=${u.id}`)).body.items;
    assert.equal(unlinked[0].before.subject, sub);

    assert.equal((await sso(new Browser(h.app), { accountId: sub, amr: ['mfa'] })).callback.status, 302);
    assert.equal((await admin.get(`/api/v1/users/${u.id}/identities`)).body.items.length, 1, 'linked again by verified email');
  });

  test('refused callbacks count against the address like failed passwords (30 in 15 minutes)', async () => {
    const junk = new Browser(h.app, '10.55.0.1');
    for (let i = 0; i < 30; i++) assert.equal((await junk.get(`/api/v1/auth/oidc/callback?code=abc&state=junk-${i}`)).status, 400);
    const blocked = await junk.get('/api/v1/auth/oidc/callback?code=abc&state=junk-more');
    assert.equal(blocked.status, 429);
    assert.equal(blocked.body.error.code, 'auth.throttled');
    const password = await junk.post('/api/v1/auth/sign-in', { userPrincipalName: 'someone@example.com', password: 'whatever it is here' });
    assert.equal(password.status, 429, 'the same address budget as password sign-in');
    assert.equal((await new Browser(h.app, '10.55.0.2').get('/api/v1/auth/oidc/callback?code=abc&state=junk')).status, 400, 'other addresses are unaffected');
  });

  test('an unverified email never links to an existing user (nor creates one)', async () => {
    const u = await userWithToken(admin, `victim-${uniq()}@corp.example`);
    const { sub } = account({ email: u.upn, email_verified: false });
    const before = await counts();
    const b = new Browser(h.app);
    const r = await sso(b, { accountId: sub, amr: ['mfa'] });
    assert.equal(r.callback.status, 403, JSON.stringify(r.callback.body));
    assert.equal(r.callback.body.error.code, 'auth.sso_no_user');
    assert.equal(r.callback.body.error.details.reason, 'email_not_verified');
    assert.deepEqual(await counts(), before);
    assert.equal(b.jar.has('pim_session'), false);
  });

  test('a disabled user is refused, linked or matched by email', async () => {
    const { sub } = account();
    const first = await sso(new Browser(h.app), { accountId: sub, amr: ['mfa'] });
    assert.equal(first.callback.status, 302);
    const link = await db().selectFrom('user_identities').select('user_id').where('subject', '=', sub).executeTakeFirstOrThrow();
    assert.equal((await admin.patch(`/api/v1/users/${link.user_id}`, { enabled: false })).status, 200);
    const b = new Browser(h.app);
    const r = await sso(b, { accountId: sub, amr: ['mfa'] });
    assert.equal(r.callback.status, 403);
    assert.equal(r.callback.body.error.code, 'auth.account_disabled');
    assert.equal(b.jar.has('pim_session'), false);

    const u = await userWithToken(admin, `off-${uniq()}@corp.example`);
    await admin.patch(`/api/v1/users/${u.id}`, { enabled: false });
    const other = account({ email: u.upn });
    const before = await counts();
    const r2 = await sso(new Browser(h.app), { accountId: other.sub, amr: ['mfa'] });
    assert.equal(r2.callback.body.error.code, 'auth.account_disabled');
    assert.deepEqual(await counts(), before, 'not linked, no session');
  });

  test('returnTo must be a path on this site: no open redirect', async () => {
    const before = await count('oidc_logins');
    for (const bad of ['//evil.example', '//evil.example/x', 'https://evil.example/', '/\\evil.example', 'evil', '/%0d%0a\r\nx']) {
      const r = await new Browser(h.app).get(`/api/v1/auth/oidc/start?returnTo=${encodeURIComponent(bad)}`);
      assert.equal(r.status, 400, bad);
      assert.equal(r.body.error.code, 'auth.return_to_invalid', bad);
      assert.equal(r.headers.location, undefined);
    }
    assert.equal(await count('oidc_logins'), before, 'nothing stored');
    for (const bad of ['//evil.example', '/\\evil.example', '/a b', '/caf\u20ac', '/x\ty']) assert.throws(() => safeReturnTo(bad), bad);
    assert.equal(safeReturnTo('/a/b?c=//d'), '/a/b?c=//d');
    assert.equal(safeReturnTo(undefined), '/');
  });

  test('the provider refusing (access_denied) is a 401 auth.sso_failed, audited', async () => {
    const b = new Browser(h.app);
    const r = await sso(b, { accountId: 'nobody', error: 'access_denied' });
    assert.equal(r.callback.status, 401, JSON.stringify(r.callback.body));
    assert.equal(r.callback.body.error.code, 'auth.sso_failed');
    assert.equal(r.callback.body.error.details.error, 'access_denied');
  });

  test('the MFA rule: amr values and acr', () => {
    for (const amr of ['mfa', 'hwk', 'swk', 'otp', 'fpt', 'face']) assert.equal(mfaDone({ amr: ['pwd', amr] }, []), true, amr);
    for (const amr of ['pwd', 'pin', 'sms', 'kba']) assert.equal(mfaDone({ amr: [amr] }, []), false, amr);
    assert.equal(mfaDone({ acr: MFA_ACR }, [MFA_ACR]), true);
    assert.equal(mfaDone({ acr: MFA_ACR }, []), false);
    assert.equal(mfaDone({ amr: 'mfa' }, []), false, 'amr is an array');
  });

  describe('with PIM_OIDC_MFA_ACR and PIM_OIDC_CREATE_USERS=false', () => {
    let h2: Awaited<ReturnType<typeof startWithAdmin>>;
    before(async () => {
      h2 = await startWithAdmin({
        clock: new FakeClock(systemClock.nowMs()),
        env: { PIM_PUBLIC_URL: PUBLIC_URL, PIM_OIDC_ISSUER: idp.issuer, PIM_OIDC_CLIENT_ID: CLIENT_ID, PIM_OIDC_CLIENT_SECRET: CLIENT_SECRET, PIM_OIDC_MFA_ACR: ` ${MFA_ACR} , urn:other`, PIM_OIDC_CREATE_USERS: 'false' },
      });
    });
    after(async () => { await h2?.close(); });

    test('acr counts as MFA; step-up asks for it in acr_values; unknown people are not created', async () => {
      const u = await userWithToken(h2.admin, `acr-${uniq()}@corp.example`);
      const { sub } = account({ email: u.upn });
      const b = new Browser(h2.app);
      const plain = await sso(b, { accountId: sub, acr: 'urn:openpim:test:pwd' });
      assert.equal(plain.callback.status, 302, JSON.stringify(plain.callback.body));
      assert.equal((await b.get('/api/v1/auth/session')).body.mfaAt, null);
      const up = await sso(b, { accountId: sub, acr: MFA_ACR }, { stepUp: true });
      assert.equal(up.authUrl.searchParams.get('acr_values'), `${MFA_ACR} urn:other`);
      assert.equal(up.callback.status, 302, JSON.stringify(up.callback.body));
      assert.ok((await b.get('/api/v1/auth/session')).body.mfaAt);

      const stranger = account();
      const users = Number((await h2.rt.deps.db.selectFrom('users').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
      const r = await sso(new Browser(h2.app), { accountId: stranger.sub, amr: ['mfa'] });
      assert.equal(r.callback.status, 403);
      assert.equal(r.callback.body.error.code, 'auth.sso_no_user');
      assert.equal(Number((await h2.rt.deps.db.selectFrom('users').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n), users);
    });
  });
});

describe(`OIDC configuration (${ENGINE})`, () => {
  test('SSO is off unless issuer and client id are set: start answers 404 auth.sso_not_configured', async () => {
    const h = await startHarness();
    try {
      const providers = await h.app.inject({ method: 'GET', url: '/api/v1/auth/providers' });
      assert.deepEqual(JSON.parse(providers.body), { password: true, oidc: { enabled: false, startUrl: null } });
      for (const url of ['/api/v1/auth/oidc/start', '/api/v1/auth/oidc/callback?code=a&state=b']) {
        const r = await h.app.inject({ method: 'GET', url });
        assert.equal(r.statusCode, 404, url);
        assert.equal(JSON.parse(r.body).error.code, 'auth.sso_not_configured');
      }
    } finally {
      await h.close();
    }
  });

  test('all or nothing, https (http on loopback only), scopes with openid', () => {
    const problems = (env: Record<string, string>) => {
      try { loadConfig(env); return []; } catch (e) { assert.ok(e instanceof ConfigError); return e.problems; }
    };
    const c = loadConfig({ PIM_OIDC_ISSUER: 'https://login.example.com/tenant', PIM_OIDC_CLIENT_ID: 'pim' });
    assert.deepEqual(c.oidc, { issuer: 'https://login.example.com/tenant', clientId: 'pim', clientSecret: undefined, scopes: ['openid', 'email', 'profile'], mfaAcr: [], createUsers: true });
    assert.equal(loadConfig({}).oidc, null);
    assert.match(problems({ PIM_OIDC_ISSUER: 'https://login.example.com' }).join(), /PIM_OIDC_CLIENT_ID: required/);
    assert.match(problems({ PIM_OIDC_CLIENT_ID: 'pim' }).join(), /PIM_OIDC_ISSUER: required/);
    assert.match(problems({ PIM_OIDC_CLIENT_SECRET: 's' }).join(), /set PIM_OIDC_ISSUER and PIM_OIDC_CLIENT_ID/);
    assert.match(problems({ PIM_OIDC_ISSUER: 'http://login.example.com', PIM_OIDC_CLIENT_ID: 'pim' }).join(), /loopback/);
    assert.deepEqual(problems({ PIM_OIDC_ISSUER: 'http://127.0.0.1:9000', PIM_OIDC_CLIENT_ID: 'pim' }), []);
    assert.deepEqual(problems({ PIM_OIDC_ISSUER: 'http://localhost:9000', PIM_OIDC_CLIENT_ID: 'pim' }), []);
    assert.match(problems({ PIM_OIDC_ISSUER: 'ftp://x', PIM_OIDC_CLIENT_ID: 'pim' }).join(), /PIM_OIDC_ISSUER/);
    assert.match(problems({ PIM_OIDC_ISSUER: 'https://x', PIM_OIDC_CLIENT_ID: 'pim', PIM_OIDC_SCOPES: 'email profile' }).join(), /must include openid/);
    assert.match(problems({ PIM_OIDC_ISSUER: 'https://x', PIM_OIDC_CLIENT_ID: 'pim', PIM_OIDC_CREATE_USERS: 'perhaps' }).join(), /PIM_OIDC_CREATE_USERS/);
    assert.match(problems({ PIM_OIDC_ISUER: 'https://x' }).join(), /PIM_OIDC_ISUER: unknown setting/);
  });
});
