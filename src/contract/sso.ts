import { Type, type Static } from 'typebox';
import { Id, Instant } from './common.ts';

/** How one may sign in here (the sign-in page asks before it draws its buttons). */
export const Providers = Type.Object({
  password: Type.Literal(true),
  oidc: Type.Object({
    enabled: Type.Boolean(),
    startUrl: Type.Union([Type.String(), Type.Null()], { description: 'Send the browser here to sign in with single sign-on (add ?returnTo=/path)' }),
  }, { additionalProperties: false }),
}, { additionalProperties: false });
export type Providers = Static<typeof Providers>;

export const OidcStartQuery = Type.Object({
  returnTo: Type.Optional(Type.String({ maxLength: 2000, description: 'A path on this site to land on afterwards (default /)' })),
  stepUp: Type.Optional(Type.Union([Type.Literal('1'), Type.Literal('true'), Type.Literal('0'), Type.Literal('false')], { description: 'Re-authenticate (with MFA) at the provider for the signed-in session' })),
}, { additionalProperties: false });

// Providers may add parameters of their own (session_state …): the known ones are bounded, others pass.
export const OidcCallbackQuery = Type.Object({
  code: Type.Optional(Type.String({ maxLength: 4096 })),
  state: Type.Optional(Type.String({ maxLength: 512 })),
  iss: Type.Optional(Type.String({ maxLength: 2000 })),
  error: Type.Optional(Type.String({ maxLength: 200 })),
  error_description: Type.Optional(Type.String({ maxLength: 2000 })),
}, { additionalProperties: true });

/** A single sign-on identity linked to a user: the provider's issuer and its subject for the user. */
export const SsoIdentity = Type.Object({
  id: Id,
  userId: Id,
  issuer: Type.String(),
  subject: Type.String(),
  createdAt: Instant,
  lastUsedAt: Instant,
}, { additionalProperties: false });
export type SsoIdentity = Static<typeof SsoIdentity>;

export const SsoIdentityList = Type.Object({ items: Type.Array(SsoIdentity) }, { additionalProperties: false });

export const UserIdentityParams = Type.Object({ id: Id, identityId: Id }, { additionalProperties: false });
