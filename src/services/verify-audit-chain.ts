import type { ChainReport } from '../contract/audit.ts';
import { checkLink } from '../domain/audit-chain.ts';
import { auditBatches, rowToChained } from '../store/audit-store.ts';
import type { ServiceContext } from './context.ts';

// The report's shape lives in the contract, so the HTTP response, the CLI and the web UI agree on it.
export type { ChainReport };

/** Walks the whole chain in batches (constant memory) and names the first broken event. */
export async function verifyAuditChain(ctx: ServiceContext): Promise<ChainReport> {
  let prev: { seq: number; hash: string } | null = null;
  let events = 0;
  for await (const batch of auditBatches(ctx.db, 2000)) {
    for (const row of batch) {
      const ev = rowToChained(row);
      const broken = checkLink(prev, ev, row.hash);
      if (broken) return { ok: false, events, lastSeq: prev?.seq ?? 0, lastHash: prev?.hash ?? null, firstBreak: { ...broken, at: ev.at }, verifiedAt: ctx.clock.now().toISOString() };
      prev = { seq: ev.seq, hash: row.hash };
      events++;
    }
  }
  return { ok: true, events, lastSeq: prev?.seq ?? 0, lastHash: prev?.hash ?? null, firstBreak: null, verifiedAt: ctx.clock.now().toISOString() };
}
