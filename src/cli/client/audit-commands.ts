import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Option, type Command } from 'commander';
import type { AuditEvent, AuditExportFormat, AuditFilters, ChainReport } from '../../contract/audit.ts';
import { CliError, run, signedIn } from './run.ts';
import { EXIT, json, out, table, when } from './output.ts';

/**
 * `pim audit query|export|verify`: the audit log of the server you are signed in to, like every
 * other signed-in command. `--local` on export and verify reads this machine's database instead
 * (the operator's tool, next to `pim serve` and `pim migrate`); main.ts passes that in, since this
 * side of the CLI knows the server only through HTTP and the contract.
 */

/** commander checks --format and --outcome against their choices before the action runs. */
export interface AuditExportOptions extends AuditFilters {
  format: AuditExportFormat;
  out?: string;
  local?: boolean;
}

export interface LocalAudit {
  verify(o: { json?: boolean }): Promise<void>;
  export(o: AuditExportOptions): Promise<void>;
}

/** The same report for a server's answer and a local walk; a broken chain exits 4 (a "no", like `pim check`). */
export function printChainReport(r: ChainReport, asJson: boolean): void {
  if (asJson) json(r);
  else if (r.ok) out(`Audit chain intact: ${r.events} events, head ${r.lastHash ?? '(empty)'}.\n`);
  else out(`Audit chain BROKEN at event seq ${r.firstBreak?.seq} (id ${r.firstBreak?.id}, ${r.firstBreak?.reason}); ${r.events} events before it verify.\n`);
  // exitCode, not exit(): stdout is flushed before the process ends.
  if (!r.ok) process.exitCode = EXIT.refused;
}

/**
 * Streams an export to stdout, or to a file written under a temporary name and renamed at the
 * end, so an interrupted export never leaves a file that looks complete.
 */
export async function writeExport(source: Readable, file: string | undefined): Promise<void> {
  if (file === undefined) {
    // stdout is not ours to close: end: false leaves it open for the process to flush.
    await pipeline(source, process.stdout, { end: false });
    return;
  }
  const partial = `${file}.partial`;
  try {
    await pipeline(source, createWriteStream(partial, { mode: 0o600 }));
    await rename(partial, file);
  } catch (err) {
    await rm(partial, { force: true });
    throw err;
  }
}

function filterQuery(o: AuditFilters, into = new URLSearchParams()): URLSearchParams {
  const { from, to, action, actorId, targetId, targetType, roleId, outcome } = o;
  for (const [k, v] of Object.entries({ from, to, action, actorId, targetId, targetType, roleId, outcome })) if (v !== undefined) into.set(k, v);
  return into;
}

const local = () => new Option('--local', 'read this machine\'s database (PIM_DATABASE_URL or PIM_DATA_DIR, as `pim serve` does) instead of the server you are signed in to');
const readers = '\nNeeds Security Reader, Global Reader, Security Administrator or above on the server (with --local: read access to the database).\n';

export function registerAuditCommands(program: Command, localAudit: LocalAudit): void {
  const audit = program.command('audit').description('The audit log: query, export, verify the hash chain')
    .addHelpText('after', '\nExamples:\n  pim audit query --action "request.*" --limit 20\n  pim audit export --format csv --out audit.csv\n  pim audit verify\n');

  audit.command('query')
    .description('Query the audit log of the server, newest first (Security Reader, Global Reader, Security Administrator or above)')
    .option('--action <action>', 'exact action, or a prefix ending in * (e.g. "request.*")').option('--from <instant>', 'at or after').option('--to <instant>', 'before')
    .option('--actor-id <id>', 'done by').option('--target-id <id>', 'about').option('--limit <n>', 'how many (newest first)', '50').option('--json', 'print JSON')
    .addHelpText('after', '\nExample:\n  pim audit query --action "request.*" --from 2026-01-01T00:00:00Z --limit 20\n')
    .action(run(async (o: { action?: string; from?: string; to?: string; actorId?: string; targetId?: string; limit: string; json?: boolean }) => {
      const { client } = signedIn();
      const q = filterQuery(o, new URLSearchParams({ limit: o.limit }));
      const page = await client.get<{ items: AuditEvent[] }>(`/api/v1/audit?${q.toString()}`);
      if (o.json === true) { json(page.items); return; }
      out(page.items.length === 0 ? 'No events.\n' : table(['AT', 'ACTION', 'OUTCOME', 'ACTOR', 'TARGET', 'JUSTIFICATION'], page.items.map((e) => [
        when(e.at), e.action, e.outcome, e.actor.id ?? e.actor.type, e.target === null ? '' : `${e.target.type ?? ''}:${e.target.id ?? ''}`, e.justification ?? '',
      ])));
    }));

  audit.command('verify')
    .description('Walk the audit hash chain and name the first broken event (exit 4 when broken)')
    .addOption(local())
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExamples:\n  pim audit verify                 # the server you are signed in to\n  pim audit verify --local --json  # on the server machine, straight from its database\n' + readers)
    .action(run(async (o: { local?: boolean; json?: boolean }) => {
      if (o.local === true) { await localAudit.verify(o); return; }
      const { client } = signedIn();
      printChainReport(await client.get<ChainReport>('/api/v1/audit/verify'), o.json === true);
    }));

  audit.command('export')
    .description('Stream audit events (oldest first) as CSV or JSON Lines to stdout or a file')
    .addOption(new Option('--format <format>', 'output format').choices(['csv', 'jsonl']).makeOptionMandatory())
    .option('--out <file>', 'write to this file (mode 0600) instead of stdout')
    .option('--from <instant>', 'events at or after this ISO-8601 instant')
    .option('--to <instant>', 'events before this ISO-8601 instant')
    .option('--action <action>', 'exact action, or a prefix ending in * (e.g. "schedule.*")')
    .option('--actor-id <id>', 'events done by this principal')
    .option('--target-id <id>', 'events about this object')
    .option('--target-type <type>', 'events about objects of this type (user, schedule, …)')
    .option('--role-id <id>', 'events about this role')
    .addOption(new Option('--outcome <outcome>', 'success or failure').choices(['success', 'failure']))
    .addOption(local())
    .addHelpText('after', '\nExamples:\n  pim audit export --format csv --from 2026-01-01T00:00:00Z --to 2026-02-01T00:00:00Z --out audit-january.csv\n  pim audit export --format jsonl --action "request.*" | jq .justification\n  pim audit export --format jsonl --local --out audit.jsonl   # on the server machine, straight from its database\n' + readers)
    .action(run(async (o: AuditExportOptions) => {
      if (o.local === true) { await localAudit.export(o); return; }
      const { client } = signedIn();
      const q = filterQuery(o, new URLSearchParams({ format: o.format }));
      const res = await client.open('GET', `/api/v1/audit/export?${q.toString()}`, undefined, o.format === 'csv' ? 'text/csv' : 'application/x-ndjson');
      if (res.body === null) throw new CliError('The server sent no export: try again, or check the server\'s log.', EXIT.failure);
      try {
        await writeExport(Readable.fromWeb(res.body), o.out);
      } catch (err) {
        const why = err instanceof Error ? err.message : String(err);
        throw new CliError(`The export stopped before the end (${why}); ${o.out !== undefined ? `${o.out} was not written` : 'what was printed is incomplete'}. Run it again.`, EXIT.failure);
      }
    }));
}
