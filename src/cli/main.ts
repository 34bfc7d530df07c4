import { Command, CommanderError } from 'commander';
import { ConfigError, loadConfig } from '../config.ts';
import { DomainError } from '../domain/errors.ts';
import { openRuntime } from '../runtime.ts';
import { bootstrapAdmin } from '../services/bootstrap.ts';
import { serve } from './serve.ts';
import { auditExportLocal, auditVerifyLocal } from './audit.ts';
import { registerAdminCommands } from './client/admin-commands.ts';
import { registerAuditCommands } from './client/audit-commands.ts';
import { registerUserCommands } from './client/commands.ts';
import { registerMailCommands } from './client/mail-commands.ts';

const program = new Command('pim')
  .description('openpim: Privileged Identity Management — eligible roles, just-in-time activation, audit and a check API')
  .showHelpAfterError()
  // Commander exits 1 on an unknown option or a missing argument; our exit codes say 2 is usage
  // (README): it throws instead, and the catch below exits with the right code. Subcommands
  // created after this inherit it.
  .exitOverride();

program.command('serve').description('Run the server (HTTP API and jobs) on PIM_HOST:PIM_PORT')
  .addHelpText('after', '\nExample:\n  PIM_PORT=8080 pim serve\n').action(serve);

program.command('migrate').description('Apply pending database migrations and exit')
  .addHelpText('after', '\nExample:\n  PIM_DATABASE_URL=postgres://pim@db/openpim pim migrate\n').action(async () => {
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

// export and verify also work on this machine's database (--local), for the operator next to `pim serve`.
registerAuditCommands(program, { verify: auditVerifyLocal, export: auditExportLocal });

registerAdminCommands(program);
registerMailCommands(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  if (err instanceof CommanderError) {
    // Help and --version end with 0; every parse error is a usage error. Commander printed the message.
    process.exit(err.exitCode === 0 ? 0 : 2);
  }
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
