import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
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

  const pim = (who: string | null, args: string[], input?: string) => new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    const env = { PATH: process.env.PATH ?? '', HOME: dir, PIM_CONFIG_DIR: who === null ? path.join(dir, 'nobody') : people[who]!.config };
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

    const again = await pim('alice', ['activate', 'User Administrator', '-d', '1h', '-r', 'audit', '--ticket', 'X:2', '--totp', await code('alice'), '--json']);
    const rid = JSON.parse(again.stdout).results[0].request.id as string;
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
});
