/**
 * Encryption at rest for private signing keys: AES-256-GCM under a key derived from JWT_SECRET
 * (HMAC-SHA256 with a fixed label), so a database dump alone does not hold a usable private key.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

function keyFrom(secret: string): Buffer {
  return createHmac('sha256', secret).update('gatehouse signing-key encryption v1').digest();
}

export function encryptSecret(secret: string, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyFrom(secret), iv);
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
}

/** Throws when the ciphertext was made under another secret or was tampered with. */
export function decryptSecret(secret: string, sealed: string): string {
  const [version, iv, tag, body] = sealed.split('.');
  if (version !== 'v1' || iv === undefined || tag === undefined || body === undefined) throw new Error('unknown key encryption format');
  const decipher = createDecipheriv('aes-256-gcm', keyFrom(secret), Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
}
