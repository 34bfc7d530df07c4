import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { totpNow } from '../../src/auth/totp.ts';
import { ROLE } from '../../src/domain/roles.ts';
import { assign, group, userWithToken } from '../helpers/factories.ts';
import { ENGINE, startWithAdmin } from '../helpers/harness.ts';
import { Browser } from '../helpers/session.ts';

const PIM = path.resolve('bin/pim.mjs');
const PASSWORD = 'the CLI passphrase for tests';

/**
 * The seed story from a terminal: the real server listens on a loopback port (in this process,
 * so the test can move its clock), and `pim` runs as a separate process, as a user would.
 */
describe(`the pim command, daily use (${ENGINE})`, () => {
  let h: Awaited<ReturnType<typeof startWithAdmin>>;
  let base = '';
  let dir = '';
  const people: Record<string, { id: string; upn: string; secret?: string; config: string }> = {};

  const pim = (who: string | null, args: string[], input?: string, extraEnv: Record<string, string> = {}) => new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    const env = { PATH: process.env.PATH ?? '', HOME: dir, PIM_CONFIG_DIR: who === null ? path.join(dir, 'nobody') : people[who]!.config, ...extraEnv };
    const child = spawn(process.execPath, [PIM, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => { stdout += b.toString(); });
    child.stderr.on('data', (b: Buffer) => { stderr += b.toString(); });
    child.on('close', (status) => resolve({ status, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
  const code = async (who: string) => { h.clock.advance(30_000); return totpNow(people[who]!.secret!, h.clock.nowMs()); };

  before(async () => {
    h = await startWithAdmin();
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    const addr = h.app.server.address();
    base = `http://127.0.0.1:${typeof addr === 'object' && addr !== null ? addr.port : 0}`;
    dir = mkdtempSync(path.join(tmpdir(), 'openpim-cli-'));
    for (const name of ['alice', 'bob']) {
      const u = await userWithToken(h.admin, `${name}@example.com`);
      assert.equal((await h.admin.post(`/api/v1/users/${u.id}/password`, { password: PASSWORD })).status, 204);
      const b = new Browser(h.app);
      await b.signIn(u.upn, PASSWORD);
      const e = await b.post('/api/v1/me/mfa/totp', {});
      await b.post(`/api/v1/me/mfa/totp/${e.body.id}/confirm`, { code: await totpNow(e.body.secret, h.clock.nowMs()) });
      people[name] = { id: u.id, upn: u.upn, secret: e.body.secret, config: path.join(dir, name) };
    }
    // The seed: group "User Administrator eligibility" is eligible; approvals by the approvers group.
    const eligibility = await group(h.admin, true, 'User Administrator eligibility');
    await assign(h.admin, eligibility, ROLE.userAdministrator, { kind: 'eligible', permanent: true });
    await h.admin.post(`/api/v1/groups/${eligibility}/members`, { id: people.alice!.id });
    const approvers = await group(h.admin, false, 'User Administrator approvers');
    await h.admin.post(`/api/v1/groups/${approvers}/members`, { id: people.bob!.id });
    const s = await h.admin.patch(`/api/v1/roles/${ROLE.userAdministrator}/settings`, { activation: { requireTicket: true, requireApproval: true, approvalStages: [{ approvers: [{ type: 'group', id: approvers }], requiredApprovals: 1, escalation: null }] } });
    assert.equal(s.status, 200, JSON.stringify(s.body));
  });
  after(async () => { await h.close(); rmSync(dir, { recursive: true, force: true }); });

  test('help, and what happens before login', async () => {
    const help = await pim(null, ['--help']);
    assert.equal(help.status, 0);
    for (const c of ['login', 'roles', 'activate', 'deactivate', 'extend', 'renew', 'requests', 'approvals', 'check']) assert.match(help.stdout, new RegExp(`\\b${c}\\b`));
    const actHelp = await pim(null, ['activate', '--help']);
    assert.match(actHelp.stdout, /Examples:/);
    const unknownOption = await pim(null, ['roles', '--colour']);
    assert.equal(unknownOption.status, 2, 'a usage error exits 2, as the README says');
    assert.match(unknownOption.stderr, /unknown option '--colour'/);
    const missingArgument = await pim(null, ['deactivate']);
    assert.equal(missingArgument.status, 2);
    assert.equal((await pim(null, ['nonsense'])).status, 2, 'an unknown command too');
    const early = await pim(null, ['roles']);
    assert.equal(early.status, 3);
    assert.match(early.stderr, /pim login/);
  });

  test('the seed story: login with TOTP, activate with reason and ticket, approve from a second user, roles shows Activated, deactivate', async () => {
    const login = await pim('alice', ['login', '--url', base, '--user', 'alice@example.com', '--password-stdin', '--totp', await code('alice')], `${PASSWORD}\n`);
    assert.equal(login.status, 0, login.stderr);
    assert.match(login.stdout, /Signed in to .* as alice@example\.com/);
    const file = path.join(people.alice!.config, 'credentials.json');
    assert.equal(statSync(file).mode & 0o777, 0o600, 'credentials are private');
    const who = await pim('alice', ['whoami', '--json']);
    assert.equal(JSON.parse(who.stdout).user.id, people.alice!.id);

    const roles = await pim('alice', ['roles', '--json']);
    const eligible = JSON.parse(roles.stdout).eligible as Array<{ roleId: string; memberType: string }>;
    assert.ok(eligible.some((e) => e.roleId === ROLE.userAdministrator && e.memberType === 'Group'));

    const noTicket = await pim('alice', ['activate', 'User Administrator', '-d', '2h', '-r', 'password resets', '--totp', await code('alice')]);
    assert.equal(noTicket.status, 4);
    assert.match(noTicket.stderr, /policy.ticket_required[\s\S]*--ticket/);
    const noMfa = await pim('alice', ['activate', 'User Administrator', '-d', '2h', '-r', 'password resets', '--ticket', 'SNOW:INC123']);
    assert.equal(noMfa.status, 2, 'no terminal to ask for the code: a usage error');
    assert.match(noMfa.stderr, /--totp/);

    const act = await pim('alice', ['activate', 'user administrator', '--duration', '2h', '--reason', 'password resets for new hires', '--ticket', 'SNOW:INC123', '--totp', await code('alice'), '--json']);
    assert.equal(act.status, 0, act.stderr);
    const request = JSON.parse(act.stdout).results[0].request as { id: string; status: string; ticket: { number: string; system: string } };
    assert.equal(request.status, 'PendingApproval');
    assert.deepEqual(request.ticket, { number: 'INC123', system: 'SNOW' });

    const bobLogin = await pim('bob', ['login', '--url', base, '--user', 'bob@example.com', '--password-stdin', '--totp', await code('bob')], PASSWORD);
    assert.equal(bobLogin.status, 0, bobLogin.stderr);
    const inbox = await pim('bob', ['approvals', '--json']);
    assert.deepEqual(JSON.parse(inbox.stdout).map((r: { id: string }) => r.id), [request.id]);
    const table = await pim('bob', ['approvals']);
    assert.match(table.stdout, /REQUEST\s+REQUESTER\s+ROLE/);
    assert.match(table.stdout, /User Administrator\s+\//, 'the role by name, not its id');
    assert.match(table.stdout, /password resets for new hires/);
    const selfApprove = await pim('alice', ['approvals', 'approve', request.id, '--reason', 'me']);
    assert.equal(selfApprove.status, 4);
    const ok = await pim('bob', ['approvals', 'approve', request.id, '--reason', 'ticket checked', '--json']);
    assert.equal(ok.status, 0, ok.stderr);
    assert.equal(JSON.parse(ok.stdout)[0].status, 'Provisioned');

    const after = await pim('alice', ['roles']);
    assert.match(after.stdout, /active\s+User Administrator\s+\/\s+activated/);
    const check = await pim('alice', ['check', people.alice!.id, ROLE.userAdministrator]);
    assert.equal(check.status, 0, check.stderr);
    assert.match(check.stdout, /^allowed/);

    const soon = await pim('alice', ['deactivate', 'User Administrator']);
    assert.equal(soon.status, 4);
    assert.match(soon.stderr, /request.deactivation_too_soon/);
    h.clock.advance(5 * 60_000);
    const off = await pim('alice', ['deactivate', 'User Administrator']);
    assert.equal(off.status, 0, off.stderr);
    const denied = await pim('alice', ['check', people.alice!.id, ROLE.userAdministrator, '--json']);
    assert.equal(denied.status, 4);
    assert.equal(JSON.parse(denied.stdout).allowed, false);

    const mine = await pim('alice', ['requests', '--json']);
    assert.ok(JSON.parse(mine.stdout).some((r: { action: string }) => r.action === 'selfDeactivate'));
    const unknown = await pim('alice', ['activate', 'No Such Role', '-r', 'x']);
    assert.equal(unknown.status, 4);
    assert.match(unknown.stderr, /pim roles/);

    const out = await pim('alice', ['logout']);
    assert.equal(out.status, 0);
    assert.equal((await pim('alice', ['roles'])).status, 3);
  });

  test('--wait follows a request until it is decided; cancel from the terminal', async () => {
    const login = await pim('alice', ['login', '--url', base, '--user', 'alice@example.com', '--password-stdin', '--totp', await code('alice')], PASSWORD);
    assert.equal(login.status, 0, login.stderr);
    const waiting = pim('alice', ['activate', 'User Administrator', '-d', '1h', '-r', 'audit', '--ticket', 'X:1', '--totp', await code('alice'), '--wait', '--poll-interval', '100', '--json']);
    // Deny it from the approver's side while the CLI waits.
    let id: string | undefined;
    for (let i = 0; i < 100 && id === undefined; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const inbox = await pim('bob', ['approvals', '--json']);
      id = (JSON.parse(inbox.stdout) as Array<{ id: string }>)[0]?.id;
    }
    assert.ok(id, 'the request reached the inbox');
    assert.equal((await pim('bob', ['approvals', 'deny', id, '--reason', 'not now'])).status, 0);
    const done = await waiting;
    assert.equal(done.status, 5, `denied: ${done.stderr} ${done.stdout}`);
    assert.equal(JSON.parse(done.stdout).results[0].request.status, 'Denied');

    // The table names the role (the request itself carries only its id).
    const again = await pim('alice', ['activate', 'User Administrator', '-d', '1h', '-r', 'audit', '--ticket', 'X:2', '--totp', await code('alice')]);
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, /^ROLE\s+SCOPE\s+STATUS/);
    const row = /^User Administrator\s+\/\s+PendingApproval\s+waiting for approval\s+(\S+)$/m.exec(again.stdout);
    assert.ok(row, again.stdout);
    const rid = row[1]!;
    assert.doesNotMatch(again.stdout, new RegExp(ROLE.userAdministrator));
    const listed = await pim('alice', ['requests', '--status', 'PendingApproval']);
    assert.match(listed.stdout, new RegExp(`${rid}\\s+selfActivate\\s+User Administrator\\s+/`));
    const cancel = await pim('alice', ['requests', 'cancel', rid]);
    assert.equal(cancel.status, 0, cancel.stderr);
    assert.match(cancel.stdout, /Canceled/);
  });

  test('administrators: assign, list assignments, change settings, query the audit log, unassign', async () => {
    people.admin = { id: h.adminId, upn: 'admin@example.com', config: path.join(dir, 'admin') };
    const login = await pim('admin', ['login', '--url', base, '--token-stdin'], h.adminToken);
    assert.equal(login.status, 0, login.stderr);
    const assign = await pim('admin', ['assign', 'bob@example.com', 'Security Reader', '--duration', '30d', '--reason', 'audit season', '--ticket', 'CHG:7']);
    assert.equal(assign.status, 0, assign.stderr);
    assert.match(assign.stdout, /bob@example\.com is now eligible for Security Reader/);
    const list = await pim('admin', ['assignments', 'security reader', '--json']);
    assert.ok((JSON.parse(list.stdout) as Array<{ principalId: string }>).some((a) => a.principalId === people.bob!.id));
    const settings = await pim('admin', ['settings', 'Security Reader', '--set', 'activation.maximumDuration=PT2H', '--set', 'activation.requireTicket=true', '--json']);
    assert.equal(settings.status, 0, settings.stderr);
    assert.equal(JSON.parse(settings.stdout).settings.activation.maximumDuration, 'PT2H');
    assert.equal(JSON.parse(settings.stdout).settings.activation.requireTicket, true);
    const bad = await pim('admin', ['settings', 'Security Reader', '--set', 'activation.maximumDuration=PT30H']);
    assert.equal(bad.status, 4);
    assert.match(bad.stderr, /policy.duration_out_of_range/);
    const audit = await pim('admin', ['audit', 'query', '--action', 'request.adminAssign', '--json']);
    assert.ok((JSON.parse(audit.stdout) as Array<{ justification: string }>).some((e) => e.justification === 'audit season'));
    const notAdmin = await pim('bob', ['assign', 'alice@example.com', 'Security Reader', '--permanent']);
    assert.equal(notAdmin.status, 4, 'only role administrators assign');
    const soon = await pim('admin', ['unassign', 'bob@example.com', 'Security Reader', '-r', 'season over']);
    assert.equal(soon.status, 4);
    assert.match(soon.stderr, /schedule.removal_too_soon/);
    h.clock.advance(6 * 60_000);
    const off = await pim('admin', ['unassign', 'bob@example.com', 'Security Reader', '-r', 'season over']);
    assert.equal(off.status, 0, off.stderr);
  });

  test('plain http to another machine: refused unless --insecure (then warned about), at login and after', async () => {
    // pim.invalid never resolves: reaching the network at all shows as exit 6 (unreachable).
    people.carol = { id: '', upn: 'carol@example.com', config: path.join(dir, 'carol') };
    const refused = await pim('carol', ['login', '--url', 'http://pim.invalid/pim', '--token-stdin'], 'pim_sometoken');
    assert.equal(refused.status, 2, refused.stderr);
    assert.match(refused.stderr, /plain http[\s\S]*https:\/\/[\s\S]*--insecure/);
    assert.doesNotMatch(refused.stderr, /Cannot reach/, 'refused before anything was sent');
    const accepted = await pim('carol', ['login', '--url', 'http://pim.invalid/pim', '--insecure', '--token-stdin'], 'pim_sometoken');
    assert.equal(accepted.status, 6, accepted.stderr);
    assert.match(accepted.stderr, /warning: http:\/\/pim\.invalid\/pim is plain http/);
    const spoof = await pim('carol', ['login', '--url', 'http://127.0.0.1.pim.invalid', '--token-stdin'], 'pim_sometoken');
    assert.equal(spoof.status, 2, 'a host name that starts like loopback is not loopback');

    // A stored login (e.g. written by an older pim that only warned) follows the same rule.
    mkdirSync(people.carol.config, { recursive: true, mode: 0o700 });
    const file = path.join(people.carol.config, 'credentials.json');
    writeFileSync(file, JSON.stringify({ url: 'http://pim.invalid/pim/', token: 'pim_sometoken' }), { mode: 0o600 });
    const stored = await pim('carol', ['roles']);
    assert.equal(stored.status, 2, stored.stderr);
    assert.match(stored.stderr, /pim login --url http:\/\/pim\.invalid\/pim --insecure/);
    writeFileSync(file, JSON.stringify({ url: 'http://pim.invalid/pim', token: 'pim_sometoken', insecure: true }), { mode: 0o600 });
    const honoured = await pim('carol', ['roles']);
    assert.equal(honoured.status, 6, honoured.stderr);
    assert.match(honoured.stderr, /^warning: .*plain http/m);

    const env = { PIM_URL: 'http://pim.invalid', PIM_TOKEN: 'pim_sometoken' };
    const script = await pim(null, ['roles'], undefined, env);
    assert.equal(script.status, 2);
    assert.match(script.stderr, /PIM_INSECURE=1/);
    assert.equal((await pim(null, ['roles'], undefined, { ...env, PIM_INSECURE: '1' })).status, 6);
    assert.equal((await pim(null, ['whoami'], undefined, { PIM_URL: base, PIM_TOKEN: h.adminToken })).status, 0, 'loopback http stays allowed');
  });

  test('behind a reverse proxy under a path: every call keeps the base path', async () => {
    // A proxy that serves the API under /pim only: a request that lost the prefix gets a 404.
    const upstream = new URL(base);
    const proxy = http.createServer((req, res) => {
      if (req.url === undefined || !req.url.startsWith('/pim/')) { res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"code":"proxy.not_found","message":"not under /pim","details":{}}}'); return; }
      const up = http.request({ host: upstream.hostname, port: upstream.port, path: req.url.slice('/pim'.length), method: req.method, headers: req.headers }, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      });
      up.on('error', () => res.writeHead(502).end());
      req.pipe(up);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const addr = proxy.address();
    const prefixed = `http://127.0.0.1:${typeof addr === 'object' && addr !== null ? addr.port : 0}/pim/`;
    try {
      people.aliceProxied = { ...people.alice!, config: path.join(dir, 'alice-proxied') };
      const login = await pim('aliceProxied', ['login', '--url', prefixed, '--user', 'alice@example.com', '--password-stdin', '--totp', await code('alice'), '--json'], PASSWORD);
      assert.equal(login.status, 0, login.stderr);
      assert.equal(JSON.parse(login.stdout).url, prefixed.replace(/\/$/, ''));
      const who = await pim('aliceProxied', ['whoami', '--json']);
      assert.equal(who.status, 0, who.stderr);
      assert.equal(JSON.parse(who.stdout).user.id, people.alice!.id);
      const roles = await pim('aliceProxied', ['roles']);
      assert.match(roles.stdout, /eligible\s+User Administrator/);
      const out = await pim('aliceProxied', ['logout', '--json']);
      assert.equal(out.status, 0, out.stderr);
      assert.deepEqual(JSON.parse(out.stdout), { signedOut: true, tokenRevoked: true });
    } finally {
      await new Promise((resolve) => proxy.close(resolve));
    }
  });

  test('pim audit export and verify ask the server; a broken chain exits 4', async () => {
    // The admin signed in above (token login); bob holds no audit reader role.
    const verify = await pim('admin', ['audit', 'verify', '--json']);
    assert.equal(verify.status, 0, verify.stderr);
    const report = JSON.parse(verify.stdout) as { ok: boolean; events: number; lastHash: string };
    assert.equal(report.ok, true);
    assert.match((await pim('admin', ['audit', 'verify'])).stdout, /^Audit chain intact: \d+ events, head [0-9a-f]{64}\.$/m);

    const jsonl = await pim('admin', ['audit', 'export', '--format', 'jsonl']);
    assert.equal(jsonl.status, 0, jsonl.stderr);
    const events = jsonl.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as { seq: number; action: string; hash: string });
    assert.ok(events.length >= report.events, 'the whole log, oldest first');
    assert.deepEqual(events.map((e) => e.seq), [...events.map((e) => e.seq)].sort((a, b) => a - b));

    const file = path.join(dir, 'users.csv');
    const csv = await pim('admin', ['audit', 'export', '--format', 'csv', '--action', 'user.created', '--outcome', 'success', '--out', file]);
    assert.equal(csv.status, 0, csv.stderr);
    assert.equal(csv.stdout, '');
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    assert.match(lines[0]!, /^seq,id,at,/);
    assert.ok(lines.length - 1 >= 2, 'alice and bob were created');
    assert.ok(lines.slice(1).every((l) => l.includes(',user.created,')));
    assert.equal(statSync(file).mode & 0o777, 0o600);

    const badFilter = await pim('admin', ['audit', 'export', '--format', 'csv', '--from', 'yesterday']);
    assert.equal(badFilter.status, 4);
    assert.match(badFilter.stderr, /date-time|from/);
    const notReader = await pim('bob', ['audit', 'verify']);
    assert.equal(notReader.status, 4);
    assert.match(notReader.stderr, /auth\.forbidden[\s\S]*pim activate/);
    assert.equal((await pim(null, ['audit', 'export', '--format', 'csv'])).status, 3, 'not signed in');

    // Edit one old event behind the server's back: verify names it and fails.
    const db = h.rt.deps.db;
    const victim = events[1]!.seq;
    const orig = await db.selectFrom('audit_events').select('justification').where('seq', '=', victim).executeTakeFirstOrThrow();
    await db.updateTable('audit_events').set({ justification: 'nothing to see here' }).where('seq', '=', victim).execute();
    try {
      const broken = await pim('admin', ['audit', 'verify', '--json']);
      assert.equal(broken.status, 4, broken.stderr);
      assert.equal(JSON.parse(broken.stdout).firstBreak.seq, victim);
      assert.match((await pim('admin', ['audit', 'verify'])).stdout, new RegExp(`BROKEN at event seq ${victim}`));
    } finally {
      await db.updateTable('audit_events').set({ justification: orig.justification }).where('seq', '=', victim).execute();
    }
  });
});
