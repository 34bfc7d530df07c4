import { Command, Option } from 'commander';
import { ConfigError, loadConfig } from '../config.ts';
import { DomainError } from '../domain/errors.ts';
import { openRuntime } from '../runtime.ts';
import { bootstrapAdmin } from '../services/bootstrap.ts';
import { serve } from './serve.ts';
import { auditExportCommand, auditVerifyCommand } from './audit.ts';
import { registerAdminCommands } from './client/admin-commands.ts';
import { registerUserCommands } from './client/commands.ts';

const program = new Command('pim')
  .description('openpim: Privileged Identity Management — eligible roles, just-in-time activation, audit and a check API')
  .showHelpAfterError();

program.command('serve').description('Run the server (HTTP API and jobs) on PIM_HOST:PIM_PORT').action(serve);

program.command('migrate').description('Apply pending database migrations and exit').action(async () => {
  const rt = await openRuntime({ ...loadConfig(), autoMigrate: true });
  process.stdout.write('Database is up to date.\n');
  await rt.close();
});

program.command('bootstrap')
  .description('Create the first administrator on an empty database (permanent active Global Administrator and Privileged Role Administrator) and print a one-time API token')
  .requiredOption('--admin <userPrincipalName>', 'the administrator\'s sign-in name, e.g. alice@example.com')
  .option('--name <displayName>', 'display name')
  .option('--json', 'print JSON')
  .addHelpText('after', '\nExample:\n  pim bootstrap --admin alice@example.com\n')
  .action(async (opts: { admin: string; name?: string; json?: boolean }) => {
    if (!/^[^\s@]+@[^\s@]+$/.test(opts.admin)) throw new DomainError('Invalid', 'bootstrap.invalid_upn', 'The administrator must be a sign-in name such as alice@example.com.');
    const rt = await openRuntime(loadConfig());
    try {
      const r = await bootstrapAdmin(rt.system, opts.admin, opts.name);
      if (opts.json === true) process.stdout.write(`${JSON.stringify(r)}\n`);
      else {
        process.stdout.write(`Created ${r.userPrincipalName} as a permanent active Global Administrator and Privileged Role Administrator.\n`);
        process.stdout.write('This is a break-glass account: keep its credentials safe and give everyday admins eligible assignments instead.\n\n');
        process.stdout.write(`API token (shown once, expires ${r.tokenExpiresAt}):\n\n  ${r.token}\n\nUse it as: Authorization: Bearer <token>\n`);
      }
    } finally {
      await rt.close();
    }
  });

registerUserCommands(program);

const audit = program.command('audit').description('Audit log tools');
audit.command('verify').description('Walk the hash chain and name the first broken event').option('--json', 'print JSON').action(auditVerifyCommand);
audit.command('export')
  .description('Stream audit events (oldest first) from the configured database as CSV or JSON Lines')
  .addOption(new Option('--format <format>', 'output format').choices(['csv', 'jsonl']).makeOptionMandatory())
  .option('--out <file>', 'write to this file instead of stdout')
  .option('--from <instant>', 'events at or after this ISO-8601 instant')
  .option('--to <instant>', 'events before this ISO-8601 instant')
  .option('--action <action>', 'exact action, or a prefix ending in * (e.g. "schedule.*")')
  .option('--actor-id <id>', 'events done by this principal')
  .option('--target-id <id>', 'events about this object')
  .option('--target-type <type>', 'events about objects of this type (user, schedule, …)')
  .option('--role-id <id>', 'events about this role')
  .addOption(new Option('--outcome <outcome>', 'success or failure').choices(['success', 'failure']))
  .addHelpText('after', '\nExample:\n  pim audit export --format csv --from 2026-01-01T00:00:00Z --out audit-january.csv\n')
  .action(auditExportCommand);

registerAdminCommands(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  }
  if (err instanceof DomainError) {
    process.stderr.write(`error: ${err.message} (${err.code})\n`);
    process.exit(err.kind === 'Conflict' ? 3 : 2);
  }
  process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
