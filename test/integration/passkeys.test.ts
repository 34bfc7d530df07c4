import assert from 'node:assert/strict';
import { createHash, createSign, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { isoCBOR } from '@simplewebauthn/server/helpers';
import { assign, userWithToken } from '../helpers/factories.ts';
import { ENGINE, startWithAdmin, type Api } from '../helpers/harness.ts';
import { Browser } from '../helpers/session.ts';
import type { ErrorBody } from '../../src/contract/common.ts';

const PASSWORD = 'a long and unusual passphrase';
const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest();
const b64url = (b: Uint8Array) => Buffer.from(b).toString('base64url');
const u32 = (n: number) => { const b = Buffer.alloc(4); b.writeUInt32BE(n); return b; };

/**
 * A software authenticator: an EC P-256 key pair from node:crypto, speaking the WebAuthn wire
 * format (attestation "none"; ES256 assertions) the way a browser hands it to the server.
 * `fixedCounter: 0` plays an authenticator that keeps no counter (many synced passkeys).
 */
class SoftAuthenticator {
  private readonly key: { publicKey: KeyObject; privateKey: KeyObject } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  readonly credentialId = randomBytes(16);
  counter = 0;
  userHandle: string | undefined;
  constructor(readonly rpId: string, readonly origin: string, private readonly o: { fixedCounter?: number } = {}) {}

  get id(): string { return b64url(this.credentialId); }

  private cosePublicKey(): Uint8Array {
    const jwk = this.key.publicKey.export({ format: 'jwk' });
    return isoCBOR.encode(new Map<number, number | Uint8Array>([[1, 2], [3, -7], [-1, 1],
      [-2, new Uint8Array(Buffer.from(jwk.x ?? '', 'base64url'))], [-3, new Uint8Array(Buffer.from(jwk.y ?? '', 'base64url'))]]));
  }

  private clientData(type: string, challenge: string, origin: string): Buffer {
    return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }));
  }

  /** navigator.credentials.create(): clientDataJSON + attestationObject {fmt: none, attStmt: {}, authData}. */
  register(options: { challenge: string; user: { id: string } }, o: { origin?: string; rpId?: string } = {}) {
    this.userHandle = options.user.id;
    const idLen = Buffer.alloc(2); idLen.writeUInt16BE(this.credentialId.length);
    const authData = Buffer.concat([sha256(o.rpId ?? this.rpId), Buffer.from([0x45]) /* UP|UV|AT */, u32(this.o.fixedCounter ?? this.counter),
      Buffer.alloc(16) /* aaguid */, idLen, this.credentialId, Buffer.from(this.cosePublicKey())]);
    const attestationObject = isoCBOR.encode(new Map<string, unknown>([['fmt', 'none'], ['attStmt', new Map()], ['authData', new Uint8Array(authData)]]) as never);
    return {
      id: this.id, rawId: this.id, type: 'public-key', clientExtensionResults: {}, authenticatorAttachment: 'platform',
      response: { clientDataJSON: b64url(this.clientData('webauthn.create', options.challenge, o.origin ?? this.origin)), attestationObject: b64url(attestationObject), transports: ['internal'] },
    };
  }

  /** navigator.credentials.get(): authData = rpIdHash | UP|UV | counter; signature = ES256 (DER) over authData || sha256(clientDataJSON). */
  assert(options: { challenge: string }, o: { origin?: string; rpId?: string; counter?: number; badSignature?: boolean } = {}) {
    if (o.counter === undefined && this.o.fixedCounter === undefined) this.counter += 1;
    const counter = o.counter ?? this.o.fixedCounter ?? this.counter;
    const authData = Buffer.concat([sha256(o.rpId ?? this.rpId), Buffer.from([0x05]), u32(counter)]);
    const clientDataJSON = this.clientData('webauthn.get', options.challenge, o.origin ?? this.origin);
    const signature = createSign('SHA256').update(Buffer.concat([authData, sha256(clientDataJSON)])).sign(this.key.privateKey);
    if (o.badSignature === true) signature.writeUInt8(signature.readUInt8(signature.length - 1) ^ 0x01, signature.length - 1);
    return {
      id: this.id, rawId: this.id, type: 'public-key', clientExtensionResults: {}, authenticatorAttachment: 'platform',
      response: { clientDataJSON: b64url(clientDataJSON), authenticatorData: b64url(authData), signature: b64url(signature), ...(this.userHandle !== undefined ? { userHandle: this.userHandle } : {}) },
    };
  }
}

describe(`passkeys (WebAuthn) with a software authenticator (${ENGINE})`, () => {
  let h: Awaited<ReturnType<typeof startWithAdmin>>;
  let admin: Api;
  let rpId: string;
  let origin: string;
  before(async () => {
    h = await startWithAdmin();
    admin = h.admin;
    const u = new URL(h.config.publicUrl);
    rpId = u.hostname;
    origin = u.origin;
  });
  after(async () => { await h.close(); });

  const person = async () => {
    const u = await userWithToken(admin);
    assert.equal((await admin.post(`/api/v1/users/${u.id}/password`, { password: PASSWORD })).status, 204);
    return u;
  };
  const passkeyRow = (credentialId: string) => h.system.db.selectFrom('mfa_methods').selectAll().where('credential_id', '=', credentialId).executeTakeFirst();
  const sessionsOf = async (userId: string) => (await admin.get(`/api/v1/users/${userId}/sessions`)).body.items as { id: string; method: string; mfaAt: string | null }[];
  const tick = () => h.clock.advance(1000);
  /** Registers a passkey in a signed-in browser and checks the session rotated with MFA. */
  const register = async (b: Browser, a: SoftAuthenticator, name = 'laptop') => {
    const opts = await b.post('/api/v1/me/mfa/passkeys/options');
    assert.equal(opts.status, 200, JSON.stringify(opts.body));
    const before = b.jar.get('pim_session');
    const r = await b.post('/api/v1/me/mfa/passkeys', { response: a.register(opts.body.options), name });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.notEqual(b.jar.get('pim_session'), before, 'registering rotates the session');
    assert.ok(r.body.session.mfaAt, 'registering with user verification is MFA done');
    tick();
    return r.body;
  };

  test('registration in a signed-in session: options, bad origin / rpId refused, stored as webauthn, session gets MFA and a new id; tokens cannot', async () => {
    const u = await person();
    const a = new SoftAuthenticator(rpId, origin);
    const b = new Browser(h.app);
    assert.equal((await b.signIn(u.upn, PASSWORD)).status, 200);
    const startSession = b.jar.get('pim_session');

    const opts = await b.post('/api/v1/me/mfa/passkeys/options');
    assert.equal(opts.status, 200, JSON.stringify(opts.body));
    assert.equal(opts.body.options.rp.id, rpId);
    assert.equal(opts.body.options.authenticatorSelection.userVerification, 'required');
    assert.equal(opts.body.options.authenticatorSelection.residentKey, 'required');
    const setCookie = [opts.headers['set-cookie']].flat().join('\n');
    assert.match(setCookie, /pim_webauthn=v1\.[^;]+;.*Path=\/api\/v1/i);
    assert.match(setCookie, /pim_webauthn=[^\n]*HttpOnly/i);

    // A phishing site (another origin) and another relying party's rpId hash are refused; nothing changes.
    const evil = await b.post('/api/v1/me/mfa/passkeys', { response: a.register(opts.body.options, { origin: 'https://evil.example' }) });
    assert.equal(evil.status, 400, JSON.stringify(evil.body));
    assert.equal(evil.body.error.code, 'auth.passkey_invalid');
    const opts2 = await b.post('/api/v1/me/mfa/passkeys/options');
    const otherRp = await b.post('/api/v1/me/mfa/passkeys', { response: a.register(opts2.body.options, { rpId: 'evil.example' }) });
    assert.equal(otherRp.body.error.code, 'auth.passkey_invalid');
    const noChallenge = await b.post('/api/v1/me/mfa/passkeys', { response: a.register(opts2.body.options) });
    assert.equal(noChallenge.status, 400);
    assert.equal(noChallenge.body.error.code, 'auth.challenge_expired', 'a challenge is good for one try');
    assert.equal((await b.get('/api/v1/me/mfa')).body.items.length, 0);
    assert.equal(b.jar.get('pim_session'), startSession, 'the session was not rotated');
    assert.equal((await passkeyRow(a.id)), undefined);

    const done = await register(b, a);
    assert.equal(done.method.type, 'webauthn');
    assert.equal(done.method.name, 'laptop');
    const row = await passkeyRow(a.id);
    assert.ok(row);
    assert.equal(row.user_id, u.id);
    assert.equal(row.type, 'webauthn');
    assert.ok(row.confirmed_at !== null);
    assert.equal(row.sign_count, 0);
    assert.deepEqual(JSON.parse(row.transports ?? 'null'), ['internal']);
    assert.ok(Buffer.from(row.public_key ?? '', 'base64url').length > 60, 'the COSE public key, base64url');
    const methods = await b.get('/api/v1/me/mfa');
    assert.deepEqual(methods.body.items.map((m: { type: string }) => m.type), ['webauthn']);
    const stale = await h.app.inject({ method: 'GET', url: '/api/v1/me/roles', headers: { cookie: `pim_session=${startSession}` } });
    assert.equal(stale.statusCode, 401, 'the pre-registration session id is dead');
    const audit = await admin.get(`/api/v1/audit?action=mfa.passkey.registered&targetId=${u.id}&limit=50`);
    assert.deepEqual(audit.body.items.map((e: { outcome: string }) => e.outcome).sort(), ['failure', 'failure', 'success']);

    // Password sign-in now asks for the second factor, naming the passkey.
    const pw = await new Browser(h.app).signIn(u.upn, PASSWORD);
    assert.equal(pw.status, 401);
    assert.equal(pw.body.error.code, 'auth.mfa_required');
    assert.deepEqual(pw.body.error.details.methods, ['webauthn']);

    const viaToken = await u.api.post('/api/v1/me/mfa/passkeys/options');
    assert.equal(viaToken.status, 403);
    assert.equal(viaToken.body.error.code, 'auth.session_required', 'an API token cannot register a passkey');
    const finishViaToken = await u.api.post('/api/v1/me/mfa/passkeys', { response: a.register(opts.body.options) });
    assert.equal(finishViaToken.body.error.code, 'auth.session_required');
  });

  test('step-up with a passkey (the only method) rotates the session; wrong origin, rpId, signature, counter and expired challenges change nothing', async () => {
    const u = await person();
    const a = new SoftAuthenticator(rpId, origin);
    const b = new Browser(h.app);
    await b.signIn(u.upn, PASSWORD);
    await register(b, a);

    const stepUp = async (o: Parameters<SoftAuthenticator['assert']>[1] = {}) => {
      const opts = await b.post('/api/v1/auth/mfa/passkey/options');
      assert.equal(opts.status, 200, JSON.stringify(opts.body));
      assert.deepEqual(opts.body.options.allowCredentials.map((c: { id: string }) => c.id), [a.id]);
      assert.equal(opts.body.options.userVerification, 'required');
      return b.post('/api/v1/auth/mfa/passkey', { response: a.assert(opts.body.options, o) });
    };
    const before = b.jar.get('pim_session');
    const ok = await stepUp();
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal(ok.body.mfaAt, new Date(h.clock.nowMs()).toISOString());
    assert.notEqual(b.jar.get('pim_session'), before, 'a new session id');
    assert.equal((await passkeyRow(a.id))?.sign_count, 1, 'the new counter is stored');
    tick();

    const unchanged = (label: string, res: { status: number; body: ErrorBody }, code: string) => {
      assert.ok(res.status >= 400 && res.status < 500, `${label}: ${res.status} ${JSON.stringify(res.body)}`);
      assert.equal(res.body.error.code, code, label);
    };
    const session = b.jar.get('pim_session');
    unchanged('wrong origin', await stepUp({ origin: 'https://pim.evil.example' }), 'auth.passkey_invalid');
    unchanged('wrong rpId hash', await stepUp({ rpId: 'evil.example' }), 'auth.passkey_invalid');
    unchanged('bad signature', await stepUp({ badSignature: true }), 'auth.passkey_invalid');
    const cloned = await stepUp({ counter: 1 });
    unchanged('counter not increased', cloned, 'auth.passkey_invalid');
    assert.equal(cloned.body.error.details.reason, 'counter_not_increased');
    const opts = await b.post('/api/v1/auth/mfa/passkey/options');
    h.clock.advance(5 * 60_000 + 1000);
    unchanged('expired challenge', await b.post('/api/v1/auth/mfa/passkey', { response: a.assert(opts.body.options) }), 'auth.challenge_expired');
    assert.equal(b.jar.get('pim_session'), session, 'no refusal rotated the session');
    const row = await passkeyRow(a.id);
    assert.equal(row?.sign_count, 1, 'no refusal moved the counter');
    const me = await b.get('/api/v1/auth/session');
    assert.equal(me.status, 200, 'the session still works');
    assert.equal(me.body.mfaAt, ok.body.mfaAt, 'and its MFA time did not move');

    // Replaying a successful step-up (its cookie and response) is refused.
    const o2 = await b.post('/api/v1/auth/mfa/passkey/options');
    const sealed = b.jar.get('pim_webauthn') ?? '';
    const response = a.assert(o2.body.options);
    assert.equal((await b.post('/api/v1/auth/mfa/passkey', { response })).status, 200);
    b.jar.set('pim_webauthn', sealed);
    unchanged('replay', await b.post('/api/v1/auth/mfa/passkey', { response }), 'auth.passkey_invalid');

    const failures = await admin.get(`/api/v1/audit?action=mfa.verified&targetId=${u.id}&limit=50`);
    const outcomes = failures.body.items.map((e: { outcome: string; after: { method: string } }) => `${e.after.method}:${e.outcome}`);
    assert.equal(outcomes.filter((x: string) => x === 'passkey:success').length, 2);
    assert.ok(outcomes.filter((x: string) => x === 'passkey:failure').length >= 4, 'refusals are audited');

    const viaToken = await u.api.post('/api/v1/auth/mfa/passkey/options');
    assert.equal(viaToken.body.error.code, 'auth.session_required');
  });

  test('passwordless sign-in: a session with MFA (activation needing MFA succeeds); replays, disabled users and unknown passkeys are refused', async () => {
    const roleId = (await admin.post('/api/v1/roles', { displayName: `pk-${Math.random().toString(36).slice(2, 8)}`, permissions: ['app:use'] })).body.id as string;
    const u = await person();
    await assign(admin, u.id, roleId, { kind: 'eligible', permanent: true });
    const a = new SoftAuthenticator(rpId, origin);
    const synced = new SoftAuthenticator(rpId, origin, { fixedCounter: 0 });
    const setup = new Browser(h.app);
    await setup.signIn(u.upn, PASSWORD);
    await register(setup, a);
    await register(setup, synced, 'phone');
    await setup.post('/api/v1/auth/sign-out');

    const signIn = async (b: Browser, auth: SoftAuthenticator, o: Parameters<SoftAuthenticator['assert']>[1] = {}) => {
      const opts = await b.post('/api/v1/auth/passkey/options');
      assert.equal(opts.status, 200, JSON.stringify(opts.body));
      assert.deepEqual(opts.body.options.allowCredentials ?? [], [], 'discoverable: no credential list');
      const response = auth.assert(opts.body.options, o);
      const sealed = b.jar.get('pim_webauthn') ?? '';
      return { res: await b.post('/api/v1/auth/passkey', { response }), response, sealed };
    };

    const b = new Browser(h.app);
    const { res } = await signIn(b, a);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.user.id, u.id);
    assert.equal(res.body.mfaAt, new Date(h.clock.nowMs()).toISOString(), 'a passkey is MFA');
    const mine = await b.get('/api/v1/me/sessions');
    assert.equal(mine.body.items[0].method, 'passkey');
    const activated = await b.post('/api/v1/requests', { action: 'selfActivate', principalId: u.id, roleId, justification: 'x', schedule: { duration: 'PT1H' } });
    assert.equal(activated.status, 201, `MFA-requiring activation after passkey sign-in: ${JSON.stringify(activated.body)}`);
    const noMfa = await u.api.post('/api/v1/requests', { action: 'selfActivate', principalId: u.id, roleId, justification: 'x', schedule: { duration: 'PT1H' } });
    assert.equal(noMfa.body.error.code, 'auth.mfa_required', 'the token alone still has no MFA');
    tick();

    // An authenticator without a counter: a replayed sign-in (same cookie and response) is refused by the challenge age.
    const c = new Browser(h.app);
    const first = await signIn(c, synced);
    assert.equal(first.res.status, 200, JSON.stringify(first.res.body));
    tick();
    const countBefore = (await sessionsOf(u.id)).length;
    const replayer = new Browser(h.app);
    replayer.jar.set('pim_webauthn', first.sealed);
    const replay = await replayer.post('/api/v1/auth/passkey', { response: first.response });
    assert.equal(replay.status, 401, JSON.stringify(replay.body));
    assert.equal(replay.body.error.code, 'auth.passkey_invalid');
    assert.equal(replay.body.error.details.reason, 'challenge_replayed');
    assert.equal((await sessionsOf(u.id)).length, countBefore, 'no session opened');
    assert.equal(replayer.jar.get('pim_session'), undefined);

    // A cookie-less post (no challenge: login CSRF or a replay without the cookie) and a forged cookie.
    const { response } = await signIn(new Browser(h.app), a, { badSignature: true });
    const bare = await new Browser(h.app).post('/api/v1/auth/passkey', { response });
    assert.equal(bare.body.error.code, 'auth.challenge_expired');
    const forged = new Browser(h.app);
    forged.jar.set('pim_webauthn', 'v1.AAAA.BBBB.CCCC');
    assert.equal((await forged.post('/api/v1/auth/passkey', { response })).body.error.code, 'auth.challenge_expired');
    const wrongOrigin = await signIn(new Browser(h.app), a, { origin: 'https://evil.example' });
    assert.equal(wrongOrigin.res.body.error.code, 'auth.passkey_invalid');
    const stranger = await signIn(new Browser(h.app), new SoftAuthenticator(rpId, origin));
    assert.equal(stranger.res.status, 401);
    assert.equal(stranger.res.body.error.details.reason, 'unknown_credential');
    // A challenge for one purpose is not good for another.
    const stepUpOpts = await b.post('/api/v1/auth/mfa/passkey/options');
    const misuse = await b.post('/api/v1/auth/passkey', { response: a.assert(stepUpOpts.body.options) });
    assert.equal(misuse.body.error.code, 'auth.challenge_expired');

    assert.equal((await admin.patch(`/api/v1/users/${u.id}`, { enabled: false })).status, 200);
    const disabled = await signIn(new Browser(h.app), a);
    assert.equal(disabled.res.status, 403);
    assert.equal(disabled.res.body.error.code, 'auth.account_disabled');
    await admin.patch(`/api/v1/users/${u.id}`, { enabled: true });
    tick();
    const again = await signIn(new Browser(h.app), a);
    assert.equal(again.res.status, 200, 'enabled again: signs in');

    const audit = await admin.get(`/api/v1/audit?action=auth.sign_in&targetId=${u.id}&limit=100`);
    const passkey = audit.body.items.filter((e: { after: { method?: string } }) => e.after.method === 'passkey');
    const reasons = passkey.filter((e: { outcome: string }) => e.outcome === 'failure').map((e: { after: { reason: string } }) => e.after.reason).sort();
    assert.ok(reasons.includes('account_disabled') && reasons.includes('challenge_replayed') && reasons.includes('verification_failed'), JSON.stringify(reasons));
    assert.equal(passkey.filter((e: { outcome: string }) => e.outcome === 'success').length, 3);
  });
});
