import { existsSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import pino from 'pino';
import { loadConfig, sqliteFileOf } from '../config.ts';
import { openRuntime, type Runtime } from '../runtime.ts';
import { exportAudit } from '../services/export-audit.ts';
import { verifyAuditChain } from '../services/verify-audit-chain.ts';
import { printChainReport, writeExport, type AuditExportOptions } from './client/audit-commands.ts';
import { EXIT } from './client/output.ts';
import { CliError } from './client/run.ts';

/**
 * `pim audit verify --local` and `pim audit export --local`: the operator's view, straight from
 * the configured database (PIM_DATABASE_URL or PIM_DATA_DIR), with no server or login needed.
 */

/**
 * Opens the configured database with logs on stderr: stdout carries the command's output (JSON, an
 * export). A SQLite file that is not there is refused, not created: an empty new database would
 * verify as an intact chain, and a cron job pointed at the wrong path would report all is well.
 */
function openLocal(): Promise<Runtime> {
  const config = loadConfig();
  const file = sqliteFileOf(config.databaseUrl);
  if (file !== undefined && !existsSync(file)) {
    throw new CliError(`No database at ${path.resolve(file)}: set PIM_DATABASE_URL or PIM_DATA_DIR to the one \`pim serve\` uses.`, EXIT.usage);
  }
  return openRuntime(config, { log: pino({ level: config.logLevel }, pino.destination(2)) });
}

export async function auditVerifyLocal(opts: { json?: boolean }): Promise<void> {
  const rt = await openLocal();
  try {
    printChainReport(await verifyAuditChain(rt.system), opts.json === true);
  } finally {
    await rt.close();
  }
}

/** Streams the audit log batch by batch (the service validates the format and filters). */
export async function auditExportLocal(opts: AuditExportOptions): Promise<void> {
  const { format, from, to, actorId, targetId, targetType, roleId, action, outcome } = opts;
  const rt = await openLocal();
  try {
    const exp = exportAudit(rt.system, { format, from, to, actorId, targetId, targetType, roleId, action, outcome });
    await writeExport(Readable.from(exp.chunks), opts.out);
  } finally {
    await rt.close();
  }
}
