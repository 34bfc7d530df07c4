import { createHash } from 'node:crypto';

/** The hash that precedes the first event of the chain. */
export const GENESIS_HASH = '0'.repeat(64);

/** Every field of an audit event that the hash covers (all of it but the hash itself). */
export interface ChainedEvent {
  seq: number;
  id: string;
  at: string;
  actorId: string | null;
  actorType: string;
  action: string;
  targetType: string | null;
  targetId: string | null;
  roleId: string | null;
  before: unknown;
  after: unknown;
  justification: string | null;
  ticketNumber: string | null;
  ticketSystem: string | null;
  requestId: string | null;
  outcome: string;
  clientAddress: string | null;
  prevHash: string;
}

/** JSON with object keys sorted at every depth and no whitespace: one byte string per value. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v)).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

/** hash = SHA-256(prevHash ‖ canonical JSON of the event). */
export function eventHash(event: ChainedEvent): string {
  return createHash('sha256').update(event.prevHash).update(canonicalJson(event)).digest('hex');
}

export type ChainBreak = { seq: number; id: string; reason: 'hash_mismatch' | 'prev_hash_mismatch' | 'sequence_gap' };

/**
 * Checks one event against the one before it. The first break names the event where the
 * chain stops being trustworthy: an edited row (its own hash no longer matches), a deleted
 * row (a gap, and the next row's prevHash points at nothing), a reordered row (prevHash mismatch).
 */
export function checkLink(prev: { seq: number; hash: string } | null, event: ChainedEvent, storedHash: string): ChainBreak | null {
  const expectedPrev = prev?.hash ?? GENESIS_HASH;
  if (prev !== null && event.seq !== prev.seq + 1) return { seq: event.seq, id: event.id, reason: 'sequence_gap' };
  if (event.prevHash !== expectedPrev) return { seq: event.seq, id: event.id, reason: 'prev_hash_mismatch' };
  if (eventHash(event) !== storedHash) return { seq: event.seq, id: event.id, reason: 'hash_mismatch' };
  return null;
}
