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

export function auditRoutes(app: App): void {
  const tags = ['audit'];
  app.get('/api/v1/audit', { config: { access: AUDIT_READER }, schema: { tags, summary: 'List audit events, newest first (filters combine with AND)', querystring: ListAuditQuery, response: { 200: Page(AuditEvent) } } },
    (req) => listAudit(req.ctx, req.query));
  app.get('/api/v1/me/audit', { config: { access: ANY_USER }, schema: { tags, summary: 'My audit: events I did or was the target of, newest first', querystring: ListAuditQuery, response: { 200: Page(AuditEvent) } } },
    (req) => listMyAudit(req.ctx, req.query));
  app.get('/api/v1/audit/export', { config: { access: AUDIT_READER }, schema: { tags, summary: 'Download audit events as CSV or JSON Lines (streamed)', querystring: ExportAuditQuery, response: { 200: exportBody } } },
    async (req, reply) => {
      const exp = exportAudit(req.ctx, req.query);
      // Streamed in batches as the client reads, so exporting years of events needs no more memory than one batch.
      return reply.type(exp.contentType)
        .header('content-disposition', `attachment; filename="${exp.filename}"`)
        .header('cache-control', 'no-store')
        .send(Readable.from(exp.chunks));
    });
  app.get('/api/v1/audit/verify', { config: { access: AUDIT_READER }, schema: { tags, summary: 'Verify the audit hash chain and name the first broken event', response: { 200: ChainReport } } },
    (req) => verifyAuditChain(req.ctx));
}
