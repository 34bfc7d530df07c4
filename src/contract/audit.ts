import { Type, type Static } from 'typebox';
import { Id, Instant, PageQuery } from './common.ts';

/** One event of the hash-chained audit log, exactly as stored (the hash covers every field but itself). */
export const AuditEvent = Type.Object({
  seq: Type.Integer({ minimum: 1, description: 'Position in the chain; newer events have higher numbers' }),
  id: Type.String(),
  at: Instant,
  actor: Type.Object({
    id: Type.Union([Type.String(), Type.Null()]),
    type: Type.String({ description: 'user | servicePrincipal | system | anonymous' }),
  }, { additionalProperties: false }),
  action: Type.String({ description: 'Dotted action, e.g. schedule.active.created, authorization.denied' }),
  target: Type.Union([Type.Object({
    type: Type.Union([Type.String(), Type.Null()]),
    id: Type.Union([Type.String(), Type.Null()]),
  }, { additionalProperties: false }), Type.Null()]),
  roleId: Type.Union([Type.String(), Type.Null()]),
  before: Type.Unknown({ description: 'Arbitrary JSON: the relevant state before the change' }),
  after: Type.Unknown({ description: 'Arbitrary JSON: the relevant state after the change' }),
  justification: Type.Union([Type.String(), Type.Null()]),
  ticket: Type.Union([Type.Object({
    number: Type.String(),
    system: Type.Union([Type.String(), Type.Null()]),
  }, { additionalProperties: false }), Type.Null()]),
  requestId: Type.Union([Type.String(), Type.Null()]),
  outcome: Type.String({ description: 'success | failure' }),
  clientAddress: Type.Union([Type.String(), Type.Null()]),
  prevHash: Type.String(),
  hash: Type.String({ description: 'SHA-256(prevHash ‖ canonical JSON of the event), hex' }),
}, { additionalProperties: false });
export type AuditEvent = Static<typeof AuditEvent>;

// Actions are dotted words; a trailing '*' turns the filter into a prefix match (schedule.*).
const ActionFilter = Type.String({ minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9._:-]*\\*?$', description: 'Exact action, or a prefix ending in * (e.g. schedule.*)' });

/** Filters shared by the list, "my audit" and the export. Times compare with the event time: [from, to). */
export const AuditFilterFields = {
  from: Type.Optional(Type.String({ format: 'date-time', maxLength: 40, description: 'Events at or after this instant' })),
  to: Type.Optional(Type.String({ format: 'date-time', maxLength: 40, description: 'Events before this instant' })),
  actorId: Type.Optional(Id),
  targetId: Type.Optional(Id),
  targetType: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._-]+$' })),
  roleId: Type.Optional(Id),
  action: Type.Optional(ActionFilter),
  outcome: Type.Optional(Type.Union([Type.Literal('success'), Type.Literal('failure')])),
};

export const AuditFilters = Type.Object(AuditFilterFields, { additionalProperties: false });
export type AuditFilters = Static<typeof AuditFilters>;

export const ListAuditQuery = Type.Object({ ...PageQuery, ...AuditFilterFields }, { additionalProperties: false });
export type ListAuditQuery = Static<typeof ListAuditQuery>;

export const AuditExportFormat = Type.Union([Type.Literal('csv'), Type.Literal('jsonl')]);
export type AuditExportFormat = Static<typeof AuditExportFormat>;

export const ExportAuditQuery = Type.Object({ format: AuditExportFormat, ...AuditFilterFields }, { additionalProperties: false });
export type ExportAuditQuery = Static<typeof ExportAuditQuery>;

/** The export's CSV columns, in order (before/after hold canonical JSON text). */
export const AUDIT_CSV_COLUMNS = [
  'seq', 'id', 'at', 'actorType', 'actorId', 'action', 'targetType', 'targetId', 'roleId', 'justification', 'ticketNumber', 'ticketSystem',
  'requestId', 'outcome', 'clientAddress', 'before', 'after', 'prevHash', 'hash',
] as const;

export const ChainBreak = Type.Object({
  seq: Type.Integer(),
  id: Type.String(),
  reason: Type.Union([Type.Literal('hash_mismatch'), Type.Literal('prev_hash_mismatch'), Type.Literal('sequence_gap')]),
  at: Type.Union([Instant, Type.Null()]),
}, { additionalProperties: false });

/** The result of walking the whole chain: ok, or the first event where it stops being trustworthy. */
export const ChainReport = Type.Object({
  ok: Type.Boolean(),
  events: Type.Integer({ description: 'Events verified before the first break (all of them when ok)' }),
  lastSeq: Type.Integer(),
  lastHash: Type.Union([Type.String(), Type.Null()]),
  firstBreak: Type.Union([ChainBreak, Type.Null()]),
  verifiedAt: Instant,
}, { additionalProperties: false });
export type ChainReport = Static<typeof ChainReport>;
