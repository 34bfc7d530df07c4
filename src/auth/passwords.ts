import { hash, verify, type Options } from '@node-rs/argon2';

/** argon2id with OWASP's baseline (19 MiB, 2 passes, 1 lane): ~40 ms per hash on our machines. */
// Algorithm is an ambient const enum (not importable under verbatimModuleSyntax): 2 is Argon2id.
const OPTIONS: Options = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

/** A fixed hash to verify against when the account does not exist, so timing does not tell. */
let decoy: Promise<string> | undefined;

export async function verifyPassword(stored: string | undefined, password: string): Promise<boolean> {
  if (stored === undefined) {
    decoy ??= hashPassword('openpim-decoy-password-for-unknown-accounts');
    await verify(await decoy, password).catch(() => false);
    return false;
  }
  return verify(stored, password).catch(() => false);
}
