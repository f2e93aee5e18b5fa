import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Encryption at rest for secrets ops keeps: AES-256-GCM under a key derived (HKDF) from a secret
 * of the environment, one key per purpose. Whoever can read the ops schema could otherwise mint
 * staff tokens (generated signing keys, under INTERNAL_SECRET) or compute anyone's second factor
 * (TOTP secrets, under TOTP_ENCRYPTION_KEY); with this they also need the secret. `aad` binds a
 * ciphertext to its row (the kid, the user id).
 */
const VERSION = 'v1';

/** The HKDF `info`: the same secret never yields the same key for two purposes. */
export type SealPurpose = 'signing-key-encryption' | 'totp-secret-encryption';

function keyFrom(secret: string, purpose: SealPurpose): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'terrarium-ops', purpose, 32));
}

export function seal(plaintext: string, aad: string, secret: string, purpose: SealPurpose): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyFrom(secret, purpose), iv);
  cipher.setAAD(Buffer.from(aad));
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [
    VERSION,
    iv.toString('base64url'),
    cipher.getAuthTag().toString('base64url'),
    data.toString('base64url'),
  ].join('.');
}

/** The plaintext, or null when `sealed` was not made with this secret and aad (or was altered). */
export function open(sealed: string, aad: string, secret: string, purpose: SealPurpose): string | null {
  const [version, iv, tag, data] = sealed.split('.');
  if (version !== VERSION || !iv || !tag || !data) return null;
  try {
    const decipher = createDecipheriv('aes-256-gcm', keyFrom(secret, purpose), Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(aad));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString(
      'utf8',
    );
  } catch {
    return null;
  }
}
