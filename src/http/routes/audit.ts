import { Readable } from 'node:stream';
import { Type } from 'typebox';
import { Page } from '../../contract/common.ts';
import { AuditEvent, ChainReport, ExportAuditQuery, ListAuditQuery } from '../../contract/audit.ts';
import { exportAudit } from '../../services/export-audit.ts';
import { listAudit, listMyAudit } from '../../services/query-audit.ts';
import { verifyAuditChain } from '../../services/verify-audit-chain.ts';
import type { App } from '../types.ts';
import { ANY_USER, AUDIT_READER } from './access.ts';

// Documents the streamed body for OpenAPI (text on the wire, a Readable in the handler);
// streams bypass Fastify's serializer.
const streamedText = Type.Unsafe<Readable>({ type: 'string' });
const exportBody = {
  description: 'The matching events, oldest first: CSV with a header row, or one JSON event per line',
  content: { 'text/csv': { schema: streamedText }, 'application/x-ndjson': { schema: streamedText } },
};

/**
 * Walking the whole chain (verify) or streaming the whole log (export) costs the server work in
 * proportion to the log's size, and any audit reader may ask: a per-caller cap keeps one
 * script or a stuck browser tab from holding a core. Ten a minute is more than an operator or
 * a monitoring job needs.
 */
export const AUDIT_WALKS_PER_MINUTE = 10;

export function auditRoutes(app: App): void {
  const tags = ['audit'];
  const rateLimit = { max: AUDIT_WALKS_PER_MINUTE, timeWindow: '1 minute', hook: 'preHandler' as const };
  app.get('/api/v1/audit', { config: { access: AUDIT_READER }, schema: { tags, summary: 'List audit events, newest first (filters combine with AND)', querystring: ListAuditQuery, response: { 200: Page(AuditEvent) } } },
    (req) => listAudit(req.ctx, req.query));
  app.get('/api/v1/me/audit', { config: { access: ANY_USER }, schema: { tags, summary: 'My audit: events I did or was the target of, newest first', querystring: ListAuditQuery, response: { 200: Page(AuditEvent) } } },
    (req) => listMyAudit(req.ctx, req.query));
  app.get('/api/v1/audit/export', { config: { access: AUDIT_READER, rateLimit }, schema: { tags, summary: 'Download audit events as CSV or JSON Lines (streamed; 10 a minute per caller)', querystring: ExportAuditQuery, response: { 200: exportBody } } },
    async (req, reply) => {
      const exp = exportAudit(req.ctx, req.query);
      // Streamed in batches as the client reads, so exporting years of events needs no more memory than one batch.
      return reply.type(exp.contentType)
        .header('content-disposition', `attachment; filename="${exp.filename}"`)
        .header('cache-control', 'no-store')
        .send(Readable.from(exp.chunks));
    });
  app.get('/api/v1/audit/verify', { config: { access: AUDIT_READER, rateLimit }, schema: { tags, summary: 'Verify the audit hash chain and name the first broken event (10 a minute per caller)', response: { 200: ChainReport } } },
    (req) => verifyAuditChain(req.ctx));
}
