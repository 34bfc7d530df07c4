import type { Transaction } from 'kysely';
import { canonicalJson, eventHash, GENESIS_HASH, type ChainedEvent } from '../domain/audit-chain.ts';
import type { Database, AuditEventsTable } from './schema.ts';
import type { Db } from './db.ts';

/** The last event of the chain: what the next one links to. */
export interface ChainHead {
  seq: number;
  hash: string;
}

export interface AuditInput {
  id: string;
  atMs: number;
  actorId: string | null;
  actorType: string;
  action: string;
  targetType?: string | null | undefined;
  targetId?: string | null | undefined;
  roleId?: string | null | undefined;
  before?: unknown;
  after?: unknown;
  justification?: string | null | undefined;
  ticketNumber?: string | null | undefined;
  ticketSystem?: string | null | undefined;
  requestId?: string | null | undefined;
  outcome?: 'success' | 'failure' | undefined;
  clientAddress?: string | null | undefined;
}

/**
 * Appends one event to the hash chain. The caller holds the write lock (see
 * services/transaction.ts), so reading the last hash and inserting the next row cannot
 * interleave with another writer.
 */
export async function appendAuditEvent(tx: Transaction<Database>, input: AuditInput, previous?: ChainHead): Promise<ChainHead> {
  // Within one transaction the caller passes the head it wrote last: no read per event.
  const last = previous ?? await tx.selectFrom('audit_events').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
  const event: ChainedEvent = {
    seq: (last?.seq ?? 0) + 1,
    id: input.id,
    at: new Date(input.atMs).toISOString(),
    actorId: input.actorId,
    actorType: input.actorType,
    action: input.action,
    targetType: input.targetType ?? null,
    targetId: input.targetId ?? null,
    roleId: input.roleId ?? null,
    before: input.before ?? null,
    after: input.after ?? null,
    justification: input.justification ?? null,
    ticketNumber: input.ticketNumber ?? null,
    ticketSystem: input.ticketSystem ?? null,
    requestId: input.requestId ?? null,
    outcome: input.outcome ?? 'success',
    clientAddress: input.clientAddress ?? null,
    prevHash: last?.hash ?? GENESIS_HASH,
  };
  const hash = eventHash(event);
  await tx.insertInto('audit_events').values({
    seq: event.seq,
    id: event.id,
    at: event.at,
    at_ms: input.atMs,
    actor_id: event.actorId,
    actor_type: event.actorType,
    action: event.action,
    target_type: event.targetType,
    target_id: event.targetId,
    role_id: event.roleId,
    before_json: event.before === null ? null : canonicalJson(event.before),
    after_json: event.after === null ? null : canonicalJson(event.after),
    justification: event.justification,
    ticket_number: event.ticketNumber,
    ticket_system: event.ticketSystem,
    request_id: event.requestId,
    outcome: event.outcome,
    client_address: event.clientAddress,
    prev_hash: event.prevHash,
    hash,
  }).execute();
  return { seq: event.seq, hash };
}

type AuditRow = Omit<AuditEventsTable, 'seq'> & { seq: number };

export function rowToChained(r: AuditRow): ChainedEvent {
  return {
    seq: Number(r.seq),
    id: r.id,
    at: r.at,
    actorId: r.actor_id,
    actorType: r.actor_type,
    action: r.action,
    targetType: r.target_type,
    targetId: r.target_id,
    roleId: r.role_id,
    before: r.before_json === null ? null : (JSON.parse(r.before_json) as unknown),
    after: r.after_json === null ? null : (JSON.parse(r.after_json) as unknown),
    justification: r.justification,
    ticketNumber: r.ticket_number,
    ticketSystem: r.ticket_system,
    requestId: r.request_id,
    outcome: r.outcome,
    clientAddress: r.client_address,
    prevHash: r.prev_hash,
  };
}

/** Reads the chain in batches, oldest first, without holding it all in memory. */
export async function* auditBatches(db: Db, batchSize = 1000, fromSeq = 0): AsyncGenerator<AuditRow[]> {
  let after = fromSeq;
  for (;;) {
    const rows = await db.selectFrom('audit_events').selectAll().where('seq', '>', after).orderBy('seq').limit(batchSize).execute();
    if (rows.length === 0) return;
    yield rows.map((r) => ({ ...r, seq: Number(r.seq) }));
    after = Number(rows[rows.length - 1]!.seq);
  }
}
