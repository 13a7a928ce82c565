/**
 * Standard Webhooks signatures (the `standardwebhooks` library, the scheme's reference code):
 * `webhook-signature` is `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, and during a secret's
 * rotation overlap one such entry per secret, separated by a space — receivers accept any.
 */
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

/** `whsec_` and 32 random bytes in base64, the form the standardwebhooks libraries take. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

export type SignedHeaders = Readonly<Record<'webhook-id' | 'webhook-timestamp' | 'webhook-signature', string>>;

export function signWebhook(secrets: readonly string[], id: string, at: Date, body: string): SignedHeaders {
  const signatures = secrets.map((secret) => new Webhook(secret).sign(id, at, body));
  return { 'webhook-id': id, 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': signatures.join(' ') };
}

/** The body every attempt of an event sends: the same bytes each time. */
export function eventPayload(event: { id: string; type: string; created_at: Date; sequence: string; data: unknown }): string {
  return JSON.stringify({ id: event.id, type: event.type, timestamp: event.created_at.toISOString(), sequence: Number(event.sequence), data: event.data });
}
