import { randomBytes, randomUUID } from 'node:crypto';

/** Source of identifiers and secrets, passed in like the clock so tests can pin them. */
export interface Ids {
  uuid(): string;
  secret(bytes?: number): string;
}

export const randomIds: Ids = {
  uuid: () => randomUUID(),
  secret: (bytes = 32) => randomBytes(bytes).toString('base64url'),
};
