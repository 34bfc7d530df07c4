import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pino from 'pino';
import type { AuditExportFormat, AuditFilters } from '../contract/audit.ts';
import { loadConfig } from '../config.ts';
import { DomainError } from '../domain/errors.ts';
import { openRuntime, type Runtime } from '../runtime.ts';
import { exportAudit } from '../services/export-audit.ts';
import { verifyAuditChain } from '../services/verify-audit-chain.ts';

/** Opens the configured database with logs on stderr: stdout carries the command's output (JSON, an export). */
function openLocal(): Promise<Runtime> {
  const config = loadConfig();
  return openRuntime(config, { log: pino({ level: config.logLevel }, pino.destination(2)) });
}

export async function auditVerifyCommand(opts: { json?: boolean }): Promise<void> {
  const rt = await openLocal();
  try {
    const r = await verifyAuditChain(rt.system);
    if (opts.json === true) process.stdout.write(`${JSON.stringify(r)}\n`);
    else if (r.ok) process.stdout.write(`Audit chain intact: ${r.events} events, head ${r.lastHash ?? '(empty)'}.\n`);
    else process.stdout.write(`Audit chain BROKEN at event seq ${r.firstBreak?.seq} (id ${r.firstBreak?.id}, ${r.firstBreak?.reason}); ${r.events} events before it verify.\n`);
    if (!r.ok) process.exitCode = 4;
  } finally {
    await rt.close();
  }
}

export interface AuditExportOptions {
  format: string;
  out?: string;
  from?: string;
  to?: string;
  actorId?: string;
  targetId?: string;
  targetType?: string;
  roleId?: string;
  action?: string;
  outcome?: string;
}

function exportQuery(o: AuditExportOptions): AuditFilters & { format: AuditExportFormat } {
  if (o.format !== 'csv' && o.format !== 'jsonl') throw new DomainError('Invalid', 'audit.invalid_format', 'The export format must be csv or jsonl.');
  if (o.outcome !== undefined && o.outcome !== 'success' && o.outcome !== 'failure') throw new DomainError('Invalid', 'audit.invalid_filter', 'The outcome must be success or failure.');
  const { format, outcome, from, to, actorId, targetId, targetType, roleId, action } = o;
  return { format, from, to, actorId, targetId, targetType, roleId, action, outcome };
}

/**
 * Streams the audit log from the local database to stdout or a file, batch by batch. A file is
 * written under a temporary name and renamed at the end, so an interrupted export never
 * leaves a file that looks complete.
 */
export async function auditExportCommand(opts: AuditExportOptions): Promise<void> {
  const query = exportQuery(opts);
  const rt = await openLocal();
  try {
    const exp = exportAudit(rt.system, query);
    if (opts.out === undefined) {
      // stdout is not ours to close: end: false leaves it open for the process to flush.
      await pipeline(Readable.from(exp.chunks), process.stdout, { end: false });
      return;
    }
    const partial = `${opts.out}.partial`;
    try {
      await pipeline(Readable.from(exp.chunks), createWriteStream(partial, { mode: 0o600 }));
      await rename(partial, opts.out);
    } catch (err) {
      await rm(partial, { force: true });
      throw err;
    }
  } finally {
    await rt.close();
  }
}
