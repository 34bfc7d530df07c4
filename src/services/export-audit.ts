import { stringify } from 'csv-stringify/sync';
import { AUDIT_CSV_COLUMNS, type AuditEvent, type AuditFilters, type AuditExportFormat } from '../contract/audit.ts';
import { canonicalJson } from '../domain/audit-chain.ts';
import { invalid } from '../domain/errors.ts';
import type { ServiceContext } from './context.ts';
import { auditWhere, toAuditEvent, type AuditWhere } from './query-audit.ts';

export interface AuditExport {
  contentType: string;
  filename: string;
  /** Text chunks, one per batch; pull them as the destination drains. */
  chunks: AsyncGenerator<string>;
}

export const EXPORT_BATCH_SIZE = 1000;

/**
 * Events matching `where`, oldest first (chain order), one batch at a time: keyset on seq, so
 * memory stays constant however long the log is. The export stops at the newest event that
 * existed when it started, so it is one well-defined snapshot even while events keep arriving.
 */
async function* eventBatches(ctx: ServiceContext, where: AuditWhere, batchSize: number): AsyncGenerator<AuditEvent[]> {
  const head = await ctx.db.selectFrom('audit_events').select((eb) => eb.fn.max('seq').as('max')).executeTakeFirst();
  const lastSeq = Number(head?.max ?? 0);
  let after = 0;
  while (after < lastSeq) {
    const rows = await ctx.db.selectFrom('audit_events').selectAll().where(where)
      .where('seq', '>', after).where('seq', '<=', lastSeq).orderBy('seq').limit(batchSize).execute();
    if (rows.length === 0) return;
    yield rows.map(toAuditEvent);
    if (rows.length < batchSize) return;
    after = Number(rows[rows.length - 1]!.seq);
  }
}

const jsonText = (v: unknown): string | null => (v === null || v === undefined ? null : canonicalJson(v));

function csvRecord(e: AuditEvent): Record<(typeof AUDIT_CSV_COLUMNS)[number], string | number | null> {
  return {
    seq: e.seq, id: e.id, at: e.at, actorType: e.actor.type, actorId: e.actor.id, action: e.action,
    targetType: e.target?.type ?? null, targetId: e.target?.id ?? null, roleId: e.roleId, justification: e.justification,
    ticketNumber: e.ticket?.number ?? null, ticketSystem: e.ticket?.system ?? null, requestId: e.requestId, outcome: e.outcome,
    clientAddress: e.clientAddress, before: jsonText(e.before), after: jsonText(e.after), prevHash: e.prevHash, hash: e.hash,
  };
}

async function* csvChunks(batches: AsyncGenerator<AuditEvent[]>): AsyncGenerator<string> {
  const columns = [...AUDIT_CSV_COLUMNS];
  // The header goes out even when nothing matches, so an empty export is still a valid CSV.
  yield stringify([], { header: true, columns });
  for await (const batch of batches) {
    // CSV is for spreadsheets: cells a spreadsheet would run as a formula (=, +, -, @ …) get a
    // leading apostrophe (CSV injection). JSONL is the byte-exact record for machines.
    yield stringify(batch.map(csvRecord), { header: false, columns, escape_formulas: true });
  }
}

async function* jsonlChunks(batches: AsyncGenerator<AuditEvent[]>): AsyncGenerator<string> {
  for await (const batch of batches) yield batch.map((e) => `${JSON.stringify(e)}\n`).join('');
}

/**
 * Streams the audit log (or the part matching the filters) as CSV or JSON Lines. The filters
 * are validated now, before anything is read, so a bad request fails before streaming starts.
 */
export function exportAudit(ctx: ServiceContext, q: AuditFilters & { format: AuditExportFormat }, batchSize = EXPORT_BATCH_SIZE): AuditExport {
  if (q.format !== 'csv' && q.format !== 'jsonl') throw invalid('audit.invalid_format', 'The export format must be csv or jsonl.', { format: String(q.format) });
  const { format, ...filters } = q;
  const batches = eventBatches(ctx, auditWhere(filters), batchSize);
  const stamp = ctx.clock.now().toISOString().replace(/[:.]/g, '-');
  return format === 'csv'
    ? { contentType: 'text/csv; charset=utf-8', filename: `openpim-audit-${stamp}.csv`, chunks: csvChunks(batches) }
    : { contentType: 'application/x-ndjson; charset=utf-8', filename: `openpim-audit-${stamp}.jsonl`, chunks: jsonlChunks(batches) };
}
