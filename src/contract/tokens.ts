import { Type, type Static } from 'typebox';
import { Id, Instant, NullableInstant } from './common.ts';

export const TokenScope = Type.Union([Type.Literal('api'), Type.Literal('check')], { description: 'api: the REST API as the owner; check: the check and AuthZEN APIs' });

export const ApiToken = Type.Object({
  id: Type.String(),
  name: Type.String(),
  ownerId: Type.String(),
  ownerType: Type.Union([Type.Literal('user'), Type.Literal('servicePrincipal')]),
  scopes: Type.Array(Type.String()),
  createdAt: Instant,
  expiresAt: NullableInstant,
  revokedAt: NullableInstant,
}, { additionalProperties: false });
export type ApiToken = Static<typeof ApiToken>;

export const CreatedToken = Type.Object({
  id: Type.String(),
  name: Type.String(),
  ownerId: Type.String(),
  ownerType: Type.Union([Type.Literal('user'), Type.Literal('servicePrincipal')]),
  scopes: Type.Array(Type.String()),
  createdAt: Instant,
  expiresAt: NullableInstant,
  revokedAt: NullableInstant,
  token: Type.String({ description: 'Shown once; only its hash is stored' }),
}, { additionalProperties: false });
export type CreatedToken = Static<typeof CreatedToken>;

export const CreateToken = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 100 }),
  ownerId: Type.Optional(Id),
  scopes: Type.Optional(Type.Array(TokenScope, { minItems: 1, maxItems: 2, uniqueItems: true })),
  expiresInDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 365, default: 90 })),
}, { additionalProperties: false });
export type CreateToken = Static<typeof CreateToken>;

export const ListTokensQuery = Type.Object({ ownerId: Type.Optional(Id) }, { additionalProperties: false });
export type ListTokensQuery = Static<typeof ListTokensQuery>;
