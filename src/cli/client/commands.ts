import os from 'node:os';
import type { Command } from 'commander';
import type { CreatedToken } from '../../contract/tokens.ts';
import type { BatchResults, MyRoles, PimRequest, RoleAssignment } from '../../contract/requests.ts';
import { deleteCredentials, saveCredentials, storedCredentials, type Credentials } from './credentials.ts';
import { ApiError, PimClient } from './http.ts';
import { EXIT, json, out, table, when } from './output.ts';
import { ask, NoTerminal, readStdin, spinner } from './prompt.ts';
import { CliError, guardTransport, HINTS, roleNames, run, signedIn } from './run.ts';
import { isClearText, serverUrl } from './url.ts';

/** The user-facing `pim` commands: they speak to a server over HTTP, as any client would. */

/** `2h`, `90m`, `1h30m`, `1d` or ISO-8601 (`PT2H`) → ISO-8601. */
export function isoDuration(text: string): string {
  if (/^P/i.test(text)) return text.toUpperCase();
  const m = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$/i.exec(text.trim());
  if (!m || text.trim() === '') throw new CliError(`--duration: use 2h, 90m, 1h30m, 1d or ISO-8601 such as PT2H (got "${text}").`, EXIT.usage);
  const [, d, h, min] = m;
  const time = `${h !== undefined ? `${h}H` : ''}${min !== undefined ? `${min}M` : ''}`;
  return `P${d !== undefined ? `${d}D` : ''}${time !== '' ? `T${time}` : ''}`;
}

/** `SYSTEM:NUMBER` (or just a number). */
export function ticketOf(text: string | undefined): { number: string; system?: string } | undefined {
  if (text === undefined) return undefined;
  const i = text.indexOf(':');
  return i > 0 ? { system: text.slice(0, i), number: text.slice(i + 1) } : { number: text };
}

function matches(a: RoleAssignment, name: string): boolean {
  const n = name.toLowerCase();
  return a.roleId.toLowerCase() === n || (a.roleDisplayName ?? '').toLowerCase() === n;
}

function pick(list: RoleAssignment[], name: string, scope: string | undefined, what: string): RoleAssignment {
  const found = list.filter((a) => matches(a, name) && (scope === undefined || a.scope === scope));
  if (found.length === 0) throw new CliError(`You have no ${what} assignment of "${name}"${scope !== undefined ? ` at ${scope}` : ''}. Run \`pim roles\`.`, EXIT.refused);
  const scopes = [...new Set(found.map((a) => a.scope))];
  if (scopes.length > 1) throw new CliError(`"${name}" is ${what} at several scopes (${scopes.join(', ')}): add --scope.`, EXIT.usage);
  return found[found.length - 1]!;
}

function membership(a: RoleAssignment): string {
  return a.memberType === 'Group' ? `via group ${a.group?.displayName ?? a.group?.id ?? ''}` : a.assignmentType === 'Activated' ? 'activated' : 'direct';
}

/**
 * MFA codes for one command: the --totp given first, then (on a terminal) a fresh prompt each
 * time, since every code works once.
 */
function codes(given: string | undefined): () => Promise<string> {
  let first = given;
  return async () => {
    if (first !== undefined) { const c = first; first = undefined; return c; }
    try {
      return await ask('This needs MFA. Code from your authenticator app (a new one each time): ');
    } catch (e) {
      if (e instanceof NoTerminal) throw new CliError('This needs MFA and there is no terminal to ask on: pass --totp <code>.', EXIT.usage);
      throw e;
    }
  };
}

/** Tries without a code (or with --totp), and once more with a fresh code when the server asks for MFA. */
async function withMfaRetry<T>(attempt: (mfa?: { totp: string }) => Promise<T>, next: () => Promise<string>, hasCode: boolean): Promise<T> {
  if (hasCode) {
    try {
      return await attempt({ totp: await next() });
    } catch (e) {
      if (e instanceof ApiError && e.code === 'auth.invalid_mfa' && process.stdin.isTTY) return attempt({ totp: await next() });
      throw e;
    }
  }
  try {
    return await attempt();
  } catch (e) {
    if (e instanceof ApiError && e.code === 'auth.mfa_required') return attempt({ totp: await next() });
    throw e;
  }
}

async function waitFor(client: PimClient, ids: string[], intervalMs: number): Promise<PimRequest[]> {
  const spin = spinner(`waiting for approval of ${ids.length} request(s)…`);
  try {
    for (;;) {
      const now = await Promise.all(ids.map((id) => client.get<PimRequest>(`/api/v1/requests/${id}`)));
      if (now.every((r) => r.status !== 'PendingApproval')) return now;
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  } finally {
    spin.stop();
  }
}

function printRequests(rs: PimRequest[], names: Map<string, string>): void {
  out(table(['REQUEST', 'ACTION', 'ROLE', 'SCOPE', 'STATUS', 'FROM', 'UNTIL'], rs.map((r) => [r.id, r.action, names.get(r.roleId) ?? r.roleId, r.scope, r.status, when(r.schedule.startAt), r.status === 'PendingApproval' ? '(pending)' : when(r.schedule.endAt)])));
}

export function registerUserCommands(program: Command): void {
  // `pim approvals --json` lists, `pim approvals approve <id> --json` approves: options belong to the command they follow.
  program.enablePositionalOptions();
  program.command('login')
    .description('Sign in to an openpim server and keep a personal API token for the CLI (0600, in your config directory)')
    .option('--url <url>', 'server URL, with its path behind a reverse proxy (default: PIM_URL, the last one you used, or http://127.0.0.1:8080)')
    .option('--user <userPrincipalName>', 'your sign-in name')
    .option('--password-stdin', 'read the password from standard input')
    .option('--totp <code>', 'the code from your authenticator app (asked for when needed)')
    .option('--token-stdin', 'read an existing API token from standard input instead of signing in with a password')
    .option('--token <token>', 'an existing API token (visible to other processes: prefer --token-stdin)')
    .option('--insecure', 'accept plain http to another machine (password, codes and token travel in clear); remembered for this login')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExamples:\n  pim login --url https://pim.example.com --user alice@example.com\n  pim login --url https://intranet.example.com/pim --user alice@example.com     # behind a reverse proxy\n  echo "$PASSWORD" | pim login --url http://127.0.0.1:8080 --user alice@example.com --password-stdin --totp 123456\n  pim login --url http://127.0.0.1:8080 --token-stdin < token.txt\n\nhttp:// is accepted only for this machine (localhost, 127.x, [::1]); elsewhere use https:// or --insecure.\n')
    .action(run(async (o: { url?: string; user?: string; passwordStdin?: boolean; totp?: string; token?: string; tokenStdin?: boolean; insecure?: boolean; json?: boolean }) => {
      let last: string | undefined;
      try { last = storedCredentials()?.url; } catch { last = undefined; }
      const url = serverUrl(o.url ?? process.env.PIM_URL ?? last ?? 'http://127.0.0.1:8080');
      // Checked before anything is sent, the token given with --token-stdin included.
      guardTransport(url, o.insecure === true, 'pass --insecure to accept that');
      const insecure = o.insecure === true && isClearText(url) ? { insecure: true } : {};
      let creds: Credentials;
      const given = o.tokenStdin === true ? (await readStdin()).trim() : o.token;
      if (given !== undefined) {
        const who = await new PimClient(url, given).get<{ user: { userPrincipalName: string } }>('/api/v1/auth/session');
        creds = { url, token: given, userPrincipalName: who.user.userPrincipalName, ...insecure };
      } else {
        const user = o.user ?? await ask('User name: ');
        const password = o.passwordStdin === true ? await readStdin() : await ask('Password: ', { hidden: true });
        const anon = new PimClient(url);
        const signIn = async (totp?: string) => anon.call<{ csrfToken: string; user: { id: string; userPrincipalName: string } }>('POST', '/api/v1/auth/sign-in', { userPrincipalName: user, password, ...(totp !== undefined ? { totp } : {}) });
        const res = await signIn(o.totp).catch(async (e: unknown) => {
          if (e instanceof ApiError && e.code === 'auth.mfa_required' && o.totp === undefined) return signIn(await ask('Code from your authenticator app: '));
          throw e;
        });
        const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
        const session = new PimClient(url, undefined, { cookie, 'x-csrf-token': res.body.csrfToken });
        const token = await session.post<CreatedToken>('/api/v1/tokens', { name: `pim CLI on ${os.hostname()}`.slice(0, 100), scopes: ['api', 'check'], expiresInDays: 30 });
        await session.call('POST', '/api/v1/auth/sign-out', {}).catch(() => undefined);
        creds = { url, token: token.token, tokenId: token.id, userPrincipalName: res.body.user.userPrincipalName, ...insecure };
      }
      const where = saveCredentials(creds);
      if (o.json === true) json({ url, userPrincipalName: creds.userPrincipalName, credentials: where });
      else out(`Signed in to ${url} as ${creds.userPrincipalName ?? '?'}. Token kept in ${where} (expires in 30 days; \`pim logout\` revokes it).\n`);
    }));

  program.command('logout').description('Revoke the CLI token and forget it')
    .option('--insecure', 'revoke over plain http to another machine anyway (the token travels in clear)')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExample:\n  pim logout\n')
    .action(run(async (o: { insecure?: boolean; json?: boolean }) => {
      // Always the stored login (not PIM_URL/PIM_TOKEN): that is what logout forgets.
      const creds = storedCredentials();
      // Only the token `pim login` minted is revoked; one given with --token-stdin belongs to whoever issued it.
      const revoke = creds?.tokenId !== undefined;
      if (creds !== undefined && revoke) {
        guardTransport(creds.url, creds.insecure === true || o.insecure === true, 'pass --insecure to revoke it anyway');
        try {
          await new PimClient(creds.url, creds.token).delete(`/api/v1/tokens/${creds.tokenId}`);
        } catch (e) {
          // Already invalid: nothing left to revoke. Otherwise keep the file so logout can be retried.
          if (!(e instanceof ApiError) || (e.status !== 401 && e.status !== 404)) throw new CliError(`Could not revoke the token at ${creds.url} (${e instanceof Error ? e.message : String(e)}); still signed in — try again.`, EXIT.unreachable);
        }
      }
      const signedOut = deleteCredentials();
      if (o.json === true) json({ signedOut, tokenRevoked: signedOut && revoke });
      else out(!signedOut ? 'Not signed in.\n' : revoke ? 'Signed out (token revoked).\n' : 'Signed out. The token you gave to `pim login` still works: revoke it where it was issued if you no longer need it.\n');
    }));

  program.command('whoami').description('Who the CLI is signed in as').option('--json', 'print JSON')
    .addHelpText('after', '\nExample:\n  pim whoami\n')
    .action(run(async (o: { json?: boolean }) => {
      const { client, creds } = signedIn();
      const me = await client.get<{ user: { id: string; userPrincipalName: string; displayName: string } }>('/api/v1/auth/session');
      if (o.json === true) json({ ...me, url: creds.url });
      else out(`${me.user.displayName} <${me.user.userPrincipalName}> (${me.user.id}) on ${creds.url}\n`);
    }));

  program.command('roles').description('My roles: eligible, active and expired (with "valid until")').option('--json', 'print JSON')
    .addHelpText('after', '\nExample:\n  pim roles\n')
    .action(run(async (o: { json?: boolean }) => {
      const { client } = signedIn();
      const mine = await client.get<MyRoles>('/api/v1/me/roles');
      if (o.json === true) { json(mine); return; }
      const rows = (kind: string, list: RoleAssignment[]) => list.map((a) => [kind, a.roleDisplayName ?? a.roleId, a.scope, membership(a), kind === 'expired' ? `ended ${when(a.endAt)}` : when(a.endAt)]);
      const all = [...rows('eligible', mine.eligible), ...rows('active', mine.active), ...rows('expired', mine.expired)];
      out(all.length === 0 ? 'You have no roles.\n' : table(['STATE', 'ROLE', 'SCOPE', 'MEMBERSHIP', 'VALID UNTIL'], all));
    }));

  program.command('activate [roles...]')
    .description('Activate one or several eligible roles (by name or id), or a saved bundle')
    .option('-d, --duration <duration>', 'how long (2h, 90m, 1h30m; default: the role\'s maximum)')
    .option('-r, --reason <text>', 'justification')
    .option('--ticket <system:number>', 'ticket, e.g. SNOW:INC0012345')
    .option('--scope <scope>', 'activate at this scope (narrower than the eligibility is fine)')
    .option('--start <instant>', 'start later (ISO-8601)')
    .option('--bundle <name>', 'activate every role of this saved bundle')
    .option('--totp <code>', 'MFA code (asked for on a terminal when needed)')
    .option('--wait', 'wait until pending approvals are decided')
    .option('--poll-interval <ms>', 'how often --wait checks', '2000')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExamples:\n  pim activate "User Administrator" --duration 2h --reason "password resets" --ticket SNOW:INC123\n  pim activate "Exchange Administrator" "Security Reader" -d 1h -r "incident 42" --wait\n  pim activate --bundle on-call -r "SEV2"\n')
    .action(run(async (roles: string[], o: { duration?: string; reason?: string; ticket?: string; scope?: string; start?: string; bundle?: string; totp?: string; wait?: boolean; pollInterval: string; json?: boolean }) => {
      const { client } = signedIn();
      const common = {
        ...(o.reason !== undefined ? { justification: o.reason } : {}),
        ...(o.ticket !== undefined ? { ticket: ticketOf(o.ticket) } : {}),
        ...(o.duration !== undefined || o.start !== undefined ? { schedule: { ...(o.duration !== undefined ? { duration: isoDuration(o.duration) } : {}), ...(o.start !== undefined ? { startAt: o.start } : {}) } } : {}),
      };
      const me = await client.get<{ user: { id: string } }>('/api/v1/auth/session');
      // Also names the roles in the result table (requests carry only role ids), bundles included.
      const mine = await client.get<MyRoles>('/api/v1/me/roles');
      const names = new Map([...mine.eligible, ...mine.active, ...mine.expired].flatMap((a) => (a.roleDisplayName !== null ? [[a.roleId, a.roleDisplayName] as const] : [])));
      let items: Array<{ roleId: string; scope: string }>;
      if (o.bundle !== undefined) {
        const bundles = await client.get<{ items: Array<{ id: string; name: string; items: Array<{ roleId: string; scope: string }> }> }>('/api/v1/me/bundles');
        const b = bundles.items.find((x) => x.name.toLowerCase() === (o.bundle ?? '').toLowerCase());
        if (!b) throw new CliError(`No bundle named "${o.bundle ?? ''}". Yours: ${bundles.items.map((x) => x.name).join(', ') || 'none'}.`, EXIT.refused);
        items = b.items;
      } else {
        if (roles.length === 0) throw new CliError('Name at least one role (or --bundle). Run `pim roles` to see yours.', EXIT.usage);
        items = roles.map((n) => { const e = pick(mine.eligible, n, undefined, 'eligible'); return { roleId: e.roleId, scope: o.scope ?? e.scope }; });
      }
      const requests0 = items.map((it) => ({ action: 'selfActivate', principalId: me.user.id, roleId: it.roleId, scope: it.scope, ...common }));
      const next = codes(o.totp);
      const send = async (idx: number[], mfa?: { totp: string }) => client.post<BatchResults>('/api/v1/requests/batch', { requests: idx.map((i) => requests0[i]), ...(mfa !== undefined ? { mfa } : {}) });
      const all = requests0.map((_, i) => i);
      const res = await withMfaRetry((mfa) => send(all, mfa), next, o.totp !== undefined);
      // Only what still needs MFA goes again, with a fresh code; the rest is already done.
      const needMfa = res.results.filter((x) => x.error?.code === 'auth.mfa_required').map((x) => x.index);
      if (needMfa.length > 0) {
        const again = await send(needMfa, { totp: await next() });
        for (const r of again.results) res.results[needMfa[r.index]!] = { ...r, index: needMfa[r.index]! };
      }
      let requests = res.results.flatMap((x) => (x.request !== undefined ? [x.request] : []));
      if (o.wait === true && requests.some((r) => r.status === 'PendingApproval')) {
        const decided = await waitFor(client, requests.filter((r) => r.status === 'PendingApproval').map((r) => r.id), Number(o.pollInterval));
        requests = requests.map((r) => decided.find((d) => d.id === r.id) ?? r);
      }
      const failed = res.results.filter((x) => x.error !== undefined);
      if (o.json === true) json({ results: res.results.map((x) => ({ ...x, request: requests.find((r) => r.id === x.request?.id) ?? x.request })) });
      else {
        if (requests.length > 0) out(table(['ROLE', 'SCOPE', 'STATUS', 'UNTIL', 'REQUEST'], requests.map((r) => [names.get(r.roleId) ?? r.roleId, r.scope, r.status, r.status === 'PendingApproval' ? 'waiting for approval' : when(r.schedule.endAt), r.id])));
        for (const f of failed) process.stderr.write(`error: ${f.error?.message ?? ''} (${f.error?.code ?? ''})${HINTS[f.error?.code ?? ''] !== undefined ? `\n${HINTS[f.error?.code ?? '']}` : ''}\n`);
      }
      if (failed.length > 0) process.exit(EXIT.refused);
      if (requests.some((r) => ['Denied', 'Canceled', 'Failed'].includes(r.status))) process.exit(EXIT.notGranted);
    }));

  program.command('deactivate <role>').description('End one of your activations early (not within 5 minutes of its start)')
    .option('--scope <scope>', 'which activation, when you have several').option('--json', 'print JSON')
    .addHelpText('after', '\nExample:\n  pim deactivate "User Administrator"\n')
    .action(run(async (name: string, o: { scope?: string; json?: boolean }) => {
      const { client } = signedIn();
      const me = await client.get<{ user: { id: string } }>('/api/v1/auth/session');
      const mine = await client.get<MyRoles>('/api/v1/me/roles');
      const a = pick(mine.active.filter((x) => x.assignmentType === 'Activated'), name, o.scope, 'activated');
      const r = await client.post<PimRequest>('/api/v1/requests', { action: 'selfDeactivate', principalId: me.user.id, roleId: a.roleId, targetScheduleId: a.scheduleId });
      if (o.json === true) json(r); else out(`Deactivated ${a.roleDisplayName ?? a.roleId} at ${a.scope}.\n`);
    }));

  for (const [cmd, action, list, blurb] of [
    ['extend', 'selfExtend', 'current', 'Ask to extend your assignment that ends within 14 days (administrators approve)'],
    ['renew', 'selfRenew', 'expired', 'Ask to renew your assignment that expired within 30 days (administrators approve)'],
  ] as const) {
    program.command(`${cmd} <role>`).description(blurb)
      .option('-r, --reason <text>', 'justification').option('-d, --duration <duration>', 'how long you need it (e.g. 90d)').option('--scope <scope>', 'which assignment').option('--json', 'print JSON')
      .addHelpText('after', `\nExample:\n  pim ${cmd} "Global Reader" -r "${cmd === 'extend' ? 'project runs on' : 'back on the project'}" -d 90d\n`)
      .action(run(async (name: string, o: { reason?: string; duration?: string; scope?: string; json?: boolean }) => {
        const { client } = signedIn();
        const me = await client.get<{ user: { id: string } }>('/api/v1/auth/session');
        const mine = await client.get<MyRoles>('/api/v1/me/roles');
        const pool = (list === 'current' ? [...mine.eligible, ...mine.active] : mine.expired).filter((x) => x.assignmentType === 'Assigned' && x.memberType === 'Direct');
        const a = pick(pool, name, o.scope, list === 'current' ? 'direct' : 'expired');
        const r = await client.post<PimRequest>('/api/v1/requests', {
          action, principalId: me.user.id, roleId: a.roleId, kind: a.kind, targetScheduleId: a.scheduleId,
          ...(o.reason !== undefined ? { justification: o.reason } : {}), ...(o.duration !== undefined ? { schedule: { duration: isoDuration(o.duration) } } : {}),
        });
        if (o.json === true) json(r); else out(`Asked to ${cmd} ${a.roleDisplayName ?? a.roleId}: ${r.status} (request ${r.id}).\n`);
      }));
  }

  const requests = program.command('requests').description('My requests (pending and past); cancel one').option('--status <status>', 'only this status, e.g. PendingApproval').option('--json', 'print JSON')
    .enablePositionalOptions()
    .addHelpText('after', '\nExamples:\n  pim requests --status PendingApproval\n  pim requests cancel 6f1c…\n')
    .action(run(async (o: { status?: string; json?: boolean }) => {
      const { client } = signedIn();
      const me = await client.get<{ user: { id: string } }>('/api/v1/auth/session');
      const page = await client.get<{ items: PimRequest[] }>(`/api/v1/requests?principalId=${encodeURIComponent(me.user.id)}${o.status !== undefined ? `&status=${encodeURIComponent(o.status)}` : ''}`);
      if (o.json === true) json(page.items); else if (page.items.length === 0) out('No requests.\n'); else printRequests(page.items, await roleNames(client));
    }));
  requests.command('cancel <id>').description('Cancel a pending request').option('--json', 'print JSON')
    .addHelpText('after', '\nExample:\n  pim requests cancel 6f1c…   # the id from `pim requests`\n')
    .action(run(async (id: string, o: { json?: boolean }) => {
      const { client } = signedIn();
      const r = await client.post<PimRequest>(`/api/v1/requests/${encodeURIComponent(id)}/cancel`);
      if (o.json === true) json(r); else out(`Canceled request ${r.id}.\n`);
    }));

  const approvals = program.command('approvals').description('Requests waiting for my decision; approve or deny them').option('--json', 'print JSON')
    .enablePositionalOptions()
    .addHelpText('after', '\nExamples:\n  pim approvals\n  pim approvals approve 6f1c… --reason "ticket checked"\n  pim approvals deny 6f1c… 8a2d… --reason "not during the freeze"\n')
    .action(run(async (o: { json?: boolean }) => {
      const { client } = signedIn();
      const page = await client.get<{ items: PimRequest[] }>('/api/v1/approvals?status=pending');
      if (o.json === true) { json(page.items); return; }
      if (page.items.length === 0) { out('Nothing waits for you.\n'); return; }
      const names = await roleNames(client);
      out(table(['REQUEST', 'REQUESTER', 'ROLE', 'SCOPE', 'ASKED', 'REASON', 'TICKET'], page.items.map((r) => [
        r.id, r.createdBy, names.get(r.roleId) ?? r.roleId, r.scope, when(r.createdAt), r.justification ?? '', r.ticket === null ? '' : `${r.ticket.system ?? ''}:${r.ticket.number}`,
      ])));
    }));
  for (const decision of ['approve', 'deny'] as const) {
    approvals.command(`${decision} <ids...>`).description(`${decision === 'approve' ? 'Approve' : 'Deny'} one or several requests`)
      .option('-r, --reason <text>', 'your justification').option('--totp <code>', 'MFA code, when the role asks approvers for MFA').option('--json', 'print JSON')
      .addHelpText('after', `\nExample:\n  pim approvals ${decision} 6f1c… --reason "${decision === 'approve' ? 'ticket checked' : 'not during the freeze'}"\n`)
      .action(run(async (ids: string[], o: { reason?: string; totp?: string; json?: boolean }) => {
        const { client } = signedIn();
        const done: PimRequest[] = [];
        const next = codes(o.totp);
        let code = o.totp !== undefined;
        for (const id of ids) {
          // The code is spent on the first request that needs it; later ones ask for a new one.
          const r = await withMfaRetry((mfa) => client.post<PimRequest>(`/api/v1/requests/${encodeURIComponent(id)}/${decision}`, { ...(o.reason !== undefined ? { justification: o.reason } : {}), ...(mfa !== undefined ? { mfa } : {}) }), next, code);
          code = false;
          done.push(r);
        }
        if (o.json === true) json(done); else for (const r of done) out(`${r.id}: ${r.status}\n`);
      }));
  }

  program.command('check <principal> <roleOrPermission>')
    .description('Ask the check API whether a principal holds a role (id) or a permission (e.g. db:read) at a scope now; exit 0 when allowed, 4 when not')
    .option('--scope <scope>', 'scope', '/').option('--permission', 'treat the second argument as a permission').option('--json', 'print JSON')
    .addHelpText('after', '\nExamples:\n  pim check alice@example.com db:read --scope /resources/db/prod\n  pim check alice@example.com fe930be7-5e62-47db-91af-98c3a49a38b1 --json   # a role id\n')
    .action(run(async (principal: string, what: string, o: { scope: string; permission?: boolean; json?: boolean }) => {
      const { client } = signedIn();
      const isPermission = o.permission === true || what.includes(':');
      const r = await client.post<{ allowed: boolean; via: Array<{ roleId: string; scope: string; memberType: string; endAt: string | null }>; reason?: string }>('/api/v1/check', { principal, scope: o.scope, ...(isPermission ? { permission: what } : { role: what }) });
      if (o.json === true) json(r);
      else out(r.allowed ? `allowed (${r.via.map((v) => `${v.roleId} at ${v.scope}, ${v.memberType}, until ${when(v.endAt)}`).join('; ')})\n` : `denied (${r.reason ?? 'no assignment'})\n`);
      if (!r.allowed) process.exit(EXIT.refused);
    }));
}
