import { Readable } from 'node:stream';
import pino from 'pino';
import { loadConfig } from '../config.ts';
import { openRuntime, type Runtime } from '../runtime.ts';
import { exportAudit } from '../services/export-audit.ts';
import { verifyAuditChain } from '../services/verify-audit-chain.ts';
import { printChainReport, writeExport, type AuditExportOptions } from './client/audit-commands.ts';

/**
 * `pim audit verify --local` and `pim audit export --local`: the operator's view, straight from
 * the configured database (PIM_DATABASE_URL or PIM_DATA_DIR), with no server or login needed.
 */

/** Opens the configured database with logs on stderr: stdout carries the command's output (JSON, an export). */
function openLocal(): Promise<Runtime> {
  const config = loadConfig();
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
