import { Type, type Static } from 'typebox';
import { DisplayName } from './common.ts';

/** First-run setup: the browser equivalent of `pim bootstrap` (see docs/portal.md). */

export const SetupStatus = Type.Object({
  required: Type.Boolean({ description: 'True while no administrator exists: the setup page can create the first one' }),
}, { additionalProperties: false });
export type SetupStatus = Static<typeof SetupStatus>;

export const SetupInput = Type.Object({
  code: Type.String({ minLength: 1, maxLength: 128, description: 'The one-time setup code the server printed at start (the setup URL carries it)' }),
  userPrincipalName: Type.String({ minLength: 3, maxLength: 256, description: 'Sign-in name of the first administrator, e.g. alice@example.com' }),
  displayName: DisplayName,
  password: Type.String({ minLength: 1, maxLength: 256 }),
}, { additionalProperties: false });
export type SetupInput = Static<typeof SetupInput>;
