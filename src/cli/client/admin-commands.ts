import type { Command } from 'commander';
import type { PimRequest, RoleAssignment } from '../../contract/requests.ts';
import { EXIT, json, out, table, when } from './output.ts';
import { isoDuration, ticketOf } from './commands.ts';
import { CliError, run, signedIn } from './run.ts';
import type { PimClient } from './http.ts';

/** Administrators' commands: assignments and role settings, over the same API (the audit log: audit-commands.ts). */

type Named = { id: string; displayName: string };

/** A role by id or exact display name (case-insensitive). */
async function roleOf(client: PimClient, name: string): Promise<Named> {
  const page = await client.get<{ items: Named[] }>(`/api/v1/roles?search=${encodeURIComponent(name)}&limit=50`);
  const exact = page.items.filter((r) => r.id === name || r.displayName.toLowerCase() === name.toLowerCase());
  if (exact.length === 1) return exact[0]!;
  try { return await client.get<Named>(`/api/v1/roles/${encodeURIComponent(name)}`); } catch { /* not an id either */ }
  throw new CliError(`No role named "${name}"${page.items.length > 0 ? `; did you mean: ${page.items.slice(0, 5).map((r) => r.displayName).join(', ')}?` : '.'}`, EXIT.refused);
}

/** A user by sign-in name or id, or a group by id or exact name. */
async function principalOf(client: PimClient, ref: string): Promise<{ id: string; label: string }> {
  if (ref.includes('@')) {
    const users = await client.get<{ items: Array<{ id: string; userPrincipalName: string }> }>(`/api/v1/users?search=${encodeURIComponent(ref)}&limit=5`);
    const u = users.items.find((x) => x.userPrincipalName.toLowerCase() === ref.toLowerCase());
    if (u) return { id: u.id, label: u.userPrincipalName };
  }
  const groups = await client.get<{ items: Named[] }>(`/api/v1/groups?search=${encodeURIComponent(ref)}&limit=5`);
  const g = groups.items.find((x) => x.id === ref || x.displayName.toLowerCase() === ref.toLowerCase());
  if (g) return { id: g.id, label: `group ${g.displayName}` };
  return { id: ref, label: ref };
}

function scheduleOf(o: { duration?: string; until?: string; permanent?: boolean; start?: string }) {
  const given = [o.duration !== undefined, o.until !== undefined, o.permanent === true].filter(Boolean).length;
  if (given !== 1) throw new CliError('Give exactly one of --duration, --until or --permanent.', EXIT.usage);
  return {
    ...(o.start !== undefined ? { startAt: o.start } : {}),
    ...(o.duration !== undefined ? { duration: isoDuration(o.duration) } : {}),
    ...(o.until !== undefined ? { endAt: o.until } : {}),
    ...(o.permanent === true ? { permanent: true } : {}),
  };
}

/** `a.b.c=value`: value parsed as JSON when it is JSON (true, 3, "x", [..], {..}), else taken as text. */
export function patchOf(sets: string[]): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  for (const s of sets) {
    const eq = s.indexOf('=');
    if (eq <= 0) throw new CliError(`--set takes path=value, e.g. activation.maximumDuration=PT2H (got "${s}").`, EXIT.usage);
    const keys = s.slice(0, eq).split('.');
    const raw = s.slice(eq + 1);
    let value: unknown;
    try { value = JSON.parse(raw); } catch { value = raw; }
    let at = patch;
    for (const k of keys.slice(0, -1)) at = (at[k] ??= {}) as Record<string, unknown>;
    at[keys[keys.length - 1]!] = value;
  }
  return patch;
}

export function registerAdminCommands(program: Command): void {
  program.command('assign <principal> <role>')
    .description('Make a user (sign-in name) or group eligible for, or actively assigned to, a role (Privileged Role / Global Administrators)')
    .option('--active', 'an active assignment (default: eligible)')
    .option('--scope <scope>', 'scope', '/')
    .option('-d, --duration <duration>', 'how long (e.g. 90d, 8h)').option('--until <instant>', 'end (ISO-8601)').option('--permanent', 'no end')
    .option('--start <instant>', 'start later (ISO-8601)')
    .option('-r, --reason <text>', 'justification').option('--ticket <system:number>', 'ticket').option('--json', 'print JSON')
    .addHelpText('after', '\nExamples:\n  pim assign bob@example.com "User Administrator" --duration 90d --reason "helpdesk lead" --ticket SNOW:CHG1042\n  pim assign "Helpdesk JIT" "User Administrator" --permanent -r "JIT group"\n')
    .action(run(async (who: string, roleName: string, o: { active?: boolean; scope: string; duration?: string; until?: string; permanent?: boolean; start?: string; reason?: string; ticket?: string; json?: boolean }) => {
      const { client } = signedIn();
      const [p, role] = [await principalOf(client, who), await roleOf(client, roleName)];
      const r = await client.post<PimRequest>('/api/v1/requests', {
        action: 'adminAssign', kind: o.active === true ? 'active' : 'eligible', principalId: p.id, roleId: role.id, scope: o.scope, schedule: scheduleOf(o),
        ...(o.reason !== undefined ? { justification: o.reason } : {}), ...(o.ticket !== undefined ? { ticket: ticketOf(o.ticket) } : {}),
      });
      if (o.json === true) json(r); else out(`${p.label} is now ${r.kind} for ${role.displayName} at ${r.scope} until ${when(r.schedule.endAt)} (${r.status}).\n`);
    }));

  program.command('unassign <principal> <role>')
    .description('End an assignment (eligible by default; --active for an active one)')
    .option('--active', 'the active assignment').option('--scope <scope>', 'scope', '/').option('-r, --reason <text>', 'justification').option('--json', 'print JSON')
    .addHelpText('after', '\nExamples:\n  pim unassign bob@example.com "User Administrator" -r "left the team"\n  pim unassign "Helpdesk JIT" "User Administrator" --active -r "JIT group retired"\n')
    .action(run(async (who: string, roleName: string, o: { active?: boolean; scope: string; reason?: string; json?: boolean }) => {
      const { client } = signedIn();
      const [p, role] = [await principalOf(client, who), await roleOf(client, roleName)];
      const r = await client.post<PimRequest>('/api/v1/requests', {
        action: 'adminRemove', kind: o.active === true ? 'active' : 'eligible', principalId: p.id, roleId: role.id, scope: o.scope, ...(o.reason !== undefined ? { justification: o.reason } : {}),
      });
      if (o.json === true) json(r); else out(`Ended ${p.label}'s ${r.kind} assignment of ${role.displayName} at ${r.scope}.\n`);
    }));

  program.command('assignments <role>')
    .description('A role\'s eligible, active or expired assignments')
    .option('--kind <kind>', 'eligible, active or expired', 'eligible').option('--json', 'print JSON')
    .addHelpText('after', '\nExample:\n  pim assignments "User Administrator" --kind active\n')
    .action(run(async (roleName: string, o: { kind: string; json?: boolean }) => {
      const { client } = signedIn();
      const role = await roleOf(client, roleName);
      const items: RoleAssignment[] = [];
      let cursor: string | null = null;
      do {
        const page: { items: RoleAssignment[]; nextCursor: string | null } = await client.get(`/api/v1/roles/${role.id}/assignments?kind=${encodeURIComponent(o.kind)}&limit=500${cursor !== null ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        items.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor !== null);
      if (o.json === true) { json(items); return; }
      out(items.length === 0 ? `No ${o.kind} assignments of ${role.displayName}.\n` : table(['PRINCIPAL', 'TYPE', 'SCOPE', 'STATE', 'FROM', 'UNTIL'], items.map((a) => [
        a.principalDisplayName ?? a.principalId, a.principalType, a.scope, a.assignmentType, when(a.startAt), when(a.endAt),
      ])));
    }));

  program.command('settings <role>')
    .description('Show a role\'s settings, or change them with --set path=value (several allowed)')
    .option('--scope <scope>', 'the settings in force at this scope (and, with --set, saved there)')
    .option('--set <path=value>', 'e.g. activation.maximumDuration=PT2H, activation.requireApproval=true', (v: string, all: string[]) => [...all, v], [] as string[])
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExamples:\n  pim settings "User Administrator"\n  pim settings "User Administrator" --set activation.maximumDuration=PT2H --set activation.requireTicket=true\n  pim settings "Owner" --scope /resources/subscriptions/prod --set activation.requireApproval=true\n')
    .action(run(async (roleName: string, o: { scope?: string; set: string[]; json?: boolean }) => {
      const { client } = signedIn();
      const role = await roleOf(client, roleName);
      const q = o.scope !== undefined ? `?scope=${encodeURIComponent(o.scope)}` : '';
      const r = o.set.length > 0
        ? await client.patch<{ source: string; definedAt: string | null; settings: { activation: Record<string, unknown> } }>(`/api/v1/roles/${role.id}/settings${q}`, patchOf(o.set))
        : await client.get<{ source: string; definedAt: string | null; settings: { activation: Record<string, unknown> } }>(`/api/v1/roles/${role.id}/settings${q}`);
      if (o.json === true) { json(r); return; }
      const a = r.settings.activation;
      out(`${role.displayName} — settings from ${r.source}${r.definedAt !== null ? ` (${r.definedAt})` : ''}\n`);
      out(table(['ACTIVATION RULE', 'VALUE'], ['maximumDuration', 'requireMfa', 'mfaMaxAgeMinutes', 'requireJustification', 'requireTicket', 'requireApproval', 'approverJustificationRequired', 'allowWorkloadActivation']
        .map((k) => [k, JSON.stringify(a[k] ?? null)])));
      out('(--json shows every rule, including assignment and notification settings)\n');
    }));
}
