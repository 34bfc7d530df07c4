import { Type, type Static, type TSchema } from 'typebox';

/** Shared shapes of the HTTP contract: the server, the web UI and the CLI all use these. */

export const ErrorBody = Type.Object({
  error: Type.Object({
    code: Type.String({ description: 'Stable dotted code, e.g. request.already_decided' }),
    message: Type.String(),
    details: Type.Record(Type.String(), Type.Unknown()),
  }, { additionalProperties: false }),
}, { additionalProperties: false });
export type ErrorBody = Static<typeof ErrorBody>;

export const Id = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._:@-]+$' });
export const IdParams = Type.Object({ id: Id }, { additionalProperties: false });
export const Instant = Type.String({ format: 'date-time', maxLength: 40 });
export const NullableInstant = Type.Union([Instant, Type.Null()]);
export const Scope = Type.String({ minLength: 1, maxLength: 1024, description: '"/", "/administrativeUnits/{id}" or "/resources/{type}/{id}…"' });
export const Justification = Type.String({ maxLength: 500 });
export const DisplayName = Type.String({ minLength: 1, maxLength: 256 });
export const Description = Type.String({ maxLength: 1024 });

export const PageQuery = {
  cursor: Type.Optional(Type.String({ maxLength: 512 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
};

export function Page<T extends TSchema>(item: T) {
  return Type.Object({ items: Type.Array(item), nextCursor: Type.Union([Type.String(), Type.Null()]) }, { additionalProperties: false });
}

export const Ticket = Type.Object({
  number: Type.String({ minLength: 1, maxLength: 100 }),
  system: Type.Optional(Type.String({ maxLength: 100 })),
}, { additionalProperties: false });
