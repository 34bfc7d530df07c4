import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

/**
 * Encrypts secrets the server must read back (TOTP seeds) with AES-256-GCM under the server
 * key (PIM_SECRET_KEY, or the key file in the data directory). A copied database alone does
 * not reveal them. Format: v1.<iv>.<tag>.<ciphertext>, base64url.
 */
export class SecretBox {
  /** A key of its own for MACs: the encryption key is never used for two purposes. */
  private readonly macKey: Buffer;

  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('the secret key must be 32 bytes');
    this.macKey = createHmac('sha256', key).update('openpim mac key v1').digest();
  }

  /** A value only this server can compute for `text` (per purpose), to be recomputed instead of stored. */
  mac(purpose: string, text: string): string {
    return createHmac('sha256', this.macKey).update(`${purpose}\0${text}`).digest('base64url');
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
    return ['v1', iv.toString('base64url'), c.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
  }

  open(sealed: string): string {
    const [v, iv, tag, body] = sealed.split('.');
    if (v !== 'v1' || iv === undefined || tag === undefined || body === undefined) throw new Error('not a sealed secret');
    const d = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    d.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([d.update(Buffer.from(body, 'base64url')), d.final()]).toString('utf8');
  }
}
