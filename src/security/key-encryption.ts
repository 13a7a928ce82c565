/**
 * Encryption at rest of what must be read back: AES-256-GCM under a key derived from JWT_SECRET
 * (HMAC-SHA256 with a label per purpose), so a database dump alone holds neither a usable private
 * key nor a mailed link. Each purpose has its own key: one never opens another's ciphertext.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

/** What is sealed; the signing keys' label is the one they have always been sealed under. */
export type SealPurpose = 'signing-key' | 'mail-job' | 'webhook-secret';

const LABELS: Readonly<Record<SealPurpose, string>> = {
  'signing-key': 'gatehouse signing-key encryption v1',
  'mail-job': 'gatehouse mail-job encryption v1',
  'webhook-secret': 'gatehouse webhook-secret encryption v1',
};

function keyFrom(secret: string, purpose: SealPurpose): Buffer {
  return createHmac('sha256', secret).update(LABELS[purpose]).digest();
}

export function encryptSecret(secret: string, plaintext: string, purpose: SealPurpose = 'signing-key'): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyFrom(secret, purpose), iv);
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
}

/** Throws when the ciphertext was made under another secret or was tampered with. */
export function decryptSecret(secret: string, sealed: string, purpose: SealPurpose = 'signing-key'): string {
  const [version, iv, tag, body] = sealed.split('.');
  if (version !== 'v1' || iv === undefined || tag === undefined || body === undefined) throw new Error('unknown key encryption format');
  const decipher = createDecipheriv('aes-256-gcm', keyFrom(secret, purpose), Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
}
